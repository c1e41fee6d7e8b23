"""numpy references of the float32 C kernels, by the lowered kernel's name."""

from __future__ import annotations

from tinygen.reference.float32.core import CORE_KERNELS
from tinygen.reference.float32.elementwise import ELEMENTWISE_KERNELS
from tinygen.reference.float32.movement import MOVEMENT_KERNELS
from tinygen.reference.float32.other import OTHER_KERNELS
from tinygen.reference.float32.reduce import REDUCE_KERNELS

FLOAT_KERNELS = {
    **CORE_KERNELS, **ELEMENTWISE_KERNELS, **MOVEMENT_KERNELS, **REDUCE_KERNELS,
    **OTHER_KERNELS,
}

__all__ = ["FLOAT_KERNELS"]
