"""What TFLite Micro's own example models hold beyond the converter's usual output, on
models written with tinygen's writer: the int16 edges of its keyword benchmark
(keyword_scrambled.tflite: an int16 input quantized to int8, SVDFs, a SOFTMAX to int16,
a QUANTIZE of that to int32), byte for byte with both interpreters, and person_detect's
per-channel biases that carry the weights' quantized dimension."""

from __future__ import annotations

import numpy as np
import pytest

from tinygen.compiler import compile_graph
from tinygen.frontend.tflite import parse_tflite
from tinygen.frontend.tflite_writer import write_tflite
from tinygen.ir import Graph, Op, Quantization, Tensor
from tinygen.verify.compare import verify
from tinygen.verify.inputs import random_inputs


def _q(scale: float, zero_point: int = 0) -> Quantization:
    return Quantization(np.array([scale], np.float32), np.array([zero_point], np.int64))


def _model(seed: int, depth: int, beta: float) -> bytes:
    """int16 input → QUANTIZE int8 → SOFTMAX int16 → QUANTIZE int32 (and the int16 out)."""
    rng = np.random.default_rng(seed)
    shape = (1, int(rng.integers(1, 4)), depth)
    mid_scale = float(rng.uniform(0.01, 0.2))
    tensors = [
        Tensor("audio", shape, "int16", _q(float(rng.uniform(1e-4, 1e-2)))),
        Tensor("features", shape, "int8", _q(mid_scale, int(rng.integers(-20, 21)))),
        Tensor("scores", shape, "int16", _q(1.0 / 65536, -32768)),
        Tensor("scores32", shape, "int32", _q(float(rng.uniform(1e-6, 1e-4)))),
    ]
    ops = [
        Op("QUANTIZE", [0], [1]),
        Op("SOFTMAX", [1], [2], {"beta": beta}),
        Op("QUANTIZE", [2], [3]),
    ]
    return write_tflite(Graph(tensors, ops, [0], [2, 3], "int16 edges"))


@pytest.mark.parametrize("seed, depth, beta", [(1, 2, 1.0), (2, 12, 1.0), (3, 7, 0.5),
                                               (4, 30, 2.0)])
def test_int16_input_softmax_and_int32_output(seed: int, depth: int, beta: float) -> None:
    data = _model(seed, depth, beta)
    graph = parse_tflite(data, "int16 edges")
    model = compile_graph(graph, "edges")
    kernels = [c.kernel for c in model.calls]
    assert kernels == ["requantize_s16_s8", "softmax_s8", "requantize_s16_s32"]
    assert model.calls[1].params.output_bits == 16
    result = verify(model, data, random_inputs(graph, 6, seed))
    assert result.ok and result.tflm_disagreements == 0, (
        result.first_divergence.describe() if result.first_divergence else result)


def test_per_channel_bias_with_the_weights_axis_is_read() -> None:
    """Older converters wrote the weights' quantized dimension (3) on 1-D per-channel
    biases (TFLite Micro's person_detect.tflite): TFLite Micro runs such a model, the
    reader takes the bias's one axis, and TensorFlow Lite, which refuses the file, is
    left out of the judgement."""
    rng = np.random.default_rng(0)
    w_scale = rng.uniform(0.005, 0.02, 3).astype(np.float32)
    weights = rng.integers(-127, 128, (3, 4)).astype(np.int8)
    bias_q = Quantization(w_scale * np.float32(0.05), np.zeros(3, np.int64), 3)
    tensors = [
        Tensor("x", (1, 4), "int8", _q(0.05, 3)),
        Tensor("w", (3, 4), "int8", Quantization(w_scale, np.zeros(3, np.int64), 0), weights),
        Tensor("b", (3,), "int32", bias_q, rng.integers(-500, 500, 3).astype(np.int32)),
        Tensor("y", (1, 3), "int8", _q(0.1, -2)),
    ]
    graph = Graph(tensors, [Op("FULLY_CONNECTED", [0, 1, 2], [3])], [0], [3], "old bias")
    data = write_tflite(graph)
    model = compile_graph(parse_tflite(data, "old bias"), "old_bias")
    result = verify(model, data, random_inputs(model.graph, 4, 1))
    assert result.ok and "TensorFlow Lite" in result.missing
