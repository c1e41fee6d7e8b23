"""The C around an impulse's model and DSP block: NAME.h, NAME.c and NAME_classify.c.

Every value is computed here; the templates (impulse.h.j2, impulse.c.j2, classify.c.j2)
only place them. Text from the user (labels, axis names) and from the model (tensor
names) reaches them only through c_string_literal or c_comment_text.
"""

from __future__ import annotations

from typing import Any

from tinygen.codegen.c_values import CText, c_comment_text, c_string_literal, float_literal
from tinygen.codegen.model_source import template_environment
from tinygen.dsp.image import INPUT_FORMATS, LUMA_WEIGHTS
from tinygen.impulse.generate import Impulse

#: (macro suffix, value, meaning) of what the functions return.
CODES = (
    ("OK", "0", "success: result holds the scores"),
    ("ERR_NULL", "(-1)", "signal (or pixels) or result is NULL"),
    ("ERR_LENGTH", "(-2)", "length is not that of one window"),
    ("ERR_VALUE", "(-3)", "a value of the signal is none of the kind's (VALUE_MEANINGS)"),
    ("ERR_DSP", "(-4)", "the DSP block failed (a feature overflowed: the signal is too large)"),
    ("ERR_MODEL", "(-5)", "the model failed"),
    ("ERR_BUSY", "(-6)", "another call is running: the functions are not reentrant"),
    ("NOT_READY", "1", "continuous mode: the slice was taken, but a whole window has not been "
     "seen yet since the start or NAME_reset(); result holds zeros"),
)
#: Codes only continuous mode returns.
CONTINUOUS_CODES = ("NOT_READY",)
#: What ERR_VALUE means for each kind of input.
VALUE_MEANINGS = {
    "audio": "the signal holds a NaN, an infinity or a value outside -32768 .. 32767",
    "motion": "the signal holds a NaN or an infinity",
    "image": "a value of signal is no packed 0xRRGGBB pixel (an integer 0 .. 16777215)",
}
#: The DSP block's codes (those its header defines) that mean a bad value of the signal.
DSP_VALUE_CODES = ("ERROR_NONFINITE", "ERROR_RANGE")


def _comment(text: str) -> CText:
    return c_comment_text(text, max_chars=400)


def _window_text(impulse: Impulse) -> str:
    c = impulse.config
    if c.kind == "image":
        return f"a {c.width}x{c.height} {c.image_format} camera frame"
    seconds = c.samples / c.sampling_freq
    axes = f"{len(c.axes)} axes ({', '.join(c.axes)})" if c.axes else "one axis"
    return f"{c.samples} samples ({seconds * 1000:g} ms at {c.sampling_freq:g} Hz) of {axes}"


def _expected_file(impulse: Impulse) -> str:
    c = impulse.config
    if c.kind == "audio":
        return (f"a .wav file: 16-bit PCM, mono, {round(c.sampling_freq)} Hz, at least "
                f"{c.samples} samples ({c.samples / c.sampling_freq * 1000:g} ms); a longer "
                "file is classified by its first window")
    if c.kind == "motion":
        return (f"a .csv file: a row per sample (at least {c.samples}; a longer file is "
                f"classified by its first window), a column per axis ({', '.join(c.axes)}), "
                "an optional header row")
    return (f"a .bmp (8, 24 or 32 bits, uncompressed) or binary .ppm/.pgm (P6, P5) image of "
            f"exactly {c.width}x{c.height} pixels")


def _layout_lines(impulse: Impulse) -> list[CText]:
    layout = impulse.layout
    lines = [f"bytes {r['offset']}..{int(r['offset']) + int(r['bytes'])}: {r['name']}"
             for r in layout.regions()]
    lines.append(f"{layout.arena_bytes} bytes in all, the larger of the model's "
                 f"{layout.model_arena} and the DSP's {layout.dsp_peak} (their sum would be "
                 f"{layout.separate_bytes})")
    return [_comment(line) for line in lines]


def _common(impulse: Impulse) -> dict[str, Any]:
    c = impulse.config
    fmt = c.image_format
    return {
        "name": c.name,
        "NAME": c.name.upper(),
        "kind": c.kind,
        "image_format": fmt,
        "luma": LUMA_WEIGHTS,
        "bytes_per_pixel": INPUT_FORMATS.get(fmt, 0),
    }


