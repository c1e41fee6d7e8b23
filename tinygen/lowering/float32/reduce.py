"""Lowering of the float32 reductions: MEAN, SUM, REDUCE_MAX and REDUCE_MIN over constant
axes (the walk of ``tinygen.lowering.mean.reduction``) and ARG_MAX and ARG_MIN along one
axis (``tinygen.lowering.arg_minmax``), with int32 or int64 indices.

TensorFlow Lite's float reductions: SUM adds each group's values in float32 in input order
from 0, MEAN divides that sum by the group's size, REDUCE_MAX and REDUCE_MIN start from the
lowest (highest) float32 and keep a value only if strictly larger (smaller).
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.ir import Graph, Op
from tinygen.lowering.arg_minmax import arg_minmax_call
from tinygen.lowering.call import KernelCall
from tinygen.lowering.mean import ReductionWalk, reduction

#: tg_reduce_f32's operations, in the order of tg_f32_reduce.h's enum.
REDUCE_OPS = ("SUM", "MEAN", "REDUCE_MAX", "REDUCE_MIN")

#: The lowered kernel of each reduction (all run on tg_reduce_f32).
REDUCE_KERNELS = {"SUM": "sum_f32", "MEAN": "mean_f32", "REDUCE_MAX": "reduce_max_f32",
                  "REDUCE_MIN": "reduce_min_f32"}


@dataclass(frozen=True)
class ReduceF32Params(ReductionWalk):
    op: int  # TG_REDUCE_... of tg_f32_reduce.h


def lower_reduce_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    r = reduction(graph, index, op, "float32")
    params = ReduceF32Params(**r.walk(), op=REDUCE_OPS.index(op.kind))
    return KernelCall(REDUCE_KERNELS[op.kind], (op.inputs[0],), (op.outputs[0],), params)


def lower_arg_minmax_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    return arg_minmax_call(graph, index, op, "float32")


REDUCE_LOWERERS = {
    **{kind: lower_reduce_f32 for kind in REDUCE_OPS},
    "ARG_MAX": lower_arg_minmax_f32,
    "ARG_MIN": lower_arg_minmax_f32,
}
