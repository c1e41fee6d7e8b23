"""Train the keyword-spotting model on synthesized speech, quantize it, write the impulse.

    .venv/bin/python examples/keyword_spotting/train.py [--epochs 30] [--jobs 2]

Builds the dataset first if ``.cache/dataset.npz`` is missing (``make_dataset.py``),
trains a small depthwise-separable 1-D CNN on the MFCC features (50 frames x 13) on two
CPU threads, writes ``kws_float.tflite``, quantizes it with ``tinygen quantize`` into
``kws_int8.tflite``, prints the float and int8 accuracy on the held-apart voices and the
predictions on the real recordings of ``$TINYGEN_SHARED/testdata`` (default
``../shared``), and writes ``impulse.json``, ``labels.txt``, ``confusion_int8.svg``,
``samples/*.wav`` and ``results.json`` beside this file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "common"))

import confusion  # noqa: E402
import make_dataset  # noqa: E402
from make_dataset import LABELS  # noqa: E402

REPO = HERE.parent.parent
SHARED = Path(os.environ.get("TINYGEN_SHARED", REPO.parent / "shared"))
REAL = {"yes_1000ms.wav": "yes", "no_1000ms.wav": "no", "noise_1000ms.wav": "noise",
        "silence_1000ms.wav": "noise"}  # fmt: skip
FRAMES, COEFFS = 50, 13
SEED = 7


def build_model(tf):  # tf: the tensorflow module, imported late
    """DS-CNN over time: the 13 coefficients are the channels of a 50-step sequence
    (Conv2D with k x 1 kernels, which TensorFlow Lite and tinygen run as CONV_2D)."""
    layers = tf.keras.layers
    inputs = tf.keras.Input(shape=(FRAMES * COEFFS,), name="features")
    x = layers.Reshape((FRAMES, 1, COEFFS))(inputs)
    x = layers.Conv2D(64, (5, 1), padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    for channels in (64, 64, 96):
        x = layers.DepthwiseConv2D((5, 1), padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        x = layers.Conv2D(channels, 1)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D((2, 1))(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(len(LABELS), activation="softmax")(x)
    return tf.keras.Model(inputs, outputs, name="kws")


def time_warp(rng: np.random.Generator, row: np.ndarray) -> np.ndarray:
    """(50, 13) features stretched in time by 0.8-1.25 around a random centre (linear
    interpolation, edge frames repeated): a faster or slower speaker."""
    factor = rng.uniform(0.8, 1.25)
    centre = rng.uniform(10, FRAMES - 10)
    src = np.clip(centre + (np.arange(FRAMES) - centre) / factor, 0, FRAMES - 1)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, FRAMES - 1)
    w = (src - lo)[:, None]
    return (1 - w) * row[lo] + w * row[hi]


def augment_batch(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """Time warps, SpecAugment-style masks and a little noise on (batch, 50, 13)
    features."""
    x = x.copy()
    for i in np.flatnonzero(rng.random(len(x)) < 0.4):
        x[i] = time_warp(rng, x[i])
    for row in x:
        if rng.random() < 0.5:
            width = rng.integers(1, 6)
            start = rng.integers(0, FRAMES - width)
            row[start : start + width] = 0
        if rng.random() < 0.3:
            c = rng.integers(1, COEFFS)
            row[:, c] = 0
    return x + rng.normal(scale=0.1, size=x.shape).astype(np.float32)


def train(tf, data: dict[str, np.ndarray], epochs: int):
    x, y = data["x_train"], data["y_train"]
    model = build_model(tf)
    steps = int(np.ceil(len(x) / 64))
    schedule = tf.keras.optimizers.schedules.CosineDecay(3e-3, epochs * steps, alpha=0.02)
    model.compile(
        optimizer=tf.keras.optimizers.Adam(schedule),
        loss=tf.keras.losses.CategoricalCrossentropy(label_smoothing=0.05),
        metrics=["accuracy"],
    )
    model.summary(print_fn=lambda line: print("  " + line) if "params" in line else None)
    rng = np.random.default_rng(SEED)
    x_test = data["x_test"].reshape(len(data["x_test"]), -1)
    for epoch in range(epochs):
        start = time.time()
        order = rng.permutation(len(x))
        xa = augment_batch(rng, x[order]).reshape(len(x), -1)
        onehot = np.eye(len(LABELS), dtype=np.float32)[y[order]]
        hist = model.fit(xa, onehot, batch_size=64, epochs=1, verbose=0)
        test_acc = np.mean(np.argmax(model.predict(x_test, verbose=0), 1) == data["y_test"])
        print(
            f"epoch {epoch + 1}/{epochs}: loss {hist.history['loss'][0]:.3f}, train accuracy "
            f"{hist.history['accuracy'][0]:.3f}, held-apart voices {test_acc:.3f} "
            f"({time.time() - start:.0f} s)",
            flush=True,
        )
    return model


def quantize(float_path: Path, calibration: np.ndarray, int8_path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cal = Path(tmp) / "calibration.npy"
        np.save(cal, calibration.astype(np.float32))
        report = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "tinygen", "quantize", str(float_path), "--calibration",
               str(cal), "-o", str(int8_path), "--report", str(report)]  # fmt: skip
        print("$ tinygen quantize", float_path.name, "--calibration CAL.npy -o", int8_path.name)
        subprocess.run(cmd, check=True)


class Int8Model:
    """The int8 model in TensorFlow Lite's interpreter: scores from float features."""

    def __init__(self, tf, path: Path) -> None:
        self.interp = tf.lite.Interpreter(model_path=str(path))
        self.interp.allocate_tensors()
        self.inp = self.interp.get_input_details()[0]
        self.out = self.interp.get_output_details()[0]

    def scores(self, features: np.ndarray) -> np.ndarray:
        scale, zero = self.inp["quantization"]
        oscale, ozero = self.out["quantization"]
        result = []
        for f in features.reshape(len(features), -1):
            q = np.clip(np.round(f / scale) + zero, -128, 127).astype(np.int8)
            self.interp.set_tensor(self.inp["index"], q.reshape(self.inp["shape"]))
            self.interp.invoke()
            out = self.interp.get_tensor(self.out["index"]).reshape(-1)
            result.append((out.astype(np.float32) - ozero) * oscale)
        return np.array(result)


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as f:
        return np.frombuffer(f.readframes(f.getnframes()), "<i2")[:16000]


