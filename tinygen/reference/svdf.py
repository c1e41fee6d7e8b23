"""numpy references of SVDF (tg_recurrent_svdf.h): int8 with an int16 state, and float32.

Each takes the state's current value and returns ``(output, new state)``. The state is
[batches, num_filters * memory_size], each filter's history oldest first; a step ages it by
one and writes the newest feature activation last, as TFLite Micro's kernel leaves it.
"""

from __future__ import annotations

import numpy as np

from tinygen.lowering.svdf import SvdfF32Params, SvdfS8Params, SvdfShape
from tinygen.reference.fixedpoint import multiply_by_quantized_multiplier, wrap_int32


def _aged(p: SvdfShape, state: np.ndarray) -> np.ndarray:
    """The state after the one-step shift, [batches, num_filters, memory_size] (the newest
    slot still holds what moved in; the caller overwrites it)."""
    flat = state.reshape(-1)
    aged = np.concatenate([flat[1:], flat[-1:]])
    return aged.reshape(p.batches, p.num_filters, p.memory_size)


def svdf_s8(
    p: SvdfS8Params, x: np.ndarray, weights_feature: np.ndarray, weights_time: np.ndarray,
    bias: np.ndarray | None, state: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    history = _aged(p, state).astype(np.int64)
    x64 = x.reshape(p.batches, p.input_size).astype(np.int64) + p.input_offset
    wf = weights_feature.reshape(p.num_filters, p.input_size).astype(np.int64)
    feature = multiply_by_quantized_multiplier(
        wrap_int32(x64 @ wf.T), p.feature_multiplier, p.feature_shift
    )
    history[:, :, -1] = np.clip(feature, -(1 << 15), (1 << 15) - 1)
    wt = weights_time.reshape(p.num_filters, p.memory_size).astype(np.int64)
    per_filter = (history * wt[None]).sum(axis=2)  # exact in int64, wrapped below
    total = per_filter.reshape(p.batches, p.num_units, p.rank).sum(axis=2)
    if bias is not None:
        total = total + bias.reshape(1, p.num_units).astype(np.int64)
    out = multiply_by_quantized_multiplier(wrap_int32(total), p.output_multiplier,
                                           p.output_shift)
    out = np.clip(out + p.output_offset, -128, 127).astype(np.int8)
    return out, history.astype(np.int16).reshape(state.shape)


def svdf_f32(
    p: SvdfF32Params, x: np.ndarray, weights_feature: np.ndarray, weights_time: np.ndarray,
    bias: np.ndarray | None, state: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Sums in float64; the state keeps float32 values, as the C kernel stores them."""
    history = _aged(p, state.astype(np.float32)).astype(np.float64)
    x64 = x.reshape(p.batches, p.input_size).astype(np.float64)
    wf = weights_feature.reshape(p.num_filters, p.input_size).astype(np.float64)
    history[:, :, -1] = (x64 @ wf.T).astype(np.float32)
    wt = weights_time.reshape(p.num_filters, p.memory_size).astype(np.float64)
    total = (history * wt[None]).sum(axis=2).reshape(p.batches, p.num_units, p.rank).sum(axis=2)
    if bias is not None:
        total = total + bias.reshape(1, p.num_units).astype(np.float64)
    total = np.minimum(np.maximum(total, np.float64(p.act_min)), np.float64(p.act_max))
    return total.astype(np.float32), history.astype(np.float32).reshape(state.shape)
