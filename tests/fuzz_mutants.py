"""Damaged and hostile copies of .tflite models, for fuzzing tinygen's reader and compiler.

Byte-level mutations (bit flips, overwritten bytes, truncation, junk, vector counts and
offsets) work on the raw file (``fuzz_bytes``). Structure-aware mutations edit the model
through the object API of TensorFlow's schema (``tensorflow.lite.tools.flatbuffer_utils``)
and write it back: cycles, use before definition, wrong buffer sizes, absurd shapes,
quantization, operator codes, indices, types and options. Every mutation is a function
of the seed bytes and a numpy random generator, so a case is reproduced from (seed,
case number) alone.
"""

from __future__ import annotations

import copy
import math
import struct
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
from fuzz_bytes import (
    INT32_MAX,
    INT32_MIN,
    UINT32_MAX,
    append_junk,
    bad_offset,
    bit_flip,
    byte_overwrite,
    pick,
    truncate,
    vector_count,
)


@cache
def _fbu() -> Any:
    from tensorflow.lite.tools import flatbuffer_utils

    return flatbuffer_utils


_OBJECTS: dict[bytes, Any] = {}


def _model(data: bytes) -> Any:
    if data not in _OBJECTS:
        _OBJECTS[data] = _fbu().read_model_from_bytearray(bytearray(data))
    return copy.deepcopy(_OBJECTS[data])


def _subgraph(model: Any) -> Any:
    return model.subgraphs[0]


def _constants(model: Any) -> list[int]:
    sub = _subgraph(model)
    return [i for i, t in enumerate(sub.tensors) if _buffer_bytes(model, t.buffer)]


def _buffer_bytes(model: Any, index: int) -> int:
    if not 0 < index < len(model.buffers) or model.buffers[index].data is None:
        return 0
    return len(model.buffers[index].data)


def _activations(model: Any) -> list[int]:
    constants = set(_constants(model))
    return [i for i in range(len(_subgraph(model).tensors)) if i not in constants]


def _ints(values: Any) -> list[int]:
    return [] if values is None else [int(v) for v in values]


def _wild_index(rng: np.random.Generator, count: int) -> int:
    return pick(rng, [count, count + int(rng.integers(1, 1000)), INT32_MAX, -1, -2, INT32_MIN,
                       int(rng.integers(count)) if count else 0])  # fmt: skip


def cycle(model: Any, rng: np.random.Generator) -> str:
    ops = _subgraph(model).operators
    j = int(rng.integers(len(ops)))
    k = int(rng.integers(j, len(ops)))
    inputs = _ints(ops[j].inputs)
    slot = int(rng.integers(len(inputs))) if inputs and rng.random() < 0.3 else 0
    inputs[slot:slot + 1] = [ops[k].outputs[0]]
    ops[j].inputs = inputs
    return f"operator {j} input {slot} := output of operator {k}"


def use_before_define(model: Any, rng: np.random.Generator) -> str:
    sub = _subgraph(model)
    ops = sub.operators
    if len(ops) < 2 or rng.random() < 0.3:
        written = {t for op in ops for t in _ints(op.outputs)} | set(_ints(sub.inputs))
        unwritten = [t for t in _activations(model) if t not in written]
        op = int(rng.integers(len(ops)))
        if not unwritten:
            return cycle(model, rng)
        tensor = pick(rng, unwritten)
        inputs = _ints(ops[op].inputs)
        inputs[0:1] = [tensor]
        ops[op].inputs = inputs
        return f"operator {op} reads tensor {tensor}, which nothing writes"
    i = int(rng.integers(len(ops) - 1))
    j = int(rng.integers(i + 1, len(ops)))
    ops.insert(i, ops.pop(j))
    return f"operator {j} moved before operator {i}"


