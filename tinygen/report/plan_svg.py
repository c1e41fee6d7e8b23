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

import os
import tempfile
from pathlib import Path

from tinygen.report.plan_data import PlanPicture
from tinygen.report.plan_drawing import (
    FONT_MONO,
    FONT_SANS,
    Extent,
    draw_box,
    draw_columns,
    draw_legend,
    draw_limit_lines,
    draw_live_profile,
    draw_x_axis,
    draw_y_axis,
)
from tinygen.report.plan_layout import MARGIN_LEFT, layout_plan, legend_rows
from tinygen.report.plan_text import xml_attr as _a
from tinygen.report.plan_text import xml_text as _t


def render_plan_svg(picture: PlanPicture) -> str:
    """The plan as the text of a standalone SVG document."""
    if len(picture.live_bytes) != len(picture.steps):
        raise ValueError(
            f"live_bytes has {len(picture.live_bytes)} entries for {len(picture.steps)} steps"
        )
    # The width does not depend on the header, so lay out once to know how wide the legend is.
    provisional = layout_plan(picture, 0.0)
    content_width = provisional.width - MARGIN_LEFT - 16
    rows = legend_rows(picture, content_width)
    header = 56 + 18 * len(rows)
    lay = layout_plan(picture, header)

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
        f'font-family="{FONT_SANS}">',
        f"<title>{_t(picture.title)}</title>",
        f'<rect width="{lay.width:.0f}" height="{lay.height:.0f}" fill="#ffffff"/>',
        f'<text class="title" x={_a(MARGIN_LEFT)} y="26" font-size="{title_size:g}" '
        f'font-weight="bold" fill="#111111">{_t(title)}</text>',
    ]
    out += draw_legend(rows, MARGIN_LEFT, 50)
    out += draw_columns(picture, lay)
    out += draw_y_axis(lay)
    out.append('<g class="boxes">')
    ordered = sorted(picture.boxes, key=lambda b: (b.kind == "alias", b.offset, b.first))
    taken: list[Extent] = []
    labels: list[str] = []
    for box in ordered:
        out += draw_box(box, picture, lay, taken, labels)
    out.append("</g>")
    out += draw_live_profile(picture, lay)
    out += draw_limit_lines(picture, lay)
    # A faint white halo (stroke painted under the glyphs) keeps labels readable over the lines.
    out.append(
        f'<g class="box-labels" font-family="{FONT_MONO}" fill="#1a1a1a" stroke="#ffffff" '
        'stroke-opacity="0.6" stroke-width="2" paint-order="stroke" stroke-linejoin="round">'
    )
    out += labels
    out.append("</g>")
    out.append(
        f"<rect x={_a(lay.plot_left)} y={_a(lay.plot_top)} "
        f"width={_a(lay.plot_right - lay.plot_left)} height={_a(lay.plot_height)} "
        'fill="none" stroke="#666666" stroke-width="1"/>'
    )
    out += draw_x_axis(picture, lay)
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
