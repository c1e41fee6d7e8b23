"""Reference image block: bilinear resize, grayscale and output conversion in numpy.

The semantics (geometry, sampling positions, rounding) are those documented in
tinygen/dsp/image.py, the geometry and taps those of tinygen/dsp_definitions/image.py;
this computes them pixel-wise on whole arrays, without the generator's tables, so the C
must agree with it bit for bit.
"""

from __future__ import annotations

import numpy as np

from tinygen.dsp_definitions.image import (
    LUMA_WEIGHTS,
    WEIGHT_BITS,
    ImageParams,
    check_input,
    geometry,
    sample_positions,
)
from tinygen.errors import EXIT_USAGE, TinygenError
from tinygen.lowering.quantize import QuantizeParams
from tinygen.reference.quantize import quantize_f32_s8


def resize(
    pixels: np.ndarray, params: ImageParams, input_width: int, input_height: int, input_format: str
) -> np.ndarray:
    """The output pixels (height, width, channels) as int64 values 0..255."""
    bpp = check_input(input_width, input_height, input_format)
    flat = np.asarray(pixels, dtype=np.uint8).reshape(-1)
    if flat.size != input_width * input_height * bpp:
        raise TinygenError(
            f"image block: expected {input_width}x{input_height}x{bpp} bytes, got {flat.size}",
            EXIT_USAGE,
        )
    image = flat.reshape(input_height, input_width, bpp).astype(np.int64)
    geo = geometry(params, input_width, input_height)
    sx, sy, sw, sh = geo.src
    bx, by, bw, bh = geo.box
    x0, x1, wx = sample_positions(sx, sw, bw)
    y0, y1, wy = sample_positions(sy, sh, bh)
    one = 1 << WEIGHT_BITS
    wx = wx[None, :, None]
    wy = wy[:, None, None]
    top = image[y0][:, x0] * (one - wx) + image[y0][:, x1] * wx
    bottom = image[y1][:, x0] * (one - wx) + image[y1][:, x1] * wx
    shift = 2 * WEIGHT_BITS
    box = (top * (one - wy) + bottom * wy + (1 << (shift - 1))) >> shift
    channels = params.out_channels
    if bpp == 3 and channels == 1:
        box = (box @ np.array(LUMA_WEIGHTS, dtype=np.int64) + (1 << 15)) >> 16
        box = box[:, :, None]
    elif bpp == 1 and channels == 3:
        box = np.repeat(box, 3, axis=2)
    out = np.full((params.height, params.width, channels), params.fill, dtype=np.int64)
    out[by : by + bh, bx : bx + bw] = box
    return out


def image_features(
    pixels: np.ndarray,
    params: ImageParams,
    *,
    input_width: int,
    input_height: int,
    input_format: str = "rgb888",
) -> np.ndarray:
    """The block's flat output: float32 pixel / 255, or the model's int8 input."""
    out = resize(pixels, params, input_width, input_height, input_format).reshape(-1)
    values = out.astype(np.float32) / np.float32(255)
    if params.output_type == "float32":
        return values
    quant = QuantizeParams(values.size, int(params.zero_point), np.float32(params.scale))
    return quantize_f32_s8(quant, values)
