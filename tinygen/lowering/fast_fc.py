"""The specialized FULLY_CONNECTED kernel: per-tensor int8 weights in quads of rows.

Four outputs at a time run the quad dot product of the specialized convolutions
(tg_fast.h's tg_dot4) on weights re-laid out by :func:`tinygen.lowering.fast.quad_layout`,
the input offset folded into the bias as the plain kernel folds it. The requantization is
TensorFlow Lite's single rounding, floor((acc * m + 2**(t - 1)) / 2**t) with t = 31 - shift,
plus the output offset, which is exactly floor((acc * m + K) / 2**t) with
K = 2**(t - 1) + offset * 2**t: one 64-bit multiply-accumulate of acc * m onto K (SMLAL on
the DSP extension) whose high word shifted right by t - 32 is the offset output, for t >= 32
(shifts of -1 and below, every real layer's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tinygen.lowering.fast import FastKernel, quad_layout

if TYPE_CHECKING:  # fully_connected.py imports this module
    from tinygen.lowering.fully_connected import FullyConnectedParams


@dataclass(frozen=True)
class FullyConnectedFastParams:
    batches: int
    depth: int
    out_depth: int
    multiplier: int
    high_shift: int  # t - 32
    rounding_low: int  # K's low 32 bits (as int32)
    rounding_high: int  # K's high 32 bits
    act_min: int
    act_max: int
    filter: np.ndarray  # int8, quads of rows
    bias: np.ndarray  # int32, out_depth padded to a multiple of 4


def fast_fully_connected(p: FullyConnectedParams, weights: np.ndarray) -> FastKernel | None:
    """The specialized kernel of a FULLY_CONNECTED, or None (per-channel or offset weights,
    or a shift above -1)."""
    if p.per_channel or p.filter_offset != 0:
        return None
    t = 31 - int(p.shift[0])
    if not 32 <= t <= 54:  # K and acc * m + K stay within int64
        return None
    rounding = (1 << (t - 1)) + p.output_offset * (1 << t)
    low = rounding & 0xFFFFFFFF
    rows = np.asarray(weights, np.int8).reshape(p.out_depth, p.accum_depth)
    bias = np.concatenate([p.bias, np.zeros(-p.out_depth % 4, np.int32)]).astype(np.int32)
    params = FullyConnectedFastParams(
        batches=p.batches,
        depth=p.accum_depth,
        out_depth=p.out_depth,
        multiplier=int(p.multiplier[0]),
        high_shift=t - 32,
        rounding_low=low - (1 << 32) if low >= 1 << 31 else low,
        rounding_high=rounding >> 32,
        act_min=p.act_min,
        act_max=p.act_max,
        filter=quad_layout(rows),
        bias=bias,
    )
    return FastKernel("fully_connected_fast_s8", params)
