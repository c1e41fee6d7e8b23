"""Specialized kernels for convolutions and additions, chosen per layer at generation time.

A :class:`FastKernel` rides along a lowered ``conv2d_s8``, ``depthwise_conv2d_s8`` or
``add_s8`` call: the planner and the reference still see the plain call (its kind and
parameters), and the C emitter runs the specialized kernel instead. A convolution's weights
are re-laid out for it and the input offset is folded into the bias:

    sum over taps of (x + input_offset) * w + bias
        == sum of x * w + [bias + input_offset * sum of w]

in wrapping int32 arithmetic, for every tap, where a padded tap reads the input's zero
point (x + input_offset == 0), as the reference pads. Both C paths of each kernel (Arm DSP
extension and portable C99) compute these same integers. They requantize with SMMULR and
constants per channel (:func:`quad_quant`) where every intermediate provably stays in int32;
a layer outside that bound, or with a positive shift, keeps the plain kernel. An addition
of two same-shape inputs uses tables of each input's scaled value.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygen.reference.fixedpoint import multiply_by_quantized_multiplier, wrap_int32

if TYPE_CHECKING:  # conv.py and add.py import this module
    from tinygen.lowering.add import AddParams
    from tinygen.lowering.conv import ConvParams

#: Most filter taps of the specialized depthwise kernel (TG_DEPTHWISE_FAST_TAPS).
DEPTHWISE_FAST_TAPS = 25


@dataclass(frozen=True)
class FastKernel:
    kernel: str  # the C kernel's name without tg_, e.g. "conv2d_fast_s8"
    params: Any  # a frozen dataclass: the fields of its C parameter struct
    scratch_bytes: int = 0  # arena scratch it takes as its last argument (0: none)
    in_place_scratch: int = 0  # scratch of the in-place form (depthwise), if it has one
    inputs: int = 1  # the call's leading tensor inputs it takes (weights are in params)


@dataclass(frozen=True)
class ConvFastParams:
    batches: int
    in_h: int
    in_w: int
    in_c: int
    out_h: int
    out_w: int
    out_c: int
    filter_h: int
    filter_w: int
    stride_h: int
    stride_w: int
    dilation_h: int
    dilation_w: int
    pad_h: int
    pad_w: int
    direct: int  # 1: an unpadded 1x1 window read in place, 0: windows gathered
    pad_value: int
    act_min: int
    act_max: int
    filter: np.ndarray | None  # int8, quads of channels (quad_layout), or None if widened
    filter16: np.ndarray | None  # or int16 (wide_layout) for layers of many pixels
    quant: np.ndarray  # int32, per channel: bias, multiplier, right + 1, rounding (quad_quant)


@dataclass(frozen=True)
class DepthwiseFastParams:
    batches: int
    in_h: int
    in_w: int
    channels: int
    out_h: int
    out_w: int
    filter_h: int
    filter_w: int
    stride_h: int
    stride_w: int
    dilation_h: int
    dilation_w: int
    pad_h: int
    pad_w: int
    act_min: int
    act_max: int
    filter: np.ndarray
    quant: np.ndarray  # int32, per channel (quad_quant)
    pad: np.ndarray


def _folded_bias(p: ConvParams, rows: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """int32 bias + input_offset * sum of each row of ``rows`` (one row per channel)."""
    folded = p.input_offset * rows.astype(np.int64).sum(axis=1)
    if bias is not None:
        folded = folded + bias.astype(np.int64).reshape(-1)
    return wrap_int32(folded).astype(np.int32)


def constant_channels(
    p: ConvParams, rows: np.ndarray, folded: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bias, multiplier and shift per channel, with every channel whose weights are all zero
    (its output is a constant y) given bias 2 (y - output_offset), multiplier 2**30 and shift 0,
    which requantize to the same y from a small accumulator. Such dead channels carry huge
    biases in real models (MobileNet's), beyond :func:`quad_quant`'s bound otherwise."""
    folded = folded.astype(np.int32).copy()
    mults = np.asarray(p.multiplier, np.int32).copy()
    shifts = np.asarray(p.shift, np.int32).copy()
    dead = ~np.any(rows != 0, axis=1)
    if dead.any():
        acc = folded[dead].astype(np.int64)
        scaled = multiply_by_quantized_multiplier(acc, mults[dead].astype(np.int64), shifts[dead])
        y = np.clip(np.asarray(scaled) + p.output_offset, p.act_min, p.act_max)
        folded[dead] = 2 * (y - p.output_offset)
        mults[dead] = 1 << 30
        shifts[dead] = 0
    return folded, mults, shifts


