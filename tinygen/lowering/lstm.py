"""Lowering of UNIDIRECTIONAL_SEQUENCE_LSTM, the fused LSTM layer TFLite Micro runs.

The layer tf_keras' LSTM converts to: four gates (input, forget, cell, output), each the
sum of a fully connected layer on the step's input and one on the previous hidden state;
no peephole, projection, layer norm or coupled input gate. The hidden and cell state are
variable tensors the kernel updates in place; every step's hidden state is also the
step's output row. ``lower_lstm`` dispatches on the input's type: int8 (TFLM's integer
LSTM, int16 cell state, :mod:`tinygen.lowering.lstm_params`) or float32.

Kernel inputs, in order: the input, the four input weights and the four recurrent
weights (gate order input, forget, cell, output), the hidden state, the cell state. The
biases travel in the parameters (int8: folded with the zero points).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.ir import NO_TENSOR, Graph, Op
from tinygen.lowering.call import KernelCall
from tinygen.lowering.lstm_params import (
    BIASES,
    CELL_STATE,
    HIDDEN_STATE,
    INPUT,
    INPUT_WEIGHTS,
    RECURRENT_WEIGHTS,
    LstmShape,
    expect_dtype,
    fail,
    s8_params,
)

_PEEPHOLE = (9, 10, 11)
_PROJECTION = (16, 17)
_LAYER_NORM = (20, 21, 22, 23)


@dataclass(frozen=True)
class LstmF32Params:
    batches: int
    time_steps: int
    input_size: int
    state_size: int
    use_clip: int  # 1: clip the cell state to [-cell_clip, cell_clip] (cell_clip > 0)
    cell_clip: np.float32
    bias: np.ndarray  # float32 [4 * state_size], gate order input, forget, cell, output


def slot(op: Op, k: int) -> int:
    """The tensor at input slot ``k`` (NO_TENSOR where the operator lists fewer)."""
    return op.inputs[k] if k < len(op.inputs) else NO_TENSOR


def _check_variant(index: int, op: Op) -> None:
    """Refuse the LSTM variants TFLM's kernel does not run."""
    if not 20 <= len(op.inputs) <= 24 or len(op.outputs) != 1:
        raise fail(index, f"has {len(op.inputs)} inputs and {len(op.outputs)} outputs; "
                          "the kernel takes 24 inputs (20 without layer norm) and 1 output")
    absent = {"peephole": _PEEPHOLE, "projection": _PROJECTION, "layer norm": _LAYER_NORM}
    for what, slots in absent.items():
        if any(slot(op, k) != NO_TENSOR for k in slots):
            raise fail(index, f"{what} weights are not supported (TFLite Micro's LSTM runs "
                              "the plain keras LSTM only)")
    missing = [k for k in (INPUT, *INPUT_WEIGHTS, *RECURRENT_WEIGHTS, *BIASES, HIDDEN_STATE,
                           CELL_STATE) if slot(op, k) == NO_TENSOR]
    if missing:
        what = "a coupled input gate (CIFG)" if 1 in missing or 5 in missing else "inputs"
        raise fail(index, f"{what} is not supported: input slots {missing} are empty")
    attrs = op.attrs
    if "time_major" not in attrs:
        raise fail(index, "its options were not read")
    if attrs["time_major"]:
        raise fail(index, "time-major input is not supported; convert with batch-major input")
    if attrs.get("diagonal_recurrent_tensors"):
        raise fail(index, "diagonal recurrent weights are not supported")
    if attrs.get("activation", "TANH") != "TANH":
        raise fail(index, f"the cell activation {attrs.get('activation')} is not supported; "
                          "TFLite Micro runs TANH")


