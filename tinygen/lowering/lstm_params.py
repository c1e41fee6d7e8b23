"""The int8 UNIDIRECTIONAL_SEQUENCE_LSTM's parameters, prepared as TFLite Micro prepares them.

TFLM's integer LSTM (8-bit activations and weights, 16-bit cell state and gates) runs
each gate as two int8 fully connected layers rescaled to int16 at the fixed scale 2**-12
(Q3.12), adds them with int16 saturation and applies its int16 sigmoid (or tanh, for the
cell gate), whose output has the scale 2**-15. The cell and hidden updates are int16
elementwise multiplications, each requantized with its own multiplier. The numbers here
follow TFLM's preparation: float32 products of input and weight scales, double divisions,
``QuantizeMultiplier``, ``CheckedLog2`` of the cell scale, the truncated cell clip.

The kernels take the fully connected layers' zero-point terms folded into their biases:
``sum(w * (x - zp)) + b == sum(w * x) + (b - zp * sum(w))`` in wrapping int32 arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Graph, Op, Tensor
from tinygen.lowering.common import rescale
from tinygen.reference.fixedpoint import round_half_away, wrap_int32

#: Operator input slots (TensorFlow Lite's UNIDIRECTIONAL_SEQUENCE_LSTM layout).
INPUT = 0
INPUT_WEIGHTS = (1, 2, 3, 4)  # input-to-{input, forget, cell, output}
RECURRENT_WEIGHTS = (5, 6, 7, 8)  # recurrent-to-{input, forget, cell, output}
BIASES = (12, 13, 14, 15)
HIDDEN_STATE = 18
CELL_STATE = 19

#: The scale of a gate before its nonlinearity (Q3.12) and after it (Q0.15).
GATE_INPUT_SCALE = np.float32(2.0**-12)
GATE_OUTPUT_SCALE = np.float32(2.0**-15)
#: Beyond this left shift the cell state's tanh input overflows int32.
_MAX_TANH_SHIFT = 14


@dataclass(frozen=True)
class LstmShape:
    batches: int
    time_steps: int
    input_size: int
    state_size: int


@dataclass(frozen=True)
class LstmS8Params:
    batches: int
    time_steps: int
    input_size: int
    state_size: int
    # Per gate (input, forget, cell, output): the input and recurrent fully connected
    # layers' requantization to Q3.12.
    in_multiplier: tuple[int, ...]
    in_shift: tuple[int, ...]
    rec_multiplier: tuple[int, ...]
    rec_shift: tuple[int, ...]
    in_bias: np.ndarray  # int32 [4 * state_size]: bias - input zero point * weight sums
    rec_bias: np.ndarray  # int32 [4 * state_size]: - hidden zero point * weight sums
    forget_multiplier: int  # forget gate x cell state -> cell state
    forget_shift: int
    input_multiplier: int  # input gate x cell gate -> cell state
    input_shift: int
    hidden_multiplier: int  # output gate x tanh(cell) -> hidden state (int8)
    hidden_shift: int
    hidden_zero_point: int
    tanh_multiplier: int  # the cell state into TFLM's int16 tanh: (c * m + round) >> s
    tanh_shift: int
    use_clip: int  # 1: clip the cell state to [-cell_clip, cell_clip]
    cell_clip: int


def fail(index: int, message: str) -> TinygenError:
    return TinygenError(f"operator {index} (UNIDIRECTIONAL_SEQUENCE_LSTM): {message}")


def expect_dtype(index: int, t: Tensor, what: str, dtype: str) -> None:
    if t.dtype != dtype:
        raise fail(index, f"{what} {t.name!r} is {t.dtype}; the kernel takes {dtype}")


def _scale(index: int, t: Tensor, what: str, zero_point: bool = True) -> tuple[np.float32, int]:
    """The per-tensor scale and zero point of ``t`` (a zero point of 0 unless allowed)."""
    q = t.quant
    if q is None or q.scale.size == 0:
        raise fail(index, f"{what} {t.name!r} has no quantization parameters")
    if q.scale.size > 1:
        raise fail(index, f"{what} {t.name!r} is quantized per channel; TFLite Micro's LSTM "
                          "takes per-tensor scales")
    if not zero_point and q.zero_point0 != 0:
        raise fail(index, f"{what} {t.name!r} has the zero point {q.zero_point0}; the kernel "
                          "takes symmetric (zero point 0) values")
    return np.float32(q.scale0), int(q.zero_point0)


def _multiplier(index: int, op: Op, real: float, what: str) -> tuple[int, int]:
    return rescale(real, index, op, what)


def _log2(scale: np.float32) -> int:
    """TFLM's CheckedLog2 of a float: log(x) * (1 / log(2)) in float32, rounded."""
    with np.errstate(divide="ignore"):
        log2 = np.float32(np.log(scale)) * (np.float32(1.0) / np.float32(np.log(np.float32(2))))
    return round_half_away(float(log2))


