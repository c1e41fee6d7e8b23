"""Train the motion example: simulated accelerometer windows, spectral analysis, a dense net.

Usage: python examples/motion/train.py [--per-class N]

1. simulates N windows per label for training and N / 3 for a test set with other seeds
   (simulate.py);
2. computes their features with tinygen's reference of the impulse's DSP block (spectral
   analysis with a low-pass filter), exactly what the generated C computes within the
   block's tolerance;
3. trains a small dense network on them (Keras, two CPU threads), folds the feature
   standardization into its first layer and converts it to a float .tflite;
4. quantizes it with `tinygen quantize impulse.json --calibration FOLDER` on CSV files of
   training windows, run through the DSP block by tinygen;
5. measures float and int8 accuracy on the test set (the int8 model with tinygen's
   bit-exact reference of the generated C), writes confusion matrices, results.json and
   one CSV sample per label.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # tinygen, when run from a clone
sys.path.insert(0, str(HERE.parent / "common"))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
from confusion import confusion, write_svg  # noqa: E402
from simulate import LABELS, RATE, SAMPLES, dataset, write_csv  # noqa: E402

from tinygen.cli import main as tinygen  # noqa: E402
from tinygen.impulse.calibration import features  # noqa: E402
from tinygen.impulse.config import dsp_document, parse_config  # noqa: E402

SEED = 7
DSP = {"filter_type": "low", "filter_cutoff": 12, "filter_order": 6, "fft_length": 32}
IMPULSE = {
    "name": "motion",
    "input": {"kind": "motion", "sampling_freq": RATE, "window_ms": 1000 * SAMPLES / RATE,
              "axes": ["x", "y", "z"]},
    "dsp": {"block": "spectral_analysis", "parameters": DSP},
    "labels": list(LABELS),
}


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def _write_impulse(path: Path, model: str) -> Path:
    path.write_text(json.dumps({**IMPULSE, "model": model}, indent=1) + "\n")
    return path


def feature_matrix(windows: np.ndarray, document: dict) -> np.ndarray:
    return np.stack([features(document, w.reshape(-1)) for w in windows])


def train(x: np.ndarray, y: np.ndarray, x_test: np.ndarray, y_test: np.ndarray):
    """The float Keras model (standardization folded into its first layer)."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(2)
    tf.keras.utils.set_random_seed(SEED)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    layers = tf.keras.layers
    net = tf.keras.Sequential([layers.Input((x.shape[1],)), layers.Dense(24, activation="relu"),
                               layers.Dense(12, activation="relu"),
                               layers.Dense(len(LABELS), activation="softmax")])
    net.compile(optimizer=tf.keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                metrics=["accuracy"])
    net.fit((x - mean) / std, y, epochs=40, batch_size=64, verbose=2,
            validation_data=((x_test - mean) / std, y_test))
    # The same function of the raw features: W' = W / std, b' = b - (mean / std) W.
    deploy = tf.keras.Sequential([layers.Input((x.shape[1],), batch_size=1),
                                  layers.Dense(24, activation="relu"),
                                  layers.Dense(12, activation="relu"),
                                  layers.Dense(len(LABELS), activation="softmax")])
    (w1, b1), rest = net.layers[0].get_weights(), [lay.get_weights() for lay in net.layers[1:]]
    deploy.layers[0].set_weights([w1 / std[:, None], b1 - (mean / std) @ w1])
    for layer, weights in zip(deploy.layers[1:], rest, strict=True):
        layer.set_weights(weights)
    return deploy


def int8_predictions(impulse_path: Path, windows: np.ndarray) -> np.ndarray:
    """The int8 impulse's labels of ``windows``, by tinygen's reference of the C."""
    from tinygen.impulse.generate import build_impulse
    from tinygen.impulse.reference import model_output

    impulse = build_impulse(impulse_path)
    return np.array([int(np.argmax(model_output(impulse, w))) for w in windows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=1500, help="training windows a label")
    args = parser.parse_args()
    started = time.time()
    cache = HERE / ".cache"
    cache.mkdir(exist_ok=True)
    say(f"simulating {args.per_class} training and {args.per_class // 3} test windows a label")
    windows, labels = dataset(args.per_class, SEED)
    test_windows, test_labels = dataset(args.per_class // 3, SEED + 1000)
    float_json = _write_impulse(cache / "impulse_float.json", "../motion_float.tflite")
    (HERE / "motion_float.tflite").write_bytes(b"")  # parse_config checks that it exists
    document = dsp_document(parse_config(json.loads(float_json.read_text()), float_json), DSP)
    say("features through tinygen's spectral analysis reference")
    x, x_test = feature_matrix(windows, document), feature_matrix(test_windows, document)
    say(f"{x.shape[1]} features a window; training")
    model = train(x, labels, x_test, test_labels)
    import tensorflow as tf

    (HERE / "motion_float.tflite").write_bytes(
        tf.lite.TFLiteConverter.from_keras_model(model).convert())
    float_pred = np.argmax(model.predict(x_test, verbose=0), axis=1)
    say("quantizing with tinygen quantize on 300 CSV windows of the training set")
    calibration = cache / "calibration"
    calibration.mkdir(exist_ok=True)
    for old in calibration.glob("*.csv"):
        old.unlink()
    rng = np.random.default_rng(SEED)
    for i in rng.choice(len(windows), 300, replace=False):
        write_csv(str(calibration / f"{i:05}.csv"), windows[i])
    status = tinygen(["quantize", str(float_json), "--calibration", str(calibration), "-o",
                      str(HERE / "motion_int8.tflite"), "--report",
                      str(cache / "quantization.json")])
    if status != 0:
        raise SystemExit(status)
    impulse_json = _write_impulse(HERE / "impulse.json", "motion_int8.tflite")
    say("int8 accuracy with tinygen's reference of the generated C")
    int8_pred = int8_predictions(impulse_json, test_windows)
    results = {"features": int(x.shape[1]), "train_windows": len(labels),
               "test_windows": len(test_labels), "seconds": round(time.time() - started)}
    for kind, pred in (("float", float_pred), ("int8", int8_pred)):
        counts = confusion(test_labels, pred, len(LABELS))
        accuracy = float(np.trace(counts) / counts.sum())
        results[f"{kind}_accuracy"] = accuracy
        results[f"{kind}_confusion"] = counts.tolist()
        write_svg(HERE / f"confusion_{kind}.svg", counts, LABELS,
                  f"motion, {kind} model, simulated test windows")
        say(f"{kind} test accuracy {100 * accuracy:.2f} %")
    samples = HERE / "samples"
    samples.mkdir(exist_ok=True)
    for index, label in enumerate(LABELS):
        first = int(np.flatnonzero(test_labels == index)[0])
        write_csv(str(samples / f"{label}.csv"), test_windows[first])
    (HERE / "labels.txt").write_text("\n".join(LABELS) + "\n")
    (HERE / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    say(f"done in {results['seconds']} s")


if __name__ == "__main__":
    main()
