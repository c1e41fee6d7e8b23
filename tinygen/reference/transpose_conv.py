"""Reference int8 TRANSPOSE_CONV, scattering as TensorFlow Lite's reference kernel does."""

from __future__ import annotations

import numpy as np

from tinygen.lowering.transpose_conv import TransposeConvParams
from tinygen.reference.fixedpoint import multiply_by_quantized_multiplier, wrap_int32


def transpose_conv_s8(
    p: TransposeConvParams, x: np.ndarray, w: np.ndarray, bias: np.ndarray | None
) -> np.ndarray:
    """Each input pixel adds its products with every tap onto the output pixels the taps
    reach (an int32 sum per output element), then bias, per-channel requantization, clamp."""
    x = x.reshape(p.batches, p.in_h, p.in_w, p.in_c).astype(np.int64) + p.input_offset
    w = w.reshape(p.out_c, p.filter_h, p.filter_w, p.in_c).astype(np.int64)
    # Output canvas with room for every tap; the padding and what falls past the end is cut.
    full_h = max((p.in_h - 1) * p.stride_h + p.filter_h, p.pad_h + p.out_h)
    full_w = max((p.in_w - 1) * p.stride_w + p.filter_w, p.pad_w + p.out_w)
    acc = np.zeros((p.batches, full_h, full_w, p.out_c), np.int64)
    products = np.einsum("bhwi,oyxi->bhwyxo", x, w)  # batch, in_y, in_x, ky, kx, out_c
    rows = np.arange(p.in_h) * p.stride_h
    cols = np.arange(p.in_w) * p.stride_w
    for ky in range(p.filter_h):
        for kx in range(p.filter_w):
            acc[:, (rows + ky)[:, None], (cols + kx)[None, :], :] += products[:, :, :, ky, kx, :]
    acc = acc[:, p.pad_h : p.pad_h + p.out_h, p.pad_w : p.pad_w + p.out_w, :]
    acc = wrap_int32(acc)
    if bias is not None:
        acc = wrap_int32(acc + bias.astype(np.int64))
    out = multiply_by_quantized_multiplier(acc, p.multiplier.astype(np.int64), p.shift)
    return np.clip(out + p.output_offset, p.act_min, p.act_max).astype(np.int8)
