"""Train the image example: rendered fruit, the image block, a small MobileNetV1.

Usage: python examples/image/train.py [--per-label N] [--epochs E]

1. renders a pool of N pictures a label for training and N / 4 a label for a test set
   with other seeds (render.py);
2. computes their features with tinygen's reference of the impulse's image block (96 x 96
   RGB to 96 x 96 RGB, pixel / 255), exactly what the generated C computes;
3. trains a MobileNetV1-style network of width 0.25 from scratch on them (Keras, two CPU
   threads), the pool flipped and transposed at random every epoch and a third of it
   rendered anew after each, and converts it to a float .tflite with a batch of 1;
4. quantizes it with `tinygen quantize impulse.json --calibration FOLDER` on 200 training
   pictures written as BMP files and read back through the impulse;
5. measures float and int8 accuracy on the test set (the int8 model with tinygen's
   bit-exact reference of the generated C), writes confusion matrices, results.json,
   labels.txt and one BMP sample per label.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # tinygen, when run from a clone
sys.path.insert(0, str(HERE.parent / "common"))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
from confusion import confusion, write_svg  # noqa: E402
from render import LABELS, SIZE, dataset, write_bmp  # noqa: E402

from tinygen.cli import main as tinygen  # noqa: E402
from tinygen.impulse.calibration import features  # noqa: E402
from tinygen.impulse.config import dsp_document, parse_config  # noqa: E402

SEED = 11
TEST_SEED = SEED + 5000  # training uses SEED ... SEED + epochs - 1
IMPULSE = {
    "name": "fruit",
    "input": {"kind": "image", "width": SIZE, "height": SIZE, "format": "rgb888"},
    "dsp": {"block": "image", "parameters": {}},
    "labels": list(LABELS),
}
#: What the block does for the float model (its defaults resolved from the model's input).
FLOAT_DSP = {"channels": "RGB", "width": SIZE, "height": SIZE, "output_type": "float32"}
#: (pointwise filters, stride) of each depthwise-separable block: MobileNetV1 at width
#: 0.25 (8, 16, 32, 32, 64, 64, 128 ...), with two of its five 128-filter blocks and its
#: last 256-filter block left out to keep the weights small.
BLOCKS = ((16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1), (256, 2))


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def _write_impulse(path: Path, model: str) -> Path:
    path.write_text(json.dumps({**IMPULSE, "model": model}, indent=1) + "\n")
    return path


def feature_tensor(images: np.ndarray, document: dict[str, Any]) -> np.ndarray:
    """(N, 96, 96, 3) float32: the image block's features of each picture."""
    return np.stack([features(document, im).reshape(SIZE, SIZE, 3) for im in images])


def mobilenet(batch_size: int | None = None) -> Any:
    """The network: conv 3x3/2, depthwise-separable blocks (BN, ReLU6), mean, dense.

    Only operators tinygen quantizes and compiles: strided layers pad "same" (no PAD),
    the batch norms fold into the convolutions, the global average pool is a MEAN."""
    import tensorflow as tf

    layers = tf.keras.layers
    inputs = layers.Input((SIZE, SIZE, 3), batch_size=batch_size)
    x = layers.Conv2D(8, 3, strides=2, padding="same", use_bias=False)(inputs)
    x = layers.ReLU(6.0)(layers.BatchNormalization()(x))
    for filters, stride in BLOCKS:
        x = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(x)
        x = layers.ReLU(6.0)(layers.BatchNormalization()(x))
        x = layers.Conv2D(filters, 1, use_bias=False)(x)
        x = layers.ReLU(6.0)(layers.BatchNormalization()(x))
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(len(LABELS), activation="softmax")(x)
    return tf.keras.Model(inputs, outputs)


