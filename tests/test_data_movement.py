"""TRANSPOSE, SLICE, STRIDED_SLICE, SPACE_TO_DEPTH, DEPTH_TO_SPACE, SPLIT, SPLIT_V, UNPACK,
PACK and MIRROR_PAD on int8 tensors, byte-exact with TFLite Micro and TensorFlow Lite on
models made with TensorFlow's converter: 2-D to 6-D, negative axes and strides, shrunk axes,
indices clamped at the edges, several outputs, REFLECT and SYMMETRIC at their largest
paddings. Where one interpreter cannot run a model (TFLite Micro beyond 5-D TRANSPOSE and
4-D STRIDED_SLICE, TensorFlow Lite's reference kernels on int8 DEPTH_TO_SPACE) it is judged
against the other. GATHER and the refusals are in test_data_movement_gather.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tf_models
from op_harness import assert_verified

from tinygen.cli import main
from tinygen.compiler import compile_graph
from tinygen.frontend.tflite import parse_tflite
from tinygen.frontend.tflite_writer import write_tflite
from tinygen.ir import Graph, Op, Quantization, Tensor
from tinygen.lowering.movement import AxisMasks, strided_slice_axis

TFLM, TFLITE = "TFLite Micro", "TensorFlow Lite"


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _outputs(*fns: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """One model computing each of ``fns`` on the input, as its outputs."""
    return lambda x: [fn(x) for fn in fns]


def _reshaped(shape: tuple[int, ...], fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda x: fn(_tf().reshape(x, shape))


def _pieces(sizes: int | list[int], axis: int) -> Callable[[Any], Any]:
    # every piece through an operator of its own, so none is both SPLIT's and a graph output
    return lambda x: [_tf().nn.relu(t) if k % 2 else t * 1.5
                      for k, t in enumerate(_tf().split(x, sizes, axis=axis))]


def _stack(count: int, axis: int) -> Callable[[Any], Any]:
    return lambda x: _tf().stack([x * (0.5 + k) if k else x for k in range(count)], axis=axis)


def _flat(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``fn``'s outputs, lists of them flattened."""
    def run(x: Any) -> list[Any]:
        out: list[Any] = []
        for y in fn(x):
            out.extend(y if isinstance(y, list | tuple) else [y])
        return out
    return run


def _t(perm: list[int]) -> Callable[[Any], Any]:
    return lambda x: _tf().transpose(x, perm)


def _s(begin: list[int], size: list[int]) -> Callable[[Any], Any]:
    return lambda x: _tf().slice(x, begin, size)


def _m(pads: list[list[int]], mode: str) -> Callable[[Any], Any]:
    return lambda x: _tf().pad(x, pads, mode=mode)


