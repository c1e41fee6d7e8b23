"""Colours of the memory-plan picture: a hue family per tensor kind, a stable shade per tensor."""

from __future__ import annotations

import colorsys
import zlib

from tinygen.report.plan_data import PlanBox

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

