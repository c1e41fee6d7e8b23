"""UNIDIRECTIONAL_SEQUENCE_LSTM (tinygen/lowering/lstm.py, lstm_params.py, reference/lstm.py,
runtime_c/kernels/tg_lstm_s8.c, tg_lstm_f32.c).

Models come from tf_keras' LSTM through TensorFlow's converter (int8: full-integer with a
representative dataset, int16 cell state), some edited afterwards with TensorFlow's
flatbuffer tools (cell clip, cell-state scale). Several invocations run in a row so the
hidden and cell state carry over, as both interpreters keep them. The int8 reference and
C kernel must equal TFLite Micro byte for byte; float32 stays within 1e-5 of the largest
output magnitude of TFLite Micro and TensorFlow Lite's reference kernels.
"""

from __future__ import annotations

import ctypes
import dataclasses
import functools
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from stateful_runs import tflite_runs, tflm_runs

from tinygen.errors import TinygenError
from tinygen.frontend.tflite import parse_tflite
from tinygen.ir import Graph
from tinygen.lowering.call import KernelCall
from tinygen.lowering.lstm import lower_lstm
from tinygen.reference.lstm import LSTM_KERNELS, SIGMOID_TABLE
from tinygen.reference.lstm import lstm_s8 as lstm_s8_reference

REPO = Path(__file__).resolve().parent.parent
RUNS = 4  # invocations in a row, state carried over

#: (time steps, input size, state size, batch, seed)
SHAPES = [(6, 5, 4, 1, 1), (3, 7, 9, 2, 2)]


@functools.cache
def keras_lstm(time_steps: int, inputs: int, units: int, batch: int, seed: int,
               int8: bool) -> bytes:
    """A model that is one keras LSTM with return_sequences (its output is the LSTM's)."""
    import tensorflow as tf
    import tf_keras as keras

    keras.utils.set_random_seed(seed)
    x = keras.layers.Input((time_steps, inputs), batch_size=batch)
    model = keras.Model(x, keras.layers.LSTM(units, return_sequences=True)(x))
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if int8:
        def representative() -> Any:
            rng = np.random.default_rng(seed)
            for _ in range(16):
                yield [rng.uniform(-1, 1, (batch, time_steps, inputs)).astype(np.float32)]

        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return bytes(converter.convert())


def edited(model: bytes, cell_clip: float | None = None,
           cell_scale: float | None = None) -> bytes:
    """``model`` with its LSTM's cell clip and/or its cell state's scale replaced."""
    from tensorflow.lite.tools import flatbuffer_utils

    m = flatbuffer_utils.convert_bytearray_to_object(bytearray(model))
    op = m.subgraphs[0].operators[0]
    if cell_clip is not None:
        op.builtinOptions.cellClip = cell_clip
    if cell_scale is not None:
        m.subgraphs[0].tensors[op.inputs[19]].quantization.scale = [cell_scale]
    return bytes(flatbuffer_utils.convert_object_to_bytearray(m))


def lstm_call(model: bytes) -> tuple[Graph, KernelCall]:
    graph = parse_tflite(model)
    (index,) = [i for i, op in enumerate(graph.ops) if op.kind == "UNIDIRECTIONAL_SEQUENCE_LSTM"]
    return graph, lower_lstm(graph, index, graph.ops[index])


def random_inputs(graph: Graph, seed: int) -> list[np.ndarray]:
    x = graph.tensors[graph.inputs[0]]
    rng = np.random.default_rng(seed)
    if x.dtype == "int8":
        return [rng.integers(-128, 128, x.shape).astype(np.int8) for _ in range(RUNS)]
    return [rng.uniform(-1.5, 1.5, x.shape).astype(np.float32) for _ in range(RUNS)]


def initial_state(graph: Graph, call: KernelCall) -> list[np.ndarray]:
    """TFLM's reset: int8 variables hold their zero point, the others 0."""
    state = []
    for t in call.state:
        tensor = graph.tensors[t]
        fill = tensor.quant.zero_point0 if tensor.dtype == "int8" and tensor.quant else 0
        state.append(np.full(tensor.shape, fill, tensor.dtype))
    return state


def reference_runs(graph: Graph, call: KernelCall, xs: list[np.ndarray]) -> list[np.ndarray]:
    fn = LSTM_KERNELS[call.kernel]
    weights = [graph.tensors[t].data for t in call.inputs[1:9]]
    state = initial_state(graph, call)
    outs = []
    for x in xs:
        out, *state = fn(call.params, x, *weights, *state)
        outs.append(out)
    return outs