#: name → (model function, input shape, {operator: how many}, C kernel, interpreter that
#: cannot run the model). Each model computes several forms of its operator, as outputs.
CASES: dict[str, tuple[Callable[[Any], Any], tuple[int, ...], dict[str, int], str,
                       str | None]] = {
    "transpose": (_outputs(_t([0, 3, 1, 2]), _t([0, 2, 1, 3]), _t([3, 2, 1, 0])),
                  (1, 4, 5, 3), {"TRANSPOSE": 3}, "strided_copy", None),
    "transpose_2d_3d": (_outputs(_t([1, 0]), _reshaped((2, 2, 6), _t([2, 0, 1]))),
                        (4, 6), {"TRANSPOSE": 2}, "strided_copy", None),
    "transpose_5d": (_outputs(_t([4, 1, 0, 3, 2]), _t([1, 0, 2, 4, 3])), (2, 3, 1, 2, 3),
                     {"TRANSPOSE": 2}, "strided_copy", None),
    "transpose_6d": (_t([5, 1, 0, 3, 2, 4]), (2, 3, 1, 2, 3, 2), {"TRANSPOSE": 1},
                     "strided_copy", TFLM),
    "slice": (_outputs(_s([0, 1, 2], [1, 2, -1]), _s([0, 1, 0], [1, 2, 6]),
                       _reshaped((4, 6), _s([1, 0], [2, 3]))),
              (1, 4, 6), {"SLICE": 3}, "strided_copy", None),
    "slice_5d": (_s([0, 1, 0, 1, 0], [1, 2, 3, 1, -1]), (1, 3, 4, 2, 3), {"SLICE": 1},
                 "strided_copy", None),
    "strided_slice": (_outputs(lambda x: x[:, 1:3, ::2], lambda x: x[:, ::-1, 7:0:-2],
                               lambda x: x[:, 2, 1:], lambda x: x[..., -2],
                               lambda x: x[:, -10:10, 1:100:3]),
                      (1, 4, 8), {"STRIDED_SLICE": 5}, "strided_copy", None),
    "strided_slice_2d": (_outputs(lambda x: x[1:, ::-2], lambda x: x[-1, 1:4],
                                  lambda x: x[:, _tf().newaxis, 1:3]),
                         (4, 5), {"STRIDED_SLICE": 3}, "strided_copy", None),
    "strided_slice_5d": (lambda x: x[:, 1:, ::-1, :, 1:2], (1, 3, 4, 2, 2),
                         {"STRIDED_SLICE": 1}, "strided_copy", TFLM),
    "space_to_depth": (_outputs(lambda x: _tf().nn.space_to_depth(x, 2),
                                lambda x: _tf().nn.space_to_depth(x, 3)),
                       (2, 6, 6, 2), {"SPACE_TO_DEPTH": 2}, "strided_copy", None),
    "depth_to_space": (_outputs(lambda x: _tf().nn.depth_to_space(x, 2),
                                lambda x: _tf().nn.depth_to_space(x, 3)),
                       (2, 2, 3, 36), {"DEPTH_TO_SPACE": 2}, "strided_copy", TFLITE),
    "split": (_flat(_outputs(_pieces(3, -1), _pieces(2, 0), _pieces([1, 3, 2], 2),
                             _pieces([1, -1], 1))),
              (2, 4, 6), {"SPLIT": 2, "SPLIT_V": 2}, "split", None),
    "unpack": (_flat(_outputs(lambda x: _tf().unstack(x, axis=1),
                              lambda x: _tf().unstack(x, axis=-1),
                              _reshaped((6, 4), lambda x: _tf().unstack(x, axis=0)))),
               (2, 3, 4), {"UNPACK": 3}, "split", None),
    "pack": (_outputs(_stack(2, 1), _stack(3, 0), _stack(2, -1)), (1, 4, 6), {"PACK": 3},
             "concatenation", None),
    "mirror_pad": (_outputs(_m([[0, 0], [1, 2], [2, 1]], "REFLECT"),
                            _m([[0, 0], [1, 2], [2, 1]], "SYMMETRIC")),
                   (1, 4, 6), {"MIRROR_PAD": 2}, "mirror_pad", None),
    "mirror_pad_widest_2d": (_outputs(_m([[3, 2], [4, 4]], "REFLECT"),
                                      _m([[4, 4], [5, 1]], "SYMMETRIC")),
                             (4, 5), {"MIRROR_PAD": 2}, "mirror_pad", None),
    "mirror_pad_4d_5d": (_outputs(_m([[0, 0], [2, 1], [1, 3], [0, 0]], "REFLECT"),
                                  _reshaped((1, 4, 2, 2, 3), _m(
                                      [[0, 0], [1, 1], [2, 1], [0, 2], [1, 0]], "SYMMETRIC"))),
                         (1, 4, 4, 3), {"MIRROR_PAD": 2}, "mirror_pad", None),
}


@cache
def _model(name: str) -> bytes:
    fn, shape, *_ = CASES[name]
    return bytes(tf_models.convert(fn, shape, seed=len(name)))


def assert_verified_by(data: bytes, path: Path, capsys: pytest.CaptureFixture[str],
                       missing: str | None) -> None:
    """Verified against both interpreters, or, if ``missing`` cannot run the model, against
    the other one, which ``tinygen verify`` then names."""
    if missing is None:
        assert_verified(data, path, capsys, runs=12, seed=3)
        return
    path.write_bytes(data)
    capsys.readouterr()
    assert main(["verify", str(path), "--runs", "12", "--seed", "3"]) == 0
    captured = capsys.readouterr()
    judge = TFLITE if missing == TFLM else TFLM
    assert f"every output byte equal to {judge}'s" in captured.out, captured.out
    assert f"{missing} cannot run this model" in captured.err, captured.err