def dihedral(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each picture flipped and transposed at random (the labels do not change)."""
    out = np.empty_like(x)
    for i, (flip_y, flip_x, swap) in enumerate(rng.integers(0, 2, (len(x), 3))):
        im = x[i, ::-1] if flip_y else x[i]
        im = im[:, ::-1] if flip_x else im
        out[i] = im.transpose(1, 0, 2) if swap else im
    return out


def train(x: np.ndarray, y: np.ndarray, fresh: Callable[[int], tuple[np.ndarray, np.ndarray]],
          x_test: np.ndarray, y_test: np.ndarray, epochs: int) -> Any:
    """The trained float Keras model, rebuilt with a batch of 1 for conversion.

    Every epoch sees the pool ``x`` flipped and transposed at random; after each one a
    third of the pool is replaced by ``fresh(epoch)`` pictures, so the network sees
    many more pictures than the pool holds."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(2)
    tf.keras.utils.set_random_seed(SEED)
    rng = np.random.default_rng(SEED)
    net = mobilenet()
    schedule = tf.keras.optimizers.schedules.CosineDecay(2e-3, epochs * -(-len(x) // 32))
    net.compile(optimizer=tf.keras.optimizers.Adam(schedule),
                loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    say(f"{net.count_params():,} parameters; {epochs} epochs of {len(x):,} pictures, a third "
        "of them new after each epoch")
    third = len(x) // 3
    for epoch in range(1, epochs + 1):
        history = net.fit(dihedral(x, rng), y, epochs=1, batch_size=32, verbose=0,
                          shuffle=True).history
        _, accuracy = net.evaluate(x_test, y_test, batch_size=64, verbose=0)
        say(f"epoch {epoch}/{epochs}: loss {history['loss'][0]:.3f}, training accuracy "
            f"{history['accuracy'][0]:.3f}, test accuracy {accuracy:.3f}")
        if epoch < epochs:
            at = (epoch - 1) % 3 * third
            x[at : at + third], y[at : at + third] = fresh(epoch)
    deploy = mobilenet(batch_size=1)
    deploy.set_weights(net.get_weights())
    return deploy


def int8_predictions(impulse_path: Path, images: np.ndarray) -> np.ndarray:
    """The int8 impulse's labels of ``images``, by tinygen's reference of the C: the
    image block (which quantizes to the model's input) and the model."""
    from tinygen.impulse.generate import build_impulse
    from tinygen.impulse.reference import model_output

    impulse = build_impulse(impulse_path)
    assert impulse.dsp_document["parameters"]["output_type"] == "int8"
    out = []
    for i, image in enumerate(images, 1):
        out.append(int(np.argmax(model_output(impulse, image))))
        if i % 250 == 0 or i == len(images):
            say(f"int8 reference: {i:,} of {len(images):,} pictures")
    return np.array(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-label", type=int, default=1200,
                        help="pictures a label in the training pool")
    parser.add_argument("--epochs", type=int, default=12)
    args = parser.parse_args()
    started = time.time()
    cache = HERE / ".cache"
    cache.mkdir(exist_ok=True)
    say(f"rendering {args.per_label} training and {args.per_label // 4} test pictures a label")
    images, labels = dataset(args.per_label, SEED)
    test_images, test_labels = dataset(args.per_label // 4, TEST_SEED)
    float_json = _write_impulse(cache / "impulse_float.json", "../fruit_float.tflite")
    if not (HERE / "fruit_float.tflite").exists():
        (HERE / "fruit_float.tflite").write_bytes(b"")  # parse_config checks that it exists
    document = dsp_document(parse_config(json.loads(float_json.read_text()), float_json),
                            FLOAT_DSP)
    say("features through tinygen's image block reference")
    x, x_test = feature_tensor(images, document), feature_tensor(test_images, document)
    third = len(labels) // 3

    def fresh(epoch: int) -> tuple[np.ndarray, np.ndarray]:
        new, new_labels = dataset(-(-third // len(LABELS)), SEED + epoch)
        return feature_tensor(new[:third], document), new_labels[:third]

    model = train(x, labels.copy(), fresh, x_test, test_labels, args.epochs)
    seen = len(labels) + (args.epochs - 1) * third
    import tensorflow as tf

    (HERE / "fruit_float.tflite").write_bytes(
        tf.lite.TFLiteConverter.from_keras_model(model).convert())
    from tinygen.frontend.tflite import read_tflite
    from tinygen.impulse.quantized_model import float_dsp_document

    config = parse_config(json.loads(float_json.read_text()), float_json)
    resolved = float_dsp_document(config, read_tflite(config.model))  # as the impulse runs it
    assert np.array_equal(features(resolved, test_images[0]), x_test[0].reshape(-1))
    float_pred = np.argmax(model.predict(x_test, batch_size=1, verbose=0), axis=1)
    say("quantizing with tinygen quantize on 200 BMP pictures of the training set")
    calibration = cache / "calibration"
    calibration.mkdir(exist_ok=True)
    for old in calibration.glob("*.bmp"):
        old.unlink()
    rng = np.random.default_rng(SEED)
    for i in rng.choice(len(images), 200, replace=False):
        write_bmp(calibration / f"{i:05}.bmp", images[i])
    status = tinygen(["quantize", str(float_json), "--calibration", str(calibration), "-o",
                      str(HERE / "fruit_int8.tflite"), "--report",
                      str(cache / "quantization.json")])
    if status != 0:
        raise SystemExit(status)
    impulse_json = _write_impulse(HERE / "impulse.json", "fruit_int8.tflite")
    say("int8 accuracy with tinygen's reference of the generated C")
    int8_pred = int8_predictions(impulse_json, test_images)
    results: dict[str, Any] = {
        "train_pool": len(labels), "train_pictures": seen, "test_pictures": len(test_labels),
        "epochs": args.epochs, "seconds": round(time.time() - started)}
    for kind, pred in (("float", float_pred), ("int8", int8_pred)):
        counts = confusion(test_labels, pred, len(LABELS))
        accuracy = float(np.trace(counts) / counts.sum())
        results[f"{kind}_accuracy"] = accuracy
        results[f"{kind}_confusion"] = counts.tolist()
        write_svg(HERE / f"confusion_{kind}.svg", counts, LABELS,
                  f"fruit, {kind} model, rendered test pictures")
        say(f"{kind} test accuracy {100 * accuracy:.2f} %")
    samples = HERE / "samples"
    samples.mkdir(exist_ok=True)
    for index, label in enumerate(LABELS):  # the first test picture of each label, right
        right = np.flatnonzero((test_labels == index) & (int8_pred == index))
        first = right[0] if right.size else np.flatnonzero(test_labels == index)[0]
        write_bmp(samples / f"{label}.bmp", test_images[int(first)])
    (HERE / "labels.txt").write_text("\n".join(LABELS) + "\n")
    (HERE / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    say(f"done in {results['seconds']} s")


if __name__ == "__main__":
    main()
