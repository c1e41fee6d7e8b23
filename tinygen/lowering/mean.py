"""Lowering of MEAN on int8 tensors (Keras GlobalAveragePooling), TFLM's arithmetic.

The sum over the reduced axes is rescaled by input_scale / output_scale / count:
TFLM folds 1/count into the multiplier with a shift chosen from count's bit length.
``reduction`` (the axes and the walk over them) serves SUM, REDUCE_MAX and REDUCE_MIN too
(``tinygen.lowering.reduce``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import expect, quant_of, rescale

MAX_DIMS = 6


@dataclass(frozen=True)
class ReductionWalk:
    """The walk of a reduction over constant axes, as its kernels' parameters: the outer
    walk over the kept positions, the inner one over the ``count`` elements one output
    combines, both as 6-D shapes and strides of the input (leading 1s)."""

    outputs: int
    count: int  # elements combined into each output
    kept_shape: tuple[int, ...]  # input dims with reduced axes set to 1 (outer loop)
    kept_strides: tuple[int, ...]
    reduced_shape: tuple[int, ...]  # input dims with kept axes set to 1 (inner loop)
    reduced_strides: tuple[int, ...]


@dataclass(frozen=True)
class MeanParams(ReductionWalk):
    input_zero_point: int
    output_zero_point: int
    multiplier: int
    shift: int


def _pad(values: list[int], fill: int) -> tuple[int, ...]:
    return (fill,) * (MAX_DIMS - len(values)) + tuple(values)


#: Elements one output may sum: the kernel's int32 sum of int8 values minus
#: zero point x count must not overflow.
MAX_COUNT = ((1 << 31) - 1) // 256


@dataclass(frozen=True)
class Reduction(ReductionWalk):
    """Where a reduction over constant axes reads (MEAN, SUM, REDUCE_MAX, REDUCE_MIN)."""

    axes: tuple[int, ...]  # the reduced axes, non-negative, without repeats

    def walk(self) -> dict[str, Any]:
        """The walk's fields, for a kernel's parameters (``ReductionWalk`` subclasses)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(ReductionWalk)}


def reduction(graph: Graph, index: int, op: Op, dtype: str = "int8") -> Reduction:
    """The geometry of reduction ``op`` (input 0 reduced over the constant axes of input 1),
    checked against its output's size; input and output are ``dtype``."""
    x = expect(graph, index, op, op.inputs[0], "input", (dtype,))
    y = expect(graph, index, op, op.outputs[0], "output", (dtype,))
    axes_tensor = expect(graph, index, op, op.inputs[1], "axes", ("int32", "int64"))
    where = f"operator {index} ({op.kind})"
    if not axes_tensor.is_constant:
        raise TinygenError(f"{where}: the axes must be constant")
    if not 1 <= len(x.shape) <= MAX_DIMS:
        raise TinygenError(f"{where}: only {dtype} up to {MAX_DIMS}-D is supported")
    rank = len(x.shape)
    given = [int(a) for a in axes_tensor.data.reshape(-1)]
    if any(not -rank <= a < rank for a in given):
        raise TinygenError(f"{where}: axes {given} do not all lie in the input's {rank} dims")
    axes = sorted({a % rank for a in given})
    strides = [math.prod(x.shape[i + 1 :]) for i in range(rank)]
    kept = [1 if i in axes else d for i, d in enumerate(x.shape)]
    reduced = [d if i in axes else 1 for i, d in enumerate(x.shape)]
    if y.size != math.prod(kept):
        raise TinygenError(
            f"{where}: the reduction of {list(x.shape)} over axes {axes} has "
            f"{math.prod(kept)} values, but the output is {list(y.shape)}"
        )
    return Reduction(
        outputs=math.prod(kept),
        count=math.prod(reduced),
        kept_shape=_pad(kept, 1),
        kept_strides=_pad([0 if i in axes else s for i, s in enumerate(strides)], 0),
        reduced_shape=_pad(reduced, 1),
        reduced_strides=_pad([s if i in axes else 0 for i, s in enumerate(strides)], 0),
        axes=tuple(axes),
    )


def summed(graph: Graph, index: int, op: Op) -> Reduction:
    """``reduction``, refused where the kernel's 32-bit sum could overflow."""
    r = reduction(graph, index, op)
    if r.count > MAX_COUNT:
        raise TinygenError(
            f"operator {index} ({op.kind}): a sum over {r.count:,} elements would overflow "
            f"the kernel's 32-bit sum (at most {MAX_COUNT:,})"
        )
    return r


def sum_call(graph: Graph, index: int, op: Op, divide: bool) -> KernelCall:
    """The ``mean_s8`` call of a MEAN (``divide``: the count folded into the multiplier) or
    a SUM: the summed rows, requantized by input scale / output scale."""
    r = summed(graph, index, op)
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    multiplier, shift = rescale(
        float(np.float32(xq.scale0)) / float(np.float32(yq.scale0)), index, op, "output"
    )
    if divide:
        extra = min(r.count.bit_length() - 1, 32, 31 + shift)
        multiplier, shift = (multiplier << extra) // r.count, shift - extra
    params = MeanParams(
        **r.walk(),
        input_zero_point=xq.zero_point0,
        output_zero_point=yq.zero_point0,
        multiplier=multiplier,
        shift=shift,
    )
    return KernelCall("mean_s8", (op.inputs[0],), (op.outputs[0],), params)


def lower_mean(graph: Graph, index: int, op: Op) -> KernelCall:
    return sum_call(graph, index, op, divide=True)
