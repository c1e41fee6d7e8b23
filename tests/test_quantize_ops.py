"""``tinygen quantize`` on the operators beyond the CNN core, against TensorFlow's converter.

Small float models made with TensorFlow's converter, one per operator family (arithmetic and
activations, data movement, operators whose inputs share a scale, resizes and depth
moves, reductions, pads and gathers, a graph whose batch axis moves, PADV2 / PRELU /
ARG_MAX / ARG_MIN, TRANSPOSE_CONV / BATCH_MATMUL), are quantized by
tinygen and by TensorFlow's converter (its calibrator and MLIR quantizer, the same
calibration samples). Each is:

* TensorFlow's: the same operators on the same tensors (requantizes included), the same
  versions, scales, zero points and constants, except where TensorFlow's calibration
  records an in-place operator's output as its input's range (the computed inputs of
  ADD, SUB and MUL, and the tensors sharing their quantization);
* as faithful: on held-out samples, its dequantized outputs (all of them) are at most
  0.5 dB SQNR worse than TensorFlow's against the float model, and its index outputs
  (ARG_MAX's, ARG_MIN's, left int32 / int64) are those of TensorFlow's int8 model;
* valid: ``tinygen verify`` finds every output byte equal to TFLite Micro's and TensorFlow
  Lite's (TFLite Micro's alone where TensorFlow Lite cannot be the judge);
* calibrated right: the float kernels calibration runs give TensorFlow Lite's float
  outputs.

Then the refusals: what the pass still cannot quantize stops it with a sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from quantize_harness import (
    float_outputs,
    in_place_tainted,
    int8_outputs,
    measure,
    signatures,
    smooth_samples,
    tf_quantize_tflite,
)
from tf_models import convert

from tinygen.cli import main
from tinygen.compiler import compile_graph
from tinygen.errors import TinygenError
from tinygen.frontend.tflite import parse_tflite
from tinygen.ir import Graph, Tensor
from tinygen.lowering import lower_graph
from tinygen.passes.canonicalize import canonicalize
from tinygen.quantize import Quantized, QuantizeOptions, quantize_graph
from tinygen.quantize.calibrate import FloatRunner
from tinygen.verify.compare import verify
from tinygen.verify.inputs import random_inputs
from tinygen.verify.tflite_ref import TfliteReference
from tinygen.verify.truth import TFLITE, TFLM

TOLERANCE_DB = 0.5
SAMPLES = 48


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _const(shape: tuple[int, ...], seed: int, scale: float = 1.0) -> Any:
    data = np.random.default_rng(seed).normal(0.0, scale, shape).astype(np.float32)
    return _tf().constant(data)


def _arithmetic(x: Any) -> Any:
    """LOGISTIC, TANH, HARD_SWISH, MUL (fixed-scale inputs, broadcasting a 2-D activation
    against a 4-D one, a constant row, a fused ReLU), SUB."""
    tf = _tf()
    c = tf.nn.conv2d(x, _const((1, 1, 4, 4), 1, 0.6), 1, "SAME")
    gate = tf.sigmoid(c) * tf.tanh(x)
    swish = c * tf.nn.relu6(c + 3.0) / 6.0
    pooled = tf.reduce_mean(x, axis=[1, 2])  # (1, 4)
    return tf.nn.relu((gate - swish) * pooled * _const((4,), 2))


def _movement(x: Any) -> tuple[Any, ...]:
    """TRANSPOSE, STRIDED_SLICE (negative stride, masks, shrink), SLICE (size -1), SPLIT
    (negative axis), SPLIT_V, UNPACK, PACK (into 5-D too), CONCATENATION (negative axis)."""
    tf = _tf()
    c = tf.nn.conv2d(x, _const((1, 1, 4, 4), 3, 0.6), 1, "SAME")  # (1, 4, 6, 4)
    t = tf.transpose(c, [0, 2, 1, 3])  # (1, 6, 4, 4)
    strided = t[:, ::-2, 1:, :3]  # (1, 3, 3, 3)
    sliced = tf.slice(t, [0, 1, 0, 1], [-1, 3, 3, 3])  # (1, 3, 3, 3)
    parts = tf.split(strided, 3, axis=-1)  # 3 x (1, 3, 3, 1)
    first, last = tf.split(sliced, [2, -1], axis=1)  # (1, 2, 3, 3), (1, 1, 3, 3)
    rows = tf.unstack(first, axis=1)  # 2 x (1, 3, 3)
    packed = tf.stack([rows[0], rows[1], last[:, 0]], axis=-1)  # (1, 3, 3, 3)
    other = tf.nn.conv2d(x, _const((1, 1, 4, 4), 4, 0.6), 1, "SAME")
    five = tf.stack([other[..., :2], other[..., 2:]], axis=1)  # (1, 2, 4, 6, 2)
    return tf.concat([packed, *parts], axis=-1), five


def _shared(x: Any) -> tuple[Any, ...]:
    """CONCATENATION with a fixed-scale input (requantized), a constant, the graph input and
    an input another CONCATENATION shares (requantized for the earlier one); MINIMUM and
    MAXIMUM with constants (a clip)."""
    tf = _tf()
    dense = tf.matmul(x, _const((8, 8), 4, 0.5))
    first = tf.concat([tf.sigmoid(x), dense, _const((1, 4), 5, 2.0)], axis=1)
    second = tf.concat([dense, x], axis=-1)
    return first, tf.maximum(tf.minimum(second, 1.5), -1.0)


def _split_apart(x: Any) -> tuple[Any, ...]:
    """The pieces of one SPLIT claimed by two operators of different ranges: the pieces
    share the SPLIT's quantization, and one operator reads its piece requantized."""
    tf = _tf()
    c = tf.nn.conv2d(x, _const((1, 1, 4, 4), 10, 0.6), 1, "SAME")
    left, middle, right = tf.split(c, 3, axis=2)  # 3 x (1, 4, 2, 4)
    return tf.concat([left, middle * 3.0], axis=-1), tf.stack([middle, right], axis=1)


