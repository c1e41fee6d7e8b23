"""SVDF: the numpy reference against TFLite Micro and TensorFlow Lite over several invokes
in a row (the state carried between them), the C kernels against the reference, the
options and the variable flag through the writer and the reader, and the refusals.

int8 must be byte-exact, float32 within 1e-5 of the largest output magnitude. TensorFlow
Lite runs an int8 SVDF only with a RELU activation (which it then does not apply), so the
int8 cases without one are checked against TFLite Micro alone; TFLite Micro crashes on an
SVDF without bias, so those cases are checked against TensorFlow Lite alone.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from stateful_runs import tflite_runs, tflm_runs
from svdf_models import SvdfSpec, random_spec, random_steps, svdf_graph, svdf_model

from tinygen.errors import TinygenError
from tinygen.frontend.tflite import parse_tflite
from tinygen.frontend.tflite_writer import write_tflite
from tinygen.ir import Graph, Quantization
from tinygen.lowering.call import KernelCall
from tinygen.lowering.svdf import lower_svdf
from tinygen.reference.svdf import svdf_f32, svdf_s8
from tinygen.verify.cbuild import build_shared

REPO = Path(__file__).resolve().parent.parent
STEPS = 6
CASES = 6

_CDEF = """
typedef struct {
    int32_t batches, input_size, num_filters, num_units, rank, memory_size;
    int32_t input_offset;
    int32_t feature_multiplier, feature_shift;
    int32_t output_multiplier, output_shift;
    int32_t output_offset;
} tg_svdf_s8_params;
typedef struct {
    int32_t batches, input_size, num_filters, num_units, rank, memory_size;
    float act_min, act_max;
} tg_svdf_f32_params;
void tg_svdf_s8(const tg_svdf_s8_params *p, const int8_t *input, const int8_t *weights_feature,
                const int16_t *weights_time, const int32_t *bias, int16_t *state,
                int8_t *output);
void tg_svdf_f32(const tg_svdf_f32_params *p, const float *input, const float *weights_feature,
                 const float *weights_time, const float *bias, float *state, float *output);
"""


@pytest.fixture(scope="module")
def kernels(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    sources = [REPO / "runtime_c/kernels/tg_svdf_s8.c", REPO / "runtime_c/kernels/tg_svdf_f32.c"]
    includes = [REPO / "runtime_c/include", REPO / "runtime_c/tests"]
    return build_shared(sources, includes, _CDEF, workdir=tmp_path_factory.mktemp("svdf"))


def _lowered(data: bytes) -> tuple[Graph, KernelCall]:
    graph = parse_tflite(data)
    return graph, lower_svdf(graph, 0, graph.ops[0])


def _reference_steps(graph: Graph, call: KernelCall,
                     xs: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The reference's outputs and states, step by step, the state carried along."""
    fn = svdf_s8 if call.kernel == "svdf_s8" else svdf_f32
    consts = [None if t < 0 else graph.tensors[t].data for t in call.inputs[1:4]]
    tensor = graph.tensors[call.state[0]]
    state = np.zeros(tensor.shape, tensor.dtype)  # a symmetric state starts at 0
    outs, states = [], []
    for x in xs:
        out, state = fn(call.params, x, *consts, state)
        outs.append(out)
        states.append(state)
    return outs, states


