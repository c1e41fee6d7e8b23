"""The SVG elements of the memory-plan picture, one generator per layer of the drawing."""

from __future__ import annotations

from collections.abc import Iterator

from tinygen.report.plan_colours import box_colour, kind_colour
from tinygen.report.plan_data import PlanBox, PlanPicture
from tinygen.report.plan_layout import (
    AXIS_FONT_SIZE,
    BOX_INSET,
    KIND_LABEL_CHARS,
    LEGEND_FONT,
    LEGEND_SWATCH,
    PlanLayout,
    legend_item_width,
)
from tinygen.report.plan_text import (
    CHAR_WIDTH,
    fit_label,
    format_bytes,
    split_step_label,
    step_text,
    text_width,
)
from tinygen.report.plan_text import xml_attr as _a
from tinygen.report.plan_text import xml_text as _t

FONT_MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"
FONT_SANS = "DejaVu Sans, Helvetica, Arial, sans-serif"
PEAK_FILL = "#fbe3e3"


def _tooltip(box: PlanBox, picture: PlanPicture) -> str:
    n = len(picture.steps)

    def where(step: int) -> str:
        if 0 <= step < n:
            return picture.steps[step]
        return step_text(step, n)

    return (
        f"{box.label}\n"
        f"{box.kind}, {box.size:,} B ({format_bytes(box.size)})\n"
        f"offset {box.offset:,} … {box.offset + box.size:,}\n"
        f"written: {where(box.first)}\n"
        f"last read: {where(box.last)}"
    )


Extent = tuple[float, float, float, float]  # x0, y0, x1, y1


def _overlaps(a: Extent, b: Extent) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def draw_box(
    box: PlanBox, picture: PlanPicture, lay: PlanLayout, taken: list[Extent], labels: list[str]
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


def draw_columns(picture: PlanPicture, lay: PlanLayout) -> Iterator[str]:
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
            fill = PEAK_FILL
        else:
            fill = "#f6f6f6" if step % 2 else "#ffffff"
        yield (
            f'<rect class="column" data-column={_a(name)} x={_a(lay.column_left(step))} '
            f"y={_a(lay.plot_top)} width={_a(lay.column)} height={_a(lay.plot_height)} "
            f'fill="{fill}"/>'
        )
    yield "</g>"


def draw_x_axis(picture: PlanPicture, lay: PlanLayout) -> Iterator[str]:
    n = lay.n_steps
    fs = AXIS_FONT_SIZE
    widest = max([len(str(n)), 3])
    every = 1 if lay.column >= widest * CHAR_WIDTH * fs + 2 else 5
    y_index = lay.plot_bottom + 14
    y_kind = lay.plot_bottom + 22
    yield f'<g class="x-axis" font-family="{FONT_MONO}" font-size={_a(fs)} fill="#333333">'
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
        index, kind = split_step_label(step, picture.steps[step])
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
        f'text-anchor="middle" font-family="{FONT_SANS}" font-size="12">'
        "operator step (in: graph inputs, out: graph outputs)</text>"
    )
    yield "</g>"


def draw_y_axis(lay: PlanLayout) -> Iterator[str]:
    yield f'<g class="y-axis" font-family="{FONT_SANS}" font-size="11" fill="#333333">'
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


def draw_limit_lines(picture: PlanPicture, lay: PlanLayout) -> Iterator[str]:
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
        f'<g font-family="{FONT_SANS}" font-size="11">'
        f'<text class="arena-label" x={_a(x_text)} y={_a(y_arena_text)} fill="#111111">'
        f"arena {picture.arena_bytes:,} B</text>"
        f'<text class="lower-bound-label" x={_a(x_text)} y={_a(y_bound_text)} fill="#b00020">'
        f"lower bound {picture.lower_bound:,} B</text></g>"
    )


def draw_live_profile(picture: PlanPicture, lay: PlanLayout) -> Iterator[str]:
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


def draw_legend(rows: list[list[tuple[str, str]]], x: float, y: float) -> Iterator[str]:
    yield f'<g class="legend" font-family="{FONT_SANS}" font-size="{LEGEND_FONT:g}" fill="#333333">'
    for r, row in enumerate(rows):
        cx = x
        cy = y + r * 18
        for what, name in row:
            yield f'<g class="legend-item" data-item={_a(name)}>'
            if what == "kind":
                colour = kind_colour(name)
                dash = ' stroke-dasharray="4 2"' if name == "alias" else ""
                yield (
                    f'<rect x={_a(cx)} y={_a(cy - 9)} width="{LEGEND_SWATCH:g}" height="11" '
                    f'fill="{colour}" stroke="{colour if dash else "#ffffff"}"{dash}/>'
                )
            elif what == "shade":
                yield (
                    f'<rect x={_a(cx)} y={_a(cy - 11)} width="{LEGEND_SWATCH:g}" height="14" '
                    f'fill="{PEAK_FILL}" stroke="#dddddd"/>'
                )
            else:
                colour, dash = {
                    "arena": ("#111111", ""),
                    "lower bound": ("#b00020", ' stroke-dasharray="6 4"'),
                    "live bytes": ("#b00020", ""),
                }[name]
                width = 1.2 if name == "live bytes" else 1.5
                yield (
                    f"<line x1={_a(cx)} y1={_a(cy - 4)} x2={_a(cx + LEGEND_SWATCH)} "
                    f'y2={_a(cy - 4)} stroke="{colour}" stroke-width="{width}"{dash}/>'
                )
            yield f"<text x={_a(cx + LEGEND_SWATCH + 6)} y={_a(cy)}>{_t(name)}</text></g>"
            cx += legend_item_width(name)
    yield "</g>"

