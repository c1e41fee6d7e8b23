"""MEAN over different axes, byte-identical with TFLite Micro."""

from __future__ import annotations

import pytest
import tf_models

from tinygen.compiler import compile_graph
from tinygen.frontend.tflite import parse_tflite
from tinygen.verify.compare import verify
from tinygen.verify.inputs import random_inputs


@pytest.mark.parametrize(
    ("shape", "axes", "keep"),
    [
        ((1, 7, 5, 3), [1, 2], True),
        ((1, 7, 5, 3), [1, 2], False),
        ((1, 4, 6, 8), [3], True),
        ((1, 9, 4), [1], False),
        ((1, 3, 5, 2), [2], False),
    ],
)
def test_mean_matches_tflm(shape: tuple[int, ...], axes: list[int], keep: bool) -> None:
    import tensorflow as tf

    data = tf_models.convert(lambda x: tf.reduce_mean(x, axis=axes, keepdims=keep), shape)
    graph = parse_tflite(data)
    assert "MEAN" in [op.kind for op in graph.ops]
    model = compile_graph(graph, "mean")
    result = verify(model, data, random_inputs(graph, 10, 0))
    detail = result.first_divergence.describe() if result.first_divergence else ""
    assert result.mismatched_runs == 0 and result.reference_mismatches == 0, detail
