"""What an impulse folder carries besides its library: the Arduino and Cortex-M4 examples.

::

    OUT/library.properties                     Arduino library specification 1.5
    OUT/examples/NAME_static/NAME_static.ino   classifies a window compiled in, over Serial
    OUT/cmake/arm-none-eabi.cmake              the toolchain file of --cpu (Cortex-M4F default)
    OUT/m4/NAME_m4.c                           the bare-metal example's main (semihosting)
    OUT/m4/startup.c, board.c, board.h, mps2_an386.ld   QEMU mps2-an386 board files

The board files are copied from their one home, ``templates/m4/``
(:data:`tinygen.target.m4_program.BOARD_DIR`), which the Cortex-M4 tests and benches build
with too; the toolchain file is rendered for the CPU (:mod:`tinygen.target.cpus`). Both
examples classify the same deterministic synthetic window (:func:`example_sample`):
generation knows no recording of the user's.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

import numpy as np

from tinygen.codegen.c_values import CText, array_lines, c_comment_text
from tinygen.codegen.model_source import template_environment
from tinygen.impulse.config import ImpulseConfig
from tinygen.impulse.generate import Impulse
from tinygen.target.cpus import TOOLCHAIN_FILE, Cpu, toolchain_file
from tinygen.target.m4_program import BOARD_DIR

#: The board files of the bare-metal example, copied as they are into OUT/m4/.
BOARD_FILES = ("startup.c", "board.c", "board.h", "mps2_an386.ld")
#: library.properties' url: the project has no public home to name yet.
PROJECT_URL = ""
#: How often the Arduino example classifies its window.
PERIOD_MS = 2000


@dataclass(frozen=True)
class Sample:
    """The window the examples classify, as the call they make takes it."""

    values: np.ndarray  # int16 samples (audio), floats (motion) or bytes (image)
    c_type: str  # its C element type
    call: str  # the classifier function that takes it
    length_macro: str  # the macro of its length
    description: str  # what it is, for a comment


def _tones(config: ImpulseConfig) -> np.ndarray:
    """Two tones, at a 36th and a 12th of the sampling frequency: int16 samples."""
    t = np.arange(config.samples, dtype=np.float64) / config.sampling_freq
    fs = config.sampling_freq
    x = 8000.0 * np.sin(2 * np.pi * (fs / 36) * t) + 3000.0 * np.sin(2 * np.pi * (fs / 12) * t)
    return np.round(x).astype(np.int16)


def _motion(config: ImpulseConfig) -> np.ndarray:
    """A sine per axis, each of its own frequency, amplitude and phase; interleaved."""
    t = np.arange(config.samples, dtype=np.float64) / config.sampling_freq
    axes = config.axis_count
    columns = [
        (k + 1) * np.sin(2 * np.pi * config.sampling_freq * (k + 1) / (8 * axes) * t + k)
        for k in range(axes)
    ]
    return np.round(np.stack(columns, axis=1), 4).astype(np.float32).reshape(-1)


def _gradient(config: ImpulseConfig) -> np.ndarray:
    """Red across, green down, blue along the diagonal (gray8: the diagonal)."""
    w, h = config.width, config.height
    y, x = np.mgrid[0:h, 0:w]
    diagonal = (x + y) * 255 // max(w + h - 2, 1)
    if config.image_format == "gray8":
        return diagonal.astype(np.uint8).reshape(-1)
    rgb = np.stack([x * 255 // max(w - 1, 1), y * 255 // max(h - 1, 1), diagonal], axis=2)
    return rgb.astype(np.uint8).reshape(-1)


def example_sample(impulse: Impulse) -> Sample:
    """The deterministic window both examples classify."""
    c = impulse.config
    name, upper = c.name, c.name.upper()
    if c.kind == "audio":
        return Sample(_tones(c), "int16_t", f"{name}_run_classifier_i16",
                      f"{upper}_SIGNAL_LENGTH",
                      f"{c.samples} int16 samples: tones of {c.sampling_freq / 36:g} Hz and "
                      f"{c.sampling_freq / 12:g} Hz")
    if c.kind == "motion":
        return Sample(_motion(c), "float", f"{name}_run_classifier", f"{upper}_SIGNAL_LENGTH",
                      f"{c.samples} samples of {c.axis_count} axes: a sine on each")
    return Sample(_gradient(c), "uint8_t", f"{name}_run_classifier_{c.image_format}",
                  f"{upper}_IMAGE_BYTES",
                  f"a {c.width}x{c.height} {c.image_format} gradient")


def _context(impulse: Impulse, sample: Sample) -> dict[str, object]:
    return {
        "name": impulse.name,
        "NAME": impulse.name.upper(),
        "sample_comment": c_comment_text(sample.description),
        "sample_type": sample.c_type,
        "sample_lines": array_lines(sample.values, per_line=12),
        "call": sample.call,
        "length_macro": sample.length_macro,
    }


def _signal_text(config: ImpulseConfig) -> str:
    if config.kind == "image":
        return (f"{config.width}x{config.height} pixels, row by row from the top, "
                f"{'R, G, B bytes' if config.image_format == 'rgb888' else 'a gray byte'} each")
    if config.kind == "audio":
        return f"{config.samples} int16 samples at {config.sampling_freq:g} Hz"
    return (f"{config.samples} samples at {config.sampling_freq:g} Hz, the axes of each "
            f"interleaved ({', '.join(config.axes)})")


def _version() -> str:
    try:
        return metadata.version("tinygen")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def _property(text: str) -> CText:
    """Text from the user or the model as one line of a library.properties value."""
    return c_comment_text(text, max_chars=400)


def arduino_files(impulse: Impulse) -> dict[str, str]:
    """library.properties and examples/NAME_static/NAME_static.ino."""
    c, env, name = impulse.config, template_environment(), impulse.name
    sample = example_sample(impulse)
    sentence = (f"The impulse {name}: classifies {c.kind} windows with the {c.block} DSP block "
                "and a model, generated by tinygen.")
    paragraph = (f"Model {c.model.name}, labels: {', '.join(c.labels)}. Call {sample.call}() "
                 f"from {name}.h on {_signal_text(c)}; no heap, one static arena of "
                 f"{impulse.layout.arena_bytes} bytes.")
    properties = env.get_template("arduino/library.properties.j2").render(
        name=name, version=_version(), sentence=_property(sentence),
        paragraph=_property(paragraph), url=PROJECT_URL,
    )
    sketch = env.get_template("arduino/example.ino.j2").render(
        **_context(impulse, sample), period_ms=PERIOD_MS,
        signal_comment=c_comment_text(_signal_text(c)),
    )
    return {
        "library.properties": properties,
        f"examples/{name}_static/{name}_static.ino": sketch,
    }


def m4_example_files(impulse: Impulse, cpu: Cpu) -> dict[str, str]:
    """cmake/arm-none-eabi.cmake for ``cpu`` (none for a generic target) and m4/: the
    bare-metal example for QEMU's mps2-an386, which its CMakeLists builds on a Cortex-M4."""
    toolchain = toolchain_file(cpu)
    files = {} if toolchain is None else {f"cmake/{TOOLCHAIN_FILE}": toolchain}
    files.update({f"m4/{f}": (BOARD_DIR / f).read_text() for f in BOARD_FILES})
    main = template_environment().get_template("m4/impulse_main.c.j2")
    files[f"m4/{impulse.name}_m4.c"] = main.render(_context(impulse, example_sample(impulse)))
    return files
