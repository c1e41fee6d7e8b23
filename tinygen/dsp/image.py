"""Image block: coordinate and output tables, C (parameters and geometry: dsp_definitions).

Follows Edge Impulse's image block (``channels`` "RGB" or "Grayscale", features
pixel / 255) and adds the resize its SDK does on the device before it:

- ``resize_mode`` "squash" stretches the whole input to ``width`` x ``height``;
  "fit-shortest" crops the centre of the input to the output's aspect ratio
  (crop size rounded to the nearest pixel, offset rounded down) and resizes
  that; "fit-longest" resizes the whole input to fit inside the output with its
  aspect ratio (the shorter side rounded to the nearest pixel, at least 1) and
  centres it (offset rounded down), the rest being ``fill`` (0..255, default 0)
  in every channel.
- Bilinear interpolation with half-pixel centres: output pixel d of n samples
  the source at (d + 1/2) * size / n - 1/2 (clamped to the source), rounded to
  1/2048 of a pixel; each channel is blended in integers and rounded to 0..255
  (see runtime_c/include/tg_dsp_image.h).
- Grayscale from RGB is the ITU-R 601-2 luma of the resized pixel in 16-bit
  fixed point, rounded: (19595 R + 38470 G + 7471 B + 32768) >> 16.
- ``output_type`` "float32": pixel / 255 in float32; "int8": the model input's
  quantization of that, round-half-away-from-zero(float32(pixel / 255) / scale)
  + zero_point clamped to int8, as TFLite's QUANTIZE.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np

from tinygen.codegen.c_values import array_body
from tinygen.dsp import entry
from tinygen.dsp import params as checks
from tinygen.dsp.sources import DspSources
from tinygen.dsp_definitions.image import (
    BLOCK,
    CHANNELS,
    MAX_OUTPUT_LENGTH,
    MAX_SIDE,
    OUTPUT_TYPES,
    RESIZE_MODES,
    ImageParams,
    check_input,
    geometry,
    sample_positions,
)

# Read from here by the impulse layer and the tests; defined with the parameters.
from tinygen.dsp_definitions.image import INPUT_FORMATS as INPUT_FORMATS
from tinygen.dsp_definitions.image import LUMA_WEIGHTS as LUMA_WEIGHTS
from tinygen.dsp_definitions.image import WEIGHT_BITS as WEIGHT_BITS
from tinygen.lowering.quantize import QuantizeParams
from tinygen.reference.quantize import quantize_f32_s8

HEADERS = ("tg_dsp_image.h",)


def _fail(message: str) -> None:
    checks.fail(BLOCK, message)


def _integer(key: str, value: object, low: int, high: int) -> int:
    value = checks.integer(BLOCK, key, value)
    if not low <= value <= high:
        _fail(f"{key} must be from {low} to {high}, got {value}")
    return value


def parse_params(obj: dict) -> ImageParams:
    """ImageParams from a JSON object of the block's parameters (missing: default)."""
    given = checks.known_values(BLOCK, obj, ImageParams.__dataclass_fields__)
    values: dict = {}
    for key, valid in (
        ("channels", CHANNELS),
        ("resize_mode", RESIZE_MODES),
        ("output_type", OUTPUT_TYPES),
    ):
        if key in given:
            values[key] = checks.choice(BLOCK, key, given[key], valid)
    limits = {
        "implementation_version": (1, 1),
        "width": (1, MAX_SIDE),
        "height": (1, MAX_SIDE),
        "fill": (0, 255),
        "zero_point": (-128, 127),
    }
    for key, (low, high) in limits.items():
        if given.get(key) is not None:
            values[key] = _integer(key, given[key], low, high)
    if given.get("scale") is not None:
        scale = checks.number(BLOCK, "scale", given["scale"])
        with np.errstate(over="ignore"):
            single = np.float32(scale)  # the model's scale is a float32
        if not (np.isfinite(single) and single > 0):
            _fail(f"scale must be a positive finite float32, got {scale!r}")
        values["scale"] = scale
    result = ImageParams(**values)
    if result.output_type == "int8":
        for key in ("scale", "zero_point"):
            if getattr(result, key) is None:
                _fail(f'output_type "int8" needs {key} (the model input\'s quantization)')
    return result


def output_table(params: ImageParams) -> np.ndarray:
    """The 256 output values of the pixel values 0..255 (float32 or int8)."""
    values = np.arange(256, dtype=np.float32) / np.float32(255)
    if params.output_type == "float32":
        return values
    quant = QuantizeParams(256, int(params.zero_point), np.float32(params.scale))
    return quantize_f32_s8(quant, values)


def _table(c_type: str, symbol: str, values: np.ndarray) -> str:
    return f"static const {c_type} {symbol}[{values.size}] = {{\n    {array_body(values)}\n}};\n"


