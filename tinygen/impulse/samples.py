"""One window of an impulse's input from a file: what ``NAME_classify`` reads, in Python.

- audio: a ``.wav`` of 16-bit PCM, mono, at the impulse's rate, at least a window long
  (a longer file gives its first window);
- motion: a ``.csv`` with a row per sample and a column per axis, an optional header row
  (more rows: the first window);
- image: an uncompressed ``.bmp`` (8 bits with a palette, 24 or 32 bits) or a binary
  ``.ppm``/``.pgm`` (P6, P5, 8-bit samples) of exactly the impulse's width x height.

The readers follow templates/classify.c.j2, so a file gives the same window to the
generated program and to the quantization pass's calibration. Anything else is a
``TinygenError`` (exit 2) naming the file and what is wrong with it.
"""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np

from tinygen.dsp_definitions.image import LUMA_WEIGHTS
from tinygen.errors import EXIT_USAGE, TinygenError
from tinygen.impulse.config import ImpulseConfig

#: File suffixes each kind of impulse reads.
SUFFIXES = {"audio": (".wav",), "motion": (".csv",), "image": (".bmp", ".ppm", ".pgm")}


def _bad(path: Path, message: str) -> TinygenError:
    return TinygenError(f"{path}: {message}", EXIT_USAGE)


