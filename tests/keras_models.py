"""Small Keras models built the ordinary way and converted to full int8 by TensorFlow."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache

import numpy as np


def _keras() -> tuple[object, object]:
    import tensorflow as tf

    return tf, tf.keras.layers


def convert(model: object, shape: tuple[int, ...], low: float = -1.0, high: float = 1.0) -> bytes:
    """Full-integer quantization with int8 input and output; calibration in [low, high]."""

    def representative() -> Iterator[list[np.ndarray]]:
        rng = np.random.default_rng(0)
        for i in range(16):
            x = rng.uniform(low, high, (1, *shape)).astype(np.float32)
            if i == 0:  # pin the calibrated input range to exactly [low, high]
                x.reshape(-1)[0], x.reshape(-1)[1] = low, high
            yield [x]

    return full_integer(model, representative)


def full_integer(
    model: object,
    representative: Callable[[], Iterator[list[np.ndarray]]],
    per_channel_dense: bool = True,
) -> bytes:
    """TensorFlow's full-integer quantization of a Keras model: int8 operators, inputs and
    outputs, calibrated on ``representative``; ``per_channel_dense=False`` quantizes Dense
    layers' weights per tensor (TensorFlow 2.21 quantizes them per channel by default)."""
    tf, _ = _keras()
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    if not per_channel_dense:
        converter._experimental_disable_per_channel_quantization_for_dense_layers = True
    return bytes(converter.convert())


def _pair(
    build: Callable[[object], list[object]], shape: tuple[int, ...], seed: int, **kw: float
) -> tuple[bytes, bytes]:
    """The model with a dynamic batch dimension, and the same weights with batch size 1."""
    tf, layers = _keras()
    tf.keras.utils.set_random_seed(seed)
    dynamic = tf.keras.Sequential([layers.Input(shape), *build(layers)])
    fixed_input = layers.Input(shape, batch_size=1)
    fixed = tf.keras.Model(fixed_input, dynamic(fixed_input))
    return convert(dynamic, shape, **kw), convert(fixed, shape, **kw)


@cache
def flatten_dense() -> tuple[bytes, bytes]:
    return _pair(
        lambda L: [L.Conv2D(4, 3, activation="relu"), L.Flatten(), L.Dense(5)], (6, 6, 2), 1
    )


@cache
def conv1d() -> tuple[bytes, bytes]:
    return _pair(lambda L: [L.Conv1D(4, 3, activation="relu"), L.Flatten(), L.Dense(5)], (16, 3), 2)


@cache
def dilated_conv_same() -> tuple[bytes, bytes]:
    # Calibration range [-1.28, 1.27] gives the input zero point 0.
    return _pair(
        lambda L: [L.Conv2D(4, 3, dilation_rate=2, padding="same"), L.Flatten(), L.Dense(3)],
        (12, 12, 2),
        3,
        low=-1.28,
        high=1.27,
    )


@cache
def dilated_depthwise_valid() -> tuple[bytes, bytes]:
    return _pair(
        lambda L: [L.DepthwiseConv2D(3, dilation_rate=2), L.Flatten(), L.Dense(3)],
        (12, 12, 2),
        4,
    )


@cache
def batchnorm_dropout() -> tuple[bytes, bytes]:
    return _pair(
        lambda L: [
            L.Conv2D(4, 3),
            L.BatchNormalization(),
            L.ReLU(),
            L.Dropout(0.3),
            L.Flatten(),
            L.Dense(3),
        ],
        (8, 8, 2),
        5,
    )


@cache
def global_average_pool() -> bytes:
    tf, layers = _keras()
    tf.keras.utils.set_random_seed(6)
    model = tf.keras.Sequential(
        [
            layers.Input((6, 6, 2)),
            layers.Conv2D(4, 3),
            layers.GlobalAveragePooling2D(),
            layers.Dense(5),
        ]
    )
    return convert(model, (6, 6, 2))


@cache
def dilated(
    layer: str, padding: str, dilation: int | tuple[int, int], fixed_batch: bool
) -> tuple[bytes, object, tuple[int, ...]]:
    """A dilated Conv2D / DepthwiseConv2D / Conv1D after a ReLU layer, then ReLU, Flatten, Dense.

    The ReLU before gives the dilated layer an input zero point of -128. ``layer`` is
    "conv2d", "depthwise", "conv1d" or "two" (two dilated Conv2D in a row, dilation 2
    then 3). Returns the int8 model, the float Keras model and the input shape.
    """
    tf, layers = _keras()
    tf.keras.utils.set_random_seed(21)
    shape: tuple[int, ...] = (20, 3) if layer == "conv1d" else (11, 13, 2)
    inp = layers.Input(shape, batch_size=1 if fixed_batch else None)
    if layer == "conv1d":
        x = layers.Conv1D(3, 1, activation="relu")(inp)
        x = layers.Conv1D(4, 3, dilation_rate=dilation, padding=padding)(x)
    else:
        x = layers.Conv2D(3, 1, activation="relu")(inp)
        if layer == "depthwise":
            x = layers.DepthwiseConv2D(
                3, dilation_rate=dilation, padding=padding, depth_multiplier=2
            )(x)
        else:
            x = layers.Conv2D(4, 3, dilation_rate=dilation, padding=padding)(x)
        if layer == "two":
            x = layers.ReLU()(x)
            x = layers.Conv2D(4, 3, dilation_rate=3, padding=padding)(x)
    x = layers.ReLU()(x)
    x = layers.Dense(4)(layers.Flatten()(x))
    model = tf.keras.Model(inp, x)
    return convert(model, shape), model, shape
