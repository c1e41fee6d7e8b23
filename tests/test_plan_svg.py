"""The memory-plan picture: valid SVG whose geometry, labels and lines can be read back."""

from __future__ import annotations

import os
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tinygen.report.plan_colours import box_colour
from tinygen.report.plan_data import PlanBox, PlanPicture
from tinygen.report.plan_layout import MIN_COLUMN, PLOT_WIDTH_CAP
from tinygen.report.plan_svg import render_plan_svg, write_plan_svg
from tinygen.report.plan_text import CHAR_WIDTH, short_name

SVG = "{http://www.w3.org/2000/svg}"
OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "MEAN")
SIZES = (0, 96, 512, 1024, 2304, 4608, 9216, 18432)


def _align(n: int) -> int:
    return (n + 15) // 16 * 16


def synthetic_plan(n_steps: int, n_boxes: int, seed: int = 0) -> PlanPicture:
    """A plausible plan: an input, an output, activations placed first fit, a few aliases."""
    rng = random.Random(seed)
    ranges: list[tuple[str, int, int, int, str]] = [
        ("serving_default_input:0", -1, 0, 27648, "input"),
        ("StatefulPartitionedCall:0", n_steps - 1, n_steps, 1000, "output"),
    ]
    for i in range(n_boxes - 2):
        first = rng.randrange(n_steps)
        last = min(n_steps - 1, first + rng.choice((1, 1, 1, 2, 3, 6)))
        kind = rng.choices(("activation", "scratch", "alias"), (0.85, 0.08, 0.07))[0]
        layer = rng.randrange(40)
        name = (
            f"model/conv2d_{layer}/BiasAdd;model/conv2d_{layer}/Conv2D;t{i}"
            if i % 3
            else f"model/block_{i}_expand_relu/Relu6"
        )
        ranges.append((name, first, last, rng.choice(SIZES), kind))
    placed: list[PlanBox] = []
    for name, first, last, size, kind in sorted(ranges, key=lambda r: -r[3]):
        if kind == "alias":
            continue
        clashes = sorted(
            (b.offset, b.offset + b.size) for b in placed if b.first <= last and first <= b.last
        )
        offset = 0
        for start, end in clashes:
            if offset + size <= start:
                break
            offset = max(offset, _align(end))
        placed.append(PlanBox(name, first, last, offset, size, kind))
    for name, first, last, size, kind in ranges:
        if kind == "alias":
            base = rng.choice(placed)
            placed.append(PlanBox(name, first, last, base.offset, min(size, base.size), kind))
    real = [b for b in placed if b.kind != "alias"]
    live = tuple(sum(b.size for b in real if b.first <= s <= b.last) for s in range(n_steps))
    arena = _align(max(b.offset + b.size for b in real))
    return PlanPicture(
        title=f"synthetic_{n_steps} — arena {arena:,} B (lower bound {max(live):,} B)",
        steps=tuple(f"{i} {rng.choice(OPS)}" for i in range(n_steps)),
        boxes=tuple(placed),
        arena_bytes=arena,
        lower_bound=max(live),
        live_bytes=live,
    )


def small_plan() -> PlanPicture:
    """Four ops, hand-placed: the input under a, b above a, the output beside b."""
    boxes = (
        PlanBox("input", -1, 0, 0, 4096, "input"),
        PlanBox("model/conv2d/Relu;model/conv2d/BiasAdd", 0, 1, 4096, 8192, "activation"),
        PlanBox("b", 1, 2, 12288, 2048, "activation"),
        PlanBox("scratch", 2, 2, 0, 1024, "scratch"),
        PlanBox("out", 3, 4, 1024, 512, "output"),
        PlanBox("b_reshaped", 2, 3, 12288, 2048, "alias"),
    )
    live = (12288, 10240, 3072, 2560)
    return PlanPicture(
        "small — arena 14,336 B (lower bound 12,288 B)",
        ("0 CONV_2D", "1 DEPTHWISE_CONV_2D", "2 ADD", "3 RESHAPE"),
        boxes,
        14336,
        12288,
        live,
    )


