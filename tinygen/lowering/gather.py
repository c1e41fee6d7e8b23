"""Lowering of GATHER on int8 tensors: slices of the input picked along one axis by indices.

With ``batch_dims`` b, the input is [batch..., outer..., axis, inner...] (b batch
dimensions, shared with the indices) and the indices [batch..., coords...]; the output is
[batch..., outer..., coords..., inner...], each ``inner`` run copied from the input at the
index its coordinate holds.

Constant indices (int32, or the int64 TensorFlow's converter writes) are checked and stored
as int32 in the parameters; an index outside the axis is refused, since TensorFlow Lite then
fails every inference. Indices computed at run time must be int32 (all TFLite Micro
takes); an index outside the axis there makes TensorFlow Lite fail the inference and TFLite
Micro read outside its input, while the kernel writes the output's zero point (a real 0)
into that slice and reads nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tinygen.errors import quoted
from tinygen.ir import NO_TENSOR, Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import expect, quant_of
from tinygen.lowering.movement import fail, same_quantization
from tinygen.lowering.space_batch import constant_ints


@dataclass(frozen=True)
class GatherParams:
    batch_size: int  # elements of the batch dimensions
    outer_size: int  # elements of the input's dimensions between the batch ones and the axis
    axis_size: int
    inner_size: int  # elements of the input's dimensions after the axis
    coord_size: int  # indices per batch
    fill: int  # written for an index outside [0, axis_size): the output's zero point
    indices: np.ndarray  # int32 constant indices; empty when they come at run time


def lower_gather(graph: Graph, index: int, op: Op, dtype: str = "int8") -> KernelCall:
    """The gather of ``dtype`` elements (the parameters count elements; the fill of a
    float32 output is 0)."""
    if len(op.inputs) != 2:
        raise fail(index, op, f"{len(op.inputs)} inputs; GATHER takes a tensor and indices")
    x = expect(graph, index, op, op.inputs[0], "input", (dtype,))
    y = expect(graph, index, op, op.outputs[0], "output", (dtype,))
    coords = graph.tensors[op.inputs[1]]
    shape = [int(d) for d in x.shape]
    coords_shape = [int(d) for d in coords.shape]
    rank = len(shape)
    axis = int(op.attrs.get("axis", 0))
    axis = axis + rank if axis < 0 else axis
    batch_dims = int(op.attrs.get("batch_dims", 0))
    batch_dims = batch_dims + len(coords_shape) if batch_dims < 0 else batch_dims
    if not 0 <= axis < rank:
        raise fail(index, op, f"axis {op.attrs.get('axis')} is outside the input's {rank} "
                   "dimensions")
    if not (0 <= batch_dims <= axis and batch_dims < rank and batch_dims <= len(coords_shape)
            and shape[:batch_dims] == coords_shape[:batch_dims]):
        raise fail(index, op, f"batch_dims {op.attrs.get('batch_dims')} does not fit the input "
                   f"{shape}, the indices {coords_shape} and axis {axis}")
    want = shape[:axis] + coords_shape[batch_dims:] + shape[axis + 1:]
    if [int(d) for d in y.shape] != want:
        raise fail(index, op, f"the output {quoted(y.name)} is {list(y.shape)}; gathering "
                   f"{coords_shape} indices from {shape} along axis {axis} makes {want}")
    if dtype == "int8":
        same_quantization(graph, index, op, op.inputs[0], op.outputs[0], "output")
    values = constant_ints(graph, op.inputs[1])
    if values is not None:
        outside = values[(values < 0) | (values >= shape[axis])]
        if outside.size:
            raise fail(index, op, f"the index {int(outside[0])} lies outside the "
                       f"{shape[axis]} elements of axis {axis} (TensorFlow Lite fails every "
                       "inference on it)")
        indices = values.reshape(-1).astype(np.int32)
        inputs = (op.inputs[0], NO_TENSOR)
    elif coords.dtype != "int32":
        raise fail(index, op, f"the indices {quoted(coords.name)} are {coords.dtype} computed "
                   "at run time; the kernel takes int32 indices (as TFLite Micro does)")
    else:
        indices = np.zeros(0, dtype=np.int32)
        inputs = (op.inputs[0], op.inputs[1])
    params = GatherParams(
        batch_size=math.prod(shape[:batch_dims]),
        outer_size=math.prod(shape[batch_dims:axis]),
        axis_size=shape[axis],
        inner_size=math.prod(shape[axis + 1:]),
        coord_size=math.prod(coords_shape[batch_dims:]),
        fill=(quant_of(graph, op.outputs[0], "output", index, op).zero_point0
              if dtype == "int8" else 0),
        indices=indices,
    )
    return KernelCall("gather_s8", inputs, (op.outputs[0],), params)
