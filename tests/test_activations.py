"""LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU and PRELU on int8 tensors.

Models made with TensorFlow's converter (2-D to 5-D; four LEAKY_RELU alphas, negative and
above 1; PRELU with alphas per element, per channel, shared by all, on 2-D to 4-D tensors,
and one read at run time) are verified byte for byte against TFLite Micro and TensorFlow
Lite. The 256-entry tables are checked against a direct transcription of TensorFlow Lite's
arithmetic for many quantizations, and against TensorFlow Lite's interpreter itself on
every input byte of models requantized at random.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import keras_models
import numpy as np
import pytest
import tf_models
from op_harness import assert_verified

from tinygen.compiler import compile_graph
from tinygen.errors import TinygenError
from tinygen.frontend.tflite import parse_tflite
from tinygen.frontend.tflite_writer import write_tflite
from tinygen.ir import Graph, Quantization
from tinygen.lowering import lower_graph
from tinygen.reference import lut
from tinygen.reference.interpreter import run_reference
from tinygen.verify.tflite_ref import TfliteReference


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _unary_2d(x: Any) -> Any:
    tf = _tf()
    return (tf.tanh(x), tf.sigmoid(x * 2.5), tf.nn.leaky_relu(x, 0.2),
            tf.keras.activations.hard_swish(x * 2.0))


def _unary_4d(x: Any) -> Any:
    tf = _tf()
    return (tf.tanh(x * 1.7 + 0.3), tf.sigmoid(x), tf.nn.leaky_relu(x, -0.3),
            tf.keras.activations.hard_swish(x))


def _unary_3d_5d(x: Any) -> Any:
    tf = _tf()
    flat = tf.reshape(x, (2, 6, 4))
    return (tf.tanh(x), tf.sigmoid(x * 3.0), tf.nn.leaky_relu(x, 1.7),
            tf.keras.activations.hard_swish(flat * 3.0), tf.nn.leaky_relu(flat, 0.01))


UNARY: dict[str, tuple[Callable[[Any], Any], tuple[int, ...]]] = {
    "unary_2d": (_unary_2d, (1, 64)),
    "unary_4d": (_unary_4d, (1, 3, 4, 5)),
    "unary_3d_5d": (_unary_3d_5d, (1, 2, 2, 3, 4)),
}


def _prelu_ranks() -> bytes:
    """PRELU with alphas per element (4, 4, 5), per channel (1, 1, 5), one for all
    (1, 1, 1: a table), on a dense layer (6,) and on a 3-D tensor (1, 3)."""
    tf = _tf()
    layers = tf.keras.layers
    tf.keras.utils.set_random_seed(5)
    spread = tf.keras.initializers.RandomUniform(-0.6, 0.9)
    inp = layers.Input((4, 4, 3), batch_size=1)

    def conv() -> Any:
        return layers.Conv2D(5, 3, padding="same")(inp)

    outputs = [
        layers.PReLU(alpha_initializer=spread)(conv()),
        layers.PReLU(alpha_initializer=spread, shared_axes=[1, 2])(conv()),
        layers.PReLU(alpha_initializer=tf.keras.initializers.Constant(0.25),
                     shared_axes=[1, 2, 3])(conv()),
        layers.PReLU(alpha_initializer=spread)(layers.Dense(6)(layers.Flatten()(inp))),
        layers.PReLU(alpha_initializer=spread, shared_axes=[1])(layers.Reshape((16, 3))(inp)),
    ]
    return keras_models.convert(tf.keras.Model(inp, outputs), (4, 4, 3))


def _prelu_runtime_alpha() -> bytes:
    """A PRELU whose alpha (4, 6) is the model's second input, not a constant."""
    tf = _tf()
    layers = tf.keras.layers
    tf.keras.utils.set_random_seed(6)
    net = tf.keras.Sequential([layers.Input((4, 6), batch_size=1), layers.PReLU(
        alpha_initializer=tf.keras.initializers.RandomUniform(-1.0, 1.0))])
    graph = parse_tflite(keras_models.convert(net, (4, 6)))
    alpha = graph.ops[-1].inputs[1]
    graph.tensors[alpha].data = None
    graph.inputs.append(alpha)
    return write_tflite(graph)