def buffer_size(model: Any, rng: np.random.Generator) -> str:
    sub = _subgraph(model)
    constants = _constants(model)
    tensor = sub.tensors[pick(rng, constants)] if constants else sub.tensors[0]
    choice = int(rng.integers(5))
    if choice == 0 and constants:
        buf = model.buffers[tensor.buffer]
        keep = int(rng.integers(len(buf.data)))
        buf.data = np.asarray(buf.data, np.uint8)[:keep]
        return f"buffer {tensor.buffer} of '{tensor.name}' cut to {keep} bytes"
    if choice == 1 and constants:
        buf = model.buffers[tensor.buffer]
        extra = int(pick(rng, [1, 3, len(buf.data), int(rng.integers(1, 64))]))
        buf.data = np.concatenate([np.asarray(buf.data, np.uint8), np.ones(extra, np.uint8)])
        return f"buffer {tensor.buffer} of '{tensor.name}' grown by {extra} bytes"
    if choice == 2:
        tensor.buffer = pick(rng, [int(rng.integers(len(model.buffers))), len(model.buffers),
                                    UINT32_MAX, len(model.buffers) + 7])  # fmt: skip
        return f"'{tensor.name}' now uses buffer {tensor.buffer}"
    index = tensor.buffer if constants else max(len(model.buffers) - 1, 0)
    if not model.buffers:
        model.buffers = [_fbu().schema_fb.BufferT()]
    buf = model.buffers[index]
    buf.offset = pick(rng, [1 << 40, 1 << 20, 2, UINT32_MAX, 1 << 63])
    buf.size = pick(rng, [1 << 40, 16, 0, UINT32_MAX, (1 << 64) - 1])
    return f"buffer {index} moved to offset {buf.offset} with size {buf.size}"


def shape(model: Any, rng: np.random.Generator) -> str:
    sub = _subgraph(model)
    index = int(rng.integers(len(sub.tensors)))
    tensor = sub.tensors[index]
    dims = _ints(tensor.shape)
    choice = int(rng.integers(4))
    if choice == 0 or not dims:
        dims = pick(rng, [[1024] * 4, [65536, 65536], [INT32_MAX] * 3, [], [1] * 7, [0]])
    elif choice == 1:
        axis = int(rng.integers(len(dims)))
        dims[axis] = pick(rng, [0, -1, -2, INT32_MIN, INT32_MAX, 1 << 20, 65536,
                                 int(rng.integers(1, 1000))])  # fmt: skip
    elif choice == 2:
        dims = dims[:-1] if rng.random() < 0.5 else [*dims, int(pick(rng, [1, 2, 0, -1]))]
    else:
        signature = _ints(tensor.shapeSignature) or list(dims)
        signature[0] = pick(rng, [-1, -5, INT32_MAX, 0])
        if rng.random() < 0.5:
            signature[-1] = pick(rng, [INT32_MAX, 1 << 20, -1])
        if rng.random() < 0.3:  # another rank than the shape's
            signature = [-1, *signature] if rng.random() < 0.5 else [-1, *signature[2:]]
        tensor.shapeSignature = signature
        return f"tensor {index} signature -> {signature}"
    tensor.shape = dims
    return f"tensor {index} shape -> {dims}"


_BAD_SCALES = [0.0, -0.5, math.nan, math.inf, -math.inf, 1e-45, 3e38, 1e-30, 1e30]
_BAD_ZERO_POINTS = [128, -129, 255, 1 << 31, -(1 << 63), 1 << 62, -1000]


