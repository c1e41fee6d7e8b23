"""Image block: parameters, the resize geometry and its bilinear taps.

Edge Impulse's image block (``channels`` "RGB" or "Grayscale", features pixel / 255)
with the resize its SDK does on the device before it; the modes, the sampling positions
and the rounding are described in :mod:`tinygen.dsp.image`, the C generator. The float64
reference (:mod:`tinygen.reference.dsp.image`) and the generator both take the geometry
and the taps from here, so they cannot disagree about where a pixel is read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.dsp_definitions.errors import fail

BLOCK = "image"
CHANNELS = ("RGB", "Grayscale")
RESIZE_MODES = ("squash", "fit-shortest", "fit-longest")
OUTPUT_TYPES = ("float32", "int8")
INPUT_FORMATS = {"rgb888": 3, "gray8": 1}  # bytes per pixel

#: Fractional bits of the sampling positions and weights (tg_dsp_image.h).
WEIGHT_BITS = 11
#: ITU-R 601-2 luma weights scaled to 2^16 (they sum to 65536).
LUMA_WEIGHTS = (19595, 38470, 7471)

MAX_SIDE = 65535 // 3  # column byte offsets are uint16
MAX_OUTPUT_LENGTH = 1 << 28  # 4 bytes each, addressed with int32


@dataclass(frozen=True)
class ImageParams:
    channels: str = "RGB"
    width: int = 96
    height: int = 96
    resize_mode: str = "squash"
    fill: int = 0
    output_type: str = "float32"
    scale: float | None = None  # int8 output: the model input's scale
    zero_point: int | None = None  # and zero point
    implementation_version: int = 1

    @property
    def out_channels(self) -> int:
        return 3 if self.channels == "RGB" else 1


@dataclass(frozen=True)
class Geometry:
    """Source rectangle (x, y, w, h) resized onto the output box (x, y, w, h)."""

    src: tuple[int, int, int, int]
    box: tuple[int, int, int, int]


def _fail(message: str) -> None:
    fail(BLOCK, message)


def _rounded_ratio(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def geometry(params: ImageParams, input_width: int, input_height: int) -> Geometry:
    """Where the input is read and where the output is written, by resize mode."""
    iw, ih, ow, oh = input_width, input_height, params.width, params.height
    src, box = (0, 0, iw, ih), (0, 0, ow, oh)
    wider = iw * oh > ih * ow  # the input is wider than the output's aspect ratio
    if params.resize_mode == "fit-shortest" and iw * oh != ih * ow:
        if wider:
            cw = min(max(_rounded_ratio(ih * ow, oh), 1), iw)
            src = ((iw - cw) // 2, 0, cw, ih)
        else:
            ch = min(max(_rounded_ratio(iw * oh, ow), 1), ih)
            src = (0, (ih - ch) // 2, iw, ch)
    elif params.resize_mode == "fit-longest" and iw * oh != ih * ow:
        if wider:
            bh = min(max(_rounded_ratio(ih * ow, iw), 1), oh)
            box = (0, (oh - bh) // 2, ow, bh)
        else:
            bw = min(max(_rounded_ratio(iw * oh, ih), 1), ow)
            box = ((ow - bw) // 2, 0, bw, oh)
    return Geometry(src, box)


def sample_positions(start: int, size: int, count: int) -> tuple[np.ndarray, ...]:
    """Bilinear taps of ``count`` outputs over source pixels start .. start + size - 1.

    Output d samples (d + 1/2) * size / count - 1/2, rounded to 1/2^WEIGHT_BITS and
    clamped to [0, size - 1]; returns the two source indices and the weight of the
    second in 1/2^WEIGHT_BITS (int64 arrays).
    """
    one = 1 << WEIGHT_BITS
    d = np.arange(count, dtype=np.int64)
    numerator = ((2 * d + 1) * size - count) * one  # position * 2 * count * one
    position = np.floor_divide(numerator + count, 2 * count)  # rounded, halves up
    position = np.clip(position, 0, (size - 1) * one)
    first = position >> WEIGHT_BITS
    weight = position & (one - 1)
    second = np.minimum(first + 1, size - 1)
    return start + first, start + second, weight


def check_input(input_width: int, input_height: int, input_format: str) -> int:
    """Bytes per input pixel; TinygenError for a size or format the block cannot read."""
    if input_format not in INPUT_FORMATS:
        _fail(f"input_format must be 'rgb888' or 'gray8', got {input_format!r}")
    for key, value in (("input_width", input_width), ("input_height", input_height)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            _fail(f"{key} must be an integer, got {value!r}")
        if not 1 <= value <= MAX_SIDE:
            _fail(f"{key} must be from 1 to {MAX_SIDE} pixels, got {value}")
    return INPUT_FORMATS[input_format]
