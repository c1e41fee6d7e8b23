"""A memory plan drawn as a standalone SVG picture (no dependencies: the SVG text is written here).

The picture is a time × address chart of the static arena:

* x axis: one column per operator step, plus an "in" column before step 0 (graph inputs exist
  before the first operator) and an "out" column after the last (graph outputs outlive it);
* y axis: byte offset in the arena, **offset 0 at the bottom**, ticks in B / KiB / MiB;
* each tensor a rectangle from its first to its last step and from its offset to offset + size,
  coloured by kind (a hue family per kind, the exact shade hashed from the tensor name so that
  neighbours differ and a tensor keeps its colour from one report to the next), with a tooltip
  holding the full name and a short label when one fits inside the box;
* a solid line at the arena size, a dashed one at the lower bound (peak of live bytes), and the
  live bytes of every step as a thin step curve.

Elements carry ``class`` and ``data-*`` attributes (``data-tensor``, ``data-column``,
``data-bytes``) so that tests and other tools can read the geometry back.
"""

from __future__ import annotations

import colorsys
import math
import os
import re
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

KIND_COLOURS: dict[str, tuple[float, float, float, float]] = {
    # kind: (first hue, hue span, saturation, lightness) — hue in degrees, the rest in 0..1
    "activation": (195.0, 45.0, 0.60, 0.72),
    "input": (90.0, 55.0, 0.45, 0.68),
    "output": (18.0, 30.0, 0.80, 0.70),
    "scratch": (262.0, 40.0, 0.35, 0.76),
    "alias": (318.0, 30.0, 0.55, 0.72),
}
_OTHER_KIND = (0.0, 0.0, 0.0, 0.75)
_LIGHTNESS_STEPS = (-0.08, 0.0, 0.08)

#: Width of a character as a fraction of the font size. Labels are set in a monospace face, in
#: which every glyph (the ellipsis too) advances by about 0.6 em, so this bound is honest.
CHAR_WIDTH = 0.6
LABEL_FONT_SIZES = (10.0, 8.0)
LABEL_PAD = 2.0
MIN_LABEL_CHARS = 3
BOX_INSET = 1.0  # horizontal gap between a box and its column borders

PREFERRED_COLUMN = 40.0
MIN_COLUMN = 16.0
PLOT_WIDTH_CAP = 2000.0
MIN_PLOT_WIDTH = 420.0
PLOT_HEIGHT = 520.0
MAX_PLOT_HEIGHT = 680.0
MARGIN_LEFT = 84.0
MARGIN_RIGHT = 176.0
KIND_LABEL_CHARS = 18
AXIS_FONT_SIZE = 10.0
MIN_TOP_BYTES = 64

_MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"
_SANS = "DejaVu Sans, Helvetica, Arial, sans-serif"
_PEAK_FILL = "#fbe3e3"
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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


# ----------------------------------------------------------------------------- text helpers