def header_context(impulse: Impulse) -> dict[str, Any]:
    c = impulse.config
    if c.kind == "image":
        values = "one packed 0xRRGGBB value per pixel (Edge Impulse's convention)"
        length = f"{c.width} x {c.height} pixels"
    elif c.kind == "audio":
        values = "the int16 sample values as floats"
        length = f"{c.samples} samples"
    else:
        values = "the axes of each sample interleaved (" + ", ".join(c.axes) + ")"
        length = f"{c.samples} samples x {len(c.axes)} axes"
    bpp = INPUT_FORMATS.get(c.image_format, 0)
    return {
        **_common(impulse),
        "signal_comment": _comment(_window_text(impulse)),
        "block_comment": _comment(f"{c.block}, {impulse.dsp.output_length} features"),
        "signal_length_comment": _comment(length),
        "signal_values_comment": _comment(values),
        "signal_length": c.signal_length,
        "label_count": len(c.labels),
        "width": c.width,
        "height": c.height,
        "image_bytes": c.signal_length * bpp,
        "bytes_per_pixel_comment": _comment("R, G, B bytes per pixel" if bpp == 3
                                            else "one gray byte per pixel"),
        "sampling_freq": float_literal(c.sampling_freq),
        "samples": c.samples,
        "axis_count": c.axis_count,
        "arena_bytes": impulse.layout.arena_bytes,
        "codes": [
            {"suffix": s, "value": v,
             "meaning": _comment(VALUE_MEANINGS[c.kind] if s == "ERR_VALUE"
                                 else m.replace("NAME_", f"{c.name}_"))}
            for s, v, m in CODES if impulse.slice_length or s not in CONTINUOUS_CODES
        ],
        **_continuous(impulse),
    }


def _continuous(impulse: Impulse) -> dict[str, Any]:
    """What the header and the source say of continuous mode (slice_length 0: none)."""
    c, length = impulse.config, impulse.slice_length
    return {
        "slice_length": length,
        "slices": c.samples // length if length else 0,
        "slice_comment": _comment(f"{length / c.sampling_freq * 1000:g} ms" if length else ""),
        "state_bytes": impulse.dsp.state_bytes,
    }


def source_context(impulse: Impulse) -> dict[str, Any]:
    c, layout = impulse.config, impulse.layout
    features = layout.features
    pixels = next((b.offset for b in layout.buffers if b.name == "pixels"), None)
    entries = [{"suffix": "", "sample": "float"}]
    if c.kind == "audio":
        entries.append({"suffix": "_i16", "sample": "int16_t"})
    where = (f"floats, quantized {layout.quantize} into the input" if layout.quantize != "none"
             else "the model's input itself")
    return {
        **_common(impulse),
        "DSP": f"{c.name}_dsp".upper(),
        "MODEL": impulse.model.name.upper(),
        "layout_comment": _layout_lines(impulse),
        "labels": [c_string_literal(label) for label in c.labels],
        "input_offset": layout.input_region.offset,
        "feature_comment": _comment(f"{features.size} bytes at {features.offset}: {where}"),
        "feature_type": "float" if impulse.float_features else "int8_t",
        "feature_offset": features.offset,
        "pixels_offset": pixels,
        "dsp_value_codes": [
            code for code in DSP_VALUE_CODES
            if f"#define {c.name.upper()}_DSP_{code} " in impulse.dsp.header
        ],
        "quantize": layout.quantize,
        "feature_count": impulse.model_tensor().size,
        "feature_last": impulse.model_tensor().size - 1,
        "output_type": "float" if impulse.model_tensor(output=True).dtype == "float32"
        else "int8_t",
        "entries": entries,
        **_continuous(impulse),
    }


def classify_context(impulse: Impulse) -> dict[str, Any]:
    c = impulse.config
    return {
        **_common(impulse),
        "file_comment": _comment(_expected_file(impulse)),
        "expected": c_string_literal(_expected_file(impulse)),
        "rate": round(c.sampling_freq),
        "kind_noun": {"audio": "audio", "motion": "motion", "image": "images"}[c.kind],
        "axes": c_string_literal(", ".join(c.axes)),
        "continuous_usage": "[--continuous] " if impulse.slice_length else "",
        **_continuous(impulse),
    }


def glue_files(impulse: Impulse) -> dict[str, str]:
    """The glue's files by their path in the library folder: the API header beside the
    sources in src/, where an Arduino sketch's ``#include <NAME.h>`` finds it."""
    env = template_environment()
    name = impulse.name
    return {
        f"src/{name}.h": env.get_template("impulse.h.j2").render(header_context(impulse)),
        f"src/{name}.c": env.get_template("impulse.c.j2").render(source_context(impulse)),
        f"tools/{name}_classify.c": env.get_template("classify.c.j2").render(
            classify_context(impulse)
        ),
    }
