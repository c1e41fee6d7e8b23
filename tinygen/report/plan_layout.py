"""Geometry of the memory-plan picture: column width, plot height, byte ticks, legend rows."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tinygen.report.plan_colours import KIND_COLOURS
from tinygen.report.plan_data import PlanPicture
from tinygen.report.plan_text import CHAR_WIDTH, text_width

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
LEGEND_FONT = 11.0
LEGEND_SWATCH = 22.0


@dataclass(frozen=True)
class PlanLayout:
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


def tick_step(top: int) -> int:
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


def legend_item_width(text: str) -> float:
    return LEGEND_SWATCH + 6 + text_width(text, LEGEND_FONT) + 18


def legend_rows(picture: PlanPicture, width: float) -> list[list[tuple[str, str]]]:
    rows: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    for item in _legend_items(picture):
        w = legend_item_width(item[1])
        if rows[-1] and used + w > width:
            rows.append([])
            used = 0.0
        rows[-1].append(item)
        used += w
    return rows


def layout_plan(picture: PlanPicture, header: float) -> PlanLayout:
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
    tick = tick_step(top)
    top_bytes = math.ceil(top * 1.03 / tick) * tick
    # A wide plot gets a little taller, so that it keeps a readable shape when scaled down.
    plot_height = max(PLOT_HEIGHT, min(MAX_PLOT_HEIGHT, 0.3 * column * columns))
    bottom_area = 26 + KIND_LABEL_CHARS * CHAR_WIDTH * AXIS_FONT_SIZE + 30
    return PlanLayout(
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