# ------------------------------------------------------------------------------ reading back


def parse(picture: PlanPicture) -> ET.Element:
    return ET.fromstring(render_plan_svg(picture))


def num(element: ET.Element, attr: str) -> float:
    return float(element.attrib[attr])


def y_of(root: ET.Element):
    """The y scale, fitted to the axis ticks (each tick says which byte count it marks)."""
    ticks = [
        (int(g.attrib["data-bytes"]), num(g.find(f"{SVG}line"), "y1"))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "ytick"
    ]
    assert len(ticks) >= 2
    (b0, y0), (b1, y1) = ticks[0], ticks[-1]
    slope = (y1 - y0) / (b1 - b0)
    assert slope < 0, "offset 0 is at the bottom: y decreases as offsets grow"
    for b, y in ticks:
        assert y == pytest.approx(y0 + slope * (b - b0), abs=0.02)
    return lambda nbytes: y0 + slope * (nbytes - b0)


def columns(root: ET.Element) -> dict[str, tuple[float, float]]:
    """Column name ("in", "0", …, "out") → (left, right)."""
    return {
        r.attrib["data-column"]: (num(r, "x"), num(r, "x") + num(r, "width"))
        for r in root.iter(f"{SVG}rect")
        if r.get("class") == "column"
    }


def box_groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "box"]


def rect_of(group: ET.Element) -> tuple[float, float, float, float]:
    r = group.find(f"{SVG}rect")
    assert r is not None
    return num(r, "x"), num(r, "y"), num(r, "x") + num(r, "width"), num(r, "y") + num(r, "height")


def column_name(step: int, n_steps: int) -> str:
    return "in" if step < 0 else "out" if step >= n_steps else str(step)


def box_labels(root: ET.Element) -> list[ET.Element]:
    return [t for t in root.iter(f"{SVG}text") if t.get("class") == "box-label"]


def text_of(text: ET.Element) -> str:
    """The visible text of a <text> that starts with a <title> tooltip."""
    tip = text.find(f"{SVG}title")
    return (tip.tail if tip is not None else text.text) or ""


def label_extent(text: ET.Element) -> tuple[float, float, float, float]:
    """Where a box label's glyphs can reach: 0.6 em a character, ascent 0.8 em, descent 0.25 em."""
    size = num(text, "font-size")
    assert text.get("text-anchor") == "middle"
    x, base = num(text, "x"), num(text, "y")
    half = len(text_of(text)) * CHAR_WIDTH * size / 2
    x0, y0, x1, y1 = x - half, base - 0.8 * size, x + half, base + 0.25 * size
    transform = text.get("transform")
    if not transform:
        return x0, y0, x1, y1
    match = re.fullmatch(r"rotate\(-90 ([\d.]+) ([\d.]+)\)", transform)
    assert match, transform
    cx, cy = float(match.group(1)), float(match.group(2))
    # rotate(-90) about (cx, cy): (x, y) → (cx + (y - cy), cy - (x - cx))
    xs = [cx + (y - cy) for y in (y0, y1)]
    ys = [cy - (x - cx) for x in (x0, x1)]
    return min(xs), min(ys), max(xs), max(ys)


# ----------------------------------------------------------------------------------- tests


def test_standalone_svg_document() -> None:
    text = render_plan_svg(small_plan())
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    width, height = float(root.attrib["width"]), float(root.attrib["height"])
    assert root.attrib["viewBox"] == f"0 0 {width:.0f} {height:.0f}"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == small_plan().title
    assert any(t.get("class") == "title" for t in root.iter(f"{SVG}text"))


