"""Shared generation-time arithmetic: activation clamps and multipliers.

Every number here is computed exactly the way TensorFlow Lite Micro and TensorFlow
Lite's reference kernels compute it while preparing a kernel (float32 where they use
float, float64 where they use double), so the generated kernels see the same integers.
"""

from __future__ import annotations

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op, Quantization, Tensor
from tinygen.reference.fixedpoint import quantize_multiplier, round_half_away

INT8_MIN = -128
INT8_MAX = 127


def quant_of(graph: Graph, index: int, what: str, op_index: int, op: Op) -> Quantization:
    q = graph.tensors[index].quant
    if q is None:
        raise TinygenError(
            f"operator {op_index} ({op.kind}): {what} tensor "
            f"'{graph.tensors[index].name}' has no quantization parameters"
        )
    return q


def activation_range(activation: str, scale: float, zero_point: int) -> tuple[int, int]:
    """Clamp range of a fused activation on an int8 output (TFLM's rule)."""

    def quantize(value: float) -> int:
        return zero_point + round_half_away(float(np.float32(value) / np.float32(scale)))

    if activation == "NONE":
        return INT8_MIN, INT8_MAX
    if activation == "RELU":
        return max(INT8_MIN, quantize(0.0)), INT8_MAX
    if activation == "RELU6":
        return max(INT8_MIN, quantize(0.0)), min(INT8_MAX, quantize(6.0))
    if activation == "RELU_N1_TO_1":
        return max(INT8_MIN, quantize(-1.0)), min(INT8_MAX, quantize(1.0))
    raise TinygenError(f"fused activation {activation} is not supported on int8 outputs")


def per_channel_multipliers(
    input_scale: float, filter_quant: Quantization, output_scale: float, channels: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-output-channel multipliers and shifts of a convolution (double math)."""
    scales = filter_quant.scale.reshape(-1)
    mults = np.zeros(channels, np.int32)
    shifts = np.zeros(channels, np.int32)
    for c in range(channels):
        filter_scale = float(scales[c] if scales.size > 1 else scales[0])
        effective = float(np.float32(input_scale)) * filter_scale / float(np.float32(output_scale))
        mults[c], shifts[c] = quantize_multiplier(effective)
    return mults, shifts


def shape4(tensor: Tensor) -> tuple[int, int, int, int]:
    if len(tensor.shape) != 4:
        raise TinygenError(f"tensor '{tensor.name}' must be 4-D, has shape {list(tensor.shape)}")
    n, h, w, c = tensor.shape
    return n, h, w, c