def _c_steps(kernels: tuple[Any, Any], graph: Graph, call: KernelCall,
             xs: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The C kernel's outputs and states, step by step, on one state buffer."""
    ffi, lib = kernels

    def pointer(array: np.ndarray | None) -> Any:
        if array is None:
            return ffi.NULL
        c_type = "float" if array.dtype == np.float32 else f"{array.dtype}_t"
        return ffi.from_buffer(f"{c_type}[]", np.ascontiguousarray(array))

    name = f"tg_{call.kernel}"
    params = ffi.new(f"{name}_params *", dataclasses.asdict(call.params))
    consts = [pointer(graph.tensors[t].data if t >= 0 else None) for t in call.inputs[1:4]]
    tensor = graph.tensors[call.state[0]]
    state = np.zeros(tensor.shape, tensor.dtype)
    out_tensor = graph.tensors[call.outputs[0]]
    outs, states = [], []
    for x in xs:
        out = np.zeros(out_tensor.shape, out_tensor.dtype)
        getattr(lib, name)(params, pointer(x), *consts, pointer(state), pointer(out))
        outs.append(out)
        states.append(state.copy())
    return outs, states


def _assert_close(got: list[np.ndarray], want: list[np.ndarray], what: str) -> None:
    for step, (g, w) in enumerate(zip(got, want, strict=True)):
        g = g.reshape(w.shape)
        if w.dtype in (np.int8, np.int16):
            assert np.array_equal(g, w), f"{what}, step {step}: {g} != {w}"
        else:
            scale = max(float(np.abs(w).max()), 1e-30)
            assert float(np.abs(g - w).max()) <= 1e-5 * scale, f"{what}, step {step}"


def _check(spec: SvdfSpec, kernels: tuple[Any, Any], tflm: bool = True,
           tflite: bool = True) -> None:
    data = svdf_model(spec)
    graph, call = _lowered(data)
    xs = random_steps(spec, STEPS, spec.seed + 1)
    ref, ref_states = _reference_steps(graph, call, xs)
    if tflm:
        _assert_close(ref, tflm_runs(data, xs), f"{spec} vs TFLite Micro")
    if tflite:
        _assert_close(ref, tflite_runs(data, xs), f"{spec} vs TensorFlow Lite")
    c_out, c_states = _c_steps(kernels, graph, call, xs)
    _assert_close(c_out, ref, f"{spec}: C vs reference")
    _assert_close(c_states, ref_states, f"{spec}: C state vs reference")


def _specs(dtype: str, activations: tuple[str, ...], count: int, seed: int,
           bias: bool = True) -> list[SvdfSpec]:
    rng = np.random.default_rng(seed)
    return [random_spec(rng, dtype, activations[i % len(activations)], bias)
            for i in range(count)]


@pytest.mark.parametrize("spec", _specs("int8", ("RELU",), CASES, 11), ids=str)
def test_int8_byte_exact_with_both_interpreters(spec: SvdfSpec, kernels: Any) -> None:
    _check(spec, kernels)


@pytest.mark.parametrize("spec", _specs("int8", ("NONE",), 2, 12), ids=str)
def test_int8_without_activation_byte_exact_with_tflm(spec: SvdfSpec, kernels: Any) -> None:
    _check(spec, kernels, tflite=False)


@pytest.mark.parametrize("spec", _specs("float32", ("NONE", "RELU"), CASES, 13), ids=str)
def test_float_close_to_both_interpreters(spec: SvdfSpec, kernels: Any) -> None:
    _check(spec, kernels)


@pytest.mark.parametrize("spec", _specs("int8", ("RELU",), 1, 14, bias=False)
                         + _specs("float32", ("NONE", "RELU"), 2, 15, bias=False), ids=str)
def test_without_bias_matches_tflite(spec: SvdfSpec, kernels: Any) -> None:
    _check(spec, kernels, tflm=False)


def test_memory_of_one_step(kernels: Any) -> None:
    _check(SvdfSpec(2, 3, 2, 2, 1, "int8", "RELU", seed=7), kernels)
    _check(SvdfSpec(1, 1, 1, 1, 1, "float32", seed=8), kernels)


def test_options_and_variable_flag_round_trip() -> None:
    spec = SvdfSpec(1, 4, 3, 2, 5, "int8", "RELU", seed=3)
    graph = parse_tflite(svdf_model(spec))
    op = graph.ops[0]
    assert op.kind == "SVDF"
    assert (op.attrs["rank"], op.attrs["activation"]) == (3, "RELU")
    assert op.attrs["asymmetric_quantize_inputs"] is False
    state = graph.tensors[op.inputs[4]]
    assert state.variable and state.data is None and state.dtype == "int16"
    assert graph.state_tensors() == [op.inputs[4]]
    again = parse_tflite(write_tflite(graph))
    assert again.ops[0].attrs == op.attrs
    assert again.tensors[again.ops[0].inputs[4]].variable


def test_lowering_passes_state_and_bias() -> None:
    graph, call = _lowered(svdf_model(SvdfSpec(2, 4, 2, 3, 5, "int8", "RELU", seed=4)))
    op = graph.ops[0]
    assert call.kernel == "svdf_s8" and call.inputs == tuple(op.inputs)
    assert call.state == (op.inputs[4],) and call.outputs == (op.outputs[0],)
    p = call.params
    assert (p.batches, p.input_size, p.num_filters, p.num_units, p.rank, p.memory_size) == (
        2, 4, 6, 3, 2, 5)
    graph, call = _lowered(svdf_model(SvdfSpec(1, 4, 1, 3, 5, "float32", bias=False, seed=4)))
    assert call.kernel == "svdf_f32" and call.inputs[3] == -1


def _broken(change: str) -> Graph:
    graph = svdf_graph(SvdfSpec(1, 4, 2, 3, 5, "int8", "RELU", seed=5))
    op = graph.ops[0]
    if change == "state zero point":
        q = graph.tensors[op.inputs[4]].quant
        assert q is not None
        graph.tensors[op.inputs[4]].quant = Quantization(q.scale, np.array([3], np.int64))
    elif change == "not variable":
        graph.tensors[op.inputs[4]].variable = False
    elif change == "rank":
        op.attrs["rank"] = 4
    elif change == "hybrid":
        graph.tensors[op.inputs[0]].dtype = "float32"
        graph.tensors[op.outputs[0]].dtype = "float32"
    elif change == "int8 state":
        graph.tensors[op.inputs[2]].dtype = "int8"
    return graph


@pytest.mark.parametrize("change, message", [
    ("state zero point", "zero point 0"),
    ("not variable", "not a variable"),
    ("rank", "rank 4 does not divide"),
    ("hybrid", "hybrid"),
    ("int8 state", "int16 time weights"),
])
def test_refusals(change: str, message: str) -> None:
    graph = _broken(change)
    with pytest.raises(TinygenError, match=message):
        lower_svdf(graph, 0, graph.ops[0])


@pytest.mark.parametrize("spec", [
    SvdfSpec(2, 6, 2, 3, 4, "int8", "RELU", seed=21),
    SvdfSpec(1, 10, 1, 8, 10, "int8", "RELU", seed=22),
    SvdfSpec(2, 5, 3, 2, 6, "float32", "RELU", seed=23),
    SvdfSpec(1, 7, 2, 4, 3, "float32", "NONE", seed=24),
], ids=str)
def test_verify_end_to_end(spec: SvdfSpec) -> None:
    from tinygen.compiler import compile_graph
    from tinygen.verify.compare import verify
    from tinygen.verify.inputs import random_inputs

    data = svdf_model(spec)
    graph = parse_tflite(data)
    result = verify(compile_graph(graph, "svdf"), data, random_inputs(graph, 8, spec.seed))
    assert result.ok and result.runs >= 8 and result.tflm_disagreements == 0, result
