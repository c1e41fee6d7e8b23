"""Window geometry of convolutions and pooling: output sizes and padding, one dimension at a time.

TensorFlow Lite's rules (``ComputeOutSize`` and ``ComputePaddingHeightWidth``): SAME keeps
``ceil(size / stride)`` outputs and pads half the missing input before the first element,
the odd one after; VALID reads only whole windows. Both the passes (which recognise
converter patterns that amount to a window) and lowering (which turns a window into
kernel parameters) take their arithmetic from here.
"""

from __future__ import annotations


def effective_size(filt: int, dilation: int) -> int:
    """Input elements one dilated window spans."""
    return (filt - 1) * dilation + 1


def output_size(padding: str, size: int, filt: int, stride: int, dilation: int) -> int:
    if padding == "SAME":
        return (size + stride - 1) // stride
    return (size + stride - effective_size(filt, dilation)) // stride


def padding_before(stride: int, dilation: int, size: int, filt: int, out: int) -> int:
    """Padding before the first element (the odd extra one goes at the end)."""
    total = max((out - 1) * stride + effective_size(filt, dilation) - size, 0)
    return total // 2