def _resize(x: Any) -> tuple[Any, ...]:
    """RESIZE_BILINEAR (half-pixel centers, align corners), RESIZE_NEAREST_NEIGHBOR
    (half-pixel centers, plain), SPACE_TO_DEPTH."""
    tf = _tf()
    c = tf.nn.conv2d(x, _const((1, 1, 4, 4), 6, 0.6), 1, "SAME")
    up = tf.nn.space_to_depth(tf.image.resize(c, (8, 8)), 2)
    near = tf.image.resize(x, (8, 8), method="nearest")
    corners = tf.compat.v1.image.resize_bilinear(c, (7, 7), align_corners=True)
    plain = tf.compat.v1.image.resize_nearest_neighbor(x, (6, 6))
    return up, near, corners, plain


def _more(x: Any) -> tuple[Any, ...]:
    """LEAKY_RELU, MIRROR_PAD (REFLECT, SYMMETRIC), GATHER, REDUCE_MAX, REDUCE_MIN,
    SQUARED_DIFFERENCE, SUM, L2_NORMALIZATION."""
    tf = _tf()
    c = tf.nn.conv2d(x, _const((1, 1, 4, 4), 9, 0.6), 1, "SAME")
    padded = tf.pad(tf.nn.leaky_relu(c, 0.2), [[0, 0], [1, 1], [2, 2], [0, 0]], mode="REFLECT")
    mirrored = tf.pad(x, [[0, 0], [0, 1], [1, 0], [0, 0]], mode="SYMMETRIC")  # (1, 5, 5, 4)
    peak = tf.reduce_max(tf.gather(padded, [3, 0, 5, 7], axis=2), axis=[1, 2])  # (1, 4)
    low = tf.reduce_min(mirrored, axis=-1, keepdims=True)  # (1, 5, 5, 1)
    energy = tf.reduce_sum(tf.math.squared_difference(x, c), axis=[1])  # (1, 4, 4)
    return peak, low, energy, tf.math.l2_normalize(c, axis=-1)