def _tanh_input(index: int, cell_scale: np.float32) -> tuple[int, int]:
    """TFLM's int16 tanh input rescale for a cell state of scale 2**power."""
    power = _log2(cell_scale)
    left = 15 + power - 3
    if left < 0:
        return 3, -left
    if left > _MAX_TANH_SHIFT:
        raise fail(index, f"the cell state's scale {float(cell_scale):g} is too coarse for "
                          "TFLite Micro's int16 tanh")
    return 3 << left, 0


def _folded(w: np.ndarray, offset: int, bias: np.ndarray | None) -> np.ndarray:
    total = -offset * w.astype(np.int64).sum(axis=1)
    if bias is not None:
        total = total + bias.astype(np.int64)
    return total


def s8_params(graph: Graph, index: int, op: Op, shape: LstmShape) -> LstmS8Params:
    tensors = graph.tensors
    x, h, c = (tensors[op.inputs[k]] for k in (INPUT, HIDDEN_STATE, CELL_STATE))
    y = tensors[op.outputs[0]]
    expect_dtype(index, x, "the input", "int8")
    expect_dtype(index, h, "the hidden state", "int8")
    expect_dtype(index, c, "the cell state", "int16")
    expect_dtype(index, y, "the output", "int8")
    x_scale, x_zp = _scale(index, x, "the input")
    h_scale, h_zp = _scale(index, h, "the hidden state")
    c_scale, _ = _scale(index, c, "the cell state", zero_point=False)
    in_mult, in_shift, rec_mult, rec_shift = [], [], [], []
    in_bias, rec_bias = [], []
    for g in range(4):
        w = tensors[op.inputs[INPUT_WEIGHTS[g]]]
        r = tensors[op.inputs[RECURRENT_WEIGHTS[g]]]
        b = tensors[op.inputs[BIASES[g]]]
        expect_dtype(index, w, "the input weights", "int8")
        expect_dtype(index, r, "the recurrent weights", "int8")
        expect_dtype(index, b, "the bias", "int32")
        w_scale, _ = _scale(index, w, "the input weights", zero_point=False)
        r_scale, _ = _scale(index, r, "the recurrent weights", zero_point=False)
        # TFLM: float32 product of the scales, widened, divided in double.
        m, s = _multiplier(index, op, float(x_scale * w_scale) / float(GATE_INPUT_SCALE),
                           "input gate")
        in_mult.append(m)
        in_shift.append(s)
        m, s = _multiplier(index, op, float(h_scale * r_scale) / float(GATE_INPUT_SCALE),
                           "recurrent gate")
        rec_mult.append(m)
        rec_shift.append(s)
        in_bias.append(_folded(w.data, x_zp, b.data.reshape(-1)))
        rec_bias.append(_folded(r.data, h_zp, None))
    out_scale = float(GATE_OUTPUT_SCALE)
    forget = _multiplier(index, op, out_scale * float(c_scale) / float(c_scale), "forget")
    inp = _multiplier(index, op, out_scale * out_scale / float(c_scale), "cell update")
    hidden = _multiplier(index, op, out_scale * out_scale / float(h_scale), "hidden state")
    tanh_mult, tanh_shift = _tanh_input(index, c_scale)
    clip = float(np.float32(op.attrs.get("cell_clip", 0.0)))
    if not math.isfinite(clip):
        raise fail(index, f"the cell clip is {clip}")
    quantized_clip = int(min(max(clip / float(c_scale), -32768.0), 32767.0))  # truncates
    return LstmS8Params(
        batches=shape.batches,
        time_steps=shape.time_steps,
        input_size=shape.input_size,
        state_size=shape.state_size,
        in_multiplier=tuple(in_mult),
        in_shift=tuple(in_shift),
        rec_multiplier=tuple(rec_mult),
        rec_shift=tuple(rec_shift),
        in_bias=wrap_int32(np.concatenate(in_bias)).astype(np.int32),
        rec_bias=wrap_int32(np.concatenate(rec_bias)).astype(np.int32),
        forget_multiplier=forget[0],
        forget_shift=forget[1],
        input_multiplier=inp[0],
        input_shift=inp[1],
        hidden_multiplier=hidden[0],
        hidden_shift=hidden[1],
        hidden_zero_point=h_zp,
        tanh_multiplier=tanh_mult,
        tanh_shift=tanh_shift,
        use_clip=int(clip > 0),
        cell_clip=quantized_clip,
    )
