"""The stages in order: read → lower → plan → emit. Each takes and returns plain values."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinygen.codegen.c_values import library_name
from tinygen.codegen.kernels import c_kernel_of
from tinygen.codegen.model_source import GeneratedSources, generate_sources
from tinygen.frontend.tflite import read_tflite
from tinygen.frontend.validate import check_graph
from tinygen.ir import Graph
from tinygen.lowering import lower_graph
from tinygen.lowering.call import KernelCall
from tinygen.lowering.fast import narrow_weights
from tinygen.memory.budget import Usage, estimate_usage
from tinygen.memory.limits import Limits, check_arena, check_parameters, check_sizes
from tinygen.memory.planner import MemoryOptions, MemoryPlan, plan_memory
from tinygen.passes.canonicalize import canonicalize


@dataclass(frozen=True)
class CompiledModel:
    name: str
    graph: Graph
    calls: list[KernelCall]
    plan: MemoryPlan
    sources: GeneratedSources
    rewrites: list[str] = field(default_factory=list)

    def usage(self) -> Usage:
        return estimate_usage(
            self.plan.arena_bytes,
            self.sources.constant_bytes,
            self.sources.params_bytes,
            list(self.sources.kernel_functions),
            sum(1 for c in self.calls if c.kernel != "alias"),
            state_bytes=self.plan.state_bytes,
        )

    def report(self) -> dict[str, Any]:
        usage = self.usage()
        return {
            "name": self.name,
            "arena_bytes": self.plan.arena_bytes,
            "state_bytes": self.plan.state_bytes,
            "constant_bytes": self.sources.constant_bytes,
            "memory": {
                "lower_bound_bytes": self.plan.lower_bound,
                "reordered_bound_bytes": self.plan.order_bound,
                "shared_bound_bytes": self.plan.plan_bound,
                "alignment": self.plan.alignment,
                "offset_strategy": self.plan.strategy,
                "operator_order": list(self.plan.order),
                "aliased_ops": list(self.plan.aliased_ops),
                "in_place_ops": list(self.plan.in_place_ops),
                "overlapped_ops": list(self.plan.overlapped_ops),
                "in_place_depthwise_ops": list(self.plan.in_place_depthwise),
                "live_bytes": list(self.plan.live_bytes),
            },
            "device_estimate": {
                "ram": dict(usage.ram),
                "flash": dict(usage.flash),
            },
            "ops": [
                {
                    "index": i,
                    "kind": op.kind,
                    "kernel": self.calls[i].kernel,
                    "c_function": "" if self.calls[i].kernel == "alias"
                    else c_kernel_of(self.calls[i])[0].function,
                    "scratch_bytes": 0 if self.calls[i].fast is None
                    else self.calls[i].fast.scratch_bytes,
                    "output": self.graph.tensors[op.outputs[0]].name,
                    "output_shape": list(self.graph.tensors[op.outputs[0]].shape),
                }
                for i, op in enumerate(self.graph.ops)
            ],
            "rewrites": list(self.rewrites),
        }


def compile_graph(
    graph: Graph,
    name: str,
    memory: MemoryOptions | None = None,
    progress: Callable[[str], None] | None = None,
    limits: Limits | None = None,
    optimize: str = "speed",
) -> CompiledModel:
    """Compile a graph; a ``TinygenError`` for anything wrong with it, before any C exists.

    ``optimize`` "speed" widens the weights of convolutions over many pixels to int16 for
    the DSP path (tinygen/lowering/fast.py); "size" keeps every weight one byte.

    The graph is checked first (``check_graph``); every kernel parameter must fit its C
    type and every arena tensor and the constants their maxima (``limits``) before
    planning, and the planned arena after it.
    """
    limits = limits or Limits()
    check_graph(graph)
    graph, rewrites = canonicalize(graph)
    calls = lower_graph(graph)
    if optimize == "size":
        calls = [c if c.fast is None else dataclasses.replace(c, fast=narrow_weights(c.fast))
                 for c in calls]
    check_parameters(graph, calls)
    check_sizes(graph, calls, limits)
    planned = plan_memory(graph, calls, memory, progress)
    check_arena(planned.plan.arena_bytes, limits)
    sources = generate_sources(name, planned.graph, planned.calls, planned.plan)
    return CompiledModel(name, planned.graph, planned.calls, planned.plan, sources, rewrites)


def compile_file(
    path: str | Path,
    name: str | None = None,
    memory: MemoryOptions | None = None,
    progress: Callable[[str], None] | None = None,
    limits: Limits | None = None,
    optimize: str = "speed",
) -> CompiledModel:
    """``name`` is used exactly as given and must be a valid one (see
    :func:`tinygen.codegen.c_values.name_problem`); without it, the file stem made one."""
    path = Path(path)
    checked = library_name(name, path.stem)
    graph = read_tflite(path)
    return compile_graph(graph, checked, memory, progress, limits, optimize)
