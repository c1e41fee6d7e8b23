"""Calibration samples for an impulse's float model: a folder of recordings, CSV or images
run through the impulse's DSP block, or the model inputs themselves in a ``.npy``/``.npz``.

Each file of the folder gives its first window (:mod:`tinygen.impulse.samples`); the DSP
block's float64 reference (:mod:`tinygen.reference.dsp`) turns it into the features the
generated C computes (within the block's tolerance), which are what the model sees on
the device. A folder with no file the impulse reads, or one file it cannot read, is an
error naming it; nothing is skipped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tinygen.dsp import flatten, image, mfcc, mfe, raw, spectral, spectrogram
from tinygen.errors import EXIT_USAGE, TinygenError
from tinygen.impulse.config import ImpulseConfig
from tinygen.impulse.samples import SUFFIXES, read_window
from tinygen.reference.dsp.flatten import flatten_features
from tinygen.reference.dsp.image import image_features
from tinygen.reference.dsp.mfcc import mfcc as mfcc_features
from tinygen.reference.dsp.mfe import mfe as mfe_features
from tinygen.reference.dsp.raw import raw_features
from tinygen.reference.dsp.spectral import spectral_features
from tinygen.reference.dsp.spectrogram import spectrogram as spectrogram_features

#: Files read before a progress line is printed.
PROGRESS_EVERY = 200


def features(document: dict[str, Any], window: np.ndarray) -> np.ndarray:
    """The block's features of one window (float32, flat), for ``document`` as
    ``generate-dsp`` takes it (:func:`tinygen.impulse.config.dsp_document`)."""
    block, params = document["block"], document.get("parameters", {})
    if block == "image":
        p = image.parse_params(params)
        values = image_features(window.reshape(-1), p, input_width=document["input_width"],
                                input_height=document["input_height"],
                                input_format=document["input_format"])
        return np.asarray(values, np.float32)
    fs, axes = float(document["sampling_freq"]), int(document.get("axes", 1))
    signal = np.asarray(window, np.float64).reshape(-1)
    compute: dict[str, Callable[[], np.ndarray]] = {
        "mfcc": lambda: mfcc_features(signal, mfcc.parse_params(params), fs),
        "mfe": lambda: mfe_features(signal, mfe.parse_params(params), fs),
        "spectrogram": lambda: spectrogram_features(signal, spectrogram.parse_params(params), fs),
        "spectral_analysis": lambda: spectral_features(
            signal, spectral.parse_params(params), sampling_freq=fs, axes=axes),
        "raw": lambda: raw_features(signal, raw.parse_params(params), axes=axes),
        "flatten": lambda: flatten_features(signal, flatten.parse_params(params), axes=axes),
    }
    return np.asarray(compute[block](), np.float32).reshape(-1)


def folder_features(
    folder: Path,
    config: ImpulseConfig,
    document: dict[str, Any],
    progress: Callable[[str], None] | None = None,
) -> np.ndarray:
    """(files, features) float32: every file of ``folder`` (and its subfolders) whose suffix
    the impulse's kind reads, in name order, through the DSP block."""
    suffixes = SUFFIXES[config.kind]
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
    if not files:
        raise TinygenError(
            f"{folder}: holds no {' or '.join(suffixes)} file; a {config.kind} impulse is "
            "calibrated with its own recordings (a hundred or more is better)", EXIT_USAGE)
    rows = []
    for i, path in enumerate(files, 1):
        row = features(document, read_window(path, config))
        if not np.all(np.isfinite(row)):
            raise TinygenError(f"{path}: its features hold a NaN or an infinity", EXIT_USAGE)
        rows.append(row)
        if progress is not None and (i % PROGRESS_EVERY == 0 or i == len(files)):
            progress(f"calibration: {i:,} of {len(files):,} files through the {config.block} "
                     "block")
    return np.stack(rows)
