"""What a memory-plan picture shows: tensors as boxes over operator steps × arena offsets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlanBox:
    label: str  # tensor name (may be long, e.g. "model/conv2d_3/BiasAdd;model/conv2d_3/Conv2D")
    first: int  # step that writes it; -1 = graph input (exists before step 0)
    last: int  # last step that reads it; n_steps = graph output (lives after the last op)
    offset: int  # byte offset in the arena
    size: int  # bytes
    kind: str  # "activation" | "input" | "output" | "scratch" | "alias"


@dataclass(frozen=True)
class PlanPicture:
    title: str  # e.g. "vww_96_int8 — arena 55,296 B (lower bound 55,296 B)"
    steps: tuple[str, ...]  # one label per operator step, e.g. "3 DEPTHWISE_CONV_2D"
    boxes: tuple[PlanBox, ...]
    arena_bytes: int
    lower_bound: int  # max over steps of the bytes that must be live
    live_bytes: tuple[int, ...]  # bytes live at each step (len == len(steps))

