"""Lowering of SVDF (int8 with an int16 state, or float32) to tg_svdf_s8 / tg_svdf_f32.

The operator's inputs are the input [batches, input_size], the feature weights
[num_filters, input_size], the time weights [num_filters, memory_size], an optional bias
[num_units] and the activation state [batches, memory_size * num_filters], a variable
tensor the kernel updates in place (``KernelCall.state``). The multipliers are computed as
TensorFlow Lite Micro's and TensorFlow Lite's Prepare compute them: the scales multiplied
and divided in float32, then widened to double.

Both references ignore the fused activation on int8 (TensorFlow Lite even requires RELU
there and then does not apply it), so the int8 kernel clamps to the int8 range only. The
hybrid form (float input, int8 weights) and the int8-state form (int8 time weights) are
refused: TensorFlow Lite runs neither the way TFLite Micro does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError, quoted
from tinygen.ir import NO_TENSOR, Graph, Op, Tensor
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import expect, quant_of, rescale
from tinygen.lowering.float32.common import float_activation


@dataclass(frozen=True)
class SvdfShape:
    batches: int
    input_size: int
    num_filters: int
    num_units: int
    rank: int
    memory_size: int


@dataclass(frozen=True)
class SvdfS8Params(SvdfShape):
    input_offset: int
    feature_multiplier: int
    feature_shift: int
    output_multiplier: int
    output_shift: int
    output_offset: int


@dataclass(frozen=True)
class SvdfF32Params(SvdfShape):
    act_min: np.float32
    act_max: np.float32


def _fail(index: int, message: str) -> TinygenError:
    return TinygenError(f"operator {index} (SVDF): {message}")


def _shape(graph: Graph, index: int, op: Op, dtypes: tuple[str, str]) -> SvdfShape:
    """The checked sizes; ``dtypes``: the input's and the time weights' / state's type."""
    if len(op.inputs) != 5 or len(op.outputs) != 1:
        raise _fail(index, f"takes 5 inputs and 1 output, has {len(op.inputs)} and "
                    f"{len(op.outputs)}")
    data, time = dtypes
    x = expect(graph, index, op, op.inputs[0], "input", (data,), rank=2)
    wf = expect(graph, index, op, op.inputs[1], "feature weights", (data,), rank=2)
    wt = expect(graph, index, op, op.inputs[2], "time weights", (time,), rank=2)
    state = expect(graph, index, op, op.inputs[4], "activation state", (time,), rank=2)
    y = expect(graph, index, op, op.outputs[0], "output", (data,), rank=2)
    if not (wf.is_constant and wt.is_constant):
        raise _fail(index, "the feature and time weights must be constant")
    if not state.variable:
        raise _fail(index, f"the activation state {quoted(state.name)} is not a variable "
                    "tensor (the converter marks it is_variable)")
    rank = int(op.attrs.get("rank", 0))
    batches, input_size = x.shape
    num_filters = wf.shape[0]
    if rank < 1 or num_filters % rank:
        raise _fail(index, f"rank {rank} does not divide the {num_filters} filters")
    memory_size = wt.shape[1]
    shape = SvdfShape(batches, input_size, num_filters, num_filters // rank, rank, memory_size)
    expected = {
        "feature weights": (wf, (num_filters, input_size)),
        "time weights": (wt, (num_filters, memory_size)),
        "activation state": (state, (batches, memory_size * num_filters)),
        "output": (y, (batches, shape.num_units)),
    }
    for what, (tensor, want) in expected.items():
        if tuple(tensor.shape) != want:
            raise _fail(index, f"the {what} {quoted(tensor.name)} has shape "
                        f"{list(tensor.shape)}, expected {list(want)}")
    if min(batches, input_size, num_filters, memory_size) < 1:
        raise _fail(index, "has an empty dimension")
    if op.inputs[3] != NO_TENSOR:
        bias_type = "int32" if data == "int8" else "float32"
        bias = expect(graph, index, op, op.inputs[3], "bias", (bias_type,))
        if not bias.is_constant or bias.size != shape.num_units:
            raise _fail(index, f"the bias must be constant with {shape.num_units} values")
    return shape


def _symmetric(graph: Graph, index: int, op: Op, t: int, what: str) -> Tensor:
    tensor = graph.tensors[t]
    q = quant_of(graph, t, what, index, op)
    if q.scale.size != 1 or np.any(q.zero_point != 0):
        raise _fail(index, f"the {what} {quoted(tensor.name)} must be quantized per tensor "
                    "with zero point 0 (as the converter writes it)")
    return tensor


def lower_svdf(graph: Graph, index: int, op: Op) -> KernelCall:
    """``svdf_s8`` for an int8 input, ``svdf_f32`` for a float32 one."""
    x = graph.tensors[op.inputs[0]]
    if x.dtype == "float32":
        return _lower_f32(graph, index, op)
    if x.dtype != "int8":
        raise _fail(index, f"input {quoted(x.name)} is {x.dtype}; the kernels take int8 or "
                    "float32")
    wf, wt = graph.tensors[op.inputs[1]], graph.tensors[op.inputs[2]]
    if wf.dtype != "int8" or wt.dtype != "int16":
        raise _fail(index, f"int8 SVDF takes int8 feature weights and int16 time weights "
                    f"and state; this one has {wf.dtype} and {wt.dtype}")
    shape = _shape(graph, index, op, ("int8", "int16"))
    _symmetric(graph, index, op, op.inputs[1], "feature weights")
    _symmetric(graph, index, op, op.inputs[2], "time weights")
    _symmetric(graph, index, op, op.inputs[4], "activation state")
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    scale = {
        k: np.float32(quant_of(graph, t, k, index, op).scale0)
        for k, t in (("feature", op.inputs[1]), ("time", op.inputs[2]),
                     ("state", op.inputs[4]))
    }
    with np.errstate(all="ignore"):  # float32 products, as both Prepare functions form them
        feature_real = float(np.float32(xq.scale0) * scale["feature"] / scale["state"])
        output_real = float(scale["state"] * scale["time"] / np.float32(yq.scale0))
    feature_multiplier, feature_shift = rescale(feature_real, index, op, "feature")
    output_multiplier, output_shift = rescale(output_real, index, op, "output")
    params = SvdfS8Params(
        **vars(shape),
        input_offset=-xq.zero_point0,
        feature_multiplier=feature_multiplier,
        feature_shift=feature_shift,
        output_multiplier=output_multiplier,
        output_shift=output_shift,
        output_offset=yq.zero_point0,
    )
    return _call("svdf_s8", op, params)


def _lower_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    wf = graph.tensors[op.inputs[1]]
    if wf.dtype != "float32":
        raise _fail(index, f"a float32 input with {wf.dtype} weights is the hybrid SVDF, "
                    "which tinygen does not compile; quantize the whole model to int8")
    shape = _shape(graph, index, op, ("float32", "float32"))
    act_min, act_max = float_activation(index, op)
    return _call("svdf_f32", op, SvdfF32Params(**vars(shape), act_min=act_min, act_max=act_max))


def _call(kernel: str, op: Op, params: SvdfS8Params | SvdfF32Params) -> KernelCall:
    inputs = tuple(op.inputs[:5])
    return KernelCall(kernel, inputs, (op.outputs[0],), params, state=(op.inputs[4],))
