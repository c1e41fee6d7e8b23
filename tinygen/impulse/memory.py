"""Where an impulse's DSP writes its features and keeps its buffers: in the model's arena.

While the DSP runs, no tensor of the model is alive, so the whole arena is free. The
features go straight into the model's input tensor: an int8 model's features are
floats first, in a buffer that overlaps the input tensor so that quantizing them in
place, element by element, never overwrites a float not yet read:

- ascending order (element 0 first) works when the floats start at most 3 bytes below
  the input tensor (int8 element i lands on byte input + i, the unread floats start at
  floats + 4 (i + 1));
- descending order (the last element first) works when the floats start at least
  3 (n - 1) bytes below it (byte input + i lies past float i - 1, the last unread one).

The DSP's working buffers (and an image impulse's pixel buffer) take the arena bytes
the features leave free, first fit, largest first. Only what does not fit below the
model's arena grows it, so the impulse needs the larger of the model's arena and the
DSP's peak (features + buffers), not their sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tinygen.dsp.spectral import PLACED_STACK_BYTES
from tinygen.memory.budget import Usage, dsp_code_and_stack, kernel_code_and_stack

if TYPE_CHECKING:
    from tinygen.compiler import CompiledModel
    from tinygen.dsp.sources import DspSources

#: Bytes of one float feature.
FLOAT_BYTES = 4


@dataclass(frozen=True)
class Region:
    name: str
    offset: int
    size: int

    @property
    def end(self) -> int:
        return self.offset + self.size

    def overlaps(self, offset: int, size: int) -> bool:
        return offset < self.end and self.offset < offset + size


@dataclass(frozen=True)
class Layout:
    """The shared arena of an impulse: the model's tensors, then the DSP's use of it."""

    model_arena: int  # bytes of the model's own plan
    alignment: int
    input_region: Region  # the model's input tensor
    features: Region  # where the DSP writes its features
    quantize: str  # "none" (written as the input), "ascending" or "descending"
    buffers: tuple[Region, ...]  # DSP working buffers, the pixel buffer
    arena_bytes: int  # the shared arena: the model's and the DSP's, whichever is larger

    @property
    def buffer_bytes(self) -> int:
        return sum(b.size for b in self.buffers)

    @property
    def dsp_peak(self) -> int:
        """Bytes the DSP uses at once: its features and buffers."""
        return self.features.size + self.buffer_bytes

    @property
    def separate_bytes(self) -> int:
        """What the arena, features and buffers would take kept apart: their sum."""
        return self.model_arena + self.dsp_peak

    def offset_of(self, name: str) -> int:
        return next(b.offset for b in self.buffers if b.name == name)

    def regions(self) -> list[dict[str, int | str]]:
        """Every region with its bytes, for the reports."""
        rows: list[dict[str, int | str]] = [
            {"name": "model activations (while the model runs)", "offset": 0,
             "bytes": self.model_arena},
            {"name": f"model input ({self.input_region.name})",
             "offset": self.input_region.offset, "bytes": self.input_region.size},
        ]
        if self.quantize != "none":
            rows.append({"name": f"features as floats (quantized {self.quantize})",
                         "offset": self.features.offset, "bytes": self.features.size})
        rows += [{"name": f"DSP buffer {b.name}", "offset": b.offset, "bytes": b.size}
                 for b in self.buffers]
        return rows


def _align_up(value: int, alignment: int) -> int:
    return -(-value // alignment) * alignment


def _align_down(value: int, alignment: int) -> int:
    return value // alignment * alignment


def _first_fit(taken: list[Region], name: str, size: int, alignment: int) -> Region:
    """``size`` bytes at the lowest aligned offset that overlaps nothing in ``taken``."""
    for start in sorted({0, *(_align_up(r.end, alignment) for r in taken)}):
        if not any(r.overlaps(start, size) for r in taken):
            return Region(name, start, size)
    raise AssertionError("the space past the last region is always free")


def _place(
    model_arena: int, features: Region, buffers: dict[str, int], alignment: int
) -> tuple[tuple[Region, ...], int]:
    taken = [features]
    placed = []
    for name, size in sorted(buffers.items(), key=lambda item: (-item[1], item[0])):
        region = _first_fit(taken, name, size, alignment)
        taken.append(region)
        placed.append(region)
    end = max([model_arena, *(r.end for r in taken)])
    return tuple(sorted(placed, key=lambda r: r.offset)), _align_up(end, alignment)


def _float_feature_offsets(
    model_arena: int, input_offset: int, count: int, alignment: int
) -> list[tuple[int, str]]:
    """Offsets of a float feature buffer that quantizes in place into the input."""
    size = FLOAT_BYTES * count
    low = _align_up(max(input_offset - 3, 0), alignment)
    candidates = [(low, "ascending")]
    top = _align_down(model_arena - size, alignment)
    if top > low:
        candidates.append((top, "ascending"))
    limit = input_offset - 3 * (count - 1)
    if limit >= 0:
        candidates.append((_align_down(limit, alignment), "descending"))
        candidates.append((0, "descending"))
    return candidates


def plan_layout(
    *,
    model_arena: int,
    input_region: Region,
    feature_count: int,
    float_features: bool,
    quantized: bool,
    buffers: dict[str, int],
    alignment: int,
) -> Layout:
    """The smallest shared arena among the placements of the features that work.

    ``feature_count`` values are written into the model's input tensor
    ``input_region``: as floats quantized in place when ``float_features`` and
    ``quantized`` (an int8 input), else as the input's own values. ``buffers`` are
    the DSP's working buffers (name → bytes), each aligned to ``alignment``.
    """
    alignment = max(alignment, FLOAT_BYTES)
    if float_features and quantized:
        choices = [
            (Region("features", offset, FLOAT_BYTES * feature_count), order)
            for offset, order in _float_feature_offsets(
                model_arena, input_region.offset, feature_count, alignment
            )
        ]
    else:
        choices = [(Region("features", input_region.offset, input_region.size), "none")]
    best: Layout | None = None
    for features, order in choices:
        placed, end = _place(model_arena, features, buffers, alignment)
        layout = Layout(model_arena, alignment, input_region, features, order, placed, end)
        if best is None or layout.arena_bytes < best.arena_bytes:
            best = layout
    assert best is not None
    return best


#: The RAM row of an audio impulse's continuous mode (the ring of the window's frames).
CONTINUOUS_STATE = "continuous mode state (--slices 0: none)"
#: Writable bytes of the glue besides the arena: the clock pointer and the busy flag.
GLUE_STATE_BYTES = 8
#: Stack of the glue's frames around the DSP block or the model: NAME_run_classifier and
#: NAME_classify took 16 + 56 bytes for kws with arm-none-eabi-gcc -Os -fstack-usage
#: (Cortex-M4), the most of the test impulses.
GLUE_STACK_BYTES = 80
#: Code of the glue (entry points, quantization, scores), measured as above: 487 (motion)
#: to 657 bytes (kws, labels included, which the flash estimate counts apart).
GLUE_CODE_BYTES = 640


def impulse_usage(
    layout: Layout, model: CompiledModel, dsp: DspSources, labels: tuple[str, ...]
) -> Usage:
    """RAM and flash of an impulse by part: the shared arena counted once."""
    _, model_stack = kernel_code_and_stack(model.sources.kernel_functions)
    dsp_code, dsp_stack = dsp_code_and_stack(dsp.runtime_sources)
    if dsp.buffers and any(s == "tg_spectral_analysis.c" for s in dsp.runtime_sources):
        dsp_stack += PLACED_STACK_BYTES  # its parameters, copied to point into the arena
    model_usage = model.usage()
    flash = [(f"model: {part}", size) for part, size in model_usage.flash]
    flash += [
        ("DSP tables", dsp.constant_bytes),
        (f"DSP code ({len(dsp.runtime_sources)} sources, Cortex-M4 -Os)", dsp_code),
        ("labels", sum(len(label.encode()) + 1 + 4 for label in labels)),
        ("impulse code (estimate)", GLUE_CODE_BYTES),
    ]
    ram = [
        ("arena: model activations", layout.model_arena),
        ("arena: DSP past the model's bytes",
         layout.arena_bytes - layout.model_arena),
        ("impulse state", GLUE_STATE_BYTES),
        *([(CONTINUOUS_STATE, dsp.state_bytes)] if dsp.state_bytes else []),
        ("stack (estimate)", max(model_stack, dsp_stack) + GLUE_STACK_BYTES),
    ]
    return Usage(tuple(ram), tuple(flash))
