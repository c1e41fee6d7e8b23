"""Every DSP block by its JSON name, and a block generated from one JSON document.

The document names the block, describes the input and carries the block's
parameters under the names Edge Impulse's processing blocks use::

    {"block": "mfcc", "sampling_freq": 16000, "input_length": 16000,
     "parameters": {"num_cepstral": 13, "frame_length": 0.02}}

    {"block": "spectral_analysis", "sampling_freq": 62.5, "input_length": 375,
     "axes": 3, "parameters": {"fft_length": 64}}

    {"block": "image", "input_width": 320, "input_height": 240, "input_format": "rgb888",
     "parameters": {"channels": "Grayscale", "width": 96, "height": 96}}
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

from tinygen.dsp import flatten, image, mfcc, mfe, raw, spectral, spectrogram
from tinygen.dsp.sources import DspSources, Placement
from tinygen.errors import EXIT_USAGE, TinygenError

#: Signal blocks: generate(name, params, *, sampling_freq, input_length, axes).
SIGNAL_BLOCKS: dict[str, ModuleType] = {
    "mfcc": mfcc,
    "mfe": mfe,
    "spectrogram": spectrogram,
    "spectral_analysis": spectral,
    "raw": raw,
    "flatten": flatten,
}
BLOCK_NAMES = (*SIGNAL_BLOCKS, "image")
#: The blocks with working buffers, which a Placement can put elsewhere.
PLACEABLE = (mfcc, mfe, spectrogram, spectral)


def _fail(message: str) -> None:
    raise TinygenError(message, EXIT_USAGE)


def _field(doc: dict, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
    if key not in doc:
        if default is None:
            _fail(f"the DSP configuration needs {key!r}")
        return default
    value = doc[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        what = {int: "an integer", str: "a string"}.get(kind, "a number")
        _fail(f"{key!r} in the DSP configuration must be {what}, got {value!r}")
    return value


def generate_block(doc: object, name: str, placement: Placement | None = None) -> DspSources:
    """The C of the block that ``doc`` (parsed JSON) describes, prefixed ``name``.

    ``placement`` puts a signal block's working buffers in memory its caller owns
    (:class:`tinygen.dsp.sources.Placement`); blocks without buffers ignore it.
    """
    if not isinstance(doc, dict):
        _fail("the DSP configuration must be a JSON object")
    block = str(doc.get("block", "")).replace("-", "_")
    if block == "spectral":
        block = "spectral_analysis"
    if block not in BLOCK_NAMES:
        _fail(
            f"unknown DSP block {doc.get('block')!r}; known blocks: " + ", ".join(BLOCK_NAMES)
        )
    known = {"block", "parameters", "name"}
    known |= (
        {"input_width", "input_height", "input_format"}
        if block == "image"
        else {"sampling_freq", "input_length", "axes"}
    )
    unknown = sorted(set(doc) - known)
    if unknown:
        _fail(f"unknown key {', '.join(map(repr, unknown))} in the DSP configuration; "
              f"known: {', '.join(sorted(known))}")
    parameters = doc.get("parameters", {})
    if block == "image":
        params = image.parse_params(parameters)
        return image.generate(
            name,
            params,
            input_width=_field(doc, "input_width", int),
            input_height=_field(doc, "input_height", int),
            input_format=_field(doc, "input_format", str, "rgb888"),
        )
    module = SIGNAL_BLOCKS[block]
    params = module.parse_params(parameters)
    return module.generate(
        name,
        params,
        sampling_freq=float(
            _field(doc, "sampling_freq", (int, float), 0.0 if block in ("raw", "flatten") else None)
        ),
        input_length=_field(doc, "input_length", int),
        axes=_field(doc, "axes", int, 1),
        **({"placement": placement} if module in PLACEABLE else {}),
    )


def read_config(path: Path) -> object:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        _fail(f"{path}: no such file")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{path}: cannot read it ({exc})")
    except json.JSONDecodeError as exc:
        _fail(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})")
    return None
