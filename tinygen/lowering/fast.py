"""Specialized kernels for convolutions and additions, chosen per layer at generation time.

A :class:`FastKernel` rides along a lowered ``conv2d_s8``, ``depthwise_conv2d_s8`` or
``add_s8`` call: the planner and the reference still see the plain call (its kind and
parameters), and the C emitter runs the specialized kernel instead. A convolution's weights
are re-laid out for it and the input offset is folded into the bias:

    sum over taps of (x + input_offset) * w + bias
        == sum of x * w + [bias + input_offset * sum of w]

in wrapping int32 arithmetic, for every tap, where a padded tap reads the input's zero
point (x + input_offset == 0), as the reference pads. Both C paths of each kernel (Arm DSP
extension and portable C99) compute these same integers. The DSP path requantizes with
SMMULR where :func:`accumulator_bound` proves it exact; a layer outside the bound keeps the
plain kernel. An addition of two same-shape inputs uses tables of each input's scaled value.
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
    pixel_block: int = 1  # output pixels whose reads and writes interleave (the overlap bound)
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
    direct: int  # 0: gathered windows, 1: pixels in pairs, 2: one pixel at a time
    pad_value: int
    output_offset: int
    act_min: int
    act_max: int
    filter: np.ndarray  # int8
    bias: np.ndarray  # int32
    multiplier: np.ndarray
    shift: np.ndarray


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
    output_offset: int
    act_min: int
    act_max: int
    filter: np.ndarray
    bias: np.ndarray
    multiplier: np.ndarray
    shift: np.ndarray
    pad: np.ndarray


def _folded_bias(p: ConvParams, rows: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """int32 bias + input_offset * sum of each row of ``rows`` (one row per channel)."""
    folded = p.input_offset * rows.astype(np.int64).sum(axis=1)
    if bias is not None:
        folded = folded + bias.astype(np.int64).reshape(-1)
    return wrap_int32(folded).astype(np.int32)


def single_pixels(fast: FastKernel) -> FastKernel:
    """A direct convolution's form that computes one output pixel at a time: the plain
    raster-order memory contract, for outputs that overlap their input (a little slower)."""
    if fast.pixel_block == 1:
        return fast
    params = dataclasses.replace(fast.params, direct=2)
    return dataclasses.replace(fast, params=params, pixel_block=1)


def constant_channels(
    p: ConvParams, rows: np.ndarray, folded: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bias, multiplier and shift per channel, with every channel whose weights are all zero
    (its output is a constant y) given bias 2 (y - output_offset), multiplier 2**30 and shift 0,
    which requantize to the same y from a small accumulator. Such dead channels carry huge
    biases in real models (MobileNet's), beyond :func:`accumulator_bound` otherwise."""
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


def accumulator_bound(rows: np.ndarray, folded: np.ndarray, shift: np.ndarray) -> bool:
    """Whether every accumulator a kernel can reach, shifted left as its requantization does,
    stays below 2**30 in magnitude: inputs and padding are int8, so |acc| <= |folded bias| +
    128 * sum |w|. The DSP path's requantization (tg_fast.h) relies on it; real models are
    far inside it, and a layer outside keeps the plain kernel."""
    reach = np.abs(folded.astype(np.int64)) + 128 * np.abs(rows.astype(np.int64)).sum(axis=1)
    left = np.maximum(np.asarray(shift, np.int64), 0)
    return bool(np.all(reach < (np.int64(1) << (30 - left))))


def interleave_pairs(rows: np.ndarray) -> np.ndarray:
    """Rows (channels, depth) as pairs interleaved by four bytes, the 1-3 left after; an odd
    count gets a copy of the last row."""
    if rows.shape[0] % 2:
        rows = np.concatenate([rows, rows[-1:]])
    channels, depth = rows.shape
    whole = depth // 4 * 4
    pairs = rows.reshape(channels // 2, 2, depth)
    head = pairs[:, :, :whole].reshape(channels // 2, 2, depth // 4, 4).transpose(0, 2, 1, 3)
    tail = pairs[:, :, whole:]
    flat = np.concatenate(
        [head.reshape(channels // 2, -1), tail.reshape(channels // 2, -1)], axis=1
    )
    return flat.reshape(-1).astype(np.int8)


def _even(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values)
    return np.concatenate([values, values[-1:]]) if values.size % 2 else values


def fast_conv(p: ConvParams, weights: np.ndarray, bias: np.ndarray | None) -> FastKernel | None:
    """The specialized kernel of a CONV_2D with these parameters, or None (grouped, or
    accumulators beyond :func:`accumulator_bound`)."""
    if p.filter_c != p.in_c:
        return None
    rows = weights.reshape(p.out_c, -1)
    depth = rows.shape[1]
    folded, mults, shifts = constant_channels(p, rows, _folded_bias(p, rows, bias))
    if not accumulator_bound(rows, folded, shifts):
        return None
    direct = int(p.filter_h == p.filter_w == 1 and p.pad_h == p.pad_w == 0)
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
        output_offset=p.output_offset,
        act_min=p.act_min,
        act_max=p.act_max,
        filter=interleave_pairs(rows),
        bias=_even(folded),
        multiplier=_even(mults),
        shift=_even(shifts),
    )
    if direct:
        return FastKernel("conv2d_fast_s8", params, 0, pixel_block=2)
    return FastKernel("conv2d_fast_s8", params, 2 * depth)


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
    taps, accumulators beyond :func:`accumulator_bound`)."""
    if p.depth_multiplier != 1 or p.filter_h * p.filter_w > DEPTHWISE_FAST_TAPS:
        return None
    taps = weights.reshape(p.filter_h * p.filter_w, p.out_c)
    folded, mults, shifts = constant_channels(p, taps.T, _folded_bias(p, taps.T, bias))
    if not accumulator_bound(taps.T, folded, shifts):
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
        output_offset=p.output_offset,
        act_min=p.act_min,
        act_max=p.act_max,
        filter=depthwise_layout(taps),
        bias=folded,
        multiplier=mults,
        shift=shifts,
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
