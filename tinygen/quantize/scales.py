"""The quantization of every activation tensor, under TensorFlow Lite's same-scale rules.

TensorFlow's quantizer (the MLIR one, from calibration statistics) decides it this way,
and so does this module:

1. A tensor whose quantization is fixed (SOFTMAX's, LOGISTIC's, TANH's output) has it.
2. An operator of ``rules.SHARED_INPUTS`` with two or more inputs (constants count) uses
   its output's calibrated range for its output and all its inputs; its inputs' own
   ranges are dropped, and so are those of the tensors behind them through other
   same-scale operators (a CONCATENATION of RESHAPEs of CONVs: the CONVs' outputs take the
   CONCATENATION's quantization). The later such operator comes first: one whose output
   feeds another's has its quantization from that one.
3. Where a tensor is already settled otherwise (a fixed output, a tensor that a later
   operator of step 2 claimed), the operator reads it through a requantize (an int8 →
   int8 QUANTIZE) to the quantization it needs, as TensorFlow's converter writes it.
4. The output of any other same-scale operator (``rules.SAME_SCALE``, or a
   ``SHARED_INPUTS`` one of a single input) has its input's quantization.
5. Every other tensor (graph inputs, outputs of CONV_2D, ADD, MUL, ...) is quantized from
   its own calibrated range, clipped to what the producer's activation can output, except
   ARG_MAX's and ARG_MIN's index outputs, which stay int32 / int64.

TensorFlow's calibration also records, for the input of an operator its interpreter runs
in place (an ADD or MUL whose output reuses its input's memory), the operator's output
values; the ranges here are the tensors' own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.ir import Graph, Op, Quantization
from tinygen.quantize.calibrate import TensorStats
from tinygen.quantize.ranges import choose_range, quantization
from tinygen.quantize.rules import (
    FIXED_OUTPUT,
    INDEX_OUTPUT,
    SAME_SCALE,
    SHARED_INPUTS,
    clamped,
    data_slots,
    output_clamp,
)


@dataclass(frozen=True)
class Requantize:
    """Operator ``op`` reads its input ``slot`` requantized to ``quant``."""

    op: int
    slot: int
    quant: Quantization


@dataclass(frozen=True)
class Plan:
    params: dict[int, Quantization]  # every activation tensor of the float graph
    requantize: list[Requantize]


def fixed(kind: str) -> Quantization:
    scale, zero = FIXED_OUTPUT[kind]
    return Quantization(np.array([scale], np.float32), np.array([zero], np.int64))


def is_same_scale(op: Op) -> bool:
    return op.kind in SAME_SCALE or op.kind in SHARED_INPUTS


def is_anchor(op: Op) -> bool:
    """An operator whose output's range sets its inputs' quantization (step 2)."""
    return op.kind in SHARED_INPUTS and len(data_slots(op)) >= 2


class _Planner:
    def __init__(self, graph: Graph, stats: dict[int, TensorStats], method: str,
                 percentile: float) -> None:
        self.graph = graph
        self.stats = stats
        self.method = method
        self.percentile = percentile
        self.producers = {y: i for i, op in enumerate(graph.ops) for y in op.outputs}
        self.params: dict[int, Quantization] = {}
        self.requantize: dict[tuple[int, int], Quantization] = {}

    def own(self, t: int) -> Quantization:
        i = self.producers.get(t)
        clamp = output_clamp(self.graph.ops[i]) if i is not None else (None, None)
        low, high = choose_range(self.stats[t], self.method, self.percentile)
        return quantization(*clamped(low, high, clamp))

    def activation_slots(self, op: Op) -> list[int]:
        return [k for k in data_slots(op) if not self.graph.tensors[op.inputs[k]].is_constant]

    def claim(self, index: int, slot: int, quant: Quantization) -> None:
        """Operator ``index`` needs its input ``slot`` quantized with ``quant``: give it
        that, and the same-scale operators' inputs behind it, or requantize it."""
        pending = [(index, slot)]
        while pending:
            i, k = pending.pop()
            t = self.graph.ops[i].inputs[k]
            j = self.producers.get(t)
            behind = j if j is not None and is_same_scale(self.graph.ops[j]) else None
            current = self.params.get(t)
            if current is None and behind is not None:
                # the outputs of one same-scale operator (a SPLIT's pieces) share theirs
                outputs = self.graph.ops[behind].outputs
                current = next((self.params[y] for y in outputs if y in self.params), None)
            if current is not None:
                if current.same_as(quant):
                    self.params[t] = quant
                else:
                    self.requantize[(i, k)] = quant
                continue
            self.params[t] = quant
            if behind is not None:
                op = self.graph.ops[behind]
                pending.extend((behind, s) for s in self.activation_slots(op))

    def read(self, index: int, slot: int) -> Quantization:
        """The quantization operator ``index`` reads its input ``slot`` with."""
        return self.requantize.get((index, slot), self.params[self.graph.ops[index].inputs[slot]])

    def plan(self) -> Plan:
        ops = self.graph.ops
        for op in ops:
            if op.kind in FIXED_OUTPUT:
                self.params[op.outputs[0]] = fixed(op.kind)
        for i in reversed(range(len(ops))):
            if is_anchor(ops[i]):
                y = ops[i].outputs[0]
                if y not in self.params:  # (not claimed by a later one)
                    self.params[y] = self.own(y)
                for k in self.activation_slots(ops[i]):
                    self.claim(i, k, self.params[y])
        for t in self.graph.inputs:
            if t not in self.params:
                self.params[t] = self.own(t)
        for i, op in enumerate(ops):
            if op.kind in INDEX_OUTPUT:  # int32 / int64 indices: not quantized
                continue
            for y in op.outputs:
                if y in self.params:
                    continue
                if is_same_scale(op):
                    self.params[y] = self.read(i, self.activation_slots(op)[0])
                else:
                    self.params[y] = self.own(y)
        requantize = [Requantize(i, k, q) for (i, k), q in sorted(self.requantize.items())]
        return Plan(self.params, requantize)


def plan_quantization(
    graph: Graph, stats: dict[int, TensorStats], method: str, percentile: float
) -> Plan:
    """The quantization of every activation tensor (graph inputs and operator outputs) of
    the canonical float ``graph``, and the requantizes its operators need."""
    return _Planner(graph, stats, method, percentile).plan()
