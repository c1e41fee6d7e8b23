"""tinygen's intermediate representation: a graph of tensors and operators.

The frontend builds a ``Graph``; passes rewrite it; the planner and the code
generator read it. Tensors are referred to by their index in ``Graph.tensors``.
Constant tensors carry their data as numpy arrays; every other tensor lives in
the arena at run time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Optional operator input that is absent (TFLite's -1).
NO_TENSOR = -1

DTYPE_SIZES = {
    "int8": 1,
    "uint8": 1,
    "bool": 1,
    "int16": 2,
    "int32": 4,
    "uint32": 4,
    "float16": 2,
    "float32": 4,
    "int64": 8,
    "float64": 8,
}


@dataclass
class Quantization:
    """Affine quantization: ``real = scale * (q - zero_point)``.

    ``scale`` and ``zero_point`` hold one entry per tensor, or one per channel
    along ``axis`` (per-channel quantization).
    """

    scale: np.ndarray  # float32
    zero_point: np.ndarray  # int64
    axis: int = 0

    @property
    def per_channel(self) -> bool:
        return self.scale.size > 1

    @property
    def scale0(self) -> float:
        return float(self.scale.reshape(-1)[0])

    @property
    def zero_point0(self) -> int:
        return int(self.zero_point.reshape(-1)[0])

    def same_as(self, other: Quantization | None) -> bool:
        return (
            other is not None
            and self.scale.shape == other.scale.shape
            and bool(np.all(self.scale == other.scale))
            and bool(np.all(self.zero_point == other.zero_point))
        )


@dataclass
class Tensor:
    name: str
    shape: tuple[int, ...]
    dtype: str
    quant: Quantization | None = None
    data: np.ndarray | None = None
    shape_signature: tuple[int, ...] | None = None
    #: A variable tensor: persistent state that survives from one inference to the next
    #: (kept beside the arena, reset to the zero point by NAME_reset()).
    variable: bool = False

    @property
    def is_constant(self) -> bool:
        return self.data is not None

    @property
    def size(self) -> int:
        """Elements, in Python integers (a hostile shape cannot wrap around)."""
        return math.prod(int(d) for d in self.shape)

    @property
    def itemsize(self) -> int:
        return DTYPE_SIZES[self.dtype]

    @property
    def nbytes(self) -> int:
        return self.size * self.itemsize


@dataclass
class Op:
    kind: str
    inputs: list[int]
    outputs: list[int]
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Graph:
    tensors: list[Tensor]
    ops: list[Op]
    inputs: list[int]
    outputs: list[int]
    description: str = ""

    def tensor(self, index: int) -> Tensor:
        return self.tensors[index]

    def consumers(self, index: int) -> list[int]:
        """Indices of the operators that read tensor ``index``."""
        return [i for i, op in enumerate(self.ops) if index in op.inputs]

    def producer(self, index: int) -> int | None:
        for i, op in enumerate(self.ops):
            if index in op.outputs:
                return i
        return None

    def activation_tensors(self) -> list[int]:
        """Every tensor that needs arena space: non-constant, not state, and in use."""
        return [t for t in self._used() if not self.tensors[t].is_constant
                and not self.tensors[t].variable]

    def state_tensors(self) -> list[int]:
        """The variable tensors in use: persistent state, kept beside the arena."""
        return [t for t in self._used() if self.tensors[t].variable]

    def _used(self) -> list[int]:
        used: set[int] = set(self.inputs) | set(self.outputs)
        for op in self.ops:
            used.update(t for t in op.inputs + op.outputs if t != NO_TENSOR)
        return sorted(used)
