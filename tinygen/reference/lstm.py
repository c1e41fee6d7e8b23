"""numpy references of UNIDIRECTIONAL_SEQUENCE_LSTM (runtime_c/kernels/tg_lstm_s8.c and
tg_lstm_f32.c).

``lstm_s8`` is TFLite Micro's integer LSTM (8-bit activations and weights, 16-bit gates
and cell state) step by step: per gate two fully connected layers requantized to Q3.12
with the double-rounding multiplier, a saturating int16 add, TFLM's table-interpolated
int16 sigmoid / tanh, then the int16 cell and hidden updates. ``lstm_f32`` is the float
layer, summed in float64 and stored in float32 after every step.

Both take ``(params, input, 4 input weights, 4 recurrent weights, hidden, cell)`` (gate
order input, forget, cell, output) and return ``(output, new hidden, new cell)``.
"""

from __future__ import annotations

import numpy as np

from tinygen.lowering.lstm import LstmF32Params
from tinygen.lowering.lstm_params import LstmS8Params
from tinygen.reference.fixedpoint import multiply_by_quantized_multiplier, wrap_int32

#: TFLite's sigmoid interpolation table: 65536 * sigmoid(i / 24) for i in 0..255, as the
#: integer values its int16 LOGISTIC and TANH interpolate between (not plain roundings:
#: the values must be exactly these for bit-exact results).
SIGMOID_TABLE = np.array([
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149,
    40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369,
    47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169,
    53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302,
    62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536,
    63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786,
    64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
    65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
    65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
    65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522,
    65523, 65523, 65524, 65524, 65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528,
    65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531,
    65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
    65534, 65534, 65534, 65535,
], np.int64)

_I16 = (-32768, 32767)


def _wrap16(x: np.ndarray) -> np.ndarray:
    return ((x + 32768) & 0xFFFF) - 32768


def sigmoid_s16(x: np.ndarray) -> np.ndarray:
    """TFLM's int16 logistic of a Q3.12 value, in Q0.15 (input multiplier 3, no shift)."""
    v = np.asarray(x, np.int64) * 3
    a = np.abs(v)
    uh = a >> 9
    k = np.minimum(uh, 254)
    lo, hi = SIGMOID_TABLE[k], SIGMOID_TABLE[k + 1]
    r = np.where(uh >= 255, 0x7FFF << 10, (lo << 9) + (a & 0x1FF) * (hi - lo))
    r = np.where(v >= 0, r + (1 << 9), (1 << 25) - r + (1 << 9) - 1)
    return _wrap16((r & 0xFFFFFFFF) >> 10)


def tanh_s16(x: np.ndarray, multiplier: int, shift: int) -> np.ndarray:
    """TFLM's int16 tanh after the input rescale ``(x * multiplier + round) >> shift``."""
    rounding = (1 << (shift - 1)) if shift > 0 else 0
    v = wrap_int32(np.asarray(x, np.int64) * multiplier + rounding) >> shift
    a = np.abs(v)
    uh = a >> 8
    k = np.minimum(uh, 254)
    lo, hi = SIGMOID_TABLE[k], SIGMOID_TABLE[k + 1]
    r = np.where(uh >= 255, 0xFFFF << 8, (lo << 8) + (a & 0xFF) * (hi - lo))
    r = np.where(v >= 0, r - (1 << 23) + (1 << 7), -r + (1 << 23) + (1 << 7) - 1)
    return _wrap16(r >> 8)


def _fc16(w: np.ndarray, x: np.ndarray, bias: np.ndarray, mult: int, shift: int) -> np.ndarray:
    acc = wrap_int32(w @ x + bias)
    return np.clip(multiply_by_quantized_multiplier(acc, mult, shift), *_I16)


def _mul(a: np.ndarray, b: np.ndarray, mult: int, shift: int) -> np.ndarray:
    return multiply_by_quantized_multiplier(a * b, mult, shift)


def lstm_s8(p: LstmS8Params, x: np.ndarray, *rest: np.ndarray) -> tuple[np.ndarray, ...]:
    weights = [w.astype(np.int64).reshape(p.state_size, -1) for w in rest[:8]]
    s = p.state_size
    h = rest[8].astype(np.int64).reshape(p.batches, s).copy()
    c = rest[9].astype(np.int64).reshape(p.batches, s).copy()
    x = x.astype(np.int64).reshape(p.batches, p.time_steps, p.input_size)
    in_bias = p.in_bias.astype(np.int64).reshape(4, s)
    rec_bias = p.rec_bias.astype(np.int64).reshape(4, s)
    out = np.zeros((p.batches, p.time_steps, s), np.int8)
    for b in range(p.batches):
        for t in range(p.time_steps):
            pre = [
                np.clip(
                    _fc16(weights[g], x[b, t], in_bias[g], p.in_multiplier[g], p.in_shift[g])
                    + _fc16(weights[4 + g], h[b], rec_bias[g], p.rec_multiplier[g],
                            p.rec_shift[g]),
                    *_I16,
                )
                for g in range(4)
            ]
            i_gate, f_gate, o_gate = sigmoid_s16(pre[0]), sigmoid_s16(pre[1]), sigmoid_s16(pre[3])
            g_gate = tanh_s16(pre[2], 3, 0)
            cell = np.clip(_mul(f_gate, c[b], p.forget_multiplier, p.forget_shift), *_I16)
            update = np.clip(_mul(i_gate, g_gate, p.input_multiplier, p.input_shift), *_I16)
            cell = np.clip(cell + update, *_I16)
            if p.use_clip:
                cell = np.maximum(np.minimum(cell, p.cell_clip), -p.cell_clip)
            c[b] = cell
            squashed = tanh_s16(cell, p.tanh_multiplier, p.tanh_shift)
            hidden = _mul(squashed, o_gate, p.hidden_multiplier, p.hidden_shift)
            h[b] = np.clip(hidden + p.hidden_zero_point, -128, 127)
            out[b, t] = h[b]
    return out, h.astype(np.int8).reshape(rest[8].shape), c.astype(np.int16).reshape(rest[9].shape)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def lstm_f32(p: LstmF32Params, x: np.ndarray, *rest: np.ndarray) -> tuple[np.ndarray, ...]:
    s = p.state_size
    weights = [w.astype(np.float64).reshape(s, -1) for w in rest[:8]]
    h = rest[8].astype(np.float32).reshape(p.batches, s).copy()
    c = rest[9].astype(np.float32).reshape(p.batches, s).copy()
    x = x.astype(np.float64).reshape(p.batches, p.time_steps, p.input_size)
    bias = p.bias.astype(np.float64).reshape(4, s)
    clip = float(p.cell_clip)
    out = np.zeros((p.batches, p.time_steps, s), np.float32)
    for b in range(p.batches):
        for t in range(p.time_steps):
            hp = h[b].astype(np.float64)
            pre = [weights[g] @ x[b, t] + bias[g] + weights[4 + g] @ hp for g in range(4)]
            cell = _sigmoid(pre[1]) * c[b] + _sigmoid(pre[0]) * np.tanh(pre[2])
            if p.use_clip:
                cell = np.clip(cell, -clip, clip)
            c[b] = cell.astype(np.float32)
            h[b] = (np.tanh(c[b].astype(np.float64)) * _sigmoid(pre[3])).astype(np.float32)
            out[b, t] = h[b]
    return out, h.reshape(rest[8].shape), c.reshape(rest[9].shape)


LSTM_KERNELS = {"lstm_s8": lstm_s8, "lstm_f32": lstm_f32}
