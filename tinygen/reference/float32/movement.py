"""numpy references of the float32 movement kernels.

Most of them run an int8 byte-moving kernel on the float tensors' bytes, with parameters
counting bytes (tinygen/lowering/float32/movement.py); their references view the float
arrays as int8 bytes (the innermost axis 4 times as long), run the int8 reference, and view
the result back as float32. PACK (whose new axis may fall between an element's bytes)
stacks the floats themselves, and ``pad_f32`` pads them with its float value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygen.lowering.concatenation import ConcatenationParams
from tinygen.lowering.float32.movement import PadF32Params
from tinygen.reference.concatenation import concatenation_s8
from tinygen.reference.movement import gather_s8, mirror_pad_s8, split_s8, strided_copy_s8
from tinygen.reference.pad import pad_s8
from tinygen.reference.space_batch import batch_to_space_nd_s8, space_to_batch_nd_s8


def as_bytes(x: np.ndarray) -> np.ndarray:
    """The bytes of float32 ``x`` as int8, its innermost axis 4 times as long."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    return (x.reshape(1) if x.ndim == 0 else x).view(np.int8)


def as_floats(b: np.ndarray) -> np.ndarray:
    """The float32 elements whose bytes ``b`` holds, in order (a flat array)."""
    return np.ascontiguousarray(b, dtype=np.int8).reshape(-1).view(np.float32)


def on_bytes(kernel: Callable[..., Any]) -> Callable[..., Any]:
    """``kernel`` (an int8 reference) run on the bytes of float32 inputs; int32 inputs (the
    indices of GATHER) and absent ones pass as they are."""

    def run(params: Any, *inputs: np.ndarray | None) -> np.ndarray | tuple[np.ndarray, ...]:
        args = [x if x is None or np.asarray(x).dtype != np.float32 else as_bytes(x)
                for x in inputs]
        result = kernel(params, *args)
        if isinstance(result, tuple):
            return tuple(as_floats(r) for r in result)
        return as_floats(result)

    run.__doc__ = f"{kernel.__name__} on the bytes of float32 tensors."
    return run


def pack_f32(p: ConcatenationParams, *inputs: np.ndarray) -> np.ndarray:
    return np.stack([np.asarray(x, dtype=np.float32) for x in inputs], axis=p.axis)


def pad_f32(p: PadF32Params, x: np.ndarray) -> np.ndarray:
    widths = [(b, o - i - b) for b, i, o in zip(p.before, p.in_shape, p.out_shape, strict=True)]
    return np.pad(np.asarray(x, dtype=np.float32).reshape(p.in_shape), widths,
                  constant_values=np.float32(p.pad_value))


MOVEMENT_KERNELS: dict[str, Callable[..., Any]] = {
    "strided_copy_f32": on_bytes(strided_copy_s8),
    "split_f32": on_bytes(split_s8),
    "concatenation_f32": on_bytes(concatenation_s8),
    "pack_f32": pack_f32,
    "gather_f32": on_bytes(gather_s8),
    "pad_bytes_f32": on_bytes(pad_s8),
    "pad_f32": pad_f32,
    "mirror_pad_f32": on_bytes(mirror_pad_s8),
    "space_to_batch_nd_f32": on_bytes(space_to_batch_nd_s8),
    "batch_to_space_nd_f32": on_bytes(batch_to_space_nd_s8),
}
