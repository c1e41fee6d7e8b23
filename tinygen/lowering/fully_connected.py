"""Lowering of FULLY_CONNECTED on int8 tensors (per-tensor or per-channel weights)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.common import activation_range, constant_weights, expect, quant_of, rescale
from tinygen.lowering.fast_fc import fast_fully_connected
from tinygen.reference.fixedpoint import wrap_int32


@dataclass(frozen=True)
class FullyConnectedParams:
    batches: int
    accum_depth: int
    out_depth: int
    input_offset: int
    filter_offset: int
    output_offset: int
    act_min: int
    act_max: int
    per_channel: int
    multiplier: np.ndarray
    shift: np.ndarray
    bias: np.ndarray  # int32: the model's bias + input_offset * sum of the offset weights


def lower_fully_connected(graph: Graph, index: int, op: Op) -> KernelCall:
    x = expect(graph, index, op, op.inputs[0], "input")
    w = expect(graph, index, op, op.inputs[1], "weights", rank=2)
    y = expect(graph, index, op, op.outputs[0], "output")
    if op.attrs.get("weights_format", 0) != 0:
        raise TinygenError(
            f"operator {index} (FULLY_CONNECTED): weights format {op.attrs['weights_format']} "
            "(shuffled) is not supported; convert the model with the default format"
        )
    out_depth, accum_depth = w.shape
    if accum_depth == 0 or x.size % accum_depth:
        raise TinygenError(
            f"operator {index} (FULLY_CONNECTED): input size {x.size} is not a multiple "
            f"of the weights' depth {accum_depth}"
        )
    if y.size != x.size // accum_depth * out_depth:
        raise TinygenError(
            f"operator {index} (FULLY_CONNECTED): {x.size // accum_depth} rows of "
            f"{out_depth} outputs do not fill the output {list(y.shape)}"
        )
    bias = constant_weights(graph, index, op, out_depth)
    xq = quant_of(graph, op.inputs[0], "input", index, op)
    wq = quant_of(graph, op.inputs[1], "filter", index, op)
    yq = quant_of(graph, op.outputs[0], "output", index, op)
    per_channel = wq.scale.size > 1
    if per_channel and wq.scale.size != out_depth:
        raise TinygenError(
            f"operator {index} (FULLY_CONNECTED): {wq.scale.size} weight scales for "
            f"{out_depth} outputs"
        )
    input_scale, output_scale = np.float32(xq.scale0), np.float32(yq.scale0)
    with np.errstate(over="ignore", under="ignore"):
        if per_channel:
            reals = [float(input_scale) * float(s) / float(output_scale) for s in wq.scale]
        else:
            # TFLM multiplies input and filter scales in float32 before widening.
            reals = [float(input_scale * np.float32(wq.scale0)) / float(output_scale)]
    mults = np.zeros(len(reals), np.int32)
    shifts = np.zeros(len(reals), np.int32)
    for c, real in enumerate(reals):
        mults[c], shifts[c] = rescale(real, index, op, "output")
    act_min, act_max = activation_range(
        op.attrs.get("activation", "NONE"), yq.scale0, yq.zero_point0
    )
    # sum((x + io) * (w + fo)) + b == sum(x * (w + fo)) + [b + io * sum(w + fo)] in
    # wrapping int32 arithmetic: the bracket is computed here, once.
    weights = w.data.astype(np.int64).reshape(out_depth, accum_depth) - wq.zero_point0
    folded = -xq.zero_point0 * weights.sum(axis=1)
    if bias:
        folded += graph.tensors[op.inputs[2]].data.astype(np.int64).reshape(-1)
    params = FullyConnectedParams(
        batches=x.size // accum_depth,
        accum_depth=accum_depth,
        out_depth=out_depth,
        input_offset=-xq.zero_point0,
        filter_offset=-wq.zero_point0,
        output_offset=yq.zero_point0,
        act_min=act_min,
        act_max=act_max,
        per_channel=int(per_channel),
        multiplier=mults,
        shift=shifts,
        bias=wrap_int32(folded).astype(np.int32),
    )
    fast = fast_fully_connected(params, w.data)
    return KernelCall("fully_connected_s8", (op.inputs[0], op.inputs[1]), (op.outputs[0],), params,
                      fast)
