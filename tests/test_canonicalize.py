"""Canonicalization: Keras models straight from the TensorFlow converter compile byte-exact."""

from __future__ import annotations

import re
from collections.abc import Callable

import keras_models
import numpy as np
import pytest

from tinygen.compiler import CompiledModel, compile_graph
from tinygen.frontend.tflite import parse_tflite
from tinygen.ir import Graph, Op, Quantization, Tensor
from tinygen.passes.canonicalize import canonicalize
from tinygen.passes.constant_folding import fold_constants
from tinygen.passes.reshapes import merge_reshapes, remove_identities
from tinygen.verify.compare import verify
from tinygen.verify.inputs import random_inputs

SHAPE_OPS = ("SHAPE", "PACK", "STRIDED_SLICE", "SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND")
RUNS = 20


def _compile(data: bytes, name: str) -> CompiledModel:
    return compile_graph(parse_tflite(data, name), name)


def _assert_no_shape_ops(model: CompiledModel) -> None:
    kinds = {op.kind for op in model.graph.ops}
    assert not kinds & set(SHAPE_OPS), kinds
    source = model.sources.sources[f"{model.name}.c"]
    emitted = {k.upper() for k in re.findall(r"operator \d+: (\w+)", source)}
    assert emitted == kinds
    for kind in SHAPE_OPS:
        assert not re.search(rf"\b{kind}\b", source, re.IGNORECASE), kind


def _assert_exact(model: CompiledModel, tflm_bytes: bytes, seed: int) -> None:
    result = verify(model, tflm_bytes, random_inputs(model.graph, RUNS, seed))
    assert result.runs == RUNS + 3
    detail = result.first_divergence.describe() if result.first_divergence else ""
    assert result.mismatched_runs == 0, detail
    assert result.reference_mismatches == 0, detail


# Shape arithmetic only: TFLM runs the dynamic model itself, so compare with it.
@pytest.mark.parametrize(
    "build", [keras_models.flatten_dense, keras_models.conv1d, keras_models.batchnorm_dropout]
)
def test_dynamic_batch_model_matches_tflm(build: Callable[[], tuple[bytes, bytes]]) -> None:
    dynamic, fixed = build()
    before = parse_tflite(dynamic)
    assert {"SHAPE", "STRIDED_SLICE", "PACK"} <= {op.kind for op in before.ops}
    model = _compile(dynamic, build.__name__)
    _assert_no_shape_ops(model)
    assert any("folded SHAPE" in line for line in model.report()["rewrites"])
    _assert_exact(model, dynamic, seed=11)
    # The shape arithmetic costs nothing: same operators and arena as batch size 1.
    reference = _compile(fixed, build.__name__ + "_fixed")
    assert len(model.graph.ops) == len(reference.graph.ops)
    assert model.plan.arena_bytes <= reference.plan.arena_bytes
    assert len(model.graph.ops) < len(before.ops)


# TFLM cannot run SPACE_TO_BATCH_ND of a dynamic-batch model: the flatbuffer gives its output
# batch 1 (not block_h * block_w), so TFLM computes one of the sub-images and leaves the rest
# of BATCH_TO_SPACE_ND's output unwritten. The same Keras model converted with batch size 1
# holds the dilated convolution itself, with identical weights and quantization: that is
# TFLM's truth for this network.
@pytest.mark.parametrize(
    ("build", "kind", "padding"),
    [
        (keras_models.dilated_conv_same, "CONV_2D", "SAME"),
        (keras_models.dilated_depthwise_valid, "DEPTHWISE_CONV_2D", "VALID"),
    ],
)
def test_dilated_convolution_is_rewritten(
    build: Callable[[], tuple[bytes, bytes]], kind: str, padding: str
) -> None:
    dynamic, fixed = build()
    before = [op.kind for op in parse_tflite(dynamic).ops]
    assert before[:3] == ["SPACE_TO_BATCH_ND", kind, "BATCH_TO_SPACE_ND"]
    model = _compile(dynamic, build.__name__)
    _assert_no_shape_ops(model)
    conv = model.graph.ops[0]
    assert conv.kind == kind
    assert (conv.attrs["dilation_h"], conv.attrs["dilation_w"], conv.attrs["padding"]) == (
        2,
        2,
        padding,
    )
    assert any("dilation 2x2" in line for line in model.rewrites)
    _assert_exact(model, fixed, seed=12)
    reference = _compile(fixed, build.__name__ + "_fixed")
    assert len(model.graph.ops) == len(reference.graph.ops)
    assert model.plan.arena_bytes <= reference.plan.arena_bytes


