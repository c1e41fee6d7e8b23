"""SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND as kernels of their own, byte-exact with TensorFlow Lite.

The models here are ones the dilated-convolution rewrite does not touch (a pooling,
an ADD or a reshape between the two operators, or one of them alone). TensorFlow
Lite's reference kernels are the truth: TFLite Micro pads SPACE_TO_BATCH_ND with raw
0 instead of the zero point and does not resize the batch.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras_models
import numpy as np
import pytest
import tf_models
from library_build import STRICT_C, STRICT_CXX, compile_objects

from tinygen.compiler import CompiledModel, compile_graph
from tinygen.errors import TinygenError
from tinygen.frontend.tflite import parse_tflite
from tinygen.ir import Graph, Op, Quantization, Tensor
from tinygen.lowering import lower_graph
from tinygen.package.folder import write_library
from tinygen.passes.batch_shapes import fix_batch_shapes
from tinygen.passes.canonicalize import canonicalize
from tinygen.passes.static_shapes import fix_dynamic_batch
from tinygen.reference.interpreter import run_reference
from tinygen.verify.c_model import CModel
from tinygen.verify.inputs import random_inputs
from tinygen.verify.tflite_ref import TfliteReference

S2B, B2S = "SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND"
KERNELS = {S2B: "space_to_batch_nd_s8", B2S: "batch_to_space_nd_s8"}


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _s2b(x: Any, block: list[int], pads: list[list[int]]) -> Any:
    return _tf().space_to_batch_nd(x, block, pads)


def _b2s(x: Any, block: list[int], crops: list[list[int]]) -> Any:
    return _tf().batch_to_space(x, block, crops)


def _pool(x: Any) -> Any:
    tf = _tf()
    return (tf.nn.max_pool2d if len(x.shape) == 4 else tf.nn.max_pool1d)(x, 2, 1, "SAME")


def _relu(x: Any) -> Any:  # zero point -128 after it: the padding value is -128
    return _tf().nn.relu(x)


#: tf.function models, converted with calibration inputs in [-2, 2] (x + 2.0 is in [0, 4]).
CASES: dict[str, tuple[Callable[[Any], Any], tuple[int, ...]]] = {
    "pool_2x2": (
        lambda x: _b2s(_pool(_s2b(_relu(x), [2, 2], [[1, 1], [2, 0]])), [2, 2], [[0, 1], [1, 1]]),
        (1, 6, 6, 3),
    ),
    "add_3x3": (
        lambda x: _b2s(_s2b(x + 2.0, [3, 3], [[1, 2], [0, 3]]) + 0.5, [3, 3], [[2, 1], [0, 0]]),
        (1, 6, 6, 2),
    ),
    # The sub-images are the output: every padding byte is compared; input batch 2.
    "reshape_2x3": (
        lambda x: _tf().reshape(_s2b(_relu(x), [2, 3], [[0, 0], [1, 2]]), (2, -1)),
        (2, 4, 6, 2),
    ),
    "b2s_2x3": (lambda x: _b2s(_relu(x), [2, 3], [[0, 1], [1, 2]]), (12, 3, 3, 2)),  # batch 2
    "pool_1d": (
        lambda x: _b2s(_pool(_s2b(_relu(x), [3], [[1, 2]])), [3], [[2, 0]]),
        (2, 9, 3),
    ),
    "b2s_1d": (lambda x: _b2s(x + 2.0, [2], [[1, 2]]), (4, 5, 3)),
}


def _dynamic_layers(name: str) -> tuple[list[Any], tuple[int, ...]]:
    layers = _tf().keras.layers
    if name == "dynamic_pool":
        return [
            layers.Lambda(lambda x: _s2b(x, [2, 2], [[1, 1], [2, 0]])),
            layers.MaxPooling2D(2, 1, "same"),
            layers.ReLU(),
            layers.Lambda(lambda x: _b2s(x, [2, 2], [[0, 1], [1, 1]])),
        ], (6, 6, 3)
    return [
        layers.Lambda(lambda x: _s2b(x, [2, 3], [[0, 0], [1, 2]]) + 0.5),
        layers.Lambda(lambda x: _b2s(x, [2, 3], [[0, 1], [1, 1]])),
    ], (4, 6, 3)


#: Keras models with a dynamic batch, calibrated in [0, 4] (zero point -128).
DYNAMIC = ("dynamic_pool", "dynamic_add")


@functools.cache
def _model_bytes(name: str) -> bytes:
    if name in CASES:
        fn, shape = CASES[name]
        return tf_models.convert(fn, shape)
    tf = _tf()
    tf.keras.utils.set_random_seed(0)
    layers, shape = _dynamic_layers(name)
    model = tf.keras.Sequential([tf.keras.layers.Input(shape), *layers])
    return keras_models.convert(model, shape, low=0.0, high=4.0)


@functools.cache
def _compiled(name: str) -> CompiledModel:
    return compile_graph(parse_tflite(_model_bytes(name), name), name)


@pytest.mark.parametrize("name", [*CASES, *DYNAMIC])
def test_matches_tflite_byte_for_byte(name: str, tmp_path: Path) -> None:
    data = _model_bytes(name)
    converted = {op.kind for op in parse_tflite(data).ops} & set(KERNELS)
    model = _compiled(name)
    kept = {op.kind for op in model.graph.ops} & set(KERNELS)
    assert kept and kept == converted  # the converter kept them and so did tinygen
    source = model.sources.sources[f"{name}.c"]
    for kind in kept:
        assert f"tg_{KERNELS[kind]}(&" in source
        assert f"tg_{KERNELS[kind]}.c" in model.sources.sources
    kept_ops = [op for op in model.graph.ops if op.kind in KERNELS]
    assert all(model.graph.tensors[op.inputs[0]].quant.zero_point0 != 0 for op in kept_ops)
    c_model, tflite = CModel(model, tmp_path), TfliteReference(data)
    runs = 0
    for inputs in random_inputs(model.graph, 10, seed=sum(map(ord, name))):
        expected = tflite.invoke(inputs)
        reference = run_reference(model.graph, model.calls, inputs)
        got = c_model.invoke(inputs)
        for t, want, out in zip(model.graph.outputs, expected, got, strict=True):
            assert out.shape == want.shape
            assert out.tobytes() == want.tobytes(), f"C differs from TensorFlow Lite (run {runs})"
            assert reference[t].tobytes() == want.tobytes(), f"reference differs (run {runs})"
        runs += 1
    assert runs == 13


@pytest.mark.parametrize("name", DYNAMIC)
def test_dynamic_batch_is_recomputed(name: str) -> None:
    graph = parse_tflite(_model_bytes(name))
    s2b = graph.tensors[graph.ops[0].outputs[0]]
    assert graph.ops[0].kind == S2B and s2b.shape_signature and s2b.shape_signature[0] == -1
    # Without the batch-shape pass the stored batch 1 reaches lowering, which refuses it.
    static, _ = fix_dynamic_batch(graph)
    with pytest.raises(TinygenError, match=r"operator 0 \(SPACE_TO_BATCH_ND\): the model stores"):
        lower_graph(static)
    model = _compiled(name)
    assert any(line.startswith("batch shapes: SPACE_TO_BATCH_ND") for line in model.rewrites)
    blocks = int(np.prod(graph.tensors[graph.ops[0].inputs[1]].data))
    assert model.graph.tensors[graph.ops[0].outputs[0]].shape[0] == blocks
    assert model.graph.tensors[model.graph.outputs[0]].shape[0] == 1


@pytest.mark.parametrize("name", ["pool_2x2", "b2s_2x3", "dynamic_add"])
def test_output_never_shares_bytes_with_input(name: str) -> None:
    model = _compiled(name)
    plan = model.plan
    checked = 0
    for step, call in enumerate(model.calls):
        if call.kernel not in KERNELS.values():
            continue
        assert step not in plan.aliased_ops + plan.in_place_ops + plan.overlapped_ops
        (x,), (y,) = call.inputs, call.outputs
        x_end = plan.offsets[x] + model.graph.tensors[x].nbytes
        y_end = plan.offsets[y] + model.graph.tensors[y].nbytes
        assert x_end <= plan.offsets[y] or y_end <= plan.offsets[x]
        checked += 1
    assert checked


def test_library_builds_as_strict_c99_and_cxx(tmp_path: Path) -> None:
    model = _compiled("pool_2x2")
    write_library(model, tmp_path / "lib")
    names = {p.name for p in (tmp_path / "lib" / "src").glob("*.c")}
    assert {"tg_space_to_batch_nd_s8.c", "tg_batch_to_space_nd_s8.c"} <= names
    compile_objects(tmp_path / "lib", STRICT_C, tmp_path / "c")
    compile_objects(tmp_path / "lib", STRICT_CXX, tmp_path / "cxx")


# Hand-built graphs: the reference kernels against TensorFlow, lowering's errors, the pass.


def _q(zero_point: int = 0, scale: float = 0.5) -> Quantization:
    return Quantization(np.array([scale], np.float32), np.array([zero_point], np.int64))


def _ints(name: str, values: Any, constant: bool = True) -> Tensor:
    data = np.array(values, np.int32)
    return Tensor(name, data.shape, "int32", data=data if constant else None)


def _graph(
    kind: str,
    in_shape: tuple[int, ...],
    out_shape: tuple[int, ...],
    block: list[int],
    pairs: list[list[int]],
    out_q: Quantization | None = None,
    constant: bool = True,
) -> Graph:
    tensors = [
        Tensor("x", in_shape, "int8", _q()),
        _ints("block", block, constant),
        _ints("pairs", pairs, constant),
        Tensor("y", out_shape, "int8", out_q or _q()),
    ]
    return Graph(tensors, [Op(kind, [0, 1, 2], [3])], [0], [3])


def _run(graph: Graph, x: np.ndarray) -> np.ndarray:
    return run_reference(graph, lower_graph(graph), [x])[graph.outputs[0]]


@pytest.mark.parametrize(
    ("shape", "block", "pads", "crops"),
    [
        ((1, 4, 4, 1), [2, 2], [[0, 0], [0, 0]], [[1, 1], [0, 2]]),
        ((2, 5, 6, 3), [3, 3], [[1, 0], [0, 3]], [[0, 2], [1, 1]]),
        ((3, 4, 5, 2), [2, 3], [[2, 0], [0, 1]], [[1, 0], [2, 3]]),
        ((2, 7, 3), [3], [[0, 2]], [[2, 1]]),
        ((1, 6, 2), [2], [[1, 1]], [[0, 0]]),
    ],
)
def test_reference_kernels_match_tensorflow(
    shape: tuple[int, ...], block: list[int], pads: list[list[int]], crops: list[list[int]]
) -> None:
    tf = _tf()
    x = np.random.default_rng(sum(shape)).integers(-128, 128, shape).astype(np.int8)
    want = tf.space_to_batch_nd(x.astype(np.int32), block, pads).numpy()
    s2b = _graph(S2B, shape, want.shape, block, pads)
    assert np.array_equal(_run(s2b, x), want)
    # Back with the same crops as paddings gives the input; other crops as TensorFlow does.
    assert np.array_equal(_run(_graph(B2S, want.shape, shape, block, pads), want), x)
    cropped = tf.batch_to_space(want, block, crops).numpy()
    b2s = _graph(B2S, want.shape, cropped.shape, block, crops)
    assert np.array_equal(_run(b2s, want.astype(np.int8)), cropped)


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        (
            _graph(S2B, (1, 4, 4, 2), (4, 2, 2, 2), [2, 2], [[0, 0], [0, 0]], constant=False),
            r"operator 0 \(SPACE_TO_BATCH_ND\): the block shape and the paddings must be constant",
        ),
        (
            _graph(B2S, (4, 2, 2, 2), (1, 4, 4, 2), [2, 2], [[0, 0], [0, 0]], _q(3)),
            r"operator 0 \(BATCH_TO_SPACE_ND\): input and output quantization must be equal",
        ),
        (
            _graph(S2B, (1, 4, 5, 2), (4, 2, 3, 2), [2, 2], [[0, 0], [0, 0]]),
            r"dimension 2 padded to 5 is not a multiple of its block size 2",
        ),
        (
            _graph(S2B, (1, 4, 4, 2), (1, 2, 2, 2), [2, 2], [[0, 0], [0, 0]]),
            r"stores output 'y' with shape \[1, 2, 2, 2\].* give \[4, 2, 2, 2\]; .*batch size 1",
        ),
        (
            _graph(B2S, (3, 2, 2, 2), (1, 4, 4, 2), [2, 2], [[0, 0], [0, 0]]),
            r"the input batch 3 is not a multiple of the block size product 4",
        ),
        (
            _graph(S2B, (1, 4, 2), (2, 2, 2), [2, 2], [[0, 0], [0, 0]]),
            r"the block shape must hold 1 value\(s\) for a 3-D input",
        ),
        (
            _graph(B2S, (4, 2, 2, 2), (1, 4, 4, 2), [2, 2], [[0, 0], [-1, 0]]),
            r"the crops must not be negative",
        ),
    ],
)
def test_lowering_errors(graph: Graph, message: str) -> None:
    with pytest.raises(TinygenError, match=message):
        lower_graph(graph)


def _chain(second_operand_constant: bool = True) -> Graph:
    """x → S2B → MAX_POOL → ADD(·, c) → B2S, stored as a dynamic-batch model stores it."""
    tensors = [
        Tensor("x", (1, 6, 6, 2), "int8", _q()),
        _ints("block", [2, 2]),
        _ints("pads", [[1, 1], [1, 1]]),
        Tensor("t1", (1, 4, 4, 2), "int8", _q()),
        Tensor("t2", (1, 4, 4, 2), "int8", _q()),
        Tensor("c", (1, 1, 1, 2), "int8", _q(), np.array([[[[1, 2]]]], np.int8)),
        Tensor("t3", (1, 4, 4, 2), "int8", _q()),
        Tensor("y", (1, 6, 6, 2), "int8", _q()),
    ]
    if not second_operand_constant:
        tensors[5] = Tensor("c", (1, 4, 4, 2), "int8", _q())
    pool = {"padding": "SAME", "stride_h": 1, "stride_w": 1, "filter_h": 2, "filter_w": 2}
    ops = [
        Op(S2B, [0, 1, 2], [3]),
        Op("MAX_POOL_2D", [3], [4], {**pool, "activation": "NONE"}),
        Op("ADD", [4, 5], [6], {"activation": "NONE"}),
        Op(B2S, [6, 1, 2], [7]),
    ]
    inputs = [0] if second_operand_constant else [0, 5]
    return Graph(tensors, ops, inputs, [7])


def test_batch_shapes_pass_carries_the_batch() -> None:
    graph = _chain()
    fixed, lines = fix_batch_shapes(graph)
    assert [fixed.tensors[t].shape[0] for t in (3, 4, 6, 7)] == [4, 4, 4, 1]
    assert [line.split(" output")[0] for line in lines] == [
        "batch shapes: SPACE_TO_BATCH_ND",
        "batch shapes: MAX_POOL_2D",
        "batch shapes: ADD",
    ]
    assert fix_batch_shapes(fixed)[1] == []  # nothing left to do
    assert graph.tensors[3].shape == (1, 4, 4, 2)  # the input graph is not changed
    canonical, rewrites = canonicalize(graph)
    assert canonical.tensors[6].shape == (4, 4, 4, 2)
    assert sum(line.startswith("batch shapes:") for line in rewrites) == 3
    lower_graph(canonical)  # every stored shape now agrees


def test_batch_shapes_pass_is_conservative() -> None:
    # ADD with a second arena operand of batch 1: broadcasting it is not carried.
    graph = _chain(second_operand_constant=False)
    fixed, lines = fix_batch_shapes(graph)
    assert [fixed.tensors[t].shape[0] for t in (3, 4, 6)] == [4, 4, 1] and len(lines) == 2
    # Lowering then stops at the first operator whose stored output disagrees.
    with pytest.raises(TinygenError, match=r"operator 2 \(ADD\): inputs .* the output is"):
        lower_graph(fixed)
    # A reshape is not carried through.
    graph = _chain()
    graph.ops[1] = Op("RESHAPE", [3], [4])
    fixed, lines = fix_batch_shapes(graph)
    assert len(lines) == 1 and fixed.tensors[4].shape == (1, 4, 4, 2)
    with pytest.raises(TinygenError, match=r"operator 1 \(RESHAPE\)"):
        lower_graph(fixed)
    # A stored shape that disagrees in more than the batch is not fixed.
    wrong = _graph(S2B, (1, 4, 4, 2), (1, 3, 3, 2), [2, 2], [[1, 1], [0, 0]])
    assert fix_batch_shapes(wrong)[1] == []
    # Shapes that already agree are left alone.
    static = _chain()
    static.tensors[3:5] = [Tensor(n, (4, 4, 4, 2), "int8", _q()) for n in ("t1", "t2")]
    static.tensors[6] = Tensor("t3", (4, 4, 4, 2), "int8", _q())
    assert fix_batch_shapes(static)[1] == []