# --- the C kernels through ctypes ---------------------------------------------------------

_CTYPES = {"int8": ctypes.c_int8, "int16": ctypes.c_int16, "int32": ctypes.c_int32,
           "float32": ctypes.c_float}


@pytest.fixture(scope="module")
def kernels(tmp_path_factory: pytest.TempPathFactory) -> ctypes.CDLL:
    out = tmp_path_factory.mktemp("lstm") / "liblstm.so"
    sources = [REPO / "runtime_c/kernels/tg_lstm_s8.c", REPO / "runtime_c/kernels/tg_lstm_f32.c"]
    subprocess.run(
        ["gcc", "-std=c99", "-O1", "-Wall", "-Wextra", "-Werror", "-pedantic", "-shared",
         "-fPIC", f"-I{REPO / 'runtime_c/include'}", f"-I{REPO / 'runtime_c/tests'}",
         *map(str, sources), "-o", str(out), "-lm"],
        check=True,
    )
    return ctypes.CDLL(str(out))


def _struct(params: Any) -> tuple[ctypes.Structure, list[Any]]:
    """``params`` as its C struct (fields in the dataclass's order, as the header has them)."""
    fields, values, keep = [], [], []
    for f in dataclasses.fields(params):
        value = getattr(params, f.name)
        if isinstance(value, np.ndarray):
            array = np.ascontiguousarray(value)
            keep.append(array)
            fields.append((f.name, ctypes.POINTER(_CTYPES[str(array.dtype)])))
            values.append(array.ctypes.data_as(fields[-1][1]))
        elif isinstance(value, tuple):
            fields.append((f.name, ctypes.c_int32 * len(value)))
            values.append((ctypes.c_int32 * len(value))(*value))
        elif isinstance(value, np.float32):
            fields.append((f.name, ctypes.c_float))
            values.append(float(value))
        else:
            fields.append((f.name, ctypes.c_int32))
            values.append(int(value))
    struct_type = type("Params", (ctypes.Structure,), {"_fields_": fields})
    return struct_type(*values), keep


def c_runs(lib: ctypes.CDLL, graph: Graph, call: KernelCall,
           xs: list[np.ndarray]) -> list[np.ndarray]:
    struct, keep = _struct(call.params)
    weights = [np.ascontiguousarray(graph.tensors[t].data) for t in call.inputs[1:9]]
    state = initial_state(graph, call)
    out_t = graph.tensors[call.outputs[0]]
    outs = []
    for x in xs:
        out = np.zeros(out_t.shape, out_t.dtype)
        arrays = [np.ascontiguousarray(x), *weights, *state, out]
        getattr(lib, f"tg_{call.kernel}")(ctypes.byref(struct),
                                          *(a.ctypes.data_as(ctypes.c_void_p) for a in arrays))
        outs.append(out)
    del keep
    return outs


# --- int8 ---------------------------------------------------------------------------------

def _int8_models() -> list[tuple[str, bytes]]:
    models = []
    for shape in SHAPES:
        base = keras_lstm(*shape, int8=True)
        name = "x".join(map(str, shape[:4]))
        models.append((name, base))
        models.append((f"{name}-clip0.3", edited(base, cell_clip=0.3)))
    first = keras_lstm(*SHAPES[0], int8=True)
    models.append(("noclip", edited(first, cell_clip=0.0)))
    for power in (-11, -13, -8):  # the cell tanh's input shift both ways
        models.append((f"cell2^{power}", edited(first, cell_clip=3.0, cell_scale=2.0**power)))
    return models


@pytest.fixture(scope="module")
def int8_models() -> list[tuple[str, bytes]]:
    return _int8_models()


def test_int8_reference_and_c_match_tflm(int8_models: list[tuple[str, bytes]],
                                         kernels: ctypes.CDLL) -> None:
    for name, model in int8_models:
        graph, call = lstm_call(model)
        assert call.kernel == "lstm_s8"
        xs = random_inputs(graph, seed=len(name))
        truth = tflm_runs(model, xs)
        ref = reference_runs(graph, call, xs)
        c = c_runs(kernels, graph, call, xs)
        for run in range(RUNS):
            assert np.array_equal(ref[run], truth[run]), (name, run)
            assert np.array_equal(c[run], truth[run]), (name, run)
        # the outputs are not all flat
        assert any(np.ptp(o.astype(np.int32)) > 8 for o in truth), name