@cache
def _model(name: str) -> bytes:
    if name in UNARY:
        fn, shape = UNARY[name]
        return bytes(tf_models.convert(fn, shape, seed=len(name)))
    return _prelu_ranks() if name == "prelu_ranks" else _prelu_runtime_alpha()


MODELS: dict[str, tuple[set[str], set[str]]] = {  # operators, C kernels called
    "unary_2d": ({"TANH", "LOGISTIC", "LEAKY_RELU", "HARD_SWISH"}, {"tg_lut_s8"}),
    "unary_4d": ({"TANH", "LOGISTIC", "LEAKY_RELU", "HARD_SWISH"}, {"tg_lut_s8"}),
    "unary_3d_5d": ({"TANH", "LOGISTIC", "LEAKY_RELU", "HARD_SWISH"}, {"tg_lut_s8"}),
    "prelu_ranks": ({"PRELU"}, {"tg_prelu_s8", "tg_lut_s8"}),
    "prelu_runtime_alpha": ({"PRELU"}, {"tg_prelu_s8"}),
}


@pytest.mark.parametrize("name", MODELS)
def test_byte_exact_with_both_interpreters(name: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = _model(name)
    kinds, kernels = MODELS[name]
    graph = parse_tflite(data, name)
    assert kinds <= {op.kind for op in graph.ops}, [op.kind for op in graph.ops]
    source = compile_graph(graph, "act").sources.sources["act.c"]
    for kernel in kernels:
        assert f"{kernel}(&" in source, kernel
    if name == "unary_3d_5d":  # each LEAKY_RELU's own alpha reached its table
        tables = [c.params.table for c in lower_graph(graph) if c.kernel == "lut_s8"]
        assert len({t.tobytes() for t in tables}) == len(tables)
    assert_verified(data, tmp_path / f"{name}.tflite", capsys, runs=8, seed=3)


# -- the tables against a direct transcription of TensorFlow Lite's arithmetic -------------


@cache
def _c_math() -> Any:
    """The C library TensorFlow Lite's float functions come from (as tinygen's tables)."""
    path = ctypes.util.find_library("m") or ctypes.util.find_library("c")
    lib = ctypes.CDLL(path) if path else None
    if lib is not None:
        for f in (lib.expf, lib.tanhf):
            f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
    return lib


def _tanhf(x: np.float32) -> np.float32:
    lib = _c_math()
    return np.float32(lib.tanhf(float(x)) if lib else math.tanh(float(x)))


def _logistic(x: np.float32) -> np.float32:
    lib = _c_math()
    with np.errstate(over="ignore"):
        e = np.float32(lib.expf(float(-x)) if lib else math.exp(min(float(-x), 700.0)))
        return np.float32(1) / (np.float32(1) + e)


def _direct_float_table(fn: Callable[[np.float32], np.float32], scale: float, zero: int,
                        out_scale: float, out_zero: int) -> np.ndarray:
    """TensorFlow Lite's LUTPopulate, one byte at a time."""
    table = np.zeros(256, np.int8)
    inverse = np.float32(1) / np.float32(out_scale)
    for v in range(-128, 128):
        scaled = float(fn(np.float32(scale) * np.float32(v - zero)) * inverse)
        rounded = math.floor(scaled + 0.5) if scaled >= 0 else -math.floor(-scaled + 0.5)
        table[v % 256] = max(-128, min(127, int(np.float32(rounded) + np.float32(out_zero))))
    return table


def _mbqm(x: int, multiplier: int, shift: int) -> int:
    """TensorFlow Lite's MultiplyByQuantizedMultiplier (double rounding) on Python ints."""
    a = ((x * (1 << max(shift, 0)) + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)  # int32 wrap
    if a == multiplier == -(1 << 31):
        high = (1 << 31) - 1
    else:
        ab = a * multiplier + ((1 << 30) if a * multiplier >= 0 else 1 - (1 << 30))
        high = abs(ab) >> 31 if ab >= 0 else -(abs(ab) >> 31)
    right = max(-shift, 0)
    mask = (1 << right) - 1
    return (high >> right) + ((high & mask) > (mask >> 1) + (high < 0))


def _direct_table(f: Callable[[int], int], out_zero: int) -> np.ndarray:
    """The table of ``f`` (input byte -> output before its zero point), clamped to int8."""
    table = np.zeros(256, np.int8)
    for v in range(-128, 128):
        table[v % 256] = max(-128, min(127, f(v) + out_zero))
    return table


def _direct_leaky(z: int, zo: int, identity: tuple[int, int],
                  alpha: tuple[int, int]) -> np.ndarray:
    """The newest reference's form: a negative alpha multiplier negated, then the result."""
    sign = -1 if alpha[0] < 0 else 1
    return _direct_table(lambda v: _mbqm(v - z, *identity) if v >= z else
                         sign * _mbqm(v - z, sign * alpha[0], alpha[1]), zo)


def _direct_prelu(z: int, a: int, zo: int, positive: tuple[int, int],
                  negative: tuple[int, int]) -> np.ndarray:
    return _direct_table(lambda v: _mbqm(v - z, *positive) if v >= z else
                         _mbqm((v - z) * a, *negative), zo)


def _direct_hard_swish(c: lut.HardSwishConstants) -> np.ndarray:
    """TensorFlow Lite's int8 HARD_SWISH on all bytes at once: wide integers, cut to int16
    wherever the C++ stores an int16_t."""

    def i16(v: Any) -> np.ndarray:
        return np.asarray(v, np.int64).astype(np.int16).astype(np.int64)

    def high_mul(a: np.ndarray, b: Any, rounding: bool) -> np.ndarray:
        ab = a * np.asarray(b, np.int64)
        nudge = np.where(ab >= 0, 1 << 14, 1 - (1 << 14)) if rounding else 0
        q = np.fix((ab + nudge) / 32768.0).astype(np.int64)  # exact: |ab| < 2**31
        return i16(np.where((a == -32768) & (np.asarray(b) == -32768), 32767, q))

    def divide(x: np.ndarray, e: int) -> np.ndarray:
        mask = int(i16((1 << e) - 1))
        threshold = i16((mask >> 1) + (x < 0))
        return i16((x >> e) + (i16(x & mask) > threshold))

    x = np.arange(-128, 128, dtype=np.int64)
    hires = i16(i16(x - c.input_zero_point) * 128)
    preshift = high_mul(hires, c.output_multiplier, True)
    r = hires
    if c.reluish_exponent > 0:
        r = np.clip(r * (1 << (c.reluish_exponent - 1)), -32768, 32767)
    r = high_mul(r, c.reluish_multiplier, True)
    if c.reluish_exponent > 0:
        r = np.clip(r * 2, -32768, 32767)
    if c.reluish_exponent < 0:
        r = divide(r, -c.reluish_exponent)
    r = i16((r + 32768) >> 1)
    out = divide(high_mul(r, preshift, False), -c.output_exponent)
    table = np.clip(i16(out + c.output_zero_point), -128, 127).astype(np.int8)
    return np.concatenate([table[128:], table[:128]])  # by the byte read as unsigned


QUANTIZATIONS = 40


def _quantization(rng: np.random.Generator, low: float = 1e-3, high: float = 1.0
                  ) -> tuple[float, int]:
    return float(np.exp(rng.uniform(np.log(low), np.log(high)))), int(rng.integers(-128, 128))


def test_float_tables_match_a_direct_transcription() -> None:
    rng = np.random.default_rng(11)
    for _ in range(QUANTIZATIONS):
        (s, z), (so, zo) = _quantization(rng), _quantization(rng)
        expected = _direct_float_table(_logistic, s, z, 1 / 256, -128)
        assert np.array_equal(lut.logistic_table(s, z), expected), (s, z)
        for out in ((so, zo), (1 / 128, 0)):
            expected = _direct_float_table(_tanhf, s, z, *out)
            assert np.array_equal(lut.tanh_table(s, z, *out), expected), (s, z, out)
    for s, z, so, zo in ((0.5, 0, 1.0, 0), (0.25, 3, 0.5, -7), (1.5, -20, 1.0, 100)):
        # halves everywhere: they round away from zero, as std::round does
        expected = _direct_float_table(lambda x: x, s, z, so, zo)
        assert np.array_equal(lut.float_table(lambda x: x, s, z, so, zo), expected)


def test_integer_tables_match_a_direct_transcription() -> None:
    rng = np.random.default_rng(12)

    def multiplier(low_shift: int, high_shift: int, sign: int = 1) -> tuple[int, int]:
        m = int(rng.integers(1 << 30, (1 << 31) - 1))
        return sign * m, int(rng.integers(low_shift, high_shift + 1))

    for _ in range(QUANTIZATIONS):
        z, zo = (int(v) for v in rng.integers(-128, 128, 2))
        c = lut.HardSwishConstants(z, zo, int(rng.integers(1 << 14, 1 << 15)),
                                   int(rng.integers(-12, 1)), int(rng.integers(1 << 14, 1 << 15)),
                                   int(rng.integers(-6, 9)))
        assert np.array_equal(lut.hard_swish_table(c), _direct_hard_swish(c)), c
        identity = multiplier(-10, 3)
        alpha = multiplier(-10, 2, sign=int(rng.choice([-1, 1])))
        expected = _direct_leaky(z, zo, identity, alpha)
        assert np.array_equal(lut.leaky_relu_table(z, zo, identity, alpha), expected)
        a, negative = int(rng.integers(-140, 140)), multiplier(-16, -2)
        expected = _direct_prelu(z, a, zo, identity, negative)
        assert np.array_equal(lut.prelu_table(z, a, zo, identity, negative), expected)


# -- the tables against TensorFlow Lite's interpreter on every input byte ------------------


@cache
def _sweep_base(kind: str) -> bytes:
    """One operator of ``kind`` on a (1, 256) tensor (PRELU_ONE: a single alpha)."""
    tf = _tf()
    layers = tf.keras.layers
    if kind in ("PRELU", "PRELU_ONE"):
        tf.keras.utils.set_random_seed(7)
        spread = tf.keras.initializers.RandomUniform(-1.0, 1.0)
        shared = [1] if kind == "PRELU_ONE" else None
        net = tf.keras.Sequential([layers.Input((256,), batch_size=1),
                                   layers.PReLU(alpha_initializer=spread, shared_axes=shared)])
        return keras_models.convert(net, (256,))
    fn = {"TANH": tf.tanh, "LOGISTIC": tf.sigmoid, "LEAKY_RELU": tf.nn.leaky_relu,
          "HARD_SWISH": tf.keras.activations.hard_swish}[kind]
    return bytes(tf_models.convert(fn, (1, 256)))


def _quant(graph: Graph, which: str, scale: Any, zero: Any = 0) -> None:
    """Give the last operator's input, alpha or output this quantization."""
    op = graph.ops[-1]
    t = {"input": op.inputs[0], "alpha": op.inputs[-1], "output": op.outputs[0]}[which]
    graph.tensors[t].quant = Quantization(np.atleast_1d(np.asarray(scale, np.float32)),
                                          np.atleast_1d(np.asarray(zero, np.int64)))


EVERY_BYTE = np.arange(-128, 128, dtype=np.int8).reshape(1, 256)


def _equals_tflite(data: bytes, kernel: str) -> bool:
    """tinygen's reference, running ``kernel``, gives TensorFlow Lite's output bytes."""
    graph = parse_tflite(data)
    calls = lower_graph(graph)
    assert calls[-1].kernel == kernel
    ours = run_reference(graph, calls, [EVERY_BYTE])[graph.outputs[0]]
    lite = TfliteReference(data).invoke([EVERY_BYTE])[0]
    return np.array_equal(ours.reshape(-1), lite.reshape(-1))


@pytest.mark.parametrize("kind", ["TANH", "LOGISTIC", "HARD_SWISH", "PRELU_ONE", "PRELU"])
def test_every_byte_equals_tensorflow_lite(kind: str) -> None:
    base = _sweep_base(kind)
    assert parse_tflite(base).ops[-1].kind == kind.removesuffix("_ONE")
    rng = np.random.default_rng(len(kind))
    checked = 0
    for _ in range(QUANTIZATIONS):
        graph = parse_tflite(base)
        _quant(graph, "input", *_quantization(rng))
        if kind == "TANH" and rng.random() < 0.5:
            _quant(graph, "output", 1 / 128, 0)  # the converter's
        elif kind != "LOGISTIC":  # TensorFlow Lite's LOGISTIC takes only 1/256 and -128
            _quant(graph, "output", *_quantization(rng))
        if kind.startswith("PRELU"):
            _quant(graph, "alpha", *_quantization(rng, high=0.1))
        data = write_tflite(graph)
        try:
            assert _equals_tflite(data, "prelu_s8" if kind == "PRELU" else "lut_s8"), kind
            checked += 1
        except TinygenError as exc:  # refused: TensorFlow Lite refuses the model too
            assert kind == "HARD_SWISH" and "not above the input scale" in str(exc), exc
            with pytest.raises(TinygenError):
                TfliteReference(data)
    assert checked >= QUANTIZATIONS * 3 // 4


#: (input scale, zero point, output scale, zero point) of TANH where glibc 2.36's tanhf and
#: tanh in float64 rounded to float32 give tables one step apart on a byte or two.
TANHF_MATTERS = [(0.012263217940926552, 34, 0.0873972550034523, 112),
                 (0.00731534231454134, 87, 0.003293136367574334, 72),
                 (0.001436903141438961, -28, 0.005179948173463345, -80)]


def test_tanh_tables_take_the_c_librarys_tanhf() -> None:
    """TensorFlow Lite's table comes from the C library's tanhf, and so does tinygen's."""
    for s, z, so, zo in TANHF_MATTERS:
        graph = parse_tflite(_sweep_base("TANH"))
        _quant(graph, "input", s, z)
        _quant(graph, "output", so, zo)
        assert _equals_tflite(write_tflite(graph), "lut_s8"), (s, z, so, zo)


# -- what the lowering refuses ---------------------------------------------------------------


def _refused(kind: str, change: Callable[[Graph], None], message: str) -> None:
    graph = parse_tflite(_sweep_base(kind))
    change(graph)
    index = len(graph.ops) - 1
    with pytest.raises(TinygenError, match=rf"operator {index} \({kind.removesuffix('_ONE')}\)"
                       rf".*{message}"):
        lower_graph(graph)


def test_refusals_name_the_operator() -> None:
    _refused("LOGISTIC", lambda g: _quant(g, "output", 1 / 256, 0), "zero point -128")
    _refused("LOGISTIC", lambda g: _quant(g, "output", 1 / 200, -128), "scale 1/256")
    _refused("TANH", lambda g: _quant(g, "output", 1e-12, 0), "too small")
    _refused("TANH", lambda g: _quant(g, "input", 0.0, 0), "input scale is 0.0")
    _refused("HARD_SWISH", lambda g: _quant(g, "output", 1e-6, 0), "not above the input scale")
    _refused("PRELU", lambda g: _quant(g, "alpha", [0.01, 0.02], [0, 0]), "per channel")

    def wide_alpha(graph: Graph) -> None:
        alpha = graph.tensors[graph.ops[-1].inputs[1]]
        alpha.shape, alpha.data = (2, 256), np.zeros((2, 256), np.int8)

    _refused("PRELU", wide_alpha, "output")

    _refused("LEAKY_RELU", lambda g: g.ops[-1].attrs.update(alpha=1e12), "alpha rescale")


def test_library_builds_as_strict_c99_and_cxx(tmp_path: Path) -> None:
    from library_build import STRICT_C, STRICT_CXX, compile_objects

    from tinygen.package.folder import write_library

    for name in ("unary_2d", "prelu_ranks"):
        write_library(compile_graph(parse_tflite(_model(name)), "act"), tmp_path / name)
        compile_objects(tmp_path / name, STRICT_C, tmp_path / f"{name}_c")
        compile_objects(tmp_path / name, STRICT_CXX, tmp_path / f"{name}_cxx")