def _clean(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry at all."""
    return _INVALID_XML.sub("\N{REPLACEMENT CHARACTER}", text)


def _t(text: str) -> str:
    """Escaped character data."""
    return escape(_clean(text))


def _a(value: str | float | int) -> str:
    """A quoted, escaped attribute value; floats rounded to 0.01 px."""
    if isinstance(value, float):
        value = f"{value:.2f}".rstrip("0").rstrip(".")
    return quoteattr(_clean(str(value)))


def text_width(text: str, font_size: float) -> float:
    """Estimated advance of `text` in the label face (monospace)."""
    return len(text) * CHAR_WIDTH * font_size


def _ellipsize(text: str, max_chars: int) -> str:
    """`text` cut to `max_chars` characters, the cut in the middle (numbered suffixes survive)."""
    if len(text) <= max_chars:
        return text
    if max_chars <= 0:
        return ""
    if max_chars == 1:
        return "…"
    head = max_chars // 2
    tail = max_chars - 1 - head
    return text[:head] + "…" + (text[-tail:] if tail else "")


def _cut_keeping_number(text: str, max_chars: int) -> str:
    """`text` cut to `max_chars` characters, keeping its last number ("block_96_ex…", "dept…12").

    Layers are told apart by their numbers; without one, the cut is in the middle.
    """
    if len(text) <= max_chars:
        return text
    numbers = list(re.finditer(r"\d+", text))
    if not numbers:
        return _ellipsize(text, max_chars)
    last = numbers[-1]
    before, number, after = text[: last.start()], last.group(), text[last.end() :]
    budget = max_chars - len(number)  # characters left for the text around the number
    if len(before) + 2 <= budget and after:  # all before, then as much of the rest as fits
        return before + number + after[: budget - len(before) - 1] + "…"
    marks = 2 if after else 1  # an ellipsis for the cut before the number, one for the rest
    if budget - marks >= 2:
        return before[: budget - marks] + "…" + number + ("…" if after else "")
    return _ellipsize(text, max_chars)


def short_name(name: str, max_chars: int) -> str:
    """The most telling part of a TensorFlow tensor name that fits in `max_chars` characters.

    "model/conv2d_3/BiasAdd;model/conv2d_3/Conv2D" → "conv2d_3/BiasAdd", or "conv2d_3" when
    that is too long, or "con…d_3" when even that is.
    """
    first = name.split(";")[0]
    parts = [p for p in first.split("/") if p] or [first]
    candidates = ["/".join(parts[-2:]), parts[-2] if len(parts) >= 2 else parts[-1]]
    for candidate in candidates:
        if len(candidate) <= max_chars:
            return candidate
    return _cut_keeping_number(candidates[-1], max_chars)


def format_bytes(n: int) -> str:
    """A tick label: "0", "512 B", "8 KiB", "1.25 MiB"."""
    if n == 0:
        return "0"
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            value = n / scale
            return f"{value:.0f} {unit}" if n % scale == 0 else f"{value:.3g} {unit}"
    return f"{n} B"


def _step_text(step: int, n_steps: int) -> str:
    if step < 0:
        return "graph input"
    if step >= n_steps:
        return "graph output"
    return f"step {step}"


def _split_step_label(index: int, label: str) -> tuple[str, str]:
    """("3", "DEPTHWISE_CONV_2D") from "3 DEPTHWISE_CONV_2D"; the index is used if none is given."""
    match = re.fullmatch(r"\s*(\d+)[\s:]+(.*?)\s*", label, flags=re.S)
    if match:
        return match.group(1), match.group(2)
    return str(index), label.strip()


# ---------------------------------------------------------------------------------- colours


def _hex(h: float, s: float, lightness: float) -> str:
    r, g, b = colorsys.hls_to_rgb(h / 360.0 % 1.0, max(0.0, min(1.0, lightness)), s)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def kind_colour(kind: str) -> str:
    """The middle colour of a kind's family (the legend swatch)."""
    hue, span, sat, light = KIND_COLOURS.get(kind, _OTHER_KIND)
    return _hex(hue + span / 2, sat, light)


def box_colour(box: PlanBox) -> str:
    """A shade of the kind's family chosen by a stable hash of the tensor name."""
    hue, span, sat, light = KIND_COLOURS.get(box.kind, _OTHER_KIND)
    digest = zlib.crc32(box.label.encode("utf-8", "surrogatepass"))
    fraction = (digest & 0xFFFF) / 0xFFFF
    shade = _LIGHTNESS_STEPS[(digest >> 16) % len(_LIGHTNESS_STEPS)]
    return _hex(hue + span * fraction, sat, light + shade)


# ----------------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class _Layout:
    n_steps: int
    column: float  # width of one column
    plot_left: float
    plot_top: float
    plot_height: float
    top_bytes: int  # bytes at the top of the plot
    tick_bytes: int  # bytes between two ticks
    width: float
    height: float

    @property
    def n_columns(self) -> int:
        return self.n_steps + 2

    @property
    def plot_right(self) -> float:
        return self.plot_left + self.column * self.n_columns

    @property
    def plot_bottom(self) -> float:
        return self.plot_top + self.plot_height

    def column_left(self, step: int) -> float:
        """Left edge of the column of `step` (-1: "in", n_steps: "out")."""
        return self.plot_left + (step + 1) * self.column

    def y(self, offset: float) -> float:
        """Vertical position of a byte offset (offset 0 at the bottom)."""
        return self.plot_bottom - offset / self.top_bytes * self.plot_height


def _tick_step(top: int) -> int:
    """Power of two between ticks: at most eight intervals up to `top`."""
    step = 1
    while top / step > 8:
        step *= 2
    return step


def _legend_items(picture: PlanPicture) -> list[tuple[str, str]]:
    kinds = list(KIND_COLOURS)
    present = {b.kind for b in picture.boxes}
    items = [("kind", k) for k in kinds if k in present]
    items += [("kind", k) for k in sorted(present - set(kinds))]
    items += [("line", "arena"), ("line", "lower bound"), ("line", "live bytes")]
    if any(v >= picture.lower_bound > 0 for v in picture.live_bytes):
        items.append(("shade", "peak step"))
    return items


_LEGEND_FONT = 11.0
_LEGEND_SWATCH = 22.0


def _legend_item_width(text: str) -> float:
    return _LEGEND_SWATCH + 6 + text_width(text, _LEGEND_FONT) + 18


def _legend_rows(picture: PlanPicture, width: float) -> list[list[tuple[str, str]]]:
    rows: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    for item in _legend_items(picture):
        w = _legend_item_width(item[1])
        if rows[-1] and used + w > width:
            rows.append([])
            used = 0.0
        rows[-1].append(item)
        used += w
    return rows


def _layout(picture: PlanPicture, header: float) -> _Layout:
    n = len(picture.steps)
    columns = n + 2
    column = PREFERRED_COLUMN
    if column * columns > PLOT_WIDTH_CAP:
        column = max(MIN_COLUMN, PLOT_WIDTH_CAP / columns)
    if column * columns < MIN_PLOT_WIDTH:
        column = MIN_PLOT_WIDTH / columns
    top = max(
        [picture.arena_bytes, picture.lower_bound, MIN_TOP_BYTES, *picture.live_bytes]
        + [b.offset + max(b.size, 0) for b in picture.boxes]
    )
    tick = _tick_step(top)
    top_bytes = math.ceil(top * 1.03 / tick) * tick
    # A wide plot gets a little taller, so that it keeps a readable shape when scaled down.
    plot_height = max(PLOT_HEIGHT, min(MAX_PLOT_HEIGHT, 0.3 * column * columns))
    bottom_area = 26 + KIND_LABEL_CHARS * CHAR_WIDTH * AXIS_FONT_SIZE + 30
    return _Layout(
        n_steps=n,
        column=column,
        plot_left=MARGIN_LEFT,
        plot_top=header,
        plot_height=plot_height,
        top_bytes=top_bytes,
        tick_bytes=tick,
        width=MARGIN_LEFT + column * columns + MARGIN_RIGHT,
        height=header + plot_height + bottom_area,
    )


# ---------------------------------------------------------------------------------- drawing


@dataclass(frozen=True)
class _Label:
    text: str
    font_size: float
    rotated: bool


def fit_label(name: str, width: float, height: float) -> _Label | None:
    """The largest label of `name` that fits a `width` × `height` box, horizontal or rotated."""
    best: _Label | None = None
    best_chars = 0
    for font_size in LABEL_FONT_SIZES:
        for rotated in (False, True):
            along, across = (height, width) if rotated else (width, height)
            if across < 1.25 * font_size + 2 * LABEL_PAD:
                continue
            max_chars = int((along - 2 * LABEL_PAD) / (CHAR_WIDTH * font_size))
            text = short_name(name, max_chars)
            full = short_name(name, 10**6)
            if len(text) < min(MIN_LABEL_CHARS, len(full)) or not text:
                continue
            # Prefer larger type, then horizontal text; take a smaller size only for more text.
            if len(text) > best_chars + (2 if best else 0):
                best, best_chars = _Label(text, font_size, rotated), len(text)
    return best


def _tooltip(box: PlanBox, picture: PlanPicture) -> str:
    n = len(picture.steps)

    def where(step: int) -> str:
        if 0 <= step < n:
            return picture.steps[step]
        return _step_text(step, n)

    return (
        f"{box.label}\n"
        f"{box.kind}, {box.size:,} B ({format_bytes(box.size)})\n"
        f"offset {box.offset:,} … {box.offset + box.size:,}\n"
        f"written: {where(box.first)}\n"
        f"last read: {where(box.last)}"
    )


_Extent = tuple[float, float, float, float]  # x0, y0, x1, y1


def _overlaps(a: _Extent, b: _Extent) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _box(
    box: PlanBox, picture: PlanPicture, lay: _Layout, taken: list[_Extent], labels: list[str]
) -> Iterator[str]:
    """The rectangle of `box`; its label goes to `labels` unless it would cover one in `taken`.

    Labels are drawn in a layer of their own, above the lines that cross the boxes.
    """
    n = lay.n_steps
    first = max(-1, min(n, box.first))
    last = max(first, min(n, box.last))
    x0 = lay.column_left(first) + BOX_INSET
    x1 = lay.column_left(last) + lay.column - BOX_INSET
    y_low = lay.y(box.offset)
    y_high = lay.y(box.offset + max(box.size, 0))
    h = y_low - y_high
    y_top = y_high
    w = x1 - x0
    alias = box.kind == "alias"
    fill = box_colour(box)
    if alias:
        style = (
            f'fill={_a(fill)} fill-opacity="0.45" stroke={_a(fill)} stroke-width="1.2" '
            'stroke-dasharray="4 2"'
        )
    elif h < 2.0:  # a thin box outlined in its own colour stays visible as a line
        style = f'fill={_a(fill)} stroke={_a(fill)} stroke-width="0.8"'
    else:  # white edges keep neighbours apart
        style = f'fill={_a(fill)} stroke="#ffffff" stroke-width="0.8"'
    yield (
        f'<g class="box" data-tensor={_a(box.label)} data-kind={_a(box.kind)} '
        f'data-first="{box.first}" data-last="{box.last}" '
        f'data-offset="{box.offset}" data-size="{box.size}">'
    )
    yield f"<title>{_t(_tooltip(box, picture))}</title>"
    yield f"<rect x={_a(x0)} y={_a(y_top)} width={_a(w)} height={_a(h)} {style}/>"
    if box.size <= 0:  # SVG draws no rectangle of height 0: a hairline marks the offset
        yield (
            f'<line class="zero-size" x1={_a(x0)} y1={_a(y_low)} x2={_a(x1)} y2={_a(y_low)} '
            f'stroke={_a(fill)} stroke-width="1" stroke-dasharray="2 2"/>'
        )
    label = fit_label(box.label, w, h)
    cx, cy = x0 + w / 2, y_top + h / 2
    if label is not None:
        along, across = text_width(label.text, label.font_size), 1.25 * label.font_size
        a, b = (across, along) if label.rotated else (along, across)
        extent = (cx - a / 2, cy - b / 2, cx + a / 2, cy + b / 2)
        # Boxes of a valid plan do not overlap, but an alias lies on the box it shares bytes with.
        if any(_overlaps(extent, other) for other in taken):
            label = None
        else:
            taken.append(extent)
    if label is not None:
        # Baseline 0.35 em below the centre puts the x-height in the middle of the box; a rotated
        # label turns about the centre of the box.
        base = cy + 0.35 * label.font_size
        rotate = f' transform="rotate(-90 {cx:.2f} {cy:.2f})"' if label.rotated else ""
        style_text = ' font-style="italic"' if alias else ""
        labels.append(
            f'<text class="box-label" data-tensor={_a(box.label)} x={_a(cx)} y={_a(base)} '
            f'font-size={_a(label.font_size)} text-anchor="middle"{rotate}{style_text}>'
            f"<title>{_t(_tooltip(box, picture))}</title>{_t(label.text)}</text>"
        )
    yield "</g>"


def _columns(picture: PlanPicture, lay: _Layout) -> Iterator[str]:
    n = lay.n_steps
    peak = {
        i
        for i, v in enumerate(picture.live_bytes)
        if picture.lower_bound > 0 and v >= picture.lower_bound
    }
    yield '<g class="columns">'
    for step in range(-1, n + 1):
        name = "in" if step < 0 else "out" if step >= n else str(step)
        if step < 0 or step >= n:
            fill = "#e9eef3"
        elif step in peak:
            fill = _PEAK_FILL
        else:
            fill = "#f6f6f6" if step % 2 else "#ffffff"
        yield (
            f'<rect class="column" data-column={_a(name)} x={_a(lay.column_left(step))} '
            f"y={_a(lay.plot_top)} width={_a(lay.column)} height={_a(lay.plot_height)} "
            f'fill="{fill}"/>'
        )
    yield "</g>"


def _x_axis(picture: PlanPicture, lay: _Layout) -> Iterator[str]:
    n = lay.n_steps
    fs = AXIS_FONT_SIZE
    widest = max([len(str(n)), 3])
    every = 1 if lay.column >= widest * CHAR_WIDTH * fs + 2 else 5
    y_index = lay.plot_bottom + 14
    y_kind = lay.plot_bottom + 22
    yield f'<g class="x-axis" font-family="{_MONO}" font-size={_a(fs)} fill="#333333">'
    for step in range(-1, n + 1):
        cx = lay.column_left(step) + lay.column / 2
        if step < 0 or step >= n:
            name = "in" if step < 0 else "out"
            tip = (
                "graph inputs (before step 0)" if step < 0 else "graph outputs (after the last op)"
            )
            yield (
                f'<text class="step-index" x={_a(cx)} y={_a(y_index)} text-anchor="middle">'
                f"<title>{_t(tip)}</title>{name}</text>"
            )
            continue
        index, kind = _split_step_label(step, picture.steps[step])
        full = picture.steps[step]
        if step % every == 0 or every == 1:
            yield (
                f'<text class="step-index" x={_a(cx)} y={_a(y_index)} text-anchor="middle">'
                f"<title>{_t(full)}</title>{_t(index)}</text>"
            )
        if lay.column >= fs:
            short = kind if len(kind) <= KIND_LABEL_CHARS else kind[: KIND_LABEL_CHARS - 1] + "…"
            bx = cx + 0.35 * fs
            yield (
                f'<text class="step-kind" x={_a(bx)} y={_a(y_kind)} text-anchor="end" '
                f'transform="rotate(-90 {bx:.2f} {y_kind:.2f})">'
                f"<title>{_t(full)}</title>{_t(short)}</text>"
            )
    yield (
        f"<text x={_a((lay.plot_left + lay.plot_right) / 2)} y={_a(lay.height - 10)} "
        f'text-anchor="middle" font-family="{_SANS}" font-size="12">'
        "operator step (in: graph inputs, out: graph outputs)</text>"
    )
    yield "</g>"


def _y_axis(lay: _Layout) -> Iterator[str]:
    yield f'<g class="y-axis" font-family="{_SANS}" font-size="11" fill="#333333">'
    for value in range(0, lay.top_bytes + 1, lay.tick_bytes):
        y = lay.y(value)
        yield (
            f'<g class="ytick" data-bytes="{value}">'
            f"<line x1={_a(lay.plot_left - 5)} y1={_a(y)} x2={_a(lay.plot_right)} y2={_a(y)} "
            f'stroke="#000000" stroke-opacity="{0.35 if value == 0 else 0.08}"/>'
            f'<text x={_a(lay.plot_left - 8)} y={_a(y + 4)} text-anchor="end">'
            f"{_t(format_bytes(value))}</text></g>"
        )
    cy = lay.plot_top + lay.plot_height / 2
    yield (
        f'<text x="18" y={_a(cy)} text-anchor="middle" font-size="12" '
        f'transform="rotate(-90 18 {cy:.2f})">arena offset (0 at the bottom)</text>'
    )
    yield "</g>"


def _limit_lines(picture: PlanPicture, lay: _Layout) -> Iterator[str]:
    y_arena = lay.y(picture.arena_bytes)
    y_bound = lay.y(picture.lower_bound)
    # Labels sit in the right margin; keep them at least one line apart (arena ≥ bound → above).
    y_arena_text = y_arena + 4
    y_bound_text = y_bound + 4
    if y_bound_text - y_arena_text < 14:
        middle = (y_arena_text + y_bound_text) / 2
        y_arena_text, y_bound_text = middle - 7, middle + 7
    x_text = lay.plot_right + 6
    yield (
        f'<line class="lower-bound-line" data-bytes="{picture.lower_bound}" '
        f"x1={_a(lay.plot_left)} y1={_a(y_bound)} x2={_a(lay.plot_right)} y2={_a(y_bound)} "
        'stroke="#b00020" stroke-width="1.5" stroke-dasharray="6 4"/>'
    )
    yield (
        f'<line class="arena-line" data-bytes="{picture.arena_bytes}" '
        f"x1={_a(lay.plot_left)} y1={_a(y_arena)} x2={_a(lay.plot_right)} y2={_a(y_arena)} "
        'stroke="#111111" stroke-width="1.5"/>'
    )
    yield (
        f'<g font-family="{_SANS}" font-size="11">'
        f'<text class="arena-label" x={_a(x_text)} y={_a(y_arena_text)} fill="#111111">'
        f"arena {picture.arena_bytes:,} B</text>"
        f'<text class="lower-bound-label" x={_a(x_text)} y={_a(y_bound_text)} fill="#b00020">'
        f"lower bound {picture.lower_bound:,} B</text></g>"
    )


def _live_profile(picture: PlanPicture, lay: _Layout) -> Iterator[str]:
    if not picture.live_bytes:
        return
    points: list[str] = []
    for step, live in enumerate(picture.live_bytes):
        y = lay.y(live)
        x0 = lay.column_left(step)
        points += [f"{x0:.2f},{y:.2f}", f"{x0 + lay.column:.2f},{y:.2f}"]
    yield (
        f'<polyline class="live-profile" points="{" ".join(points)}" fill="none" '
        'stroke="#b00020" stroke-width="1.2" stroke-opacity="0.85"/>'
    )


def _legend(rows: list[list[tuple[str, str]]], x: float, y: float) -> Iterator[str]:
    yield f'<g class="legend" font-family="{_SANS}" font-size="{_LEGEND_FONT:g}" fill="#333333">'
    for r, row in enumerate(rows):
        cx = x
        cy = y + r * 18
        for what, name in row:
            yield f'<g class="legend-item" data-item={_a(name)}>'
            if what == "kind":
                colour = kind_colour(name)
                dash = ' stroke-dasharray="4 2"' if name == "alias" else ""
                yield (
                    f'<rect x={_a(cx)} y={_a(cy - 9)} width="{_LEGEND_SWATCH:g}" height="11" '
                    f'fill="{colour}" stroke="{colour if dash else "#ffffff"}"{dash}/>'
                )
            elif what == "shade":
                yield (
                    f'<rect x={_a(cx)} y={_a(cy - 11)} width="{_LEGEND_SWATCH:g}" height="14" '
                    f'fill="{_PEAK_FILL}" stroke="#dddddd"/>'
                )
            else:
                colour, dash = {
                    "arena": ("#111111", ""),
                    "lower bound": ("#b00020", ' stroke-dasharray="6 4"'),
                    "live bytes": ("#b00020", ""),
                }[name]
                width = 1.2 if name == "live bytes" else 1.5
                yield (
                    f"<line x1={_a(cx)} y1={_a(cy - 4)} x2={_a(cx + _LEGEND_SWATCH)} "
                    f'y2={_a(cy - 4)} stroke="{colour}" stroke-width="{width}"{dash}/>'
                )
            yield f"<text x={_a(cx + _LEGEND_SWATCH + 6)} y={_a(cy)}>{_t(name)}</text></g>"
            cx += _legend_item_width(name)
    yield "</g>"


def render_plan_svg(picture: PlanPicture) -> str:
    """The plan as the text of a standalone SVG document."""
    if len(picture.live_bytes) != len(picture.steps):
        raise ValueError(
            f"live_bytes has {len(picture.live_bytes)} entries for {len(picture.steps)} steps"
        )
    # The width does not depend on the header, so lay out once to know how wide the legend is.
    provisional = _layout(picture, 0.0)
    content_width = provisional.width - MARGIN_LEFT - 16
    rows = _legend_rows(picture, content_width)
    header = 56 + 18 * len(rows)
    lay = _layout(picture, header)

    title_size = 15.0
    title_chars = int(content_width / (0.62 * title_size))
    title_chars = max(title_chars, 8)
    title = picture.title
    if len(title) > title_chars:
        title = title[: title_chars - 1] + "…"

    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width:.0f}" '
        f'height="{lay.height:.0f}" viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" '
        f'font-family="{_SANS}">',
        f"<title>{_t(picture.title)}</title>",
        f'<rect width="{lay.width:.0f}" height="{lay.height:.0f}" fill="#ffffff"/>',
        f'<text class="title" x={_a(MARGIN_LEFT)} y="26" font-size="{title_size:g}" '
        f'font-weight="bold" fill="#111111">{_t(title)}</text>',
    ]
    out += _legend(rows, MARGIN_LEFT, 50)
    out += _columns(picture, lay)
    out += _y_axis(lay)
    out.append('<g class="boxes">')
    ordered = sorted(picture.boxes, key=lambda b: (b.kind == "alias", b.offset, b.first))
    taken: list[_Extent] = []
    labels: list[str] = []
    for box in ordered:
        out += _box(box, picture, lay, taken, labels)
    out.append("</g>")
    out += _live_profile(picture, lay)
    out += _limit_lines(picture, lay)
    # A faint white halo (stroke painted under the glyphs) keeps labels readable over the lines.
    out.append(
        f'<g class="box-labels" font-family="{_MONO}" fill="#1a1a1a" stroke="#ffffff" '
        'stroke-opacity="0.6" stroke-width="2" paint-order="stroke" stroke-linejoin="round">'
    )
    out += labels
    out.append("</g>")
    out.append(
        f"<rect x={_a(lay.plot_left)} y={_a(lay.plot_top)} "
        f"width={_a(lay.plot_right - lay.plot_left)} height={_a(lay.plot_height)} "
        'fill="none" stroke="#666666" stroke-width="1"/>'
    )
    out += _x_axis(picture, lay)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_plan_svg(picture: PlanPicture, path: Path) -> None:
    """Write the picture to `path` atomically (a temporary file beside it, then a rename)."""
    path = Path(path)
    text = render_plan_svg(picture)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
