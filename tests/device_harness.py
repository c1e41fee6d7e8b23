"""Impulses for the device tests (Arduino, Cortex-M4): configurations, a small motion model
made here with TensorFlow, the shared recordings and pictures, a minimal Arduino.h."""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from tinygen.cli import main
from tinygen.dsp.blocks import generate_block
from tinygen.impulse.generate import Impulse, build_impulse

KWS = {
    "name": "kws",
    "input": {"kind": "audio", "sampling_freq": 16000, "window_ms": 1000},
    "dsp": {"block": "mfcc", "parameters": {"frame_length": 0.03, "frame_stride": 0.02,
                                            "num_filters": 40, "fft_length": 512,
                                            "num_cepstral": 10}},
    "labels": ["silence", "unknown", "yes", "no", "up", "down", "left", "right", "on", "off",
               "stop", "go"],
}
VWW = {
    "name": "vww",
    "input": {"kind": "image", "width": 96, "height": 96, "format": "rgb888"},
    "dsp": {"block": "image", "parameters": {"resize_mode": "squash"}},
    "labels": ["no person", "person"],
}
MOTION_DSP = {"fft_length": 16, "filter_type": "low", "filter_cutoff": 8, "filter_order": 4}
MOTION_RATE = 62.5
MOTION = {
    "name": "gesture",
    "input": {"kind": "motion", "sampling_freq": MOTION_RATE, "window_ms": 2000,
              "axes": ["accX", "accY", "accZ"]},
    "dsp": {"block": "spectral_analysis", "parameters": MOTION_DSP},
    # exact text, escaped in the C, the sketch and library.properties
    "labels": ["idle", "wave \"hi\" ??/", "circle \u00e9"],
}

#: A sketch's Arduino.h off the board: Serial prints with printf (stdio of the host or of
#: newlib over semihosting), delay() adds up what it was asked to wait.
ARDUINO_H = """\
#ifndef TEST_ARDUINO_H
#define TEST_ARDUINO_H
#include <stdint.h>
#include <stdio.h>

class TestSerial {
public:
    void begin(unsigned long baud) { baud_ = baud; }
    unsigned long baud() const { return baud_; }
    void print(const char *text) { fputs(text, stdout); }
    void print(int value) { printf("%d", value); }
    void print(double value, int digits = 2) { printf("%.*f", digits, value); }
    void println(const char *text) { print(text); putchar('\\n'); }
    void println(int value) { print(value); putchar('\\n'); }
    void println(double value, int digits = 2) { print(value, digits); putchar('\\n'); }
private:
    unsigned long baud_ = 0;
};
extern TestSerial Serial;
void delay(unsigned long ms);
void setup(void);
void loop(void);
#endif
"""
#: Runs a sketch's setup() and one loop().
ARDUINO_MAIN = """\
#include "Arduino.h"
TestSerial Serial;
static unsigned long waited;
void delay(unsigned long ms) { waited += ms; }
int main(void)
{
    setup();
    loop();
    printf("baud %lu delay %lu\\n", Serial.baud(), waited);
    return 0;
}
"""


@dataclass(frozen=True)
class Folder:
    """An impulse written by ``tinygen generate-library``."""

    out: Path
    impulse: Impulse


def feature_count(config: dict) -> int:
    """Features the impulse ``config``'s DSP block makes from one window."""
    inp = config["input"]
    samples = round(inp["sampling_freq"] * inp["window_ms"] / 1000)
    axes = len(inp.get("axes", [0]))
    doc = {"block": config["dsp"]["block"], "sampling_freq": inp["sampling_freq"],
           "input_length": samples * axes, "axes": axes, "parameters": config["dsp"]["parameters"]}
    return generate_block(doc, "count").output_length


@cache
def motion_model() -> bytes:
    """A small int8 model for MOTION's features (TensorFlow's converter)."""
    import keras_models
    import tensorflow as tf

    layers = tf.keras.layers
    count = feature_count(MOTION)
    tf.keras.utils.set_random_seed(3)
    model = tf.keras.Sequential([layers.Input((count,)), layers.Dense(3, activation="softmax")])
    return keras_models.convert(model, (count,), low=-4.0, high=4.0)


def generate(config: dict, model: Path, folder: Path, out: Path | None = None) -> Folder:
    """impulse.json in ``folder`` for ``model``; ``tinygen generate-library`` to ``out``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{config['name']}.json"
    path.write_text(json.dumps({"model": os.path.relpath(model, folder), **config}))
    out = out or folder / "out"
    assert main(["generate-library", str(path), "-o", str(out)]) == 0
    return Folder(out, build_impulse(path))


def motion_folder(folder: Path, out: Path | None = None) -> Folder:
    model = folder / "gesture.tflite"
    folder.mkdir(parents=True, exist_ok=True)
    model.write_bytes(motion_model())
    return generate(MOTION, model, folder, out)


def motion_window(seed: int) -> np.ndarray:
    """Two seconds of three axes: a few sines and noise, interleaved, float32."""
    rng = np.random.default_rng(seed)
    t = np.arange(125) / MOTION_RATE
    axes = [a * np.sin(2 * np.pi * f * t + p) + rng.normal(0, 0.2, t.size)
            for a, f, p in zip(rng.uniform(0.5, 3, 3), rng.uniform(0.5, 12, 3),
                               rng.uniform(0, 6, 3), strict=True)]
    return np.stack(axes, axis=1).astype(np.float32).reshape(-1)


def bmp_rgb(path: Path) -> np.ndarray:
    """An uncompressed 8-bit palette BMP as (height, width, 3) RGB bytes, top row first."""
    data = path.read_bytes()
    (offset,) = struct.unpack_from("<I", data, 10)
    header, width, height = struct.unpack_from("<Iii", data, 14)
    assert struct.unpack_from("<H", data, 28)[0] == 8
    palette = np.frombuffer(data, np.uint8, 4 * 256, 14 + header).reshape(256, 4)[:, 2::-1]
    stride = (width + 3) // 4 * 4
    rows = np.frombuffer(data, np.uint8, stride * abs(height), offset).reshape(abs(height), -1)
    rows = rows[:, :width] if height < 0 else rows[::-1, :width]
    return palette[rows]


def sketch_scores(printed: str, labels: list[str]) -> tuple[list[float], str]:
    """The scores (label order) and prediction of what a sketch or example printed."""
    lines = printed.splitlines()
    scores = []
    for label, line in zip(labels, lines, strict=False):
        text, _, value = line.rpartition(": ")
        assert text == label, (text, label)
        scores.append(float(value))
    assert len(scores) == len(labels), printed
    assert lines[len(labels)].startswith("prediction: "), printed
    return scores, lines[len(labels)].removeprefix("prediction: ")