def write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(16000)
        f.writeframes(samples.astype("<i2").tobytes())


def pick_samples(data: dict[str, np.ndarray], scores: np.ndarray) -> dict[str, int]:
    """One held-apart clip per label that the int8 model gets right with a clear margin,
    from the flite and festival voices for words (the most natural ones)."""
    picks = {}
    for k, label in enumerate(LABELS):
        ok = (data["y_test"] == k) & (np.argmax(scores, 1) == k) & (scores[:, k] > 0.8)
        natural = np.array([v.startswith(("flite", "festival")) for v in data["voice_test"]])
        candidates = np.flatnonzero(ok & natural) if k != 0 else np.flatnonzero(ok)
        if not candidates.size:
            candidates = np.flatnonzero(ok)
        picks[label] = int(candidates[0])
    return picks


def write_impulse() -> None:
    impulse = {
        "name": "kws",
        "input": {"kind": "audio", "sampling_freq": 16000, "window_ms": 1000},
        "dsp": {"block": "mfcc", "parameters": {}},
        "model": "kws_int8.tflite",
        "labels": list(LABELS),
    }
    (HERE / "impulse.json").write_text(json.dumps(impulse, indent=2) + "\n")
    (HERE / "labels.txt").write_text("\n".join(LABELS) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2, help="processes for the dataset")
    args = parser.parse_args()
    started = time.time()
    data = make_dataset.load_or_build(args.jobs)
    print(f"train {len(data['y_train'])} clips, held-apart voices {len(data['y_test'])} clips")

    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.keras.utils.set_random_seed(SEED)
    train_start = time.time()
    model = train(tf, data, args.epochs)
    train_seconds = time.time() - train_start

    float_path, int8_path = HERE / "kws_float.tflite", HERE / "kws_int8.tflite"
    float_path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    rng = np.random.default_rng(SEED)
    calibration = data["x_train"][rng.choice(len(data["x_train"]), 400, replace=False)]
    quantize(float_path, calibration.reshape(400, -1), int8_path)

    x_test, y_test = data["x_test"].reshape(len(data["x_test"]), -1), data["y_test"]
    float_pred = np.argmax(model.predict(x_test, verbose=0), 1)
    int8 = Int8Model(tf, int8_path)
    int8_scores = int8.scores(x_test)
    int8_pred = np.argmax(int8_scores, 1)
    results = {
        "train_clips": len(data["y_train"]),
        "test_clips": len(y_test),
        "train_seconds": round(train_seconds),
        "float_accuracy": round(float(np.mean(float_pred == y_test)), 4),
        "int8_accuracy": round(float(np.mean(int8_pred == y_test)), 4),
    }
    print(f"float accuracy on held-apart voices: {100 * results['float_accuracy']:.1f} %")
    print(f"int8 accuracy on held-apart voices:  {100 * results['int8_accuracy']:.1f} %")
    counts = confusion.confusion(y_test, int8_pred, len(LABELS))
    results["confusion_int8"] = counts.tolist()
    confusion.write_svg(HERE / "confusion_int8.svg", counts, LABELS,
                        "kws_int8: held-apart synthetic voices")  # fmt: skip

    real = {}
    for name, want in REAL.items():
        path = SHARED / "testdata" / name
        if not path.exists():
            continue
        f = make_dataset.features(read_wav(path).astype(np.float64))
        s = int8.scores(f[None])[0]
        got = LABELS[int(np.argmax(s))]
        by_label = {lab: round(float(v), 3) for lab, v in zip(LABELS, s, strict=True)}
        real[name] = {"want": want, "int8": got, "scores": by_label}
        print(f"{name}: int8 {got} ({'ok' if got == want else 'WRONG, want ' + want}) "
              + " ".join(f"{lab} {v:.2f}" for lab, v in zip(LABELS, s, strict=True)))  # fmt: skip
    results["real_recordings"] = real

    samples = HERE / "samples"
    samples.mkdir(exist_ok=True)
    for label, i in pick_samples(data, int8_scores).items():
        write_wav(samples / f"{label}.wav", data["audio_test"][i])
        print(f"samples/{label}.wav: held-apart clip {i} ({data['voice_test'][i]}, "
              f"'{data['word_test'][i]}')")  # fmt: skip
    write_impulse()
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"done in {time.time() - started:.0f} s (training {train_seconds:.0f} s)")


if __name__ == "__main__":
    main()