def _space_batch(x: Any) -> Any:
    """SPACE_TO_BATCH_ND (padding), a CONV_2D on its batch of 4, BATCH_TO_SPACE_ND (crops)."""
    tf = _tf()
    spread = tf.space_to_batch_nd(x, [2, 2], [[1, 1], [2, 0]])  # (4, 4, 4, 2)
    c = tf.nn.conv2d(spread, _const((3, 3, 2, 4), 11, 0.6), 1, "SAME")
    return tf.batch_to_space(c, [2, 2], [[0, 1], [1, 1]])  # (1, 7, 6, 4)


def _depth(x: Any) -> Any:
    """DEPTH_TO_SPACE, which TensorFlow Lite's reference kernels do not take in int8."""
    tf = _tf()
    return tf.nn.depth_to_space(tf.nn.conv2d(x, _const((1, 1, 8, 8), 8, 0.6), 1, "SAME"), 2)


def _pads_args(x: Any) -> tuple[Any, ...]:
    """PADV2 (its constant quantized with its input's parameters), PRELU (per-channel alphas,
    quantized per tensor), ARG_MAX (int32 indices) and ARG_MIN (int64, tf.argmin's
    default), whose outputs stay integers."""
    tf = _tf()
    c = tf.nn.conv2d(x, _const((1, 1, 4, 4), 12, 0.6), 1, "SAME")  # (1, 4, 4, 4)
    padded = tf.pad(c, [[0, 0], [1, 0], [0, 1], [0, 0]], constant_values=0.4)  # (1, 5, 5, 4)
    alpha = np.random.default_rng(13).uniform(-0.5, 0.5, (1, 1, 4)).astype(np.float32)
    prelu = tf.nn.relu(padded) + tf.constant(-alpha) * tf.nn.relu(-padded)
    return prelu, tf.argmax(c, axis=-1, output_type=tf.int32), tf.argmin(x, axis=2)


def _transpose_matmul(x: Any) -> tuple[Any, ...]:
    """TRANSPOSE_CONV (stride 2, SAME, a bias: per-channel weights and int32 bias) and
    BATCH_MATMUL of two operands computed at run time (one transposed: adj_y)."""
    tf = _tf()
    c = tf.nn.conv2d(x, _const((1, 1, 4, 4), 14, 0.6), 1, "SAME")  # (1, 4, 4, 4)
    up = tf.nn.conv2d_transpose(c, _const((3, 3, 3, 4), 15, 0.5), (1, 8, 8, 3), 2, "SAME")
    rows = tf.reshape(c, (1, 16, 4))
    other = tf.reshape(tf.nn.relu(x), (1, 16, 4))
    return up + _const((3,), 16, 0.3), tf.matmul(rows, other, transpose_b=True)


def _batch_axis(x: Any) -> Any:
    """A TRANSPOSE that moves the batch axis: calibration runs sample by sample."""
    tf = _tf()
    t = tf.transpose(x * _const((3,), 7), [2, 0, 1])  # (3, 1, 4)
    return tf.transpose(tf.concat([t, tf.tanh(t)], axis=0), [1, 2, 0])  # (1, 4, 6)