@pytest.mark.parametrize("name", CASES)
def test_byte_exact_with_the_interpreters(name: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    data = _model(name)
    _, _, kinds, kernel, missing = CASES[name]
    graph = parse_tflite(data, name)
    found = [op.kind for op in graph.ops]
    assert {kind: found.count(kind) for kind in kinds} == kinds, found
    model = compile_graph(graph, "movement")
    assert f"tg_{kernel}_s8(&" in model.sources.sources["movement.c"]
    assert_verified_by(data, tmp_path / f"{name}.tflite", capsys, missing)


def test_depth_to_space_equals_tensorflow_lite_builtin_kernels() -> None:
    """TensorFlow Lite's reference kernels lack int8 DEPTH_TO_SPACE (version 2); its builtin
    kernels have it, and agree with tinygen's reference too."""
    from tinygen.lowering import lower_graph
    from tinygen.reference.interpreter import run_reference

    tf = _tf()
    data = _model("depth_to_space")
    graph = parse_tflite(data)
    interpreter = tf.lite.Interpreter(model_content=data)
    interpreter.allocate_tensors()
    x = np.random.default_rng(5).integers(-128, 128, (2, 2, 3, 36), dtype=np.int8)
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    values = run_reference(graph, lower_graph(graph), [x])
    for detail, t in zip(interpreter.get_output_details(), graph.outputs, strict=True):
        assert np.array_equal(values[t], interpreter.get_tensor(detail["index"]))


def _one_op_graph(kind: str, in_shape: tuple[int, ...], out_shape: tuple[int, ...],
                  constants: list[np.ndarray], **attrs: Any) -> Graph:
    q = Quantization(np.array([0.05], np.float32), np.array([3], np.int64))
    tensors = [Tensor("x", in_shape, "int8", q)]
    tensors += [Tensor(f"c{k}", c.shape, "int32", data=c) for k, c in enumerate(constants)]
    tensors.append(Tensor("y", out_shape, "int8", q))
    op = Op(kind, [0, *range(1, len(constants) + 1)], [len(tensors) - 1],
            {"version": 1, **attrs})
    return Graph(tensors, [op], [0], [len(tensors) - 1])


def test_strided_slice_axis_is_python_slicing() -> None:
    """TensorFlow Lite's start and count along an axis are Python's slice of range(size)
    (negative indices, clamping at both ends, negative strides, masks for None)."""
    rng = np.random.default_rng(7)
    for _ in range(3000):
        size = int(rng.integers(1, 9))
        begin, end = (int(v) for v in rng.integers(-12, 13, 2))
        stride = int(rng.choice([-3, -2, -1, 1, 2, 3]))
        begin_mask, end_mask = (bool(v) for v in rng.integers(0, 2, 2))
        masks = AxisMasks(begin_mask, end_mask, False)
        start, count = strided_slice_axis(size, begin, end, stride, masks, False)
        expected = range(size)[slice(None if begin_mask else begin,
                                     None if end_mask else end, stride)]
        assert count == len(expected), (size, begin, end, stride, masks)
        if count:
            assert start == expected[0]
        if -size <= begin < size:  # shrink: the element x[begin]
            shrunk = strided_slice_axis(size, begin, end, 1, AxisMasks(False, False, True),
                                        False)
            assert shrunk == (range(size)[begin], 1)


def test_strided_slice_offset_ends_count_from_the_begin(tmp_path: Path) -> None:
    """STRIDED_SLICE's ``offset`` option (end = begin + end), which TensorFlow Lite's kernel
    reads; TFLite Micro ignores it. No converted model sets it: C and reference against
    numpy on a hand-made graph."""
    from tinygen.reference.interpreter import run_reference
    from tinygen.verify.c_model import CModel

    consts = [np.array(v, np.int32) for v in ([0, 1, -4], [1, 2, 3], [1, 1, 1])]
    graph = _one_op_graph("STRIDED_SLICE", (1, 4, 6), (1, 2, 3), consts, offset=True)
    model = compile_graph(graph, "offset")
    x = np.arange(24, dtype=np.int8).reshape(1, 4, 6)
    expected = x[0:1, 1:3, 2:5]
    assert np.array_equal(CModel(model, tmp_path).invoke([x])[0], expected)
    assert np.array_equal(run_reference(model.graph, model.calls, [x])[model.graph.outputs[0]],
                          expected)


def test_a_view_of_the_whole_input_in_order_is_an_alias(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """TRANSPOSE moving only dimensions of 1, SLICE of everything: no code runs."""
    for kind, consts in (("TRANSPOSE", [np.array([0, 2, 1, 3], np.int32)]),
                         ("SLICE", [np.array([0, 0, 0, 0], np.int32),
                                    np.array([-1, 3, 1, -1], np.int32)])):
        out = (1, 1, 3, 5) if kind == "TRANSPOSE" else (1, 3, 1, 5)
        graph = _one_op_graph(kind, (1, 3, 1, 5), out, consts)
        model = compile_graph(graph, "view")
        assert [c.kernel for c in model.calls] == ["alias"], kind
        assert_verified(write_tflite(graph), tmp_path / f"{kind}.tflite", capsys)


@cache
def all_kernels_model() -> bytes:
    """TRANSPOSE, SPLIT, PACK, a reversing STRIDED_SLICE and MIRROR_PAD in one model."""
    tf = _tf()

    def fn(x: Any) -> Any:
        a, b = tf.split(tf.transpose(x, [0, 2, 1, 3]), 2, axis=1)
        y = tf.stack([a, tf.nn.relu(b)], axis=1)[:, :, ::-1]
        return tf.pad(y, [[0, 0], [0, 0], [1, 1], [1, 0], [0, 0]], mode="REFLECT")

    return bytes(tf_models.convert(fn, (1, 3, 4, 2)))


def test_library_builds_as_strict_c99_and_cxx(tmp_path: Path) -> None:
    from library_build import STRICT_C, STRICT_CXX, compile_objects

    from tinygen.package.folder import write_library

    model = compile_graph(parse_tflite(all_kernels_model()), "movement")
    source = model.sources.sources["movement.c"]
    for kernel in ("strided_copy", "split", "concatenation", "mirror_pad"):
        assert f"tg_{kernel}_s8(&" in source, kernel
    write_library(model, tmp_path / "lib")
    compile_objects(tmp_path / "lib", STRICT_C, tmp_path / "c")
    compile_objects(tmp_path / "lib", STRICT_CXX, tmp_path / "cxx")
