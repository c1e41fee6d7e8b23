"""Whole int8 models made with Keras and TensorFlow's converter, byte-exact with TFLite Micro
and TensorFlow Lite through ``tinygen verify``: MobileNetV2 0.35 at 96x96, a FOMO-style
detector on its stride-8 trunk, a Conv1D keyword model on 49x10 MFCC features, a
MobileNetV3-style block (hard-swish, squeeze-excite, residual) in three spellings, and an
encoder-decoder with Conv2DTranspose. Each test prints its arena and constant bytes.

The check is op_harness.assert_verified's, with the project's truth rule spelled out: every
output byte equal to TFLite Micro's and TensorFlow Lite's, except that where TFLite Micro
parts from TensorFlow Lite's reference kernels at a FULLY_CONNECTED (TFLM requantizes with
two roundings, TensorFlow Lite with one: off by one on a few values, the known difference
tests/test_shared_models.py allows too) every byte must equal TensorFlow Lite's."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import whole_models
from op_harness import BOTH

from tinygen.cli import main
from tinygen.compiler import CompiledModel, compile_graph
from tinygen.frontend.tflite import parse_tflite
from tinygen.ir import Graph
from tinygen.reference.interpreter import initial_state, run_reference
from tinygen.verify.c_model import CModel
from tinygen.verify.compare import verify
from tinygen.verify.inputs import random_inputs
from tinygen.verify.tflm import TflmModel

#: The C function each of these operators must be compiled to.
C_FUNCTIONS = {
    "HARD_SWISH": "tg_lut_s8",
    "LOGISTIC": "tg_lut_s8",
    "MUL": "tg_mul_s8",
    "MEAN": "tg_mean_s8",
    "SOFTMAX": "tg_softmax_s8",
    "TRANSPOSE_CONV": "tg_transpose_conv_s8",
    "CONCATENATION": "tg_concatenation_s8",
    "MAX_POOL_2D": "tg_max_pool_s8",
    "AVERAGE_POOL_2D": "tg_avg_pool_s8",
}


@dataclass(frozen=True)
class Case:
    build: Callable[..., bytes]  # float_model=True: the float32 conversion
    #: Operator kinds the converted model must hold, with how many of each at least.
    ops: dict[str, int]
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]


CASES: dict[str, Case] = {
    "mobilenet_v2": Case(
        whole_models.mobilenet_v2,
        {"CONV_2D": 35, "DEPTHWISE_CONV_2D": 17, "ADD": 10, "MEAN": 1, "FULLY_CONNECTED": 1,
         "SOFTMAX": 1},
        (1, 96, 96, 3), (1, 4)),
    "fomo": Case(
        whole_models.fomo,
        {"CONV_2D": 14, "DEPTHWISE_CONV_2D": 6, "ADD": 3, "SOFTMAX": 1},
        (1, 96, 96, 3), (1, 12, 12, 3)),
    "keyword": Case(
        whole_models.keyword,
        {"RESHAPE": 2, "CONV_2D": 3, "DEPTHWISE_CONV_2D": 1, "MAX_POOL_2D": 1,
         "AVERAGE_POOL_2D": 1, "FULLY_CONNECTED": 2, "SOFTMAX": 1},
        (1, 49, 10), (1, 4)),
    **{
        f"mobilenet_v3_{spelling}": Case(
            lambda spelling=spelling, **kw: whole_models.mobilenet_v3_block(spelling, **kw),
            {"HARD_SWISH": 2, "MEAN": 2, "CONV_2D": 4, "DEPTHWISE_CONV_2D": 1, "ADD": 1,
             "FULLY_CONNECTED": 1, "SOFTMAX": 1,
             **({"LOGISTIC": 1, "MUL": 1} if spelling == "sigmoid" else {"MUL": 2})},
            (1, 16, 16, 16), (1, 3))
        for spelling in whole_models.SPELLINGS
    },
    "encoder_decoder": Case(
        whole_models.encoder_decoder,
        {"CONV_2D": 3, "TRANSPOSE_CONV": 2, "CONCATENATION": 1, "RELU": 1},
        (1, 32, 32, 3), (1, 32, 32, 2)),
}


def _counts(graph: Graph) -> dict[str, int]:
    counts: dict[str, int] = {}
    for op in graph.ops:
        counts[op.kind] = counts.get(op.kind, 0) + 1
    return counts


RUNS, SEED = 4, 5


def _assert_verified(data: bytes, path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """``tinygen verify`` finds every output byte equal to the truth; what it said of TFLM."""
    path.write_bytes(data)
    capsys.readouterr()
    assert main(["verify", str(path), "--runs", str(RUNS), "--seed", str(SEED)]) == 0
    said = capsys.readouterr()
    if BOTH in said.out:
        return "TFLite Micro agrees with TensorFlow Lite"
    assert f"{RUNS + 3} runs, every output byte equal to TensorFlow Lite's" in said.out, said
    parting = [line for line in said.err.splitlines() if line.startswith("TFLite Micro disagrees")]
    assert len(parting) == 1, said.err
    assert re.search(r", first at operator \d+ \(FULLY_CONNECTED\),", parting[0]), parting[0]
    return parting[0]


def _compiled(name: str) -> tuple[bytes, Graph, CompiledModel]:
    data = CASES[name].build()
    graph = parse_tflite(data, name)
    return data, graph, compile_graph(parse_tflite(data, name), name)


def _check_structure(name: str, graph: Graph, model: CompiledModel) -> None:
    case = CASES[name]
    counts = _counts(graph)
    for kind, least in case.ops.items():
        assert counts.get(kind, 0) >= least, (kind, counts)
    assert [graph.tensors[t].shape for t in graph.inputs] == [case.input_shape]
    assert [graph.tensors[t].shape for t in graph.outputs] == [case.output_shape]
    assert all(graph.tensors[t].dtype == "int8" for t in graph.inputs + graph.outputs)
    functions = {op["kind"]: set() for op in model.report()["ops"]}
    for op in model.report()["ops"]:
        functions[op["kind"]].add(op["c_function"])
    source = model.sources.sources[f"{name}.c"]
    for kind, function in C_FUNCTIONS.items():
        if kind in counts:
            assert functions[kind] == {function}, (kind, functions[kind])
            assert f"{function}(&" in source


@pytest.mark.parametrize("name", CASES)
def test_byte_exact_with_both_interpreters(name: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data, graph, model = _compiled(name)
    _check_structure(name, graph, model)
    tflm = _assert_verified(data, tmp_path / f"{name}.tflite", capsys)
    with capsys.disabled():
        print(f"\n{name}: {len(graph.ops)} operators, arena {model.plan.arena_bytes} bytes, "
              f"constants {model.sources.constant_bytes} bytes, parameters "
              f"{model.sources.params_bytes} bytes; {tflm}")


def test_fomo_is_the_mobilenet_v2_trunk_cut_at_stride_8() -> None:
    """FOMO's operators before its head are MobileNetV2's first 22, weights and all."""
    fomo = parse_tflite(whole_models.fomo())
    full = parse_tflite(whole_models.mobilenet_v2())
    trunk = len(fomo.ops) - 2
    assert [op.kind for op in fomo.ops[trunk:]] == ["CONV_2D", "SOFTMAX"]
    assert [op.kind for op in fomo.ops[:trunk]] == [op.kind for op in full.ops[:trunk]]
    cut = fomo.tensors[fomo.ops[trunk - 1].outputs[0]]
    assert cut.shape == (1, 12, 12, 96)
    assert cut.shape == full.tensors[full.ops[trunk - 1].outputs[0]].shape
    for a, b in zip(fomo.ops[:trunk], full.ops[:trunk], strict=True):
        weights_a, weights_b = fomo.tensors[a.inputs[1]], full.tensors[b.inputs[1]]
        if weights_a.data is not None:
            assert weights_b.data is not None
            assert weights_a.data.tobytes() == weights_b.data.tobytes()
    assert fomo.ops[-1].attrs["beta"] == 1.0


def test_transpose_convolutions_with_and_without_bias() -> None:
    graph = parse_tflite(whole_models.encoder_decoder())
    tconvs = [op for op in graph.ops if op.kind == "TRANSPOSE_CONV"]
    assert sorted(len(op.inputs) for op in tconvs) == [3, 4]  # no bias, then a bias
    assert all(op.attrs["stride_h"] == op.attrs["stride_w"] == 2 for op in tconvs)
    assert {op.attrs["activation"] for op in tconvs} == {"NONE", "RELU"}


def test_libraries_build_as_strict_c99_and_cxx(tmp_path: Path) -> None:
    from library_build import STRICT_C, STRICT_CXX, compile_objects

    from tinygen.package.folder import write_library

    for name in ("mobilenet_v3_sigmoid", "encoder_decoder", "keyword"):
        write_library(_compiled(name)[2], tmp_path / name)
        compile_objects(tmp_path / name, STRICT_C, tmp_path / f"{name}_c")
        compile_objects(tmp_path / name, STRICT_CXX, tmp_path / f"{name}_cxx")


@pytest.mark.parametrize("name", CASES)
def test_float_within_tolerance_of_both_interpreters(name: str) -> None:
    """The same Keras model converted without quantization compiles to float32 kernels
    only, and every output stays within the float tolerance of TFLite Micro and
    TensorFlow Lite."""
    data = CASES[name].build(float_model=True)
    graph = parse_tflite(data, f"{name} float")
    assert all(graph.tensors[t].dtype == "float32" for t in graph.inputs + graph.outputs)
    model = compile_graph(graph, f"{name}_f32")
    assert all(c.kernel.endswith("_f32") or c.kernel in ("alias", "copy") for c in model.calls)
    result = verify(model, data, random_inputs(model.graph, RUNS, SEED))
    assert result.ok and result.floating, (
        result.first_divergence.describe() if result.first_divergence else "")


@pytest.mark.parametrize("float_model", [
    pytest.param(False, id="int8"),
    pytest.param(True, id="float32"),
])
def test_keras_lstm_keyword_model(float_model: bool) -> None:
    """A Keras LSTM keyword model compiles with its recurrent state beside the arena and
    verifies over several inferences in a row: int8 byte for byte with the spliced truth
    (TFLite Micro's LSTM, whose algorithm devices run, then TensorFlow Lite's Dense, not
    TFLM's double-rounding one: tinygen.verify.splice), float32 within the tolerance of
    both interpreters."""
    data = whole_models.lstm_keyword(float_model=float_model)
    graph = parse_tflite(data, "lstm keyword")
    assert _counts(graph).get("UNIDIRECTIONAL_SEQUENCE_LSTM") == 1
    model = compile_graph(graph, "lstm_kws")
    assert model.plan.state_bytes > 0
    result = verify(model, data, random_inputs(model.graph, RUNS, SEED))
    assert result.ok, result.first_divergence.describe() if result.first_divergence else ""
    assert result.floating == float_model
    if not float_model:
        assert result.judge == "TFLite Micro up to operator 0, then TensorFlow Lite"


def test_keras_lstm_keyword_model_int8_layers(tmp_path: Path) -> None:
    """The int8 model layer by layer, inferences in a row: the LSTM's whole output sequence
    equals TFLite Micro's every time, where the Dense after it differs only as TFLM's
    double rounding does from TensorFlow Lite's single one, and the C equals the
    reference."""
    data = whole_models.lstm_keyword()
    graph = parse_tflite(data, "lstm keyword")
    model = compile_graph(graph, "lstm_kws")
    lstm = next(op for op in model.graph.ops if op.kind == "UNIDIRECTIONAL_SEQUENCE_LSTM")
    tflm = TflmModel(data, 1)
    c = CModel(model, tmp_path)
    state = initial_state(model.graph)
    for inputs in random_inputs(model.graph, RUNS, SEED):
        values = run_reference(model.graph, model.calls, inputs, state)
        tflm.invoke(inputs)
        out = lstm.outputs[0]
        assert values[out].tobytes() == tflm.tensor(out).astype(np.int8).tobytes()
        final = values[model.graph.outputs[0]]
        assert c.invoke(inputs)[0].tobytes() == final.tobytes()
        assert np.abs(final.astype(int) - tflm.interpreter.get_output(0).astype(int)).max() <= 1