def test_int8_against_tflite(int8_models: list[tuple[str, bytes]]) -> None:
    """TensorFlow Lite's reference integer LSTM is another algorithm (its own sigmoid and
    tanh, other rescalings): it lands within one step of TFLM, and mostly on it."""
    differing = total = 0
    for name, model in int8_models[:4]:
        graph, call = lstm_call(model)
        xs = random_inputs(graph, seed=len(name))
        ref = reference_runs(graph, call, xs)
        for r, t in zip(ref, tflite_runs(model, xs), strict=True):
            assert np.abs(r.astype(np.int32) - t).max() <= 1, name
            differing += int((r != t).sum())
            total += r.size
    assert differing <= total // 10


# --- float32 ------------------------------------------------------------------------------

def _close(got: np.ndarray, want: np.ndarray) -> bool:
    return bool(np.abs(got - want).max() <= 1e-5 * max(np.abs(want).max(), 1e-30))


def test_float_reference_and_c(kernels: ctypes.CDLL) -> None:
    for shape in SHAPES:
        base = keras_lstm(*shape, int8=False)
        for model in (base, edited(base, cell_clip=0.2)):
            graph, call = lstm_call(model)
            assert call.kernel == "lstm_f32"
            xs = random_inputs(graph, seed=shape[-1])
            ref = reference_runs(graph, call, xs)
            c = c_runs(kernels, graph, call, xs)
            for truth in (tflm_runs(model, xs), tflite_runs(model, xs)):
                for run in range(RUNS):
                    assert _close(ref[run], truth[run]), (shape, run)
                    assert _close(c[run], truth[run]), (shape, run)


# --- the variants the kernels refuse ------------------------------------------------------

def _refused(model: bytes, edit: Any, words: str) -> None:
    graph = parse_tflite(model)
    op = graph.ops[0]
    edit(graph, op)
    with pytest.raises(TinygenError, match=r"operator 0 \(UNIDIRECTIONAL_SEQUENCE_LSTM\)") as e:
        lower_lstm(graph, 0, op)
    assert words in str(e.value)


def _set_input(k: int, value: int) -> Any:
    def edit(graph: Graph, op: Any) -> None:
        op.inputs = [*op.inputs[:k], value, *op.inputs[k + 1:]]
    return edit


@pytest.mark.parametrize("int8", [True, False])
def test_refused_variants(int8: bool) -> None:
    model = keras_lstm(*SHAPES[0], int8=int8)
    graph = parse_tflite(model)
    bias = graph.ops[0].inputs[13]
    _refused(model, _set_input(9, bias), "peephole")
    _refused(model, _set_input(16, graph.ops[0].inputs[5]), "projection")
    _refused(model, _set_input(20, bias), "layer norm")
    _refused(model, _set_input(1, -1), "coupled input gate")
    _refused(model, lambda g, op: op.attrs.update(time_major=True), "time-major")
    _refused(model, lambda g, op: op.attrs.update(activation="RELU"), "RELU")


def test_int8_refuses_per_channel_weights() -> None:
    model = keras_lstm(*SHAPES[0], int8=True)

    def per_channel(graph: Graph, op: Any) -> None:
        w = graph.tensors[op.inputs[2]]
        scales = np.full(w.shape[0], w.quant.scale0, np.float32)
        w.quant = dataclasses.replace(w.quant, scale=scales,
                                      zero_point=np.zeros(w.shape[0], np.int64))

    _refused(model, per_channel, "per channel")


def test_c_table_is_the_reference_table() -> None:
    text = (REPO / "runtime_c/kernels/tg_lstm_s8.c").read_text()
    body = text[text.index("tg_lstm_sigmoid_table[256] = {"):]
    body = body[body.index("{") + 1:body.index("}")]
    values = [int(v) for v in body.replace("\n", " ").split(",") if v.strip()]
    assert values == SIGMOID_TABLE.tolist()