def generate(
    name: str,
    params: ImageParams,
    *,
    input_width: int,
    input_height: int,
    input_format: str = "rgb888",
) -> DspSources:
    """C of the image block ``int NAME_run(const uint8_t *input, <float|int8_t> *output)``."""
    checks.check_name(BLOCK, name)
    bpp = check_input(input_width, input_height, input_format)
    params = parse_params(asdict(params))  # also checks an ImageParams built by hand
    geo = geometry(params, input_width, input_height)
    sx, sy, sw, sh = geo.src
    bx, by, bw, bh = geo.box
    x0, x1, xw = sample_positions(sx, sw, bw)
    y0, y1, yw = sample_positions(sy, sh, bh)
    row = input_width * bpp
    tables = {
        "x_off0": ("uint16_t", (x0 * bpp).astype(np.uint16)),
        "x_off1": ("uint16_t", (x1 * bpp).astype(np.uint16)),
        "x_w": ("uint16_t", xw.astype(np.uint16)),
        "y_off0": ("uint32_t", (y0 * row).astype(np.uint32)),
        "y_off1": ("uint32_t", (y1 * row).astype(np.uint32)),
        "y_w": ("uint16_t", yw.astype(np.uint16)),
    }
    lut = output_table(params)
    out_c = "float" if params.output_type == "float32" else "int8_t"
    out_length = params.width * params.height * params.out_channels
    if out_length > MAX_OUTPUT_LENGTH:
        _fail(
            f"the output of {params.width}x{params.height}x{params.out_channels} values is "
            f"larger than {MAX_OUTPUT_LENGTH}"
        )
    in_length = input_width * input_height * bpp
    upper = name.upper()
    header = (
        f"/* Image block {name}: {input_width}x{input_height} {input_format} to "
        f"{params.width}x{params.height} {params.channels} {params.output_type} "
        f"({params.resize_mode}). Generated by tinygen. */\n"
        f"#ifndef {upper}_H\n#define {upper}_H\n\n#include <stdint.h>\n\n"
        f"#define {upper}_INPUT_LENGTH {in_length}\n"
        f"#define {upper}_OUTPUT_LENGTH {out_length}\n"
        f"#define {upper}_OUTPUT_WIDTH {params.width}\n"
        f"#define {upper}_OUTPUT_HEIGHT {params.height}\n"
        f"#define {upper}_OUTPUT_CHANNELS {params.out_channels}\n\n"
        + entry.codes_header(name, float_data=False)
        + "\n/* input: INPUT_LENGTH bytes, row by row"
        + (", R G B per pixel" if bpp == 3 else "")
        + ";\n * output: OUTPUT_LENGTH values, row by row, channels interleaved. */\n"
        f"int {name}_run(const uint8_t *input, {out_c} *output);\n\n#endif /* {upper}_H */\n"
    )
    fill_params = f"{bx}, {by}, {bw}, {bh}, {bpp}, {params.out_channels}, {params.fill}"
    table_text = "".join(_table(t, f"{name}_{k}", v) for k, (t, v) in tables.items())
    lut_body = array_body(lut, per_line=8 if out_c == "float" else 16)
    if out_c == "float":
        # The pixel bytes go to the last quarter of the output, then become floats in place.
        convert = (
            f"    uint8_t *pixels = (uint8_t *)output + 3 * {upper}_OUTPUT_LENGTH;\n"
            f"    tg_image_sample(&{name}_params, input, pixels);\n"
            f"    tg_image_to_f32({name}_table, pixels, {upper}_OUTPUT_LENGTH, output);\n"
        )
    else:
        convert = (
            f"    uint8_t *pixels = (uint8_t *)output;\n"
            f"    tg_image_sample(&{name}_params, input, pixels);\n"
            f"    tg_image_to_s8({name}_table, pixels, {upper}_OUTPUT_LENGTH, output);\n"
        )
    source = (
        f'{entry.INCLUDES}\n#include "{name}.h"\n#include "tg_dsp_image.h"\n\n'
        f"{table_text}"
        f"static const {out_c} {name}_table[256] = {{\n    {lut_body}\n}};\n"
        f"/* out_w, out_h, box x, y, w, h, in_channels, out_channels, fill; taps */\n"
        f"static const tg_image_params {name}_params = {{\n"
        f"    {params.width}, {params.height}, {fill_params},\n"
        + "".join(f"    {name}_{k},\n" for k in tables)
        + "};\n\n"
        f"static int {name}_compute(const uint8_t *input, {out_c} *output)\n{{\n"
        f"{convert}    return 0;\n}}\n\n"
        + entry.run_function(name, "uint8_t", out_c, in_length, out_length)
    )
    convert_function = "tg_image_to_f32" if out_c == "float" else "tg_image_to_s8"
    # The tables, the output table and the parameter struct on a 32-bit target.
    constant_bytes = sum(v.nbytes for _, v in tables.values()) + lut.nbytes + 9 * 4 + 6 * 4
    return DspSources(
        name=name,
        header=header,
        source=source,
        runtime_sources=("tg_image_sample.c", f"{convert_function}.c"),
        runtime_headers=HEADERS,
        functions=("tg_image_sample", convert_function),
        input_length=in_length,
        output_length=out_length,
        working_bytes=0,
        constant_bytes=constant_bytes,
    )