def quad_layout(rows: np.ndarray) -> np.ndarray:
    """Rows (channels, depth) in quads of channels, the count padded to a multiple of 4 with
    zero rows: per quad, for each group of four values the four channels' four bytes, then
    each channel's last depth % 4 bytes (a quad's block stays a multiple of 4 bytes)."""
    channels, depth = rows.shape
    padded = -channels % 4
    rows = np.concatenate([rows, np.zeros((padded, depth), rows.dtype)])
    quads = rows.reshape(-1, 4, depth)
    whole = depth // 4 * 4
    head = quads[:, :, :whole].reshape(len(quads), 4, depth // 4, 4).transpose(0, 2, 1, 3)
    tail = quads[:, :, whole:]
    flat = np.concatenate([head.reshape(len(quads), -1), tail.reshape(len(quads), -1)], axis=1)
    return flat.reshape(-1).astype(np.int8)


#: Output pixels from which a convolution's weights are widened to int16 (wide_layout): each
#: weight byte of flash added saves about 0.4 instructions per output pixel on the DSP path.
WIDE_PIXELS = 64


def wide_layout(rows: np.ndarray) -> np.ndarray:
    """quad_layout as int16, each group's four values in the order 0, 2, 1, 3 (the pairs
    SMLAD takes with an input word's even and odd halves), the tails as they are."""
    channels, depth = rows.shape
    rows = np.concatenate([rows, np.zeros((-channels % 4, depth), rows.dtype)])
    quads = rows.reshape(-1, 4, depth).astype(np.int16)
    whole = depth // 4 * 4
    head = quads[:, :, :whole].reshape(len(quads), 4, depth // 4, 4)[..., [0, 2, 1, 3]]
    head = head.transpose(0, 2, 1, 3).reshape(len(quads), -1)
    flat = np.concatenate([head, quads[:, :, whole:].reshape(len(quads), -1)], axis=1)
    return flat.reshape(-1)


def narrow_weights(fast: FastKernel) -> FastKernel:
    """``fast`` with int8 weights (quad_layout) where they were widened: the form for
    --optimize size, one weight byte instead of two."""
    params = fast.params
    if not isinstance(params, ConvFastParams) or params.filter16 is None:
        return fast
    depth = params.filter_h * params.filter_w * params.in_c
    quads, whole = -(-params.out_c // 4), depth // 4 * 4
    blocks = params.filter16.reshape(quads, -1)
    head = blocks[:, : 4 * whole].reshape(quads, whole // 4, 4, 4)[..., [0, 2, 1, 3]]
    flat = np.concatenate([head.reshape(quads, -1), blocks[:, 4 * whole:]], axis=1)
    narrow = dataclasses.replace(params, filter=flat.reshape(-1).astype(np.int8), filter16=None)
    return dataclasses.replace(fast, params=narrow)


def quad_quant(
    rows: np.ndarray, folded: np.ndarray, mults: np.ndarray, shifts: np.ndarray,
    output_offset: int,
) -> np.ndarray | None:
    """Per channel {bias, multiplier, right + 1, 2**right + (output_offset << (right + 1))}
    as tg_quad_requantize (tg_fast.h) reads them, out_c padded to a multiple of 4; None where
    a shift is positive or an intermediate could leave int32 (|acc| <= |bias| + 128 sum |w|
    must stay below 2**30, and 2 |high| + |rounding| below 2**31)."""
    shifts = np.asarray(shifts, np.int64)
    if np.any(shifts > 0) or np.any(shifts < -30):
        return None
    right = -shifts
    reach = np.abs(folded.astype(np.int64)) + 128 * np.abs(rows.astype(np.int64)).sum(axis=1)
    rounding = (np.int64(1) << right) + (np.int64(output_offset) << (right + 1))
    if np.any(reach >= 1 << 30) or np.any(2 * (reach + 1) + np.abs(rounding) + 1 >= 1 << 31):
        return None
    quant = np.stack([folded.astype(np.int64), np.asarray(mults, np.int64), right + 1, rounding],
                     axis=1)
    padded = -len(quant) % 4
    # a padded channel: zero weights, bias 0, multiplier 2**30, never stored
    pad = np.tile(np.array([[0, 1 << 30, 1, 1]], np.int64), (padded, 1))
    return np.concatenate([quant, pad]).reshape(-1).astype(np.int32)


def fast_conv(p: ConvParams, weights: np.ndarray, bias: np.ndarray | None) -> FastKernel | None:
    """The specialized kernel of a CONV_2D with these parameters, or None (grouped, a positive
    shift, or accumulators beyond :func:`quad_quant`'s bound)."""
    if p.filter_c != p.in_c:
        return None
    rows = weights.reshape(p.out_c, -1)
    depth = rows.shape[1]
    folded, mults, shifts = constant_channels(p, rows, _folded_bias(p, rows, bias))
    quant = quad_quant(rows, folded, mults, shifts, p.output_offset)
    if quant is None:
        return None
    direct = int(p.filter_h == p.filter_w == 1 and p.pad_h == p.pad_w == 0)
    wide = p.batches * p.out_h * p.out_w >= WIDE_PIXELS
    params = ConvFastParams(
        batches=p.batches,
        in_h=p.in_h,
        in_w=p.in_w,
        in_c=p.in_c,
        out_h=p.out_h,
        out_w=p.out_w,
        out_c=p.out_c,
        filter_h=p.filter_h,
        filter_w=p.filter_w,
        stride_h=p.stride_h,
        stride_w=p.stride_w,
        dilation_h=p.dilation_h,
        dilation_w=p.dilation_w,
        pad_h=p.pad_h,
        pad_w=p.pad_w,
        direct=direct,
        pad_value=-p.input_offset,
        act_min=p.act_min,
        act_max=p.act_max,
        filter=None if wide else quad_layout(rows),
        filter16=wide_layout(rows) if wide else None,
        quant=quant,
    )
    return FastKernel("conv2d_fast_s8", params, 0 if direct else depth)


def depthwise_layout(taps: np.ndarray) -> np.ndarray:
    """Filter (taps, channels) as [channels / 4][taps][4], then [taps][channels % 4]."""
    n, channels = taps.shape
    whole = channels // 4 * 4
    head = taps[:, :whole].reshape(n, whole // 4, 4).transpose(1, 0, 2)
    return np.concatenate([head.reshape(-1), taps[:, whole:].reshape(-1)]).astype(np.int8)


def fast_depthwise(
    p: ConvParams, weights: np.ndarray, bias: np.ndarray | None
) -> FastKernel | None:
    """The specialized kernel of a DEPTHWISE_CONV_2D, or None (a depth multiplier, too many
    taps, accumulators beyond :func:`quad_quant`'s bound)."""
    if p.depth_multiplier != 1 or p.filter_h * p.filter_w > DEPTHWISE_FAST_TAPS:
        return None
    taps = weights.reshape(p.filter_h * p.filter_w, p.out_c)
    folded, mults, shifts = constant_channels(p, taps.T, _folded_bias(p, taps.T, bias))
    quant = quad_quant(taps.T, folded, mults, shifts, p.output_offset)
    if quant is None:
        return None
    params = DepthwiseFastParams(
        batches=p.batches,
        in_h=p.in_h,
        in_w=p.in_w,
        channels=p.out_c,
        out_h=p.out_h,
        out_w=p.out_w,
        filter_h=p.filter_h,
        filter_w=p.filter_w,
        stride_h=p.stride_h,
        stride_w=p.stride_w,
        dilation_h=p.dilation_h,
        dilation_w=p.dilation_w,
        pad_h=p.pad_h,
        pad_w=p.pad_w,
        act_min=p.act_min,
        act_max=p.act_max,
        filter=depthwise_layout(taps),
        quant=quant,
        pad=np.full(p.out_c, -p.input_offset, np.int8),
    )
    # the in-place form gathers one input channel, padded to cover every window
    plane_h = (p.out_h - 1) * p.stride_h + (p.filter_h - 1) * p.dilation_h + 1
    plane_w = (p.out_w - 1) * p.stride_w + (p.filter_w - 1) * p.dilation_w + 1
    return FastKernel("depthwise_conv2d_fast_s8", params, in_place_scratch=plane_h * plane_w)


@dataclass(frozen=True)
class AddFastParams:
    size: int
    output_offset: int
    output_multiplier: int
    output_shift: int
    act_min: int
    act_max: int
    table1: np.ndarray  # int32, 256: by the input byte read as unsigned
    table2: np.ndarray


def fast_add(p: AddParams, dense: bool) -> FastKernel | None:
    """ADD of two inputs of the output's shape (``dense``) by tables of each input's scaled
    value, where their sum stays within tg_requantize_bounded's bound; else None."""
    if not dense:
        return None
    # entry i: the int8 value whose bits are i (0..127, then -128..-1)
    values = np.arange(256, dtype=np.uint8).view(np.int8).astype(np.int64)

    def table(offset: int, multiplier: int, shift: int) -> np.ndarray:
        shifted = wrap_int32((values + offset) << p.left_shift)
        return np.asarray(multiply_by_quantized_multiplier(shifted, multiplier, shift), np.int64)

    t1 = table(p.input1_offset, p.input1_multiplier, p.input1_shift)
    t2 = table(p.input2_offset, p.input2_multiplier, p.input2_shift)
    reach = (int(np.abs(t1).max()) + int(np.abs(t2).max())) << max(p.output_shift, 0)
    if reach >= 1 << 30:
        return None
    params = AddFastParams(
        size=p.size,
        output_offset=p.output_offset,
        output_multiplier=p.output_multiplier,
        output_shift=p.output_shift,
        act_min=p.act_min,
        act_max=p.act_max,
        table1=t1.astype(np.int32),
        table2=t2.astype(np.int32),
    )
    return FastKernel("add_fast_s8", params, inputs=2)
