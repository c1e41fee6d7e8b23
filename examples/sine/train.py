"""Train a tiny sine regressor and convert it to a full-int8 TFLite model.

The TinyML "hello world": y = sin(x) for x in [0, 2π), three dense layers.
Usage: python examples/sine/train.py [OUT.tflite]   (default examples/sine/build/sine.tflite)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import tensorflow as tf

SEED = 1


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "build/sine.tflite"
    tf.keras.utils.set_random_seed(SEED)
    rng = np.random.default_rng(SEED)
    x = rng.uniform(0, 2 * np.pi, size=(2000, 1)).astype(np.float32)
    y = (np.sin(x) + rng.normal(0, 0.05, size=x.shape)).astype(np.float32)
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(1,), batch_size=1),
            tf.keras.layers.Dense(16, activation="relu"),
            tf.keras.layers.Dense(16, activation="relu"),
            tf.keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="mse")
    model.fit(x, y, epochs=30, batch_size=64, verbose=0)
    print(f"trained: mse {model.evaluate(x, y, verbose=0, batch_size=1000):.4f}")

    def representative():
        for value in np.linspace(0, 2 * np.pi, 100, dtype=np.float32):
            yield [np.array([[value]], np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(converter.convert())
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
