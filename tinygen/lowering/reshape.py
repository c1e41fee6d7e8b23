"""Lowering of RESHAPE, SQUEEZE and EXPAND_DIMS: the bytes do not change."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall


@dataclass(frozen=True)
class CopyParams:
    bytes: int


def lower_reshape(graph: Graph, index: int, op: Op) -> KernelCall:
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if x.nbytes != y.nbytes:
        raise TinygenError(
            f"operator {index} ({op.kind}): input {list(x.shape)} and output "
            f"{list(y.shape)} differ in size"
        )
    if x.dtype != y.dtype or (x.quant is not None and not x.quant.same_as(y.quant)):
        raise TinygenError(f"operator {index} ({op.kind}): input and output types differ")
    return KernelCall("copy", (op.inputs[0],), (op.outputs[0],), CopyParams(x.nbytes))