#: name → (float model function, input shape, calibration range, operators expected)
MODELS: dict[str, tuple[Callable[[Any], Any], tuple[int, ...], tuple[float, float], set[str]]] = {
    "arithmetic": (_arithmetic, (1, 6, 6, 4), (-2.0, 2.0),
                   {"LOGISTIC", "TANH", "HARD_SWISH", "MUL", "SUB"}),
    "movement": (_movement, (1, 4, 6, 4), (-1.0, 3.0),
                 {"TRANSPOSE", "STRIDED_SLICE", "SLICE", "SPLIT", "SPLIT_V", "UNPACK", "PACK",
                  "CONCATENATION"}),
    "shared": (_shared, (1, 8), (-2.0, 2.0),
               {"CONCATENATION", "LOGISTIC", "MINIMUM", "MAXIMUM", "QUANTIZE"}),
    "split_apart": (_split_apart, (1, 4, 6, 4), (-1.0, 1.0),
                    {"SPLIT", "CONCATENATION", "PACK", "QUANTIZE"}),
    "resize": (_resize, (1, 4, 4, 4), (-1.0, 1.0),
               {"RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR", "SPACE_TO_DEPTH"}),
    "batch_axis": (_batch_axis, (1, 4, 3), (-3.0, 3.0), {"TRANSPOSE", "CONCATENATION", "TANH"}),
    "more": (_more, (1, 4, 4, 4), (-1.0, 2.0),
             {"LEAKY_RELU", "MIRROR_PAD", "GATHER", "REDUCE_MAX", "REDUCE_MIN",
              "SQUARED_DIFFERENCE", "SUM", "L2_NORMALIZATION"}),
    "space_batch": (_space_batch, (1, 6, 6, 2), (-1.0, 1.0),
                    {"SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND"}),
    "depth": (_depth, (1, 3, 2, 8), (-1.0, 1.0), {"DEPTH_TO_SPACE"}),
    "pads_args": (_pads_args, (1, 4, 4, 4), (-1.0, 1.0), {"PADV2", "PRELU", "ARG_MAX", "ARG_MIN"}),
    "transpose_matmul": (_transpose_matmul, (1, 4, 4, 4), (-1.0, 1.0),
                         {"TRANSPOSE_CONV", "BATCH_MATMUL"}),
}
#: The models TensorFlow Lite's reference kernels run in int8 (not DEPTH_TO_SPACE).
BOTH_RUN = [name for name in MODELS if name != "depth"]


@cache
def _float_model(name: str) -> bytes:
    fn, shape, _, _ = MODELS[name]
    return convert(fn, shape, quantize="float")


def _samples(name: str, seed: int) -> np.ndarray:
    _, shape, (low, high), _ = MODELS[name]
    return smooth_samples(seed, SAMPLES, shape[1:], low, high)


@cache
def _tensorflows(name: str) -> bytes:
    return tf_quantize_tflite(_float_model(name), _samples(name, 0))


def _quantize(name: str, **options: Any) -> Quantized:
    """tinygen's quantization, with per-channel FULLY_CONNECTED weights as TensorFlow's."""
    graph = parse_tflite(_float_model(name))
    calibration = _samples(name, 0)
    shape = graph.tensors[graph.inputs[0]].shape
    return quantize_graph(graph, lambda _: [calibration.reshape(-1, *shape)],
                          QuantizeOptions(per_channel_fc=True, **options))


@cache
def _ours(name: str) -> Quantized:
    return _quantize(name)


# -- each family: TensorFlow's operators and parameters, as faithful, byte-exact -----------


@pytest.mark.parametrize("name", list(MODELS))
def test_calibration_runs_the_float_model_as_tensorflow_lite(name: str) -> None:
    """The numpy kernels and index maps calibration runs (samples stacked along the batch
    axis, or one by one where the batch axis moves) give TensorFlow Lite's float outputs."""
    data = _float_model(name)
    graph, _ = canonicalize(parse_tflite(data))
    samples = _samples(name, 1)[:16]
    shape = graph.tensors[graph.inputs[0]].shape
    values = FloatRunner(graph).run([samples.reshape(-1, *shape)])
    reference = TfliteReference(data)
    for i, x in enumerate(samples):
        expected = reference.invoke([x.reshape(shape)])
        for t, want in zip(graph.outputs, expected, strict=True):
            got = values[t][i].reshape(want.shape)
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5 * np.abs(want).max())