def test_one_rect_per_box_at_its_steps_and_offsets() -> None:
    picture = small_plan()
    root = parse(picture)
    groups = box_groups(root)
    assert sorted(g.attrib["data-tensor"] for g in groups) == sorted(b.label for b in picture.boxes)
    assert all(len(g.findall(f"{SVG}rect")) == 1 for g in groups)
    y = y_of(root)
    cols = columns(root)
    assert list(cols) == ["in", "0", "1", "2", "3", "out"]
    by_name = {g.attrib["data-tensor"]: g for g in groups}
    for box in picture.boxes:
        x0, y0, x1, y1 = rect_of(by_name[box.label])
        left = cols[column_name(box.first, 4)]
        right = cols[column_name(box.last, 4)]
        assert left[0] <= x0 < left[0] + 2, box
        assert right[1] - 2 < x1 <= right[1], box
        assert y1 == pytest.approx(y(box.offset), abs=0.02), box
        assert y0 == pytest.approx(y(box.offset + box.size), abs=0.02), box


def test_boxes_are_ordered_by_offset_and_step() -> None:
    picture = synthetic_plan(60, 120, seed=3)
    root = parse(picture)
    rects = {g.attrib["data-tensor"]: rect_of(g) for g in box_groups(root)}
    real = [b for b in picture.boxes if b.kind != "alias" and b.size > 0]
    checked = 0
    for a in real:
        for b in real:
            if a.offset >= b.offset + b.size:
                assert rects[a.label][3] <= rects[b.label][1] + 0.02, (a, b)  # a above b
                checked += 1
            if a.last < b.first:
                assert rects[a.label][2] <= rects[b.label][0], (a, b)  # a left of b
    assert checked > 1000


def test_tooltips_hold_the_full_tensor_names() -> None:
    picture = small_plan()
    root = parse(picture)
    for g in box_groups(root):
        tip = g.find(f"{SVG}title")
        assert tip is not None and tip.text is not None
        name = g.attrib["data-tensor"]
        box = next(b for b in picture.boxes if b.label == name)
        assert tip.text.splitlines()[0] == name
        assert f"{box.size:,} B" in tip.text
        assert f"offset {box.offset:,}" in tip.text
    conv = next(g for g in box_groups(root) if g.attrib["data-tensor"].startswith("model/conv2d"))
    tip_text = conv.find(f"{SVG}title").text
    assert "written: 0 CONV_2D" in tip_text and "last read: 1 DEPTHWISE_CONV_2D" in tip_text
    inp = next(g for g in box_groups(root) if g.attrib["data-tensor"] == "input")
    assert "written: graph input" in inp.find(f"{SVG}title").text


def test_arena_and_lower_bound_lines_at_their_heights() -> None:
    picture = small_plan()
    root = parse(picture)
    y = y_of(root)
    lines = {ln.get("class"): ln for ln in root.iter(f"{SVG}line") if ln.get("class")}
    arena, bound = lines["arena-line"], lines["lower-bound-line"]
    assert num(arena, "y1") == num(arena, "y2") == pytest.approx(y(14336), abs=0.02)
    assert num(bound, "y1") == num(bound, "y2") == pytest.approx(y(12288), abs=0.02)
    assert "stroke-dasharray" in bound.attrib and "stroke-dasharray" not in arena.attrib
    texts = {t.get("class"): t.text for t in root.iter(f"{SVG}text") if t.get("class")}
    assert "14,336 B" in texts["arena-label"]
    assert "12,288 B" in texts["lower-bound-label"]


def test_live_profile_follows_live_bytes() -> None:
    picture = small_plan()
    root = parse(picture)
    y = y_of(root)
    cols = columns(root)
    profile = next(p for p in root.iter(f"{SVG}polyline") if p.get("class") == "live-profile")
    points = [tuple(map(float, p.split(","))) for p in profile.attrib["points"].split()]
    assert len(points) == 2 * len(picture.steps)
    for step, live in enumerate(picture.live_bytes):
        (xa, ya), (xb, yb) = points[2 * step], points[2 * step + 1]
        assert (xa, xb) == pytest.approx(cols[str(step)], abs=0.02)
        assert ya == yb == pytest.approx(y(live), abs=0.02)


