"""``impulse.json``: what an impulse is made of, checked before anything is compiled.

::

    {"name": "kws",
     "input": {"kind": "audio", "sampling_freq": 16000, "window_ms": 1000},
     "dsp": {"block": "mfcc", "parameters": {"frame_length": 0.02}},
     "model": "kws.tflite",
     "labels": ["no", "noise", "yes"]}

``input.kind`` is ``audio`` (sampling_freq, window_ms), ``motion`` (sampling_freq,
window_ms, axes: a list of names) or ``image`` (width, height, format ``rgb888`` or
``gray8``: what the camera delivers). Paths are relative to the JSON file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinygen.codegen.c_values import c_string_literal, checked_library_name, library_name
from tinygen.dsp.image import MAX_SIDE as MAX_IMAGE_SIDE
from tinygen.errors import EXIT_USAGE, TinygenError

KINDS = ("audio", "motion", "image")
#: The DSP blocks each kind of input can feed.
BLOCKS = {
    "audio": ("mfcc", "mfe", "spectrogram"),
    "motion": ("spectral_analysis", "raw", "flatten"),
    "image": ("image",),
}
IMAGE_FORMATS = ("rgb888", "gray8")
TOP_KEYS = ("name", "input", "dsp", "model", "labels")
INPUT_KEYS = {
    "audio": ("kind", "sampling_freq", "window_ms"),
    "motion": ("kind", "sampling_freq", "window_ms", "axes"),
    "image": ("kind", "width", "height", "format"),
}
#: Longest window, in values (samples x axes): offsets in the generated C are int32.
MAX_SIGNAL_LENGTH = 1 << 24
#: Suffixes the impulse's parts add to its name (NAME_model, NAME_dsp).
PART_SUFFIXES = ("_model", "_dsp")


def fail(path: Path, message: str) -> None:
    raise TinygenError(f"{path}: {message}", EXIT_USAGE)


@dataclass(frozen=True)
class ImpulseConfig:
    path: Path  # the JSON file
    name: str
    kind: str  # audio, motion or image
    block: str  # the DSP block's name, as generate-dsp spells it
    parameters: dict[str, Any]  # the DSP block's parameters
    model: Path
    labels: tuple[str, ...]
    sampling_freq: float = 0.0  # audio, motion
    samples: int = 0  # per axis, in one window (audio, motion)
    axes: tuple[str, ...] = ()  # motion; audio has one unnamed axis
    width: int = 0  # image: what the camera delivers
    height: int = 0
    image_format: str = ""

    @property
    def signal_length(self) -> int:
        """Values of one window: samples x axes, or pixels."""
        if self.kind == "image":
            return self.width * self.height
        return self.samples * max(len(self.axes), 1)

    @property
    def axis_count(self) -> int:
        return max(len(self.axes), 1)


def _known(path: Path, where: str, obj: dict, known: tuple[str, ...]) -> None:
    unknown = sorted(str(k) for k in obj if k not in known)
    if unknown:
        fail(path, f"unknown key {', '.join(map(repr, unknown))} in {where}; "
             f"known: {', '.join(known)}")


def _number(path: Path, where: str, obj: dict, key: str, *, whole: bool = False) -> float:
    if key not in obj:
        fail(path, f"{where} needs {key!r}")
    value = obj[key]
    kind = int if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not math.isfinite(value):
        fail(path, f"{where}.{key} must be {'an integer' if whole else 'a number'}, "
             f"got {value!r}")
    if value <= 0:
        fail(path, f"{where}.{key} must be above 0, got {value!r}")
    return value


def _window(path: Path, inp: dict) -> tuple[float, int]:
    """(sampling frequency, samples per axis) of an audio or motion window."""
    fs = float(_number(path, "input", inp, "sampling_freq"))
    ms = float(_number(path, "input", inp, "window_ms"))
    exact = fs * ms / 1000.0
    samples = round(exact)
    if abs(exact - samples) > 1e-6 * max(exact, 1.0) or samples < 1:
        step = 1000.0 / fs
        fail(path, f"input.window_ms {ms:g} at {fs:g} Hz is {exact:g} samples, not a whole "
             f"number; use a multiple of {step:g} ms (e.g. {max(samples, 1) * step:g})")
    return fs, samples


def _axes(path: Path, inp: dict) -> tuple[str, ...]:
    axes = inp.get("axes")
    if not isinstance(axes, list) or not axes or not all(isinstance(a, str) for a in axes):
        fail(path, f"input.axes must be a non-empty list of axis names, got {axes!r}")
    if len(set(axes)) != len(axes):
        fail(path, f"input.axes names an axis twice: {axes!r}")
    for i, axis in enumerate(axes):
        _c_text(path, f"input.axes[{i}]", axis)
    return tuple(axes)


def _image(path: Path, inp: dict) -> tuple[int, int, str]:
    sides = []
    for key in ("width", "height"):
        side = int(_number(path, "input", inp, key, whole=True))
        if side > MAX_IMAGE_SIDE:
            fail(path, f"input.{key} must be at most {MAX_IMAGE_SIDE} pixels, got {side}")
        sides.append(side)
    if sides[0] * sides[1] > MAX_SIGNAL_LENGTH:
        fail(path, f"input.width x input.height is {sides[0] * sides[1]:,} pixels, more than "
             f"{MAX_SIGNAL_LENGTH:,}")
    fmt = inp.get("format", "rgb888")
    if fmt not in IMAGE_FORMATS:
        fail(path, f"input.format must be one of {', '.join(IMAGE_FORMATS)}, got {fmt!r}")
    return sides[0], sides[1], fmt


def _labels(path: Path, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        fail(path, f"labels must be a non-empty list of strings, got {value!r}"[:200])
    for i, label in enumerate(value):
        _c_text(path, f"labels[{i}]", label)
    return tuple(value)


def _c_text(path: Path, where: str, text: str) -> None:
    """Refuses text that no C string literal can hold exactly (a NUL, over 4095 bytes)."""
    try:
        c_string_literal(text)
    except TinygenError as error:
        fail(path, f"{where}: {error.message}")


def _name(path: Path, doc: dict, given: str | None) -> str:
    if given is not None:
        name = checked_library_name(given, "--name")
    elif doc.get("name") is not None:
        name = checked_library_name(doc["name"], f'"name" in {path}')
    else:
        name = library_name(None, path.stem)
    for suffix in PART_SUFFIXES:  # the model and DSP parts must be valid names too
        checked_library_name(name + suffix, f"the impulse name {name!r} + {suffix!r}")
    return name


def parse_config(doc: object, path: Path, name: str | None = None) -> ImpulseConfig:
    """The impulse ``doc`` (parsed JSON read from ``path``) describes; ``name`` overrides
    its ``"name"``. TinygenError (exit 2) naming the problem for anything wrong."""
    if not isinstance(doc, dict):
        fail(path, "an impulse must be a JSON object")
    _known(path, "the impulse", doc, TOP_KEYS)
    for key in ("input", "dsp", "model", "labels"):
        if key not in doc:
            fail(path, f"the impulse needs {key!r}; it has {', '.join(map(repr, doc)) or 'none'}")
    inp, dsp = doc["input"], doc["dsp"]
    if not isinstance(inp, dict):
        fail(path, f"input must be a JSON object, got {inp!r}")
    kind = inp.get("kind")
    if kind not in KINDS:
        fail(path, f"unknown input kind {kind!r}; known kinds: {', '.join(KINDS)}")
    _known(path, "input", inp, INPUT_KEYS[kind])
    if not isinstance(dsp, dict):
        fail(path, f"dsp must be a JSON object, got {dsp!r}")
    _known(path, "dsp", dsp, ("block", "parameters"))
    block = str(dsp.get("block", "")).replace("-", "_")
    block = "spectral_analysis" if block == "spectral" else block
    if block not in BLOCKS[kind]:
        fail(path, f"dsp.block {dsp.get('block')!r} cannot take {kind} input; "
             f"use one of {', '.join(BLOCKS[kind])}")
    parameters = dsp.get("parameters", {})
    if not isinstance(parameters, dict):
        fail(path, f"dsp.parameters must be a JSON object, got {parameters!r}")
    model = doc["model"]
    if not isinstance(model, str) or not model:
        fail(path, f"model must be the path of a .tflite file, got {model!r}")
    model_path = path.parent / model
    if not model_path.is_file():
        fail(path, f"the model {model!r} is not a file (looked for {model_path})")
    common = {
        "path": path,
        "name": _name(path, doc, name),
        "kind": kind,
        "block": block,
        "parameters": dict(parameters),
        "model": model_path,
        "labels": _labels(path, doc["labels"]),
    }
    if kind == "image":
        width, height, fmt = _image(path, inp)
        return ImpulseConfig(**common, width=width, height=height, image_format=fmt)
    fs, samples = _window(path, inp)
    axes = _axes(path, inp) if kind == "motion" else ()
    if samples * max(len(axes), 1) > MAX_SIGNAL_LENGTH:
        fail(path, f"the window holds {samples * max(len(axes), 1):,} values, more than "
             f"{MAX_SIGNAL_LENGTH:,}")
    return ImpulseConfig(**common, sampling_freq=fs, samples=samples, axes=axes)


#: Slices a window is cut into for continuous mode unless --slices says otherwise.
DEFAULT_SLICES = 4


def slice_samples(config: ImpulseConfig, slices: int | None) -> int:
    """Samples of one slice of continuous mode (audio), or 0 for other kinds.

    ``slices`` (None: :data:`DEFAULT_SLICES`) must divide the window's samples; 0 leaves
    continuous mode out (no code, no state); a given count for a kind without continuous
    mode is an error (exit 2).
    """
    if config.kind != "audio":
        if slices is not None:
            raise TinygenError(f"--slices is for audio impulses (continuous mode); "
                               f"{config.path} is a {config.kind} impulse", EXIT_USAGE)
        return 0
    count = DEFAULT_SLICES if slices is None else slices
    if count == 0:
        return 0
    if count < 0 or config.samples % count:
        divisors = [d for d in range(2, min(config.samples, 64) + 1) if config.samples % d == 0]
        raise TinygenError(
            f"--slices {count} does not cut the window of {config.samples} samples into "
            f"equal slices; use a divisor of {config.samples}, such as "
            f"{', '.join(map(str, divisors[:8])) or '1'} (or 0: no continuous mode)",
            EXIT_USAGE)
    return config.samples // count


def dsp_document(config: ImpulseConfig, parameters: dict[str, Any]) -> dict[str, Any]:
    """The ``generate-dsp`` document of the impulse's block (input from ``input``)."""
    if config.kind == "image":
        return {
            "block": "image",
            "input_width": config.width,
            "input_height": config.height,
            "input_format": config.image_format,
            "parameters": parameters,
        }
    return {
        "block": config.block,
        "sampling_freq": config.sampling_freq,
        "input_length": config.signal_length,
        "axes": config.axis_count,
        "parameters": parameters,
    }
