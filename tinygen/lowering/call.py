"""The lowered form of an operator: which C kernel runs it, on what, with what.

``params`` is a frozen dataclass whose fields are the fields of the kernel's C
parameter struct, by name. Plain ints and floats become struct fields; tuples
become fixed-size arrays inside the struct; numpy arrays become ``const``
arrays in flash that the struct points to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KernelCall:
    kernel: str  # runtime C kernel, e.g. "conv2d_s8"; "alias" means no code runs
    inputs: tuple[int, ...]  # tensor indices; constants are passed from flash
    outputs: tuple[int, ...]
    params: Any  # a frozen dataclass, or None for kernels without parameters
    #: A specialized kernel the C emitter runs instead (tinygen/lowering/fast.py), or None.
    fast: Any = None
    #: An int8 byte-moving kernel run on float32 tensors: their pointers are passed as int8_t.
    byte_view: bool = False
    #: Persistent state the kernel reads and updates in place (variable tensors, among its
    #: inputs: the recurrent layers' hidden and cell state); the numpy reference returns
    #: their new values after its outputs, in this order.
    state: tuple[int, ...] = ()
