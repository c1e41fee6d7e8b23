"""Which tensors share bytes: aliases, in-place element-wise operators, in-place depthwise.

* A reshape (kernel ``copy``) or an identity requantization does not move bytes:
  its output aliases its input and no code runs (kernel ``alias``).
* Element-wise kernels that read element i before writing element i, no wider
  (``requantize_s8``, ``quantize_f32_s8``, the tables of ``lut_s8``, and ADD, SUB, MUL,
  MAXIMUM, MINIMUM, SQUARED_DIFFERENCE and PRELU on an input of the output's shape) write
  over an input whose buffer dies at that operator.
* At the steps that set the peak, a windowed operator whose input dies there
  overlaps its output with its input (``overlap``), or a depthwise convolution
  with one output channel per input channel overwrites its input channel by
  channel, keeping one output channel in a scratch buffer (as MIT's TinyEngine
  does), whichever takes less. Steps are added round by round while the peak
  falls; the in-place depthwise kernel is slower, so it is used nowhere else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tinygen.ir import NO_TENSOR, Graph
from tinygen.lowering.call import KernelCall
from tinygen.memory.buffers import Buffer, Segment, buffer_profile
from tinygen.memory.liveness import LiveRange
from tinygen.memory.overlap import overlap_shift
from tinygen.reference.quantize import requantize_s8

#: Kernels whose output may overwrite input k when that input has the output's shape
#: (element i of the output is written after element i of the input is read, and is no
#: wider, so it lands on bytes already read).
IN_PLACE_INPUTS: dict[str, tuple[int, ...]] = {
    "requantize_s8": (0,),
    "add_s8": (0, 1),
    "sub_s8": (0, 1),
    "mul_s8": (0, 1),
    "maximum_s8": (0, 1),
    "minimum_s8": (0, 1),
    "squared_difference_s8": (0, 1),
    "prelu_s8": (0, 1),
    "lut_s8": (0,),
    "quantize_f32_s8": (0,),
    "binary_f32": (0, 1),
    "relu_f32": (0,),
    "logistic_f32": (0,),
    "tanh_f32": (0,),
    "hard_swish_f32": (0,),
    "leaky_relu_f32": (0,),
    "prelu_f32": (0, 1),
}
DEPTHWISE = "depthwise_conv2d_s8"
DEPTHWISE_IN_PLACE = "depthwise_conv2d_s8_inplace"
#: The specialized depthwise kernel's in-place form (tinygen/lowering/fast.py).
FAST_IN_PLACE = "depthwise_conv2d_fast_s8_inplace"


@dataclass(frozen=True)
class Sharing:
    calls: tuple[KernelCall, ...]  # with aliases and in-place depthwise kernels substituted
    buffers: tuple[Buffer, ...]
    scratch: dict[int, int]  # op index → index of its scratch buffer in ``buffers``
    aliased_ops: tuple[int, ...]
    in_place_ops: tuple[int, ...]  # element-wise operators writing over an input
    in_place_depthwise: tuple[int, ...]
    overlapped_ops: tuple[int, ...]  # windowed operators whose output overlaps their input


class _Groups:
    """Union of tensors into buffers, remembering each member's segment and shift.

    Shifts are kept in each buffer's own frame and made to start at 0 only by
    ``buffers``, so a join costs the size of the joined group, not of the buffer.
    """

    def __init__(self, ranges: list[LiveRange]) -> None:
        self.root = {r.tensor: r.tensor for r in ranges}
        self.segment = {r.tensor: Segment(r.first, r.last, r.size, r.tensor) for r in ranges}
        self.offset = {r.tensor: 0 for r in ranges}
        self.members = {r.tensor: [r.tensor] for r in ranges}
        self.ends = {r.tensor: r.last for r in ranges}
        self.scratch: dict[int, Segment] = {}

    def find(self, t: int) -> int:
        while self.root[t] != t:
            t = self.root[t]
        return t

    def last(self, t: int) -> int:
        return self.ends[self.find(t)]

    def join(self, x: int, y: int, distance: int = 0) -> None:
        """Put lone tensor ``y`` in ``x``'s buffer, ``distance`` bytes below ``x``."""
        a, b = self.find(x), self.find(y)
        if a == b:
            return
        delta = self.offset[x] - distance - self.offset[y]
        moved = self.members.pop(b)
        for t in moved:
            self.offset[t] += delta
        self.members[a].extend(moved)
        self.root[b] = a
        self.ends[a] = max(self.ends[a], self.ends.pop(b))

    def buffers(self) -> tuple[list[Buffer], dict[int, int]]:
        buffers = []
        for members in self.members.values():
            low = min(self.offset[t] for t in members)
            segments = [
                dataclasses.replace(self.segment[t], shift=self.offset[t] - low) for t in members
            ]
            buffers.append(Buffer(tuple(sorted(segments, key=lambda s: s.first))))
        index = {}
        for op, segment in sorted(self.scratch.items()):
            index[op] = len(buffers)
            buffers.append(Buffer((segment,)))
        return buffers, index


def _is_identity(call: KernelCall) -> bool:
    if call.kernel == "copy":
        return True
    if call.kernel != "requantize_s8":
        return False
    values = np.arange(-128, 128, dtype=np.int8)
    return bool(np.array_equal(requantize_s8(call.params, values), values))


def _arena(graph: Graph, t: int) -> bool:
    return t != NO_TENSOR and not graph.tensors[t].is_constant and not graph.tensors[t].variable


