"""The per-operator table of ``tinygen report``: work, shapes and memory at each step."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from tinygen.codegen.kernels import c_kernel_of
from tinygen.compiler import CompiledModel
from tinygen.lowering.call import KernelCall


@dataclass(frozen=True)
class OperatorRow:
    index: int
    kind: str
    kernel: str
    macs: int
    output_shape: tuple[int, ...]
    live_bytes: int  # arena bytes in use while this operator runs
    constant_bytes: int  # weights, bias and parameter arrays it reads from flash
    memory: str  # how its output shares memory ("" when it has its own buffer)
    c_function: str = ""  # the C kernel that runs it (a specialized one, tinygen/lowering/fast.py)
    scratch_bytes: int = 0  # arena scratch that kernel takes


def macs(call: KernelCall) -> int:
    """Multiply-accumulates of the convolution, transposed convolution and fully connected
    kernels (0 for others)."""
    p = call.params
    if call.kernel.startswith("conv2d"):
        pixels = p.batches * p.out_h * p.out_w
        return pixels * p.out_c * p.filter_h * p.filter_w * p.filter_c
    if call.kernel.startswith("depthwise"):
        return p.batches * p.out_h * p.out_w * p.out_c * p.filter_h * p.filter_w
    if call.kernel.startswith("fully_connected"):
        return p.batches * p.out_depth * p.accum_depth
    if call.kernel == "transpose_conv_s8":  # every input pixel meets every tap once
        return p.batches * p.in_h * p.in_w * p.in_c * p.out_c * p.filter_h * p.filter_w
    return 0


def _constant_bytes(model: CompiledModel, call: KernelCall) -> int:
    """Flash the C kernel running ``call`` reads: its constant tensors and the arrays of
    its parameters (a specialized kernel's re-laid-out weights are among those)."""
    tensors = model.graph.tensors
    if call.kernel == "alias":
        return 0
    _, params, inputs = c_kernel_of(call)
    total = sum(tensors[t].nbytes for t in inputs if t >= 0 and tensors[t].is_constant)
    if params is not None and dataclasses.is_dataclass(params):
        for f in dataclasses.fields(params):
            value = getattr(params, f.name)
            if isinstance(value, np.ndarray):
                total += value.nbytes
    return total


def operator_rows(model: CompiledModel) -> list[OperatorRow]:
    plan = model.plan
    notes: dict[int, str] = {}
    for label, ops in (
        ("alias", plan.aliased_ops),
        ("in place", plan.in_place_ops),
        ("overlaps input", plan.overlapped_ops),
        ("in place, by channel", plan.in_place_depthwise),
    ):
        for i in ops:
            notes[i] = label
    rows = []
    for i, (op, call) in enumerate(zip(model.graph.ops, model.calls, strict=True)):
        out = model.graph.tensors[op.outputs[0]]
        rows.append(
            OperatorRow(
                i,
                op.kind,
                call.kernel,
                macs(call),
                tuple(out.shape),
                plan.live_bytes[i] if i < len(plan.live_bytes) else 0,
                _constant_bytes(model, call),
                notes.get(i, ""),
                "" if call.kernel == "alias" else c_kernel_of(call)[0].function,
                call.fast.scratch_bytes if call.fast is not None else 0,
            )
        )
    return rows


def plan_summary(model: CompiledModel) -> str:
    plan = model.plan
    lines = [
        f"{model.name}: {len(model.graph.ops)} operators, arena {plan.arena_bytes:,} B "
        f"(alignment {plan.alignment}, offsets by {plan.strategy})",
        f"  activation lower bound {plan.lower_bound:,} B (operators in the model's order, "
        "every live tensor whole)",
    ]
    if plan.order != tuple(range(len(plan.order))):
        lines.append(f"  after reordering the operators: {plan.order_bound:,} B")
    lines.append(
        f"  after aliasing, in-place and overlapping operators: {plan.plan_bound:,} B "
        "(the most bytes live at one step)"
    )
    if plan.state_bytes:
        lines.append(
            f"  recurrent state beside the arena: {plan.state_bytes:,} B "
            f"({len(plan.state_offsets)} variable tensors, kept between inferences, "
            f"{model.name}_reset() restarts them)"
        )
    return "\n".join(lines)


def operator_table(model: CompiledModel) -> str:
    rows = operator_rows(model)
    header = (
        f"{'#':>4}  {'operator':22s} {'MACs':>11}  {'output shape':18s} "
        f"{'live B':>9} {'const B':>9}  {'C kernel (scratch B)':36s} memory"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        kernel = r.c_function + (f" ({r.scratch_bytes:,})" if r.scratch_bytes else "")
        lines.append(
            f"{r.index:>4}  {r.kind:22s} {r.macs:>11,}  {list(r.output_shape)!s:18s} "
            f"{r.live_bytes:>9,} {r.constant_bytes:>9,}  {kernel:36s} {r.memory}".rstrip()
        )
    total_macs = sum(r.macs for r in rows)
    lines.append(f"{'':4}  {'total':22s} {total_macs:>11,}")
    return "\n".join(lines)
