"""How the generator calls one C kernel: entry point, parameter struct, source file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CKernel:
    function: str
    params_type: str
    source: str  # file under runtime_c/kernels/
    scratch: bool = False  # takes a scratch buffer in the arena as its last argument
    input_array: bool = False  # takes its inputs as one const array of pointers
    output_array: bool = False  # takes its outputs as one const array of pointers


def kernel(function: str, params_type: str, scratch: bool = False,
           input_array: bool = False, output_array: bool = False) -> CKernel:
    """The kernel ``function`` in runtime_c/kernels/``function``.c."""
    return CKernel(function, params_type, f"{function}.c", scratch, input_array, output_array)