def quantization(model: Any, rng: np.random.Generator) -> str:
    sub = _subgraph(model)
    quantized = [i for i, t in enumerate(sub.tensors) if t.quantization is not None
                 and t.quantization.scale is not None and len(t.quantization.scale)]  # fmt: skip
    index = pick(rng, quantized) if quantized else int(rng.integers(len(sub.tensors)))
    tensor = sub.tensors[index]
    q = tensor.quantization
    if q is None or q.scale is None or not len(q.scale):
        q = tensor.quantization = _fbu().schema_fb.QuantizationParametersT()
        q.scale, q.zeroPoint = [float(pick(rng, [*_BAD_SCALES, 0.1]))], [0]
        return f"tensor {index} given scale {q.scale}"
    scale = [float(s) for s in q.scale]
    zero = _ints(q.zeroPoint) or [0] * len(scale)
    choice = int(rng.integers(6))
    if choice == 0:
        scale[int(rng.integers(len(scale)))] = float(pick(rng, _BAD_SCALES))
        q.scale = scale
        return f"tensor {index} scale -> {scale[:4]}"
    if choice == 1:
        zero[int(rng.integers(len(zero)))] = int(pick(rng, _BAD_ZERO_POINTS))
        q.zeroPoint = zero
        return f"tensor {index} zero point -> {zero[:4]}"
    if choice == 2:
        size = pick(rng, [len(scale) + 1, max(len(scale) - 1, 0), 2, len(scale) * 2 + 1])
        q.scale = (scale * (size // len(scale) + 1))[:size]
        return f"tensor {index} has {size} scales (was {len(scale)})"
    if choice == 3:
        q.zeroPoint = (zero * 3)[: pick(rng, [len(zero) + 1, max(len(zero) - 1, 0), 2])]
        return f"tensor {index} has {len(q.zeroPoint)} zero points for {len(scale)} scales"
    if choice == 4:
        q.quantizedDimension = pick(rng, [-1, len(_ints(tensor.shape)), INT32_MAX, 5, 1])
        return f"tensor {index} quantized dimension -> {q.quantizedDimension}"
    tensor.quantization = None
    return f"tensor {index} quantization removed"


def opcode(model: Any, rng: np.random.Generator) -> str:
    codes = model.operatorCodes
    if rng.random() < 0.4:
        op = pick(rng, _subgraph(model).operators)
        op.opcodeIndex = pick(rng, [len(codes), len(codes) + 3, UINT32_MAX, 1 << 31])
        return f"an operator uses operator code {op.opcodeIndex} of {len(codes)}"
    code = pick(rng, codes)
    choice = int(rng.integers(4))
    if choice == 0:
        code.builtinCode = pick(rng, [-1, INT32_MIN, 207, 1000, INT32_MAX,
                                       int(rng.integers(0, 210))])  # fmt: skip
        code.deprecatedBuiltinCode = min(max(code.builtinCode, -128), 127)
    elif choice == 1:
        code.deprecatedBuiltinCode = pick(rng, [-1, -128, 127, int(rng.integers(-128, 128))])
    elif choice == 2:
        code.version = pick(rng, [0, -1, INT32_MAX])
    else:
        code.builtinCode = code.deprecatedBuiltinCode = 32
        code.customCode = pick(rng, ["", "\u00ff" * 300, "TFLite_Detection_PostProcess"])
    return (f"operator code -> builtin {code.builtinCode}, deprecated "
            f"{code.deprecatedBuiltinCode}, version {code.version}")  # fmt: skip


def subgraph(model: Any, rng: np.random.Generator) -> str:
    schema = _fbu().schema_fb
    sub = _subgraph(model)
    choice = int(rng.integers(7))
    if choice == 0:
        model.subgraphs = []
        return "no subgraphs"
    if choice == 1:
        model.subgraphs.insert(0, schema.SubGraphT())
        return "an empty first subgraph"
    if choice == 2:
        sub.tensors = []
        return "no tensors"
    if choice == 3:
        sub.operators = []
        return "no operators"
    if choice == 4:
        model.buffers = []
        return "no buffers"
    if choice == 5:
        model.operatorCodes = []
        return "no operator codes"
    model.subgraphs.append(copy.deepcopy(sub))
    return "a second subgraph"


def _indices(
    rng: np.random.Generator, values: list[int], count: int, known: list[int]
) -> list[int]:
    """``values`` (tensor indices) emptied, grown, one wild, the first a ``known`` one
    (constants, graph inputs) or cut to one."""
    choice = int(rng.integers(4))
    if choice == 0 or not values:
        return [] if rng.random() < 0.4 else [*values, _wild_index(rng, count)]
    if choice == 1:
        values[int(rng.integers(len(values)))] = _wild_index(rng, count)
    elif choice == 2:
        values[0] = pick(rng, known) if known else -1
    else:
        values = values[:1] if len(values) > 1 else [*values, values[0]]
    return values


def io_index(model: Any, rng: np.random.Generator) -> str:
    sub = _subgraph(model)
    which = "inputs" if rng.random() < 0.5 else "outputs"
    values = _indices(rng, _ints(getattr(sub, which)), len(sub.tensors), _constants(model))
    setattr(sub, which, values)
    return f"graph {which} -> {values[:6]}"


def tensor_index(model: Any, rng: np.random.Generator) -> str:
    sub = _subgraph(model)
    index = int(rng.integers(len(sub.operators)))
    op = sub.operators[index]
    which = "inputs" if rng.random() < 0.6 else "outputs"
    known = _constants(model) + _ints(sub.inputs)
    values = _indices(rng, _ints(getattr(op, which)), len(sub.tensors), known)
    setattr(op, which, values)
    return f"operator {index} {which} -> {values[:6]}"


def dtype(model: Any, rng: np.random.Generator) -> str:
    sub = _subgraph(model)
    index = int(rng.integers(len(sub.tensors)))
    new = pick(rng, [int(rng.integers(0, 18)), -1, -128, 18, 100, 127, 0, 2, 9, 7, 1, 5, 17])
    sub.tensors[index].type = new
    return f"tensor {index} type -> {new}"


def options(model: Any, rng: np.random.Generator) -> str:
    ops = _subgraph(model).operators
    op = pick(rng, ops)
    if op.builtinOptions is None or rng.random() < 0.15:
        if rng.random() < 0.5:
            op.builtinOptions, op.builtinOptionsType = None, 0
            return "options removed"
        op.builtinOptionsType = int(rng.integers(1, 130))
        return f"options type -> {op.builtinOptionsType}"
    fields = [k for k, v in vars(op.builtinOptions).items() if isinstance(v, int | float)]
    if not fields:
        return "options without fields"
    name = pick(rng, fields)
    old = getattr(op.builtinOptions, name)
    if isinstance(old, float):
        new: Any = float(pick(rng, [math.nan, math.inf, -1.0, 0.0, 1e30]))
    else:
        new = int(pick(rng, [0, -1, -2, 127, -128, 2, 3, 7, 100, 1 << 14, INT32_MAX, INT32_MIN]))
    setattr(op.builtinOptions, name, new)
    return f"{type(op.builtinOptions).__name__}.{name}: {old} -> {new}"


def _structured(edit: Callable[[Any, np.random.Generator], str]) -> Mutation:
    def mutate(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
        for _ in range(20):  # some edits do not fit the schema's field types: try another
            model = _model(data)
            if not model.subgraphs or not _subgraph(model).operators:
                return data, "unmutated (no operators)"
            what = edit(model, rng)
            try:
                return _fbu().convert_object_to_bytearray(model), what
            except (struct.error, OverflowError, TypeError, ValueError):
                continue
        return data, "unmutated (no edit fitted the schema)"

    return mutate


Mutation = Callable[[bytes, np.random.Generator], tuple[bytes, str]]

MUTATIONS: dict[str, Mutation] = {
    "bit_flip": bit_flip,
    "byte_overwrite": byte_overwrite,
    "truncate": truncate,
    "append_junk": append_junk,
    "vector_count": vector_count,
    "bad_offset": bad_offset,
    "cycle": _structured(cycle),
    "use_before_define": _structured(use_before_define),
    "buffer_size": _structured(buffer_size),
    "shape": _structured(shape),
    "quantization": _structured(quantization),
    "opcode": _structured(opcode),
    "subgraph": _structured(subgraph),
    "io_index": _structured(io_index),
    "tensor_index": _structured(tensor_index),
    "dtype": _structured(dtype),
    "options": _structured(options),
}


def mutate(data: bytes, kind: str, seed: int, case: int) -> tuple[bytes, str]:
    """Mutant number ``case`` of kind ``kind`` of ``data``: the same for the same arguments."""
    rng = np.random.default_rng([seed, case, sorted(MUTATIONS).index(kind)])
    return MUTATIONS[kind](data, rng)