@pytest.mark.parametrize("name", list(MODELS))
def test_operators_quantized_as_tensorflow_does(name: str) -> None:
    """The same int8 graph as TensorFlow's converter's: the same operators (requantizes
    included) on the same tensors, the same versions, scales, zero points and constants."""
    ours, theirs = _ours(name).graph, parse_tflite(_tensorflows(name))
    assert MODELS[name][3] <= {op.kind for op in ours.ops}
    mine, other = signatures(ours), signatures(theirs)
    assert set(mine) == set(other), set(mine) ^ set(other)
    tainted = in_place_tainted(theirs)
    compared = 0
    for key, (a, i) in mine.items():
        b, j = other[key]
        if i is not None and j is not None:
            assert ours.ops[i].attrs["version"] == theirs.ops[j].attrs["version"], key[0]
        ta, tb = ours.tensors[a], theirs.tensors[b]
        if ta.dtype != "int8" or b in tainted:
            continue
        assert ta.quant is not None and tb.quant is not None and ta.shape == tb.shape
        np.testing.assert_allclose(ta.quant.scale, tb.quant.scale, rtol=1e-6, err_msg=ta.name)
        assert np.array_equal(ta.quant.zero_point, tb.quant.zero_point), ta.name
        if ta.data is not None:
            np.testing.assert_array_equal(ta.data, tb.data, err_msg=ta.name)
        compared += 1
    assert compared >= 4, compared


def test_split_pieces_claimed_apart() -> None:
    """A SPLIT's pieces keep its quantization when two operators of different ranges claim
    them: the earlier one reads its piece through a requantize (TensorFlow's choice here;
    in general it depends on the order TensorFlow's quantizer visits the operators in)."""
    ours, theirs = _ours("split_apart").graph, parse_tflite(_tensorflows("split_apart"))
    split = next(op for op in ours.ops if op.kind == "SPLIT")
    x = ours.tensors[split.inputs[1]].quant
    assert x is not None and all(x.same_as(ours.tensors[y].quant) for y in split.outputs)
    count = [sum(op.kind == "QUANTIZE" for op in g.ops) for g in (ours, theirs)]
    assert count[0] == count[1] == 1, count


@pytest.mark.parametrize("name", list(MODELS))
def test_as_faithful_as_tensorflow(name: str) -> None:
    """All outputs, on held-out samples, against the float model's."""
    held_out = _samples(name, 1)
    reference = float_outputs(_float_model(name), held_out)
    mine = measure(reference, int8_outputs(_ours(name).model, held_out))
    theirs = measure(reference, int8_outputs(_tensorflows(name), held_out))
    print(f"{name}: tinygen {mine.sqnr_db:.2f} dB, TensorFlow {theirs.sqnr_db:.2f} dB")
    assert mine.sqnr_db >= theirs.sqnr_db - TOLERANCE_DB, (mine, theirs)
    assert mine.sqnr_db > 20, mine
    # ARG_MAX's and ARG_MIN's indices: those of TensorFlow's int8 model
    ours = int8_outputs(_ours(name).model, held_out, indices=True)
    np.testing.assert_array_equal(ours, int8_outputs(_tensorflows(name), held_out, True))


def _assert_verified(model: bytes, runs: int = 12) -> None:
    """``tinygen verify``'s comparison, in this process: the generated C's every output byte
    equals TFLite Micro's and TensorFlow Lite's (TFLite Micro's alone where TensorFlow
    Lite's reference kernel is known wrong: int8 SUM; TensorFlow Lite's where TFLite Micro
    is: SPACE_TO_BATCH_ND pads with 0 instead of the zero point; TensorFlow Lite's alone
    where TFLite Micro cannot run the model: an int64 ARG_MIN)."""
    compiled = compile_graph(parse_tflite(model), "q")
    graph = parse_tflite(model)
    int64 = any(graph.tensors[t].dtype == "int64" for t in graph.outputs)
    failures = {TFLM: "TFLite Micro's ARG_MIN / ARG_MAX write int32 only"} if int64 else None
    result = verify(compiled, model, random_inputs(compiled.graph, runs, 0), failures=failures)
    assert sorted(result.missing) == ([TFLM] if int64 else []), result.missing
    kinds = {op.kind for op in graph.ops}  # as written, before any fusing
    if int64:  # an int64 ARG_MIN: TensorFlow Lite alone
        assert result.judge == TFLITE
    elif "SUM" in kinds:  # TensorFlow Lite's int8 SUM is wrong: TFLite Micro judges (up to
        # the last SUM, TensorFlow Lite after it where there is more)
        assert result.judge.startswith(TFLM) and result.tflite_wrong, result.judge
    elif "SPACE_TO_BATCH_ND" in kinds:  # TFLite Micro pads with 0, not the zero point
        assert result.judge == TFLITE
        assert result.parting is None or result.parting.kind == "SPACE_TO_BATCH_ND"
    else:
        assert result.judge == TFLITE and result.tflm_disagreements == 0
    detail = result.first_divergence.describe() if result.first_divergence else ""
    assert result.ok and result.runs >= runs, detail