def lstm_shape(graph: Graph, index: int, op: Op) -> LstmShape:
    """Check the variant and every tensor's shape; the layer's sizes."""
    _check_variant(index, op)
    x = graph.tensors[op.inputs[INPUT]]
    if len(x.shape) != 3:
        raise fail(index, f"the input must be 3-D [batch, time, features], has {list(x.shape)}")
    batches, time_steps, input_size = x.shape
    hidden = graph.tensors[op.inputs[HIDDEN_STATE]]
    if len(hidden.shape) < 1 or hidden.shape[-1] <= 0:
        raise fail(index, f"the hidden state has the shape {list(hidden.shape)}")
    state_size = hidden.shape[-1]
    shape = LstmShape(batches, time_steps, input_size, state_size)
    for k in INPUT_WEIGHTS + RECURRENT_WEIGHTS:
        want = (state_size, input_size if k in INPUT_WEIGHTS else state_size)
        w = graph.tensors[op.inputs[k]]
        if tuple(w.shape) != want or not w.is_constant:
            raise fail(index, f"input {k} must be constant weights of shape {list(want)}, "
                              f"has {list(w.shape)}")
    for k in BIASES:
        b = graph.tensors[op.inputs[k]]
        if tuple(b.shape) != (state_size,) or not b.is_constant:
            raise fail(index, f"input {k} must be a constant bias of {state_size} values")
    for k, what in ((HIDDEN_STATE, "hidden"), (CELL_STATE, "cell")):
        t = graph.tensors[op.inputs[k]]
        if not t.variable or t.is_constant:
            raise fail(index, f"the {what} state (input {k}) must be a variable tensor")
        if t.size != batches * state_size:
            raise fail(index, f"the {what} state holds {t.size} values, not "
                              f"{batches} x {state_size}")
    y = graph.tensors[op.outputs[0]]
    if tuple(y.shape) != (batches, time_steps, state_size):
        raise fail(index, f"the output must have the shape {[batches, time_steps, state_size]}, "
                          f"has {list(y.shape)}")
    return shape


def kernel_inputs(op: Op) -> tuple[int, ...]:
    return (op.inputs[INPUT], *(op.inputs[k] for k in INPUT_WEIGHTS),
            *(op.inputs[k] for k in RECURRENT_WEIGHTS), op.inputs[HIDDEN_STATE],
            op.inputs[CELL_STATE])


def lower_lstm_f32(graph: Graph, index: int, op: Op) -> KernelCall:
    shape = lstm_shape(graph, index, op)
    for k in (INPUT, *INPUT_WEIGHTS, *RECURRENT_WEIGHTS, *BIASES, HIDDEN_STATE, CELL_STATE):
        expect_dtype(index, graph.tensors[op.inputs[k]], f"input {k}", "float32")
    expect_dtype(index, graph.tensors[op.outputs[0]], "the output", "float32")
    clip = np.float32(op.attrs.get("cell_clip", 0.0))
    bias = np.concatenate([graph.tensors[op.inputs[k]].data.reshape(-1) for k in BIASES])
    params = LstmF32Params(
        batches=shape.batches,
        time_steps=shape.time_steps,
        input_size=shape.input_size,
        state_size=shape.state_size,
        use_clip=int(clip > 0),
        cell_clip=clip,
        bias=bias.astype(np.float32),
    )
    state = (op.inputs[HIDDEN_STATE], op.inputs[CELL_STATE])
    return KernelCall("lstm_f32", kernel_inputs(op), (op.outputs[0],), params, state=state)


def lower_lstm(graph: Graph, index: int, op: Op) -> KernelCall:
    """int8 (TFLM's 8x8->16 integer LSTM) or float32, by the input's type."""
    dtype = graph.tensors[op.inputs[INPUT]].dtype
    if dtype == "float32":
        return lower_lstm_f32(graph, index, op)
    if dtype == "int8":
        shape = lstm_shape(graph, index, op)
        params = s8_params(graph, index, op, shape)
        state = (op.inputs[HIDDEN_STATE], op.inputs[CELL_STATE])
        return KernelCall("lstm_s8", kernel_inputs(op), (op.outputs[0],), params, state=state)
    raise fail(index, f"the input is {dtype}; the kernels take int8 or float32")
