"""Text in the memory-plan picture: XML escaping, measuring, shortening and fitting labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

#: Width of a character as a fraction of the font size. Labels are set in a monospace face, in
#: which every glyph (the ellipsis too) advances by about 0.6 em, so this bound is honest.
CHAR_WIDTH = 0.6
LABEL_FONT_SIZES = (10.0, 8.0)
LABEL_PAD = 2.0
MIN_LABEL_CHARS = 3

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry at all."""
    return _INVALID_XML.sub("\N{REPLACEMENT CHARACTER}", text)


def xml_text(text: str) -> str:
    """Escaped character data."""
    return escape(_clean(text))


def xml_attr(value: str | float | int) -> str:
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


def step_text(step: int, n_steps: int) -> str:
    if step < 0:
        return "graph input"
    if step >= n_steps:
        return "graph output"
    return f"step {step}"


def split_step_label(index: int, label: str) -> tuple[str, str]:
    """("3", "DEPTHWISE_CONV_2D") from "3 DEPTHWISE_CONV_2D"; the index is used if none is given."""
    match = re.fullmatch(r"\s*(\d+)[\s:]+(.*?)\s*", label, flags=re.S)
    if match:
        return match.group(1), match.group(2)
    return str(index), label.strip()


@dataclass(frozen=True)
class Label:
    text: str
    font_size: float
    rotated: bool


def fit_label(name: str, width: float, height: float) -> Label | None:
    """The largest label of `name` that fits a `width` × `height` box, horizontal or rotated."""
    best: Label | None = None
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
                best, best_chars = Label(text, font_size, rotated), len(text)
    return best
