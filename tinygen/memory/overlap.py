"""How far an operator's output may overlap its input when the input dies there.

The windowed kernels (convolution, depthwise convolution, pooling) walk the
output pixels in raster order, and while computing output pixel p they read
only the input window of p and write only the bytes of p. Placing the input
``d`` bytes above the output, the write of output byte b lands on input byte
b - d; it is harmless once no pixel still to come reads that byte. The smallest
safe ``d`` is

    d = max over p of ((p + 1) · out_c − first input byte read by any pixel ≥ p)

and the two tensors then take max(out, d + in) bytes instead of out + in. The
bound treats the writes of pixel p as if they came before its reads, so the
order of channels inside a pixel does not matter.
"""

from __future__ import annotations

import numpy as np

from tinygen.lowering.call import KernelCall

#: The windowed kernels and the bytes of their elements (the float32 ones keep the same
#: raster-order contract, tg_kernels_f32.h).
WINDOWED = {
    "conv2d_s8": 1, "depthwise_conv2d_s8": 1, "avg_pool_s8": 1, "max_pool_s8": 1,
    "conv2d_f32": 4, "depthwise_conv2d_f32": 4, "avg_pool_f32": 4, "max_pool_f32": 4,
}
_NONE = np.iinfo(np.int64).max


#: Output pixels beyond which no overlap is computed (the search takes memory per pixel);
#: such operators keep their input and output apart, which is always safe.
MAX_PIXELS = 1 << 20


def _first_reads(out_n: int, in_n: int, stride: int, pad: int, dilation: int, taps: int):
    """First input coordinate each output coordinate reads (``_NONE`` if it reads none)."""
    start = np.arange(out_n, dtype=np.int64) * stride - pad
    # the first tap k with start + k * dilation >= 0, then whether it lies in the input
    k = np.where(start >= 0, 0, (-start + dilation - 1) // dilation)
    first = start + k * dilation
    return np.where((k < taps) & (first < in_n), first, _NONE)


def overlap_shift(call: KernelCall) -> int | None:
    """Smallest safe distance from the output's start up to the input's, or None if unknown."""
    if call.kernel not in WINDOWED:
        return None
    p = call.params
    if p.batches * p.out_h * p.out_w > MAX_PIXELS:
        return None
    if call.kernel.startswith(("avg", "max")):
        in_c = out_c = p.channels
        dil_h = dil_w = 1
    else:
        in_c, out_c, dil_h, dil_w = p.in_c, p.out_c, p.dilation_h, p.dilation_w
    rows = _first_reads(p.out_h, p.in_h, p.stride_h, p.pad_h, dil_h, p.filter_h)
    cols = _first_reads(p.out_w, p.in_w, p.stride_w, p.pad_w, dil_w, p.filter_w)
    batch = np.arange(p.batches, dtype=np.int64)[:, None, None]
    valid = (rows[None, :, None] != _NONE) & (cols[None, None, :] != _NONE)
    pixel = (batch * p.in_h + np.where(rows == _NONE, 0, rows)[None, :, None]) * p.in_w
    pixel = pixel + np.where(cols == _NONE, 0, cols)[None, None, :]
    first_byte = np.where(valid, pixel * in_c, _NONE).reshape(-1)
    suffix_min = np.minimum.accumulate(first_byte[::-1])[::-1]
    ends = (np.arange(first_byte.size, dtype=np.int64) + 1) * out_c
    reading = suffix_min != _NONE
    if not reading.any():
        return 0
    return max(int(np.max(ends[reading] - suffix_min[reading])), 0) * WINDOWED[call.kernel]
