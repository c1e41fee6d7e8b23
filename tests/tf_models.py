"""Small models made with TensorFlow's converter, for tests that must not need ../shared."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _tf() -> Any:
    import tensorflow as tf

    return tf


def convert(
    fn: Callable[[Any], Any],
    shape: tuple[int, ...],
    *,
    quantize: str = "int8",
    seed: int = 0,
    float_io: bool = False,
) -> bytes:
    """Convert ``fn`` on one float input of ``shape``: "int8", "int16x8" or "float".

    ``float_io`` keeps float32 inputs and outputs around an int8 model (QUANTIZE and
    DEQUANTIZE at its edges)."""
    tf = _tf()
    func = tf.function(fn, input_signature=[tf.TensorSpec(shape, tf.float32)])
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [func.get_concrete_function()], func
    )
    if quantize != "float":
        rng = np.random.default_rng(seed)

        def representative() -> Any:
            for _ in range(16):
                yield [rng.uniform(-2, 2, size=shape).astype(np.float32)]

        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
        if quantize == "int8":
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            if not float_io:
                converter.inference_input_type = tf.int8
                converter.inference_output_type = tf.int8
        else:
            converter.target_spec.supported_ops = [
                tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8
            ]
            converter.inference_input_type = tf.int16
            converter.inference_output_type = tf.int16
    return converter.convert()


def dense_model(quantize: str = "int8", units: int = 8, seed: int = 0) -> bytes:
    tf = _tf()
    rng = np.random.default_rng(seed)
    w = tf.constant(rng.normal(size=(16, units)).astype(np.float32))
    b = tf.constant(rng.normal(size=(units,)).astype(np.float32))
    return convert(lambda x: tf.nn.relu(tf.matmul(x, w) + b), (1, 16), quantize=quantize)


def dead_relu_softmax_model() -> bytes:
    """A ReLU that is always 0, then FULLY_CONNECTED + SOFTMAX: the converter gives the dead
    activations a scale near 1e-8, and TFLM aborts the process while preparing the model."""
    tf = _tf()
    rng = np.random.default_rng(0)
    w = tf.constant((rng.normal(size=(3, 3, 3, 4)) * 0.3).astype(np.float32))
    dense = tf.constant(np.ones((64, 5), np.float32))

    def fn(x: Any) -> Any:
        y = tf.nn.relu(tf.nn.conv2d(x, w, 1, "SAME") - 100.0)
        return tf.nn.softmax(tf.matmul(tf.reshape(y, (1, -1)), dense))

    return convert(fn, (1, 4, 4, 3))


def zoo_model() -> bytes:
    """Most supported operators in one small int8 model with float input and output:
    QUANTIZE, CONV_2D, DEPTHWISE_CONV_2D, ADD, MAX_POOL_2D, AVERAGE_POOL_2D, MEAN,
    FULLY_CONNECTED, SOFTMAX, DEQUANTIZE."""
    tf = _tf()
    rng = np.random.default_rng(3)
    w1 = tf.constant((rng.normal(size=(3, 3, 3, 8)) * 0.3).astype(np.float32))
    dw = tf.constant((rng.normal(size=(3, 3, 8, 1)) * 0.3).astype(np.float32))
    w3 = tf.constant((rng.normal(size=(1, 1, 8, 8)) * 0.3).astype(np.float32))
    dense = tf.constant((rng.normal(size=(8, 4)) * 0.3).astype(np.float32))

    def fn(x: Any) -> Any:
        y = tf.nn.relu6(tf.nn.conv2d(x, w1, 2, "SAME"))
        y = tf.nn.relu(tf.nn.depthwise_conv2d(y, dw, [1, 1, 1, 1], "SAME") + y)
        y = tf.nn.max_pool2d(y, 2, 1, "VALID")
        y = tf.nn.avg_pool2d(y, 2, 2, "SAME")
        y = tf.reduce_mean(tf.nn.conv2d(y, w3, 1, "VALID"), axis=[1, 2])
        return tf.nn.softmax(tf.matmul(y, dense))

    return convert(fn, (1, 12, 12, 3), float_io=True)