def test_axis_ticks_are_readable_byte_counts() -> None:
    root = parse(synthetic_plan(30, 50, seed=1))
    labels = [g.find(f"{SVG}text").text for g in root.iter(f"{SVG}g") if g.get("class") == "ytick"]
    assert labels[0] == "0"
    assert 4 <= len(labels) <= 9
    assert all(re.fullmatch(r"0|\d+(\.\d+)? (B|KiB|MiB)", label) for label in labels), labels


def test_step_labels_name_the_operators() -> None:
    picture = small_plan()
    root = parse(picture)
    kinds = [t for t in root.iter(f"{SVG}text") if t.get("class") == "step-kind"]
    assert [t.find(f"{SVG}title").text for t in kinds] == list(picture.steps)
    assert [t.find(f"{SVG}title").tail for t in kinds] == [
        "CONV_2D",
        "DEPTHWISE_CONV_2D",
        "ADD",
        "RESHAPE",
    ]
    index = [
        t.find(f"{SVG}title").tail
        for t in root.iter(f"{SVG}text")
        if t.get("class") == "step-index"
    ]
    assert index == ["in", "0", "1", "2", "3", "out"]


def test_xml_special_characters_are_escaped() -> None:
    name = "a<b>&\"c'd\x01"
    picture = PlanPicture(
        'title <&> "quoted"',
        ("0 <OP&>",),
        (PlanBox(name, 0, 0, 0, 4096, "activation"),),
        4096,
        4096,
        (4096,),
    )
    text = render_plan_svg(picture)
    assert "&lt;" in text and "&amp;" in text and "<b>" not in text
    root = ET.fromstring(text)
    (group,) = box_groups(root)
    assert group.attrib["data-tensor"] == "a<b>&\"c'd\ufffd"
    assert group.find(f"{SVG}title").text.startswith("a<b>&\"c'd")
    assert root.find(f"{SVG}title").text == 'title <&> "quoted"'


