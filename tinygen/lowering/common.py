"""Shared generation-time arithmetic: activation clamps and multipliers.

Every number here is computed exactly the way TensorFlow Lite Micro and TensorFlow
Lite's reference kernels compute it while preparing a kernel (float32 where they use
float, float64 where they use double), so the generated kernels see the same integers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from tinygen.errors import TinygenError, quoted
from tinygen.geometry import effective_size, output_size
from tinygen.ir import NO_TENSOR, Graph, Op, Quantization, Tensor
from tinygen.reference.fixedpoint import quantize_multiplier, round_half_away

INT8_MIN = -128
INT8_MAX = 127
INT32_MAX = (1 << 31) - 1
#: The largest shift the kernels' requantization takes (a left shift of at most 30 bits).
MAX_SHIFT = 30


def expect(
    graph: Graph,
    op_index: int,
    op: Op,
    index: int,
    what: str,
    dtypes: Iterable[str] = ("int8",),
    rank: int | None = None,
) -> Tensor:
    """Tensor ``index`` of ``op``, after checking its type (and rank) is one the kernel takes."""
    tensor = graph.tensors[index]
    dtypes = tuple(dtypes)
    where = f"operator {op_index} ({op.kind}): {what} {quoted(tensor.name)}"
    if tensor.dtype not in dtypes:
        raise TinygenError(f"{where} is {tensor.dtype}; the kernel takes {' or '.join(dtypes)}")
    if rank is not None and len(tensor.shape) != rank:
        raise TinygenError(f"{where} must be {rank}-D, has shape {list(tensor.shape)}")
    return tensor


def constant_weights(
    graph: Graph, op_index: int, op: Op, channels: int, bias_dtype: str = "int32"
) -> bool:
    """Input 1 (weights) is constant; whether ``op`` has a bias (input 2), which then is
    constant ``bias_dtype`` with one value per output channel."""
    biased = len(op.inputs) > 2 and op.inputs[2] != NO_TENSOR
    if not graph.tensors[op.inputs[1]].is_constant or (
        biased and not graph.tensors[op.inputs[2]].is_constant
    ):
        raise TinygenError(f"operator {op_index} ({op.kind}): weights and bias must be constant")
    if not biased:
        return False
    bias = expect(graph, op_index, op, op.inputs[2], "bias", (bias_dtype,))
    if bias.size != channels:
        raise TinygenError(
            f"operator {op_index} ({op.kind}): {bias.size} biases for {channels} output channels"
        )
    return True


def positive_attr(op_index: int, op: Op, key: str) -> int:
    """An integer option of ``op`` that must be at least 1 (a stride, a filter size)."""
    value = op.attrs.get(key)
    if value is None:
        raise TinygenError(f"operator {op_index} ({op.kind}) has no {key} in its options")
    if not 1 <= int(value) <= INT32_MAX:
        raise TinygenError(f"operator {op_index} ({op.kind}): {key} is {value}, must be >= 1")
    return int(value)


def rescale(real: float, op_index: int, op: Op, what: str) -> tuple[int, int]:
    """``quantize_multiplier`` of a rescale factor, refused where the kernels cannot apply it."""
    if not math.isfinite(real) or real < 0:
        raise TinygenError(
            f"operator {op_index} ({op.kind}): the {what} rescale factor is {real}; the "
            "model's quantization scales are broken"
        )
    multiplier, shift = quantize_multiplier(real)
    if shift > MAX_SHIFT:
        raise TinygenError(
            f"operator {op_index} ({op.kind}): the {what} rescale factor {real:g} is "
            f"2**{MAX_SHIFT} or more, beyond the int8 kernels' requantization; the model's "
            "quantization scales are broken"
        )
    return multiplier, shift


def quant_of(graph: Graph, index: int, what: str, op_index: int, op: Op) -> Quantization:
    q = graph.tensors[index].quant
    if q is None:
        raise TinygenError(
            f"operator {op_index} ({op.kind}): {what} tensor "
            f"{quoted(graph.tensors[index].name)} has no quantization parameters"
        )
    return q


def activation_range(activation: str, scale: float, zero_point: int) -> tuple[int, int]:
    """Clamp range of a fused activation on an int8 output (TFLM's rule)."""

    def quantize(value: float) -> int:
        with np.errstate(over="ignore"):  # a tiny scale: the bound lies beyond int8 anyway
            steps = float(np.float32(value) / np.float32(scale))
        return zero_point + round_half_away(min(max(steps, -1e12), 1e12))

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
    input_scale: float,
    filter_quant: Quantization,
    output_scale: float,
    channels: int,
    where: tuple[int, Op],
) -> tuple[np.ndarray, np.ndarray]:
    """Per-output-channel multipliers and shifts of a convolution (double math).

    ``where`` (operator index, operator) names the operator in errors."""
    scales = filter_quant.scale.reshape(-1)
    if scales.size not in (1, channels):
        raise TinygenError(
            f"operator {where[0]} ({where[1].kind}): the filter has {scales.size} scales "
            f"for {channels} output channels"
        )
    mults = np.zeros(channels, np.int32)
    shifts = np.zeros(channels, np.int32)
    for c in range(channels):
        filter_scale = float(scales[c] if scales.size > 1 else scales[0])
        effective = float(np.float32(input_scale)) * filter_scale / float(np.float32(output_scale))
        mults[c], shifts[c] = rescale(effective, *where, "output")
    return mults, shifts


def shape4(tensor: Tensor) -> tuple[int, int, int, int]:
    if len(tensor.shape) != 4:
        raise TinygenError(
            f"tensor {quoted(tensor.name)} must be 4-D, has shape {list(tensor.shape)}"
        )
    n, h, w, c = tensor.shape
    return n, h, w, c


def check_window(
    index: int, op: Op, padding: str | None, sizes: tuple[int, int, int, int, int]
) -> None:
    """The window's reach fits int32, and the stored output size is TensorFlow Lite's for
    ``padding`` (None: explicit padding from a rewrite, any output size)."""
    size, filt, stride, dilation, out = sizes
    reach = (out - 1) * stride + effective_size(filt, dilation)
    if reach > INT32_MAX:
        raise TinygenError(
            f"operator {index} ({op.kind}): its window reaches {reach:,} elements, beyond the "
            "kernels' 32-bit coordinates"
        )
    if padding is None:
        return
    if padding not in ("SAME", "VALID"):
        raise TinygenError(f"operator {index} ({op.kind}) has the padding {padding!r}")
    expected = output_size(padding, size, filt, stride, dilation)
    if out != expected:
        raise TinygenError(
            f"operator {index} ({op.kind}): an input of {size} with a window of {filt} "
            f"(stride {stride}, dilation {dilation}, {padding}) gives {expected} outputs, "
            f"but the output tensor has {out}"
        )
