"""Float models, calibration data and the measures of the quantization tests and bench.

Keras CNNs built here (a random one and three structured ones: conv/pool/dense, DS-CNN,
residual with ReLU6) are converted to float .tflite by TensorFlow without optimizations;
``tf_quantize`` quantizes the same Keras model with TensorFlow's converter (full integer,
int8 inputs and outputs, the same calibration samples) for comparison. ``outputs`` runs a
model with TensorFlow Lite's reference kernels on held-out samples, ``measure`` compares
dequantized outputs with the float model's: SQNR in dB and top-1 agreement. For the
operator families of tests/test_quantize_ops.py: ``signatures`` pairs the tensors of two
int8 graphs by where they come from, ``in_place_tainted`` names those whose range
TensorFlow's calibration may widen, ``float_outputs`` and ``int8_outputs`` run a model on
samples.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from tinygen.frontend.tflite import parse_tflite
from tinygen.ir import Graph
from tinygen.lowering import lower_graph
from tinygen.quantize.ranges import quantize_values
from tinygen.quantize.rules import SAME_SCALE, SHARED_INPUTS
from tinygen.reference.interpreter import run_reference
from tinygen.verify.tflite_ref import TfliteReference

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CALIBRATION_SAMPLES = 100
HELD_OUT_SAMPLES = 100


def _tf() -> Any:
    import tensorflow as tf

    return tf


@dataclass(frozen=True)
class FloatModel:
    name: str
    model: bytes  # float .tflite
    keras: Any  # the Keras model (None for the shared float models)
    calibration: np.ndarray  # (N, *input shape), float32
    held_out: np.ndarray


# -- data ------------------------------------------------------------------------------


def smooth_samples(
    seed: int, count: int, shape: tuple[int, ...], low: float, high: float
) -> np.ndarray:
    """Images / spectrograms with structure: coarse noise upsampled, fine noise, an offset."""
    rng = np.random.default_rng(seed)
    spatial = shape[:2]  # the first one or two axes vary slowly
    coarse_shape = tuple(max(1, d // 4) for d in spatial) + shape[len(spatial) :]
    x = rng.standard_normal((count, *coarse_shape))
    for axis, (size, small) in enumerate(zip(spatial, coarse_shape, strict=False), start=1):
        x = np.repeat(x, -(-size // small), axis=axis).take(range(size), axis=axis)
    x = x + 0.3 * rng.standard_normal(x.shape) + rng.normal(0, 0.5, (count,) + (1,) * len(shape))
    x = (x - x.min()) / (x.max() - x.min())
    return (low + (high - low) * x).astype(np.float32)


def image_samples(
    pixels: list[np.ndarray], seed: int, count: int, size: int, scale: float
) -> np.ndarray:
    """Augmented crops of 96x96 gray images as RGB: crop, flip, tint, contrast, resize."""
    rng = np.random.default_rng(seed)
    out = np.empty((count, size, size, 3), np.float32)
    for i in range(count):
        img = pixels[i % len(pixels)].reshape(96, 96).astype(np.float32)
        crop = int(rng.integers(64, 97))
        top, left = rng.integers(0, 97 - crop, 2)
        img = img[top : top + crop, left : left + crop]
        if rng.random() < 0.5:
            img = img[:, ::-1]
        rows = (np.arange(size) * crop // size).astype(int)
        img = img[rows][:, rows]
        contrast, brightness = rng.uniform(0.6, 1.2), rng.uniform(-30, 30)
        tint = rng.uniform(0.85, 1.15, 3)
        rgb = (img[..., None] - 128) * contrast + 128 + brightness
        out[i] = np.clip(rgb * tint, 0, 255) * scale
    return out


def spectra_samples(seed: int, count: int, bins: int = 128, frames: int = 5) -> np.ndarray:
    """Log-mel-like frames in dB (ad01's input): a smooth envelope per sample plus noise."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(0, 1, bins)
    out = np.empty((count, frames * bins), np.float32)
    for i in range(count):
        envelope = -20 - 40 * grid + sum(
            rng.normal(0, 6) * np.cos(np.pi * k * grid + rng.uniform(0, np.pi)) for k in range(1, 6)
        )
        out[i] = np.concatenate([envelope + rng.normal(0, 2.5, bins) for _ in range(frames)])
    return np.clip(out, -84, 14)


# -- Keras models ----------------------------------------------------------------------


def _float_tflite(keras_model: Any) -> bytes:
    converter = _tf().lite.TFLiteConverter.from_keras_model(keras_model)
    return bytes(converter.convert())


def tf_quantize(keras_model: Any, calibration: np.ndarray, per_channel_dense: bool = True) -> bytes:
    """TensorFlow's full-integer quantization, int8 I/O, the same calibration samples."""
    from keras_models import full_integer

    def representative() -> Iterator[list[np.ndarray]]:
        for x in calibration:
            yield [x[None]]

    return full_integer(keras_model, representative, per_channel_dense)


def tf_quantize_tflite(
    model: bytes, calibration: np.ndarray, per_channel_dense: bool = True
) -> bytes:
    """TensorFlow's converter's two quantization steps on a float .tflite: its calibrator,
    then its MLIR quantizer (int8 I/O), as ``TFLiteConverter`` runs them; for the float
    models that have no Keras source. Private TensorFlow API, the one the converter uses."""
    tf = _tf()
    from tensorflow.lite.python.convert import mlir_quantize
    from tensorflow.lite.python.optimize import calibrator

    def representative() -> Iterator[list[np.ndarray]]:
        for x in calibration:
            yield [x[None]]

    calibrated = calibrator.Calibrator(model).calibrate(representative)
    return bytes(
        mlir_quantize(
            calibrated,
            False,
            input_data_type=tf.int8,
            output_data_type=tf.int8,
            disable_per_channel_for_dense_layers=not per_channel_dense,
        )
    )


def _cnn(L: Any) -> list[Any]:
    return [
        L.Conv2D(8, 3, activation="relu"),
        L.MaxPooling2D(2),
        L.Conv2D(16, 3, activation="relu", padding="same"),
        L.MaxPooling2D(2),
        L.Flatten(),
        L.Dense(32, activation="relu"),
        L.Dense(10),
    ]


def _ds_cnn(L: Any) -> list[Any]:
    layers = [L.Conv2D(16, (5, 3), strides=2, padding="same"), L.BatchNormalization(), L.ReLU()]
    for _ in range(2):
        layers += [L.DepthwiseConv2D(3, padding="same"), L.BatchNormalization(), L.ReLU()]
        layers += [L.Conv2D(16, 1), L.BatchNormalization(), L.ReLU()]
    return [*layers, L.AveragePooling2D((5, 3)), L.Flatten(), L.Dense(12), L.Softmax()]


def _residual(tf: Any, shape: tuple[int, ...]) -> Any:
    L = tf.keras.layers
    inp = L.Input(shape)
    x = L.Conv2D(8, 3, padding="same", activation="relu6")(inp)
    for _ in range(2):
        y = L.Conv2D(8, 3, padding="same", activation="relu6")(x)
        y = L.Conv2D(8, 3, padding="same")(y)
        x = L.ReLU(6.0)(L.Add()([x, y]))
    x = L.GlobalAveragePooling2D()(x)
    return tf.keras.Model(inp, L.Dense(10)(x))


def _random_cnn(L: Any, rng: np.random.Generator) -> list[Any]:
    """A CNN of random depth, widths, kernels, strides and activations."""
    layers: list[Any] = []
    for _ in range(int(rng.integers(2, 5))):
        activation = str(rng.choice(["relu", "relu6", "linear"]))
        kind = rng.choice(["conv", "depthwise", "pool"])
        if kind == "conv":
            layers.append(
                L.Conv2D(
                    int(rng.choice([4, 8, 12])),
                    int(rng.choice([1, 3])),
                    strides=int(rng.choice([1, 2])),
                    padding=str(rng.choice(["same", "valid"])),
                    activation=activation,
                )
            )
        elif kind == "depthwise":
            layers.append(
                L.DepthwiseConv2D(3, padding="same", depth_multiplier=int(rng.choice([1, 2])))
            )
            layers.append(L.Activation(activation))
        else:
            layers.append(L.MaxPooling2D(2, padding="same"))
    return [*layers, L.Flatten(), L.Dense(int(rng.integers(4, 12)))]


#: name → (input shape, calibration range, builder)
KERAS_MODELS: dict[str, tuple[tuple[int, ...], tuple[float, float]]] = {
    "random_cnn": ((16, 16, 3), (-1.0, 1.0)),
    "cnn": ((20, 20, 1), (0.0, 1.0)),
    "ds_cnn": ((49, 10, 1), (-30.0, 30.0)),
    "residual_relu6": ((16, 16, 3), (-1.0, 1.0)),
}


@cache
def keras_model(name: str, seed: int = 7) -> FloatModel:
    tf = _tf()
    tf.keras.utils.set_random_seed(seed)
    shape, (low, high) = KERAS_MODELS[name]
    L = tf.keras.layers
    if name == "residual_relu6":
        model = _residual(tf, shape)
    else:
        build: Callable[..., list[Any]] = {"cnn": _cnn, "ds_cnn": _ds_cnn}.get(name, _random_cnn)
        body = build(L) if name != "random_cnn" else build(L, np.random.default_rng(seed))
        model = tf.keras.Sequential([L.Input(shape), *body])
    _randomize_batchnorm(model, np.random.default_rng(seed))
    calibration = smooth_samples(seed, CALIBRATION_SAMPLES, shape, low, high)
    held_out = smooth_samples(seed + 1000, HELD_OUT_SAMPLES, shape, low, high)
    return FloatModel(name, _float_tflite(model), model, calibration, held_out)


def _randomize_batchnorm(model: Any, rng: np.random.Generator) -> None:
    """Give BatchNormalization layers trained-looking statistics (not the identity)."""
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization":
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights(
                [
                    rng.uniform(0.5, 1.5, gamma.shape).astype(np.float32),
                    rng.normal(0, 0.2, beta.shape).astype(np.float32),
                    rng.normal(0, 0.5, mean.shape).astype(np.float32),
                    rng.uniform(0.5, 4.0, var.shape).astype(np.float32),
                ]
            )


# -- the shared float models -----------------------------------------------------------


def shared_model(shared: Path, name: str) -> FloatModel:
    """vww_96_float, pretrainedResnet or ad01_fp32 with structured calibration data."""
    model = (shared / "models" / f"{name}.tflite").read_bytes()
    if name == "ad01_fp32":
        cal, held = spectra_samples(1, CALIBRATION_SAMPLES), spectra_samples(2, HELD_OUT_SAMPLES)
        return FloatModel(name, model, None, cal, held)
    from test_dsp_image import read_bmp

    pixels = [read_bmp(shared / "testdata" / f)[0] for f in ("person.bmp", "no_person.bmp")]
    size, scale = (96, 1 / 255) if name == "vww_96_float" else (32, 1.0)
    return FloatModel(
        name,
        model,
        None,
        image_samples(pixels, 1, CALIBRATION_SAMPLES, size, scale),
        image_samples(pixels, 2, HELD_OUT_SAMPLES, size, scale),
    )


# -- comparing tinygen's int8 graphs with TensorFlow's (tests/test_quantize_ops.py) -------


def in_place_tainted(graph: Graph) -> set[int]:
    """Tensors whose range TensorFlow's calibration may widen: the computed inputs of the
    operators its interpreter runs in place, and the tensors sharing their quantization."""
    parent = list(range(len(graph.tensors)))

    def root(t: int) -> int:
        while parent[t] != t:
            t = parent[t]
        return t

    for op in graph.ops:
        if op.kind in SAME_SCALE | SHARED_INPUTS:
            for t in op.inputs + op.outputs:
                if t >= 0 and graph.tensors[t].dtype == "int8":
                    parent[root(t)] = root(op.outputs[0])
    seeds = {
        root(t)
        for op in graph.ops
        if op.kind in ("ADD", "SUB", "MUL")
        for t in op.inputs
        if t not in graph.inputs and not graph.tensors[t].is_constant
    }
    return {t for t in range(len(graph.tensors)) if root(t) in seeds}


def signatures(graph: Graph) -> dict[Any, tuple[int, int | None]]:
    """Each tensor by where it comes from (graph input k, or output j of an operator of
    this kind on inputs with these signatures, constants by value), whatever the order of
    the operators: signature → (tensor, producing or reading operator)."""
    sig: dict[int, Any] = {t: ("input", k) for k, t in enumerate(graph.inputs)}
    found: dict[Any, tuple[int, int | None]] = {s: (t, None) for t, s in sig.items()}

    def constant(t: int) -> Any:
        data = np.asarray(graph.tensors[t].data)
        return ("constant", data.shape, str(data.dtype), data.tobytes())

    for i, op in enumerate(graph.ops):
        kept = op.inputs[:1] if op.kind == "RESHAPE" else op.inputs  # (tinygen folds the shape)
        ins = tuple(None if t < 0 else sig[t] if t in sig else constant(t) for t in kept)
        for j, y in enumerate(op.outputs):
            sig[y] = (op.kind, j, ins)
            assert sig[y] not in found, f"two tensors {sig[y]}"
            found[sig[y]] = (y, i)
        for k, t in enumerate(kept):
            if t >= 0 and graph.tensors[t].is_constant:
                found[("constant", k, sig[op.outputs[0]])] = (t, i)
    return found


def float_outputs(model: bytes, samples: np.ndarray) -> np.ndarray:
    """Every float output of the float model on each sample, flattened one after the other
    (not ARG_MAX's and ARG_MIN's indices)."""
    reference = TfliteReference(model)
    shape = parse_tflite(model).tensors[parse_tflite(model).inputs[0]].shape
    rows = [reference.invoke([x.reshape(shape)]) for x in samples]
    return np.stack([np.concatenate([y.reshape(-1) for y in row if y.dtype == np.float32])
                     for row in rows])


def int8_outputs(model: bytes, samples: np.ndarray, indices: bool = False) -> np.ndarray:
    """Every int8 output of an int8 model, dequantized, on each sample (or, with
    ``indices``, its index outputs): run by tinygen's reference, which is TFLite Micro's
    arithmetic (the byte-exact test checks it), since TensorFlow Lite's reference kernels
    lack int8 DEPTH_TO_SPACE and get int8 SUM wrong."""
    graph = parse_tflite(model)
    calls = lower_graph(graph)
    x = graph.tensors[graph.inputs[0]]
    assert x.quant is not None
    rows = []
    for sample in samples:
        q = quantize_values(sample.reshape(x.shape), x.quant.scale0, x.quant.zero_point0)
        values = run_reference(graph, calls, [q])
        row = []
        for t in graph.outputs:
            yq = graph.tensors[t].quant
            if yq is None or indices:
                if (yq is None) == indices:  # (an index output: int32 or int64)
                    row.append(values[t].reshape(-1).astype(np.float64))
                continue
            row.append((values[t].reshape(-1).astype(np.float64) - yq.zero_point0) * yq.scale0)
        rows.append(np.concatenate(row) if row else np.zeros(0))
    return np.stack(rows)


# -- measures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Fidelity:
    sqnr_db: float
    top1: float  # share of samples whose largest output is the float model's


def outputs(model: bytes, samples: np.ndarray) -> np.ndarray:
    """The model's first output (dequantized when int8) on each sample, stacked.

    Every model is run by TensorFlow Lite's reference kernels, the arithmetic TFLite Micro
    and tinygen's C share."""
    ref = TfliteReference(model)
    detail, out_detail = ref._inputs[0], ref._outputs[0]
    results = []
    for x in samples:
        value = x.reshape(detail["shape"])
        if detail["dtype"] == np.int8:
            scale, zero = detail["quantization"]
            value = np.clip(np.round(value / scale) + zero, -128, 127).astype(np.int8)
        y = ref.invoke([value])[0].astype(np.float64)
        if out_detail["dtype"] == np.int8:
            scale, zero = out_detail["quantization"]
            y = (y - zero) * scale
        results.append(y.reshape(-1))
    return np.stack(results)


def measure(reference: np.ndarray, quantized: np.ndarray) -> Fidelity:
    noise = float(np.sum((reference - quantized) ** 2))
    signal = float(np.sum(reference**2))
    sqnr = 10 * np.log10(signal / noise) if noise > 0 else float("inf")
    top1 = float(np.mean(reference.argmax(axis=1) == quantized.argmax(axis=1)))
    return Fidelity(float(sqnr), top1)