def test_global_average_pooling_compiles_exactly() -> None:
    data = keras_models.global_average_pool()
    model = _compile(data, "gap")
    _assert_no_shape_ops(model)
    assert "MEAN" in {op.kind for op in model.graph.ops}
    _assert_exact(model, data, seed=5)


def test_global_average_pooling_has_static_shapes() -> None:
    graph = parse_tflite(keras_models.global_average_pool())
    assert any(t.shape_signature and t.shape_signature[0] == -1 for t in graph.tensors)
    canonical, _ = canonicalize(graph)
    assert not {op.kind for op in canonical.ops} & set(SHAPE_OPS)
    for op in canonical.ops:
        for t in op.inputs + op.outputs:
            sig = canonical.tensors[t].shape_signature
            assert sig is None or min(sig, default=1) > 0
    # The frontend's graph is not changed.
    assert any(t.shape_signature and t.shape_signature[0] == -1 for t in graph.tensors)


def _const(name: str, values: list[int] | int) -> Tensor:
    data = np.array(values, np.int32)
    return Tensor(name, data.shape, "int32", data=data)


def test_constant_folding_of_shape_arithmetic() -> None:
    tensors = [
        _const("shape", [1, 12, 12, 4]),
        _const("begin", [1]),
        _const("end", [3]),
        _const("stride", [1]),
        Tensor("hw", (2,), "int32"),
        _const("idx", [1, 0]),
        Tensor("wh", (2,), "int32"),
        Tensor("prod", (2,), "int32"),
        _const("two", 2),
        Tensor("half", (2,), "int32"),
        Tensor("out", (2,), "int32"),
        Tensor("x", (2,), "int32"),
    ]
    ops = [
        Op("STRIDED_SLICE", [0, 1, 2, 3], [4], {"begin_mask": 0, "end_mask": 0}),
        Op("GATHER", [4, 5], [6], {"axis": 0}),
        Op("MUL", [4, 6], [7], {"activation": "NONE"}),
        Op("FLOOR_DIV", [7, 8], [9], {"activation": "NONE"}),
        Op("ADD", [9, 11], [10], {"activation": "NONE"}),
    ]
    graph = Graph(tensors, ops, [11], [10])
    folded, lines = fold_constants(graph)
    assert [op.kind for op in folded.ops] == ["ADD"]
    assert folded.tensors[9].data.tolist() == [72, 72]
    assert len(lines) == 4
    assert len(graph.ops) == 5 and graph.tensors[9].data is None


def _q(zero_point: int) -> Quantization:
    return Quantization(np.array([0.5], np.float32), np.array([zero_point], np.int64))


def test_identity_and_consecutive_reshapes() -> None:
    tensors = [
        Tensor("x", (1, 4, 4, 2), "int8", _q(3)),
        Tensor("a", (1, 4, 4, 2), "int8", _q(3)),
        Tensor("b", (1, 4, 4, 2), "int8", _q(3)),
        Tensor("c", (1, 16, 2), "int8", _q(3)),
        Tensor("d", (1, 32), "int8", _q(3)),
    ]
    ops = [
        Op("RESHAPE", [0], [1]),
        Op("QUANTIZE", [1], [2]),
        Op("SQUEEZE", [2], [3]),
        Op("RESHAPE", [3], [4]),
    ]
    graph = Graph(tensors, ops, [0], [4])
    graph, identities = remove_identities(graph)
    assert [op.kind for op in graph.ops] == ["SQUEEZE", "RESHAPE"]
    assert len(identities) == 2
    graph, merged = merge_reshapes(graph)
    assert [(op.kind, op.inputs, op.outputs) for op in graph.ops] == [("RESHAPE", [0], [4])]
    assert merged
