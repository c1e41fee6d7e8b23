"""Build the int8 graph from the canonical float graph and the activations' parameters.

Tensor ``t`` of the float graph is tensor ``t`` of the int8 graph (an activation becomes
int8 with its parameters; integer constants such as axes stay as they are), so the report
can pair them. Quantized weights, biases and operands are new tensors appended to the
list; the float constants they replace stay unused and are not written. A constant
operand of CONCATENATION, PACK, MAXIMUM or MINIMUM, and PADV2's constant value, take the
operator's output quantization, PRELU's alpha is symmetric per tensor (as weights), any
other its own range. A requantize of the plan (:mod:`scales`) is an
int8 → int8 QUANTIZE right after the tensor's producer (one per tensor and quantization,
shared by the operators that read it so). With float inputs and outputs, each graph
input gets a float32 tensor and a QUANTIZE before it, each output a DEQUANTIZE after it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tinygen.ir import NO_TENSOR, Graph, Op, Quantization, Tensor
from tinygen.quantize.rules import SAME_SCALE, SHARED_INPUTS, WEIGHTED
from tinygen.quantize.scales import Plan
from tinygen.quantize.versions import INT8_VERSIONS, int8_version
from tinygen.quantize.weights import (
    bias_tensor,
    fit_bias,
    operand_tensor,
    shared_operand,
    weight_scales,
    weight_tensor,
)

#: Output-channel axis of the weights, by operator kind.
WEIGHT_AXIS = {"CONV_2D": 0, "DEPTHWISE_CONV_2D": 3, "FULLY_CONNECTED": 0}


@dataclass(frozen=True)
class BuildOptions:
    float_io: bool = False
    per_channel_fc: bool = False


class _Builder:
    def __init__(self, graph: Graph, plan: Plan, options: BuildOptions):
        self.float_graph = graph
        self.params = plan.params
        self.options = options
        self.tensors: list[Tensor] = []
        for i, t in enumerate(graph.tensors):
            if i in self.params:
                t = replace(t, dtype="int8", quant=self.params[i], data=None)
            self.tensors.append(t)
        self.reads = {(r.op, r.slot): r.quant for r in plan.requantize}
        self.requantized: dict[tuple[int, float, int], int] = {}  # (tensor, scale, zp) → tensor
        self.after: dict[int | None, list[Op]] = {}  # producer index (None: inputs) → QUANTIZEs

    def _append(self, tensor: Tensor) -> int:
        self.tensors.append(tensor)
        return len(self.tensors) - 1

    def _weighted(self, op: Op) -> list[int]:
        g = self.float_graph
        x, w = op.inputs[0], op.inputs[1]
        b = op.inputs[2] if len(op.inputs) > 2 else NO_TENSOR
        per_channel = op.kind != "FULLY_CONNECTED" or self.options.per_channel_fc
        axis = WEIGHT_AXIS[op.kind] if per_channel else None
        input_scale = float(self.params[x].scale[0])
        bias = g.tensors[b].data if b != NO_TENSOR else None
        scales = fit_bias(input_scale, weight_scales(g.tensors[w].data, axis), bias)
        inputs = [x, self._append(weight_tensor(g.tensors[w], scales, axis))]
        if b != NO_TENSOR:
            inputs.append(self._append(bias_tensor(g.tensors[b], input_scale, scales)))
        elif len(op.inputs) > 2:
            inputs.append(NO_TENSOR)
        return inputs

    def _transpose_conv(self, op: Op) -> list[int]:
        """Output shape, per-channel weights (axis 0), input, int32 bias (if any)."""
        g = self.float_graph
        shape, w, x = op.inputs[:3]
        b = op.inputs[3] if len(op.inputs) > 3 else NO_TENSOR
        input_scale = float(self.params[x].scale[0])
        bias = g.tensors[b].data if b != NO_TENSOR else None
        scales = fit_bias(input_scale, weight_scales(g.tensors[w].data, 0), bias)
        inputs = [shape, self._append(weight_tensor(g.tensors[w], scales, 0)), x]
        if b != NO_TENSOR:
            inputs.append(self._append(bias_tensor(g.tensors[b], input_scale, scales)))
        elif len(op.inputs) > 3:
            inputs.append(NO_TENSOR)
        return inputs

    def _operands(self, op: Op) -> list[int]:
        g = self.float_graph
        inputs = []
        for t in op.inputs:
            tensor = g.tensors[t] if t != NO_TENSOR else None
            if tensor is not None and tensor.is_constant and tensor.dtype == "float32":
                if op.kind == "PRELU":  # alpha: symmetric, per tensor
                    data = np.asarray(tensor.data)
                    t = self._append(weight_tensor(tensor, weight_scales(data, None), None))
                elif op.kind in SHARED_INPUTS or op.kind in SAME_SCALE:  # PADV2's value
                    quant = self.params[op.outputs[0]]
                    t = self._append(shared_operand(tensor, quant))
                else:
                    t = self._append(operand_tensor(tensor))
            inputs.append(t)
        return inputs

    def _requantized(self, t: int, quant: Quantization) -> int:
        """Tensor ``t`` requantized to ``quant`` (by a QUANTIZE after its producer)."""
        key = (t, float(quant.scale[0]), int(quant.zero_point[0]))
        if key not in self.requantized:
            base = self.tensors[t]
            earlier = sum(k[0] == t for k in self.requantized)
            name = f"{base.name}_requantized" + (f"_{earlier + 1}" if earlier else "")
            self.requantized[key] = self._append(replace(base, name=name, quant=quant))
            producer = self.float_graph.producer(t)
            quantize = Op("QUANTIZE", [t], [self.requantized[key]], {})
            self.after.setdefault(producer, []).append(quantize)
        return self.requantized[key]

    def op(self, index: int, op: Op) -> Op:
        if op.kind in WEIGHTED:
            inputs = self._weighted(op)
        elif op.kind == "TRANSPOSE_CONV":
            inputs = self._transpose_conv(op)
        else:
            inputs = self._operands(op)
        for k in range(len(inputs)):
            if (index, k) in self.reads:
                inputs[k] = self._requantized(op.inputs[k], self.reads[(index, k)])
        return Op(op.kind, inputs, list(op.outputs), dict(op.attrs))

    def _edge(self, kind: str, t: int, ends: list[int], k: int) -> Op:
        """A float32 tensor for graph input or output ``t`` (its name, the int8 one renamed)
        and the QUANTIZE or DEQUANTIZE between them; ``ends[k]`` becomes the float one."""
        outer = self._append(replace(self.float_graph.tensors[t], quant=None))
        self.tensors[t] = replace(self.tensors[t], name=self.tensors[t].name + "_int8")
        ends[k] = outer
        ins, outs = ([outer], [t]) if kind == "QUANTIZE" else ([t], [outer])
        return Op(kind, ins, outs, {"version": INT8_VERSIONS[kind]})

    def build(self) -> Graph:
        g = self.float_graph
        built = [self.op(i, op) for i, op in enumerate(g.ops)]
        ops = list(self.after.get(None, []))
        for i, op in enumerate(built):
            ops += [op, *self.after.get(i, [])]
        inputs, outputs = list(g.inputs), list(g.outputs)
        if self.options.float_io:
            head = [self._edge("QUANTIZE", t, inputs, k) for k, t in enumerate(g.inputs)]
            tail = [self._edge("DEQUANTIZE", t, outputs, k) for k, t in enumerate(g.outputs)]
            ops = head + ops + tail
        graph = Graph(self.tensors, ops, inputs, outputs, "tinygen quantize (int8)")
        for op in ops:
            op.attrs["version"] = int8_version(graph, op)
        return graph


def build_int8_graph(graph: Graph, plan: Plan, options: BuildOptions) -> Graph:
    """The int8 graph of ``graph`` (canonical, float, checked by ``rules.check_quantizable``)."""
    return _Builder(graph, plan, options).build()