def read_window(path: Path, config: ImpulseConfig) -> np.ndarray:
    """The first window of ``path``: int16 samples (audio), samples x axes floats
    (motion, interleaved as the classifier takes them) or the frame's bytes in the
    impulse's format (image: height x width x 3 for rgb888, height x width for gray8)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES[config.kind]:
        raise _bad(path, f"a {config.kind} impulse reads {' or '.join(SUFFIXES[config.kind])} "
                   "files")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _bad(path, f"cannot read it ({exc.strerror})") from exc
    if config.kind == "audio":
        return _wav(path, config)
    if config.kind == "motion":
        return _csv(path, data, config)
    rgb = _bmp(path, data, config) if suffix == ".bmp" else _ppm(path, data, config)
    if config.image_format == "rgb888":
        return rgb
    r, g, b = (rgb[..., i].astype(np.uint32) for i in range(3))
    luma = (LUMA_WEIGHTS[0] * r + LUMA_WEIGHTS[1] * g + LUMA_WEIGHTS[2] * b + 32768) >> 16
    return luma.astype(np.uint8)


def _wav(path: Path, config: ImpulseConfig) -> np.ndarray:
    try:
        with wave.open(str(path)) as f:
            rate, width, channels = f.getframerate(), f.getsampwidth(), f.getnchannels()
            frames = f.readframes(f.getnframes())
    except (wave.Error, EOFError, struct.error) as exc:
        raise _bad(path, f"not a WAV file this reads ({exc}); give 16-bit PCM mono") from exc
    if width != 2 or channels != 1:
        raise _bad(path, f"is {8 * width}-bit with {channels} channels; give 16-bit PCM mono")
    if rate != round(config.sampling_freq):
        raise _bad(path, f"is sampled at {rate} Hz; the impulse takes "
                   f"{config.sampling_freq:g} Hz")
    samples = np.frombuffer(frames[: len(frames) // 2 * 2], "<i2")
    if samples.size < config.samples:
        raise _bad(path, f"holds {samples.size} samples; the impulse needs {config.samples}")
    return samples[: config.samples].astype(np.int16)


def _csv(path: Path, data: bytes, config: ImpulseConfig) -> np.ndarray:
    rows: list[list[float]] = []
    axes = config.axis_count
    lines = data.decode("utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            values = [float(field) for field in line.split(",")]
        except ValueError:
            if not rows and number == next(i for i, s in enumerate(lines, 1) if s.strip()):
                continue  # the header
            raise _bad(path, f"line {number} holds a field that is not a number") from None
        if not all(np.isfinite(values)):
            raise _bad(path, f"line {number} holds a field that is not a finite number")
        if len(values) != axes:
            raise _bad(path, f"line {number} has {len(values)} columns; the impulse has "
                       f"{axes} axes ({', '.join(config.axes)})")
        rows.append(values)
        if len(rows) == config.samples:
            break
    if len(rows) < config.samples:
        raise _bad(path, f"holds {len(rows)} samples; the impulse needs {config.samples}")
    return np.array(rows, np.float32).reshape(-1)


def _size(path: Path, width: int, height: int, config: ImpulseConfig) -> None:
    if (width, height) != (config.width, config.height):
        raise _bad(path, f"is {width}x{height} pixels; the impulse takes "
                   f"{config.width}x{config.height}")


def _bmp(path: Path, data: bytes, config: ImpulseConfig) -> np.ndarray:
    if len(data) < 54 or data[:2] != b"BM":
        raise _bad(path, "is not a BMP image")
    offset, header, width, height = struct.unpack_from("<IIii", data, 10)
    planes, bits, compression, _, _, _, colors = struct.unpack_from("<HHIIiiI", data, 26)
    if header < 40 or planes != 1 or compression != 0 or bits not in (8, 24, 32):
        raise _bad(path, f"is a BMP image of a kind this does not read (header {header} bytes, "
                   f"{bits} bits, compression {compression})")
    top_down, height = height < 0, abs(height)
    _size(path, width, height, config)
    stride = (bits * width + 31) // 32 * 4
    if offset + stride * height > len(data):
        raise _bad(path, "is a BMP image whose pixels run past the end of the file")
    rows = np.frombuffer(data, np.uint8, stride * height, offset).reshape(height, stride)
    if not top_down:
        rows = rows[::-1]
    if bits == 8:
        colors = colors if 0 < colors <= 256 else 256
        start = 14 + header
        if start + 4 * colors > len(data):
            raise _bad(path, "is a BMP image whose palette runs past the end of the file")
        palette = np.frombuffer(data, np.uint8, 4 * colors, start).reshape(colors, 4)
        index = rows[:, :width]
        if index.size and int(index.max()) >= colors:
            raise _bad(path, f"has a pixel of color {int(index.max())}, past its {colors} "
                       "palette entries")
        bgr = palette[index][..., :3]
    else:
        bgr = rows[:, : width * bits // 8].reshape(height, width, bits // 8)[..., :3]
    return np.ascontiguousarray(bgr[..., ::-1])


def _ppm(path: Path, data: bytes, config: ImpulseConfig) -> np.ndarray:
    if data[:2] not in (b"P6", b"P5"):
        raise _bad(path, "is not a binary PPM (P6) or PGM (P5) image")
    fields, at = [], 2
    while len(fields) < 3:
        while at < len(data) and data[at : at + 1] in (b" ", b"\t", b"\r", b"\n"):
            at += 1
        if data[at : at + 1] == b"#":
            while at < len(data) and data[at : at + 1] != b"\n":
                at += 1
            continue
        start = at
        while at < len(data) and data[at : at + 1].isdigit() and at - start < 9:
            at += 1
        if at == start or data[at : at + 1].isdigit():
            raise _bad(path, "is a PPM file with a damaged header")
        fields.append(int(data[start:at]))
    width, height, maximum = fields
    if maximum != 255:
        raise _bad(path, f"is a PPM image with samples up to {maximum}; give 8-bit ones")
    _size(path, width, height, config)
    channels = 3 if data[:2] == b"P6" else 1
    at += 1  # the one whitespace byte after the maximum
    count = width * height * channels
    if at + count > len(data):
        raise _bad(path, "is a PPM image whose pixels run past the end of the file")
    pixels = np.frombuffer(data, np.uint8, count, at).reshape(height, width, channels)
    return np.ascontiguousarray(np.repeat(pixels, 3 // channels, axis=2))