def _same_layout(graph: Graph, a: int, b: int) -> bool:
    x, y = graph.tensors[a], graph.tensors[b]
    return x.dtype == y.dtype and x.nbytes == y.nbytes and x.size == y.size


def _dies_here(graph: Graph, groups: _Groups, step: int, x: int) -> bool:
    return _arena(graph, x) and groups.last(x) == step


def _depthwise_in_place_ok(call: KernelCall) -> bool:
    p = call.params
    return call.kernel == DEPTHWISE and p.depth_multiplier == 1 and p.batches == 1 and p.in_c > 1


def _in_place_scratch(call: KernelCall) -> int:
    """Scratch bytes of the in-place depthwise kernel: one output channel, or for the
    specialized kernel one zero-point-padded input channel."""
    if call.fast is not None and call.fast.in_place_scratch:
        return int(call.fast.in_place_scratch)
    return call.params.out_h * call.params.out_w


def _peak_rewrite(graph: Graph, call: KernelCall) -> tuple[str, int] | None:
    """The cheaper of overlap and in-place depthwise for this call: (how, bytes taken)."""
    x, y = graph.tensors[call.inputs[0]], graph.tensors[call.outputs[0]]
    options = []
    distance = overlap_shift(call)
    if distance is not None:
        options.append(("overlap", max(y.nbytes, distance + x.nbytes)))
    if _depthwise_in_place_ok(call):
        options.append(("depthwise", max(x.nbytes, y.nbytes) + _in_place_scratch(call)))
    best = min(options, key=lambda o: o[1], default=None)
    return best if best and best[1] < x.nbytes + y.nbytes else None


def _build(
    graph: Graph,
    calls: list[KernelCall],
    ranges: list[LiveRange],
    in_place: bool,
    peak_candidates: set[int],
) -> Sharing:
    calls = list(calls)
    groups = _Groups(ranges)
    aliased, in_place_ops, depthwise, overlapped = [], [], [], []
    inputs = set(graph.inputs)
    for step, call in enumerate(calls):
        if not in_place or len(call.outputs) != 1 or call.outputs[0] in inputs:
            continue
        y = call.outputs[0]
        x = call.inputs[0] if call.inputs else NO_TENSOR
        if _is_identity(call) and _arena(graph, x) and _same_layout(graph, x, y):
            # Nothing writes either tensor later unless their whole buffer is dead by
            # then (checked below), so they may share bytes even if x lives on.
            groups.join(x, y)
            calls[step] = dataclasses.replace(call, kernel="alias", fast=None)
            aliased.append(step)
            continue
        rewrite = _peak_rewrite(graph, call) if step in peak_candidates else None
        if rewrite and _dies_here(graph, groups, step, x):
            if rewrite[0] == "depthwise":
                groups.join(x, y)
                scratch = _in_place_scratch(call)
                groups.scratch[step] = Segment(step, step, scratch, -1, 0, step)
                fast = call.fast and dataclasses.replace(call.fast, kernel=FAST_IN_PLACE)
                calls[step] = dataclasses.replace(call, kernel=DEPTHWISE_IN_PLACE, fast=fast)
                depthwise.append(step)
            else:
                groups.join(x, y, overlap_shift(call) or 0)
                overlapped.append(step)
            continue
        for k in IN_PLACE_INPUTS.get(call.kernel, ()):
            x = call.inputs[k]
            tx, ty = graph.tensors[x] if x != NO_TENSOR else None, graph.tensors[y]
            if (
                tx is not None
                and _arena(graph, x)
                and tx.shape == ty.shape
                and ty.itemsize <= tx.itemsize
                and _dies_here(graph, groups, step, x)
            ):
                groups.join(x, y)
                in_place_ops.append(step)
                break
    for step, call in enumerate(calls):
        if call.fast is not None and call.fast.scratch_bytes and step not in groups.scratch:
            # a specialized kernel's scratch (im2col rows), live during its step only
            groups.scratch[step] = Segment(step, step, call.fast.scratch_bytes, -1, 0, step)
    buffers, scratch_index = groups.buffers()
    return Sharing(
        tuple(calls), tuple(buffers), scratch_index, tuple(aliased), tuple(in_place_ops),
        tuple(depthwise), tuple(overlapped),
    )


def share(
    graph: Graph,
    calls: list[KernelCall],
    ranges: list[LiveRange],
    in_place: bool = True,
    arena_of: Callable[[Sharing], int] | None = None,
) -> Sharing:
    """Decide the buffers of ``graph`` run in the order of ``calls``.

    Overlaps and in-place depthwise convolutions are added round by round at the
    steps that hold the peak while the peak falls. Buffers are rigid, so a lower
    peak does not always give a smaller arena: ``arena_of`` (an offset
    assignment) measures each round and the smallest wins, the earliest on ties.
    """
    steps = len(calls)
    chosen: set[int] = set()
    sharing = _build(graph, calls, ranges, in_place, chosen)
    rounds = [sharing]
    while in_place and steps:
        profile = buffer_profile(list(sharing.buffers), steps)
        peak = max(profile)
        candidates = {
            s for s in range(steps) if profile[s] == peak and _peak_rewrite(graph, calls[s])
        } - chosen
        if not candidates:
            break
        trial = _build(graph, calls, ranges, in_place, chosen | candidates)
        if max(buffer_profile(list(trial.buffers), steps)) >= peak:
            break
        chosen |= candidates
        sharing = trial
        rounds.append(sharing)
    if arena_of is None or len(rounds) == 1:
        return rounds[-1]
    arenas = [arena_of(r) for r in rounds]
    return rounds[arenas.index(min(arenas))]
