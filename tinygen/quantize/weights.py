"""Constant tensors: symmetric int8 weights, int32 biases, asymmetric int8 operands.

As TensorFlow's converter quantizes them (float32 arithmetic where it uses float):

* weights are symmetric int8 in [-127, 127] with zero point 0, the scale
  ``max|w| / 127`` per output channel (CONV_2D: axis 0, DEPTHWISE_CONV_2D: axis 3,
  FULLY_CONNECTED with per-channel weights: axis 0) or per tensor, each value
  ``round(w * (1 / scale))`` rounded half away from zero;
* a bias is int32 with zero point 0 and the scale input scale × weight scale (per
  channel where the weights are); a channel whose bias would pass half the int32 range
  at that scale (all-zero weights, for instance) gets a larger weight scale, so it does
  not;
* any other float constant (an ADD or MUL operand) is quantized like an activation, from
  its own minimum and maximum, except that an operand of CONCATENATION, PACK, MAXIMUM or
  MINIMUM takes the operator's output quantization.
"""

from __future__ import annotations

import numpy as np

from tinygen.ir import Quantization, Tensor
from tinygen.quantize.ranges import quantization, quantize_values, round_away

WEIGHT_MAX = 127
BIAS_MAX = (1 << 31) - 1
BIAS_LIMIT = BIAS_MAX // 2
NEAR_ZERO = 1e-6


def weight_scales(w: np.ndarray, axis: int | None) -> np.ndarray:
    """float32 scales, one per channel along ``axis`` (or one for the tensor)."""
    w = np.asarray(w, np.float32)
    if axis is None:
        max_abs = np.array([np.abs(w).max() if w.size else 0.0], np.float32)
    else:
        moved = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)
        max_abs = np.abs(moved).max(axis=1).astype(np.float32)
    # A range narrower than 1e-6 is widened to [-5e-7, 5e-7], as TensorFlow does.
    max_abs = np.where(2 * max_abs <= NEAR_ZERO, np.float32(NEAR_ZERO / 2), max_abs)
    return (max_abs / np.float32(WEIGHT_MAX)).astype(np.float32)


def fit_bias(input_scale: float, scales: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """Weight scales raised where a bias value would pass half the int32 range at input ×
    weight scale (the half leaves the accumulator room), to ``|bias| / (2**30 - 1) /
    input scale``, as TensorFlow's quantizer adjusts them."""
    if bias is None:
        return scales
    b = np.abs(np.asarray(bias, np.float32).astype(np.float64).reshape(-1))
    if scales.size == 1:
        b = np.array([b.max(initial=0.0)])
    too_large = b / (input_scale * scales.astype(np.float64)) > BIAS_LIMIT
    raised = b / BIAS_LIMIT / input_scale
    return np.where(too_large, raised, scales).astype(np.float32)


def quantize_weights(w: np.ndarray, scales: np.ndarray, axis: int | None) -> np.ndarray:
    w = np.asarray(w, np.float32)
    inverse = (np.float32(1.0) / scales).astype(np.float32)
    if axis is not None:
        shape = [1] * w.ndim
        shape[axis] = scales.size
        inverse = inverse.reshape(shape)
    q = round_away((w * inverse).astype(np.float32))
    return np.clip(q, -WEIGHT_MAX, WEIGHT_MAX).astype(np.int8)


def weight_tensor(t: Tensor, scales: np.ndarray, axis: int | None) -> Tensor:
    data = quantize_weights(np.asarray(t.data), scales, axis)
    quant = Quantization(scales.astype(np.float32), np.zeros(scales.size, np.int64), axis or 0)
    return Tensor(t.name, t.shape, "int8", quant, data)


def bias_tensor(t: Tensor, input_scale: float, scales: np.ndarray) -> Tensor:
    """int32 bias at scale input scale × weight scale (the product in double, stored as
    float32), each value ``round(b * float32(1 / scale))`` in float32, saturated."""
    bias_scales = (np.float64(input_scale) * scales.astype(np.float64)).astype(np.float32)
    data = np.asarray(t.data, np.float32).reshape(-1)
    per = bias_scales if bias_scales.size == data.size else np.repeat(bias_scales[:1], data.size)
    inverse = (1.0 / per.astype(np.float64)).astype(np.float32)
    q = round_away((data * inverse).astype(np.float32).astype(np.float64))
    q = np.clip(q, -BIAS_MAX, BIAS_MAX).astype(np.int32)
    quant = Quantization(bias_scales, np.zeros(bias_scales.size, np.int64), 0)
    return Tensor(t.name, t.shape, "int32", quant, q.reshape(t.shape))


def operand_tensor(t: Tensor) -> Tensor:
    """A float constant read like an activation (an ADD operand): int8 from its own range."""
    data = np.asarray(t.data, np.float32)
    quant = quantization(float(data.min(initial=0.0)), float(data.max(initial=0.0)))
    scale, zero = float(quant.scale[0]), int(quant.zero_point[0])
    return Tensor(t.name, t.shape, "int8", quant, quantize_values(data, scale, zero))


def shared_operand(t: Tensor, quant: Quantization) -> Tensor:
    """A float constant read by an operator whose inputs share its output's quantization
    (a CONCATENATION or MAXIMUM operand): int8 with ``quant``, saturated."""
    data = np.asarray(t.data, np.float32)
    scale, zero = float(quant.scale[0]), int(quant.zero_point[0])
    return Tensor(t.name, t.shape, "int8", quant, quantize_values(data, scale, zero))