def test_labels_never_spill_out_of_their_boxes() -> None:
    picture = synthetic_plan(60, 120, seed=2)
    root = parse(picture)
    rects = {g.attrib["data-tensor"]: rect_of(g) for g in box_groups(root)}
    extents = []
    for text in box_labels(root):
        x0, y0, x1, y1 = rects[text.attrib["data-tensor"]]
        lx0, ly0, lx1, ly1 = label_extent(text)
        assert x0 <= lx0 and lx1 <= x1 and y0 <= ly0 and ly1 <= y1, (text.attrib, text_of(text))
        extents.append((lx0, ly0, lx1, ly1))
    assert len(extents) >= 40, "most boxes big enough for a label get one"
    for i, a in enumerate(extents):
        for b in extents[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


def test_long_names_are_shortened_with_an_ellipsis() -> None:
    name = "averyveryverylongtensornamewithoutanyslashes_0123456789_final_17"
    picture = PlanPicture(
        "t",
        ("0 ADD", "1 ADD"),
        (PlanBox(name, 0, 0, 0, 1024, "activation"),),
        16384,
        1024,
        (1024, 0),
    )
    root = parse(picture)
    (text,) = box_labels(root)
    label = text_of(text)
    assert "…" in label and len(label) < len(name)
    assert label.endswith("17"), "the cut is in the middle: numbered suffixes survive"
    assert text.find(f"{SVG}title").text.startswith(name + "\n"), "the full name in the tooltip"
    (group,) = box_groups(root)
    x0, _, x1, _ = rect_of(group)
    assert len(label) * CHAR_WIDTH * num(text, "font-size") <= x1 - x0


def test_layer_names_are_preferred_in_labels() -> None:
    root = parse(small_plan())
    labels = {text_of(t) for t in box_labels(root)}
    assert "conv2d/Relu" in labels


def test_empty_plan_and_zero_size_boxes_render() -> None:
    root = parse(PlanPicture("empty", (), (), 0, 0, ()))
    assert box_groups(root) == []
    assert list(columns(root)) == ["in", "out"]
    picture = PlanPicture(
        "zero", ("0 RESHAPE",), (PlanBox("nothing", 0, 0, 64, 0, "activation"),), 64, 0, (0,)
    )
    root = parse(picture)
    (group,) = box_groups(root)
    _, y0, _, y1 = rect_of(group)
    assert y0 == y1 == pytest.approx(y_of(root)(64), abs=0.02)
    hairline = group.find(f"{SVG}line")
    assert hairline is not None, "a zero-size tensor stays visible as a hairline"
    assert num(hairline, "y1") == num(hairline, "y2") == pytest.approx(y1, abs=0.02)


def test_live_bytes_must_match_the_steps() -> None:
    with pytest.raises(ValueError, match="live_bytes"):
        render_plan_svg(PlanPicture("bad", ("0 ADD",), (), 0, 0, ()))


def test_canvas_width_scales_with_steps_up_to_a_cap() -> None:
    def width(n: int) -> float:
        return float(parse(synthetic_plan(n, 10)).attrib["width"])

    assert width(10) < width(30) < width(45)
    assert width(60) == width(90) <= PLOT_WIDTH_CAP + 300
    root = parse(synthetic_plan(200, 20))
    for left, right in columns(root).values():
        assert right - left >= MIN_COLUMN


def test_colours_are_stable_and_differ_by_kind() -> None:
    a = PlanBox("model/conv2d_1/Relu", 0, 1, 0, 16, "activation")
    assert box_colour(a) == box_colour(PlanBox(a.label, 5, 9, 64, 32, "activation"))
    assert box_colour(a) != box_colour(PlanBox("model/conv2d_2/Relu", 0, 1, 0, 16, "activation"))
    assert box_colour(a) != box_colour(PlanBox(a.label, 0, 1, 0, 16, "output"))
    root = parse(small_plan())
    legend = [
        g.attrib["data-item"] for g in root.iter(f"{SVG}g") if g.get("class") == "legend-item"
    ]
    assert legend[:5] == ["activation", "input", "output", "scratch", "alias"]
    fills = {
        g.attrib["data-item"]: g.find(f"{SVG}rect").attrib["fill"]
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "legend-item" and g.attrib["data-item"] in legend[:5]
    }
    assert len(set(fills.values())) == 5
    assert legend[5:] == ["arena", "lower bound", "live bytes", "peak step"]


def test_write_replaces_atomically_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plan.svg"
    path.write_text("old")
    inode = path.stat().st_ino
    write_plan_svg(small_plan(), path)
    assert path.read_text(encoding="utf-8") == render_plan_svg(small_plan())
    assert path.stat().st_ino != inode, "a new file renamed over the old one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.svg"]
    assert path.stat().st_mode & 0o044, "readable like any other file, not mkstemp's 0600"

    def broken_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_plan_svg(synthetic_plan(30, 40), path)
    assert path.read_text(encoding="utf-8") == render_plan_svg(small_plan())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.svg"]


@pytest.mark.parametrize(
    ("name", "chars", "label"),
    [
        ("model/block_96_expand_relu/Relu6", 30, "block_96_expand_relu/Relu6"),
        ("model/block_96_expand_relu/Relu6", 20, "block_96_expand_relu"),
        ("model/block_96_expand_relu/Relu6", 12, "block_96_ex…"),
        ("model/block_96_expand_relu/Relu6", 9, "block…96…"),
        ("model/depthwise_conv2d_12/Relu;model/x", 7, "dept…12"),
        ("activation_12", 11, "activati…12"),
        ("no_digits_in_this_name", 9, "no_d…name"),
    ],
)
def test_short_labels_keep_the_layer_number(name: str, chars: int, label: str) -> None:
    assert short_name(name, chars) == label
    assert len(label) <= chars
