"""A standalone RELU / RELU6 folded into the fused activation of the operator before it.

Exact when the RELU's input and output quantization are the same: the int8 RELU
and RELU6 of TensorFlow Lite (and TFLite Micro, which agrees there) then requantize
with multiplier 1.0 (exactly the identity) and clamp to [zero_point, 127] or
[zero_point, zero_point + round(6 / scale)], saturated to int8. Those are the clamp ranges
of the fused activations (``lowering.common.activation_range``), so the
producer's own clamp gives the same bytes. The producer must have no fused
activation yet and its output must feed only the RELU.
"""

from __future__ import annotations

from tinygen.ir import Graph
from tinygen.passes.graph_utils import clone, only_consumer

_PRODUCERS = (
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "FULLY_CONNECTED",
    "ADD",
    "AVERAGE_POOL_2D",
    "MAX_POOL_2D",
)
_ACTIVATIONS = ("RELU", "RELU6")


def fuse_activations(graph: Graph) -> tuple[Graph, list[str]]:
    graph = clone(graph)
    lines = []
    i = 0
    while i < len(graph.ops):
        relu = graph.ops[i]
        if relu.kind not in _ACTIVATIONS:
            i += 1
            continue
        x, y = relu.inputs[0], relu.outputs[0]
        tx, ty = graph.tensors[x], graph.tensors[y]
        producer = graph.producer(x)
        if (
            producer is None
            or tx.dtype != "int8"
            or ty.dtype != "int8"
            or tx.quant is None
            or tx.quant.per_channel
            or not tx.quant.same_as(ty.quant)
            or tx.shape != ty.shape
            or not only_consumer(graph, x, i)
            or x in graph.inputs
        ):
            i += 1
            continue
        prod = graph.ops[producer]
        if prod.kind not in _PRODUCERS or prod.attrs.get("activation", "NONE") != "NONE":
            i += 1
            continue
        prod.attrs["activation"] = relu.kind
        prod.outputs = [y if t == x else t for t in prod.outputs]
        del graph.ops[i]
        lines.append(f"fused {relu.kind} into {prod.kind} '{ty.name}'")
    return graph, lines