@pytest.mark.parametrize("name", BOTH_RUN)
def test_byte_exact_with_tflite_micro(name: str) -> None:
    _assert_verified(_ours(name).model)


def test_depth_to_space_judged_by_tflite_micro(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """int8 DEPTH_TO_SPACE is version 2, as TensorFlow writes it; TensorFlow Lite's reference
    kernels do not register it, so ``tinygen verify`` judges it by TFLite Micro alone."""
    path = tmp_path / "depth.tflite"
    path.write_bytes(_ours("depth").model)
    capsys.readouterr()
    assert main(["verify", str(path), "--runs", "6"]) == 0
    captured = capsys.readouterr()
    assert "every output byte equal to TFLite Micro's" in captured.out, captured.out
    assert "TensorFlow Lite cannot run this model" in captured.err, captured.err


#: The int8 kernels each family's model must call (not a float fallback, not only copies).
KERNELS = {
    "arithmetic": {"mul_s8", "sub_s8", "lut_s8"},
    "movement": {"strided_copy_s8", "split_s8", "pack_s8", "concatenation_s8"},
    "shared": {"concatenation_s8", "maximum_s8", "minimum_s8", "requantize_s8", "lut_s8"},
    "split_apart": {"split_s8", "concatenation_s8", "pack_s8", "requantize_s8"},
    "resize": {"resize_bilinear_s8", "resize_nearest_s8", "strided_copy_s8"},
    "batch_axis": {"strided_copy_s8", "concatenation_s8", "requantize_s8"},
    "more": {"mirror_pad_s8", "gather_s8", "reduce_max_s8", "reduce_min_s8", "mean_s8",
             "squared_difference_s8", "l2_normalization_s8", "lut_s8"},
    "space_batch": {"conv2d_s8"},  # one dilated convolution (tinygen fuses the three)
    "depth": {"strided_copy_s8"},
    "pads_args": {"pad_s8", "prelu_s8", "arg_max_s8", "arg_min_s8"},
    "transpose_matmul": {"transpose_conv_s8", "batch_matmul_s8"},
}


@pytest.mark.parametrize("name", list(MODELS))
def test_kernels_called(name: str) -> None:
    called = {call.kernel for call in lower_graph(_ours(name).graph)}
    assert KERNELS[name] <= called, called


def test_float_io_with_requantizes() -> None:
    """Float inputs and outputs around a graph whose input takes another operator's scale
    (a CONCATENATION's, clipped by MINIMUM and MAXIMUM: the clip's)."""
    result = _quantize("shared", io="float")
    graph = result.graph
    assert graph.ops[0].kind == "QUANTIZE" and graph.ops[-1].kind == "DEQUANTIZE"
    assert graph.tensors[graph.inputs[0]].dtype == "float32"
    x = graph.ops[0].outputs[0]  # the int8 input
    clip = next(op for op in graph.ops if op.kind == "MAXIMUM")
    assert graph.tensors[x].quant.same_as(graph.tensors[clip.outputs[0]].quant)
    _assert_verified(result.model, runs=4)


# -- what still refuses ----------------------------------------------------------------


def _refused(graph: Graph) -> str:
    with pytest.raises(TinygenError) as info:
        quantize_graph(graph, lambda g: [np.zeros((2, *g.tensors[g.inputs[0]].shape[1:]),
                                                  np.float32)], QuantizeOptions())
    message = str(info.value)
    assert message.startswith("cannot quantize this model: "), message
    return message


def test_refusals() -> None:
    """What the pass refuses, each with its sentence: a fused activation CONCATENATION does
    not apply, STRIDED_SLICE's new-axis mask, an operator of constants only, a dilated
    convolution of a dynamic batch, PRELU's alpha, PADV2's value and TRANSPOSE_CONV's
    weights computed at run time, BATCH_MATMUL with a constant operand, and the operators
    the pass does not handle (EXP, DIV)."""
    graph = parse_tflite(_float_model("shared"))
    concat = next(i for i, op in enumerate(graph.ops) if op.kind == "CONCATENATION")
    graph.ops[concat].attrs["activation"] = "RELU"
    message = _refused(graph)
    assert f"operator {concat} (CONCATENATION) has the fused activation RELU" in message

    graph = parse_tflite(_float_model("movement"))
    strided = next(i for i, op in enumerate(graph.ops) if op.kind == "STRIDED_SLICE")
    graph.ops[strided].attrs["new_axis_mask"] = 2
    assert f"operator {strided} (STRIDED_SLICE) has the new_axis_mask 2" in _refused(graph)

    graph = parse_tflite(_float_model("arithmetic"))
    logistic = next(i for i, op in enumerate(graph.ops) if op.kind == "LOGISTIC")
    source = graph.tensors[graph.ops[logistic].inputs[0]]
    graph.tensors.append(Tensor("zeros", source.shape, "float32",
                                data=np.zeros(source.shape, np.float32)))
    graph.ops[logistic].inputs[0] = len(graph.tensors) - 1
    assert f"operator {logistic} (LOGISTIC) reads only constants" in _refused(graph)

    graph = parse_tflite(_float_model("pads_args"))
    prelu = next(i for i, op in enumerate(graph.ops) if op.kind == "PRELU")
    padv2 = next(i for i, op in enumerate(graph.ops) if op.kind == "PADV2")
    graph.ops[prelu].inputs[1] = graph.ops[prelu].inputs[0]
    graph.ops[padv2].inputs[2] = graph.ops[padv2].inputs[0]
    message = _refused(graph)
    assert f"operator {prelu} (PRELU) computes its alpha at run time" in message, message
    assert f"operator {padv2} (PADV2) computes its constant value at run time" in message

    graph = parse_tflite(_float_model("transpose_matmul"))
    matmul = next(i for i, op in enumerate(graph.ops) if op.kind == "BATCH_MATMUL")
    up = next(i for i, op in enumerate(graph.ops) if op.kind == "TRANSPOSE_CONV")
    right = graph.tensors[graph.ops[matmul].inputs[1]]
    graph.tensors.append(Tensor("rhs", right.shape, "float32",
                                data=np.ones(right.shape, np.float32)))
    graph.ops[matmul].inputs[1] = len(graph.tensors) - 1
    graph.ops[up].inputs[1] = graph.ops[up].inputs[2]
    message = _refused(graph)
    # (the indices are the canonical graph's: its RESHAPEs folded away)
    assert "(BATCH_MATMUL) has a constant operand" in message, message
    assert "(TRANSPOSE_CONV) computes its weights at run time" in message, message

    from quantize_harness import _float_tflite

    tf = _tf()
    layers = tf.keras.layers
    inp = layers.Input((12, 12, 2))
    dilated = tf.keras.Model(inp, layers.Conv2D(4, 3, dilation_rate=2, padding="same")(inp))
    message = _refused(parse_tflite(_float_tflite(dilated)))
    assert "(CONV_2D) reads a batch of 4 but stores an output batch of 1" in message
    assert "Input(shape, batch_size=1)" in message

    still = parse_tflite(convert(lambda x: tf.exp(x) / (1.0 + tf.abs(x)), (1, 8),
                                 quantize="float"))
    message = _refused(still)
    assert "operators the quantization pass does not handle: " in message, message
    assert "EXP (operator" in message and "DIV (operator" in message, message