def _random_s8_params(rng: np.random.Generator) -> Any:
    from tinygen.lowering.lstm_params import LstmS8Params

    batches, steps, n_in, n_state = (int(v) for v in rng.integers(1, 5, 4))
    n_in += 3 * int(rng.integers(0, 4))

    def mults(k: int) -> tuple[int, ...]:
        return tuple(int(v) for v in rng.integers(1 << 30, (1 << 31) - 1, k))

    def shifts(k: int, lo: int, hi: int) -> tuple[int, ...]:
        return tuple(int(v) for v in rng.integers(lo, hi, k))

    tanh_left = int(rng.integers(-5, 15))
    return LstmS8Params(
        batches=batches, time_steps=steps, input_size=n_in, state_size=n_state,
        in_multiplier=mults(4), in_shift=shifts(4, -8, 3),
        rec_multiplier=mults(4), rec_shift=shifts(4, -8, 3),
        in_bias=rng.integers(-40000, 40000, 4 * n_state).astype(np.int32),
        rec_bias=rng.integers(-40000, 40000, 4 * n_state).astype(np.int32),
        forget_multiplier=1 << 30, forget_shift=-14,
        input_multiplier=mults(1)[0], input_shift=int(rng.integers(-16, -10)),
        hidden_multiplier=mults(1)[0], hidden_shift=int(rng.integers(-24, -18)),
        hidden_zero_point=int(rng.integers(-30, 30)),
        tanh_multiplier=3 << max(tanh_left, 0), tanh_shift=max(-tanh_left, 0),
        use_clip=int(rng.integers(0, 2)), cell_clip=int(rng.integers(0, 32768)),
    )


def test_c_matches_reference_on_random_parameters(kernels: ctypes.CDLL) -> None:
    """Saturating gates, every tanh input shift, clipping: C and numpy stay bit-exact."""
    rng = np.random.default_rng(7)
    for _ in range(40):
        p = _random_s8_params(rng)
        s, n = p.state_size, p.input_size
        weights = [rng.integers(-128, 128, (s, n if k < 4 else s)).astype(np.int8)
                   for k in range(8)]
        hidden = rng.integers(-128, 128, (p.batches, s)).astype(np.int8)
        cell = rng.integers(-32768, 32768, (p.batches, s)).astype(np.int16)
        struct, keep = _struct(p)
        for _ in range(3):
            x = rng.integers(-128, 128, (p.batches, p.time_steps, n)).astype(np.int8)
            want, want_h, want_c = lstm_s8_reference(p, x, *weights, hidden, cell)
            out = np.zeros_like(want)
            arrays = [x, *weights, hidden, cell, out]
            kernels.tg_lstm_s8(ctypes.byref(struct),
                               *(a.ctypes.data_as(ctypes.c_void_p) for a in arrays))
            assert np.array_equal(out, want) and np.array_equal(hidden, want_h)
            assert np.array_equal(cell, want_c)
        del keep


# --- end to end, once the compiler knows the operator ---------------------------------------

@pytest.mark.parametrize("int8", [True, False], ids=["int8", "float32"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s[:4])))
def test_verify_end_to_end(shape: tuple[int, ...], int8: bool) -> None:
    from tinygen.compiler import compile_graph
    from tinygen.verify.compare import verify
    from tinygen.verify.inputs import random_inputs as verify_inputs

    data = keras_lstm(*shape, int8=int8)
    if int8:
        data = edited(data, cell_clip=0.5)
    graph = parse_tflite(data)
    result = verify(compile_graph(graph, "lstm"), data, verify_inputs(graph, 6, shape[-1]))
    assert result.ok and result.runs >= 6, result
    if int8:  # TFLite Micro is the truth for the integer LSTM, matched bit for bit
        assert result.judge == "TFLite Micro" and result.identical_runs == result.runs, result


@pytest.mark.parametrize("int8", [True, False], ids=["int8", "float32"])
def test_lstm_on_cortex_m4(int8: bool, tmp_path: Path) -> None:
    """The generated library on the emulated M4F, inputs in a row (the state carried):
    int8 byte for byte with the host build, float32 within the tolerance."""
    from tinygen.compiler import compile_graph
    from tinygen.frontend.tflite import parse_tflite
    from tinygen.target.cortex_m4 import run_model_on_m4
    from tinygen.verify.c_model import CModel
    from tinygen.verify.tolerance import same_values

    data = keras_lstm(*SHAPES[0][:4], seed=SHAPES[0][4], int8=int8)
    graph = parse_tflite(data, "lstm")
    model = compile_graph(graph, "lstm_m4")
    xs = [[x] for x in random_inputs(graph, 3)]
    run = run_model_on_m4(model, xs, tmp_path / "m4")
    host = CModel(model, tmp_path / "host")
    for x, got in zip(xs, run.outputs, strict=True):
        want = host.invoke(x)[0]
        got_array = np.asarray(got[0]).reshape(want.shape)
        if int8:
            assert got_array.tobytes() == want.tobytes()
        else:
            assert same_values(got_array, want)
