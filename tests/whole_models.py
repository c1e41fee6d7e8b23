"""Whole int8 models built with Keras and TensorFlow's converter, for tests/test_whole_models.py:
a MobileNetV2 0.35 classifier, a FOMO-style detector on its stride-8 trunk, a Conv1D keyword
model, a MobileNetV3-style block (hard-swish, squeeze-excite, residual) and a small
encoder-decoder with Conv2DTranspose.

Keras initializes every convolution glorot-uniform and every batch normalization as the
identity, which in a deep network like MobileNetV2 shrinks the activations layer by layer
until the converter gives them scales near 1e-8 (and a SOFTMAX on such a scale stops both
interpreters while they prepare the model). ``_rescale`` therefore draws the weights again,
He-normal (variance 2 / fan-in), and the batch normalizations' statistics near the
identity, from a fixed seed: the activations keep their size through the network.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

#: Input of the image models: 96x96 RGB scaled to [-1, 1] as MobileNet expects.
IMAGE = (96, 96, 3)
#: Input of the keyword model: 49 frames of 10 MFCC coefficients.
MFCC = (49, 10)
#: Calibration images or feature windows.
CALIBRATION = 8


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _representative(shape: tuple[int, ...], low: float, high: float,
                    count: int = CALIBRATION) -> Callable[[], Iterator[list[np.ndarray]]]:
    def samples() -> Iterator[list[np.ndarray]]:
        rng = np.random.default_rng(0)
        for i in range(count):
            x = rng.uniform(low, high, (1, *shape)).astype(np.float32)
            if i == 0:  # pin the calibrated input range to exactly [low, high]
                x.reshape(-1)[0], x.reshape(-1)[1] = low, high
            yield [x]

    return samples


def _converted(model: Any, shape: tuple[int, ...], low: float = -1.0, high: float = 1.0,
               float_model: bool = False) -> bytes:
    """The Keras model converted: full-integer int8 calibrated on [low, high], or with
    ``float_model`` float32 throughout (no quantization)."""
    from keras_models import full_integer

    if float_model:
        converter = _tf().lite.TFLiteConverter.from_keras_model(model)
        return bytes(converter.convert())
    return full_integer(model, _representative(shape, low, high))


def _rescale(layers: Any, seed: int) -> None:
    """He-normal kernels, small biases and near-identity batch-norm statistics for
    ``layers``, drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    for layer in layers:
        kind = type(layer).__name__
        weights = layer.get_weights()
        if kind == "BatchNormalization":
            gamma, beta, mean, variance = weights
            layer.set_weights([
                rng.uniform(0.8, 1.2, gamma.shape).astype(np.float32),
                rng.uniform(-0.1, 0.1, beta.shape).astype(np.float32),
                rng.uniform(-0.1, 0.1, mean.shape).astype(np.float32),
                rng.uniform(0.8, 1.2, variance.shape).astype(np.float32),
            ])
        elif kind.startswith(("Conv", "Dense", "Depthwise")) and weights:
            shape = weights[0].shape
            if kind.startswith("Depthwise"):  # [window..., channels, multiplier]
                fan_in = int(np.prod(shape[:-2]))
            elif kind.endswith("Transpose"):  # [window..., outputs, inputs]
                fan_in = int(np.prod(shape[:-2]) * shape[-1])
            else:  # [window..., inputs, outputs]
                fan_in = int(np.prod(shape[:-1]))
            weights[0] = (rng.normal(size=shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
            for i in range(1, len(weights)):  # biases
                weights[i] = rng.uniform(-0.1, 0.1, weights[i].shape).astype(np.float32)
            layer.set_weights(weights)


def _mobilenet_v2(include_top: bool, classes: int = 1000) -> Any:
    tf = _tf()
    tf.keras.utils.set_random_seed(11)
    model = tf.keras.applications.MobileNetV2(
        input_shape=IMAGE, alpha=0.35, weights=None, include_top=include_top,
        classes=classes)
    _rescale(model.layers, 11)
    return model


@cache
def mobilenet_v2(classes: int = 4, float_model: bool = False) -> bytes:
    """Keras MobileNetV2, alpha 0.35, 96x96x3, its own classifier top with ``classes``."""
    return _converted(_mobilenet_v2(True, classes), IMAGE, float_model=float_model)


@cache
def fomo(classes: int = 2, float_model: bool = False) -> bytes:
    """FOMO-style detector: MobileNetV2 0.35 cut at stride 8 ('block_6_expand_relu',
    12x12x96 for a 96x96 input), a 1x1 convolution to classes + 1 channels (the background
    first) and a softmax over the channels: a 12x12x(classes + 1) heat map."""
    tf = _tf()
    layers = tf.keras.layers
    trunk = _mobilenet_v2(False)
    cut = trunk.get_layer("block_6_expand_relu").output
    conv = layers.Conv2D(classes + 1, 1)
    out = layers.Softmax(axis=-1)(conv(cut))
    model = tf.keras.Model(trunk.input, out)
    _rescale([conv], 12)
    return _converted(model, IMAGE, float_model=float_model)


@cache
def keyword(classes: int = 4, float_model: bool = False) -> bytes:
    """A keyword-spotting model on 49x10 MFCC features: Conv1D, DepthwiseConv1D, max and
    average pooling, Dense and softmax."""
    tf = _tf()
    layers = tf.keras.layers
    tf.keras.utils.set_random_seed(13)
    inp = layers.Input(MFCC, batch_size=1)
    x = layers.Conv1D(16, 3, strides=2, padding="same", activation="relu")(inp)
    x = layers.DepthwiseConv1D(3, padding="same", activation="relu")(x)
    x = layers.Conv1D(24, 1, activation="relu")(x)
    x = layers.MaxPooling1D(2)(x)
    x = layers.Conv1D(24, 3, padding="valid", activation="relu")(x)
    x = layers.AveragePooling1D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(32, activation="relu")(x)
    out = layers.Dense(classes, activation="softmax")(x)
    model = tf.keras.Model(inp, out)
    _rescale(model.layers, 13)
    return _converted(model, MFCC, -4.0, 4.0, float_model=float_model)


def _hard_sigmoid(x: Any) -> Any:
    """relu6(x + 3) / 6, written as Keras's MobileNetV3 application writes it."""
    return _tf().keras.layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


#: How ``mobilenet_v3_block`` spells its activations and its squeeze-excite gate.
SPELLINGS = ("activation", "arithmetic", "sigmoid")


@cache
def mobilenet_v3_block(spelling: str = "activation", float_model: bool = False) -> bytes:
    """A MobileNetV3 bottleneck on 16x16x16: 1x1 expand to 48 + hard-swish, 3x3 depthwise +
    hard-swish, squeeze-excite (global average pool, 1x1 conv to 12 + ReLU, 1x1 conv to 48 +
    gate, multiply), 1x1 project to 16, residual add; then a classifier head (global average
    pool, dense, softmax).

    ``spelling`` "activation": ``Activation('hard_swish')`` and ``Activation('hard_sigmoid')``;
    "arithmetic": x * relu6(x + 3) / 6 and relu6(x + 3) / 6 in layers and tensor arithmetic,
    as Keras's MobileNetV3 application writes them; "sigmoid": hard-swish activations and a
    sigmoid gate (the squeeze-excite of EfficientNet)."""
    tf = _tf()
    layers = tf.keras.layers
    tf.keras.utils.set_random_seed(14)

    def hard_swish(x: Any) -> Any:
        if spelling == "arithmetic":
            return layers.Multiply()([x, _hard_sigmoid(x)])
        return layers.Activation("hard_swish")(x)

    def gate(x: Any) -> Any:
        if spelling == "arithmetic":
            return _hard_sigmoid(x)
        return layers.Activation("sigmoid" if spelling == "sigmoid" else "hard_sigmoid")(x)

    inp = layers.Input((16, 16, 16), batch_size=1)
    x = hard_swish(layers.BatchNormalization()(layers.Conv2D(48, 1, use_bias=False)(inp)))
    x = hard_swish(layers.BatchNormalization()(
        layers.DepthwiseConv2D(3, padding="same", use_bias=False)(x)))
    s = layers.GlobalAveragePooling2D(keepdims=True)(x)
    s = layers.Conv2D(12, 1, activation="relu")(s)
    s = gate(layers.Conv2D(48, 1)(s))
    x = layers.Multiply()([x, s])
    x = layers.BatchNormalization()(layers.Conv2D(16, 1, use_bias=False)(x))
    x = layers.Add()([inp, x])
    x = layers.GlobalAveragePooling2D()(x)
    out = layers.Dense(3, activation="softmax")(x)
    model = tf.keras.Model(inp, out)
    _rescale(model.layers, 14)
    return _converted(model, (16, 16, 16), -3.0, 3.0, float_model=float_model)


@cache
def encoder_decoder(float_model: bool = False) -> bytes:
    """A small encoder-decoder on 32x32x3: two stride-2 convolutions down to 8x8x16, then
    Conv2DTranspose stride 2 with bias (its ReLU fused) and without bias (a ReLU layer after),
    a skip connection concatenated at 16x16, and a 1x1 convolution to 2 channels."""
    tf = _tf()
    layers = tf.keras.layers
    tf.keras.utils.set_random_seed(15)
    inp = layers.Input((32, 32, 3), batch_size=1)
    e1 = layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(inp)  # 16x16x8
    e2 = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(e1)  # 8x8x16
    d1 = layers.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")(e2)
    d1 = layers.Concatenate()([d1, e1])  # 16x16x16
    d2 = layers.Conv2DTranspose(8, 4, strides=2, padding="same", use_bias=False)(d1)
    d2 = layers.ReLU()(d2)  # 32x32x8
    out = layers.Conv2D(2, 1)(d2)
    model = tf.keras.Model(inp, out)
    _rescale(model.layers, 15)
    return _converted(model, (32, 32, 3), float_model=float_model)


@cache
def lstm_keyword(classes: int = 4, float_model: bool = False) -> bytes:
    """A keyword model with a Keras LSTM layer on 49x10 MFCC features: LSTM(16) over the
    frames, then Dense and softmax. Keras 2 (tf-keras), whose LSTM converts to one fused
    UNIDIRECTIONAL_SEQUENCE_LSTM (Keras 3's becomes a WHILE loop)."""
    import tf_keras as keras

    keras.utils.set_random_seed(16)
    inp = keras.layers.Input(MFCC, batch_size=1)
    x = keras.layers.LSTM(16)(inp)
    out = keras.layers.Dense(classes, activation="softmax")(x)
    return _converted(keras.Model(inp, out), MFCC, -4.0, 4.0, float_model=float_model)
