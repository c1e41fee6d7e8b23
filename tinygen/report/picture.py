"""The memory plan of a compiled model as a ``PlanPicture`` (boxes over steps × offsets)."""

from __future__ import annotations

from tinygen.compiler import CompiledModel
from tinygen.report.plan_data import PlanBox, PlanPicture


def plan_picture(model: CompiledModel) -> PlanPicture:
    plan, graph = model.plan, model.graph
    inputs, outputs = set(graph.inputs), set(graph.outputs)
    steps = len(graph.ops)
    boxes = []
    for buffer, base in zip(plan.buffers, plan.buffer_offsets, strict=True):
        shared = len(buffer.segments) > 1
        for s in buffer.segments:
            if s.tensor < 0:
                kind, label = "scratch", f"scratch of operator {s.op}"
            else:
                label = graph.tensors[s.tensor].name or f"tensor {s.tensor}"
                kind = (
                    "input" if s.tensor in inputs
                    else "output" if s.tensor in outputs
                    else "alias" if shared
                    else "activation"
                )
            first = s.first if s.first >= 0 else -1
            last = s.last if s.last < steps else steps
            boxes.append(PlanBox(label, first, last, base + s.shift, s.size, kind))
    labels = tuple(
        f"{i} {op.kind}" + (" (alias)" if model.calls[i].kernel == "alias" else "")
        for i, op in enumerate(graph.ops)
    )
    title = (
        f"{model.name}: arena {plan.arena_bytes:,} B "
        f"(activation lower bound {plan.lower_bound:,} B)"
    )
    live = plan.live_bytes if steps else ()
    return PlanPicture(title, labels, tuple(boxes), plan.arena_bytes, plan.lower_bound,
                       tuple(live))
