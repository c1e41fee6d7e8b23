"""Random single-operator int8 TFLite models for conformance tests: the public interface.

The machinery (specs, random helpers, conversion) is in ``factory_core.py``; the builders
of each operator group in ``builders_*.py``. Two round-robin sets: ``ops()``, the first
set, whose models must not change for a given ``(count, seed)``, and ``new_ops()``, the
operators added later (``generate_new_op_cases``).

Every case is built from a ``tf.function`` with a fixed input signature (static shapes;
batch 1 in the first set, batches up to 3 in the second) and converted with full-integer
post-training quantization (int8 inputs and outputs, ``TFLITE_BUILTINS_INT8``,
representative data drawn from the case's seeded RNG), so generating the same
``(count, seed)`` twice gives the same models.

What the converter (TF 2.21) emits for each factory op is recorded in ``EXPECTED_TFLITE_OPS``.
Notes on the ops that are not a plain one-to-one mapping:

* ``SQUEEZE`` and ``EXPAND_DIMS`` are folded into ``RESHAPE`` by the converter.
* ``RELU``/``RELU6`` optionally follow a reshape; the converter moves the activation in
  front of the ``RESHAPE``. The standalone activation gets its own output scale; TFLM's
  int8 RELU6 clamps without requantizing (TFLite's reference kernel requantizes), so the two
  interpreters disagree on these models; tinygen follows TensorFlow Lite.
* ``FULLY_CONNECTED`` weights are per-channel (the converter default) or per-tensor
  (``params["per_channel"]``). A ``[1, t, n]`` input gives one FULLY_CONNECTED with
  ``keep_num_dims``; a bias-less layer has no bias input (index -1), while a bias-less
  convolution gets a zero bias tensor from the converter.
* ``SOFTMAX`` beta: ``tf.nn.softmax(x * beta)`` converts to ``MUL`` + ``SOFTMAX`` (beta 1),
  so beta != 1 is written into the converted model's ``SoftmaxOptions.beta`` in place.
  The int8 softmax output quantization is fixed (scale 1/256, zero point -128), so the
  patched model is what the converter would produce if it could express beta.
* ``QUANTIZE`` (int8 -> int8 requantize) has no single-op TF source. Two carriers:
  ``fake_quant``: fake-quant(range a) -> 1x1 max pool -> fake-quant(range b), converted
  quantization-aware (no representative data), giving ``MAX_POOL_2D`` + ``QUANTIZE``;
  ``softmax``: softmax -> reshape -> fake-quant, giving ``SOFTMAX`` + ``QUANTIZE`` +
  ``RESHAPE``.
* ``QUANTIZE_DEQUANTIZE`` keeps float32 model inputs/outputs, giving ``QUANTIZE`` (float ->
  int8) + ``FULLY_CONNECTED`` + ``DEQUANTIZE`` (int8 -> float).
* The second set: one operator each, but a ``STRIDED_SLICE`` whose index adds an axis
  (``RESHAPE`` first) and a bias-less ``TRANSPOSE_CONV`` with an activation (a ``RELU`` /
  ``RELU6`` of its own). Each builder's module docstring says which TensorFlow form gives
  the operator and which ranks the converter and the interpreters take; ``OpCase.missing``
  names an interpreter known not to run a case.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from conformance import (
    builders_basic,
    builders_elementwise,
    builders_movement,
    builders_nn,
    builders_reduce,
    builders_spatial,
    builders_split,
)
from conformance.factory_core import Builder, OpCase, build_case, model_ops

__all__ = [
    "EXPECTED_TFLITE_OPS",
    "OpCase",
    "generate_cases",
    "generate_new_op_cases",
    "make_case",
    "model_ops",
    "new_ops",
    "ops",
    "pinned_case",
]

# TFLite builtin operators each factory op converts to (TF 2.21), in execution order.
# ``make_case`` redraws parameters if the converted model holds any operator not listed here
# for its op kind (or in ``_EXTRA_ALLOWED_OPS``).
EXPECTED_TFLITE_OPS: dict[str, tuple[str, ...]] = {
    "CONV_2D": ("CONV_2D",),
    "DEPTHWISE_CONV_2D": ("DEPTHWISE_CONV_2D",),
    "FULLY_CONNECTED": ("FULLY_CONNECTED",),
    "AVERAGE_POOL_2D": ("AVERAGE_POOL_2D",),
    "MAX_POOL_2D": ("MAX_POOL_2D",),
    "SOFTMAX": ("SOFTMAX",),
    "ADD": ("ADD",),
    "RESHAPE": ("RESHAPE",),
    "SQUEEZE": ("RESHAPE",),
    "EXPAND_DIMS": ("RESHAPE",),
    "RELU": ("RELU",),  # plus RESHAPE when params["after_reshape"]
    "RELU6": ("RELU6",),  # plus RESHAPE when params["after_reshape"]
    "QUANTIZE": ("QUANTIZE",),  # plus the carrier ops, see the module docstring
    "QUANTIZE_DEQUANTIZE": ("QUANTIZE", "FULLY_CONNECTED", "DEQUANTIZE"),
    # The second set (``new_ops()``): each converts to its own operator alone, but for
    # the extras below. Its models must hold the operator (``make_case`` redraws when the
    # converter folded it away, e.g. a reduction over dims of 1).
    "PAD": ("PAD",),
    "PADV2": ("PADV2",),
    "MIRROR_PAD": ("MIRROR_PAD",),
    "CONCATENATION": ("CONCATENATION",),
    "PACK": ("PACK",),
    "SPLIT": ("SPLIT",),
    "SPLIT_V": ("SPLIT_V",),
    "UNPACK": ("UNPACK",),
    "SUB": ("SUB",),
    "MUL": ("MUL",),
    "SQUARED_DIFFERENCE": ("SQUARED_DIFFERENCE",),
    "MAXIMUM": ("MAXIMUM",),
    "MINIMUM": ("MINIMUM",),
    "LOGISTIC": ("LOGISTIC",),
    "TANH": ("TANH",),
    "HARD_SWISH": ("HARD_SWISH",),  # from x * relu6(x + 3) / 6
    "LEAKY_RELU": ("LEAKY_RELU",),
    "PRELU": ("PRELU",),  # from relu(x) - alpha * relu(-x)
    "TRANSPOSE": ("TRANSPOSE",),
    "STRIDED_SLICE": ("STRIDED_SLICE",),  # after a RESHAPE when the index adds an axis
    "SLICE": ("SLICE",),
    "GATHER": ("GATHER",),
    "SPACE_TO_DEPTH": ("SPACE_TO_DEPTH",),
    "DEPTH_TO_SPACE": ("DEPTH_TO_SPACE",),
    "SUM": ("SUM",),
    "REDUCE_MAX": ("REDUCE_MAX",),
    "REDUCE_MIN": ("REDUCE_MIN",),
    "ARG_MAX": ("ARG_MAX",),
    "ARG_MIN": ("ARG_MIN",),
    "L2_NORMALIZATION": ("L2_NORMALIZATION",),
    "BATCH_MATMUL": ("BATCH_MATMUL",),
    "TRANSPOSE_CONV": ("TRANSPOSE_CONV",),  # then RELU / RELU6 when there is no bias
    "RESIZE_NEAREST_NEIGHBOR": ("RESIZE_NEAREST_NEIGHBOR",),
    "RESIZE_BILINEAR": ("RESIZE_BILINEAR",),
    "MEAN": ("MEAN",),
    "SPACE_TO_BATCH_ND": ("SPACE_TO_BATCH_ND",),
    "BATCH_TO_SPACE_ND": ("BATCH_TO_SPACE_ND",),
}
_EXTRA_ALLOWED_OPS: dict[str, tuple[str, ...]] = {
    "RELU": ("RESHAPE",),
    "RELU6": ("RESHAPE",),
    "QUANTIZE": ("MAX_POOL_2D", "SOFTMAX", "RESHAPE"),
    "STRIDED_SLICE": ("RESHAPE",),
    "TRANSPOSE_CONV": ("RELU", "RELU6"),
}

# The first round-robin set, in its order (the order is part of the seeded sequence).
_BUILDERS: dict[str, Builder] = {
    **builders_nn.BUILDERS,
    **builders_basic.BUILDERS,
    **builders_nn.QUANTIZE_BUILDERS,
}
# The second set: the operators added after it, in its order.
_NEW_PARTS: dict[str, Builder] = {
    **builders_movement.BUILDERS,
    **builders_split.BUILDERS,
    **builders_elementwise.BUILDERS,
    **builders_reduce.BUILDERS,
    **builders_spatial.BUILDERS,
}
_NEW_ORDER = (
    "PAD", "PADV2", "MIRROR_PAD", "CONCATENATION", "PACK", "SPLIT", "SPLIT_V", "UNPACK",
    "SUB", "MUL", "SQUARED_DIFFERENCE", "MAXIMUM", "MINIMUM", "LOGISTIC", "TANH",
    "HARD_SWISH", "LEAKY_RELU", "PRELU", "TRANSPOSE", "STRIDED_SLICE", "SLICE", "GATHER",
    "SPACE_TO_DEPTH", "DEPTH_TO_SPACE", "SUM", "REDUCE_MAX", "REDUCE_MIN", "ARG_MAX",
    "ARG_MIN", "L2_NORMALIZATION", "BATCH_MATMUL", "TRANSPOSE_CONV",
    "RESIZE_NEAREST_NEIGHBOR", "RESIZE_BILINEAR", "MEAN", "SPACE_TO_BATCH_ND",
    "BATCH_TO_SPACE_ND",
)
_NEW_BUILDERS: dict[str, Builder] = {kind: _NEW_PARTS[kind] for kind in _NEW_ORDER}


def ops() -> list[str]:
    """The op kinds of the first round-robin set (``generate_cases``)."""
    return list(_BUILDERS)


def new_ops() -> list[str]:
    """The op kinds of the second round-robin set (``generate_new_op_cases``)."""
    return list(_NEW_BUILDERS)


def make_case(op: str, rng: np.random.Generator, float_model: bool = False) -> OpCase:
    """Build one model of kind ``op`` with parameters drawn from ``rng`` (int8, or float32
    throughout with ``float_model``)."""
    builder = _BUILDERS.get(op) or _NEW_BUILDERS.get(op)
    if builder is None:
        raise ValueError(f"unknown factory op {op!r}; known: {ops() + new_ops()}")
    allowed = {*EXPECTED_TFLITE_OPS[op], *_EXTRA_ALLOWED_OPS.get(op, ())}
    required = frozenset(EXPECTED_TFLITE_OPS[op]) if op in _NEW_BUILDERS else frozenset()
    if float_model:
        allowed -= {"QUANTIZE", "DEQUANTIZE"}
        required = frozenset(EXPECTED_TFLITE_OPS[op]) - {"QUANTIZE", "DEQUANTIZE"}
    return build_case(op, builder, allowed, rng, required, float_model)


def float_ops() -> list[str]:
    """The op kinds whose builders make float32 models (all but the int8 conversions)."""
    return [op for op in ops() + new_ops()
            if set(EXPECTED_TFLITE_OPS[op]) - {"QUANTIZE", "DEQUANTIZE"}]


def generate_cases(count: int, seed: int) -> list[OpCase]:
    """``count`` cases, round-robin over ``ops()``, all drawn from one RNG seeded by ``seed``."""
    rng = np.random.default_rng(seed)
    kinds = ops()
    return [make_case(kinds[i % len(kinds)], rng) for i in range(count)]


def generate_new_op_cases(count: int, seed: int) -> list[OpCase]:
    """``count`` cases, round-robin over ``new_ops()``, from one RNG seeded by ``seed``."""
    rng = np.random.default_rng(seed)
    kinds = new_ops()
    return [make_case(kinds[i % len(kinds)], rng) for i in range(count)]


def pinned_case(op: str, params: dict[str, Any], seed: int = 0) -> OpCase:
    """One model of kind ``op`` with the given parameters (weights, constants and
    calibration data drawn from ``seed``): a region of parameters pinned for a test."""
    spec_of = builders_spatial.SPECS.get(op)
    if spec_of is None:
        raise ValueError(f"no pinned cases for {op!r}; known: {list(builders_spatial.SPECS)}")
    allowed = {*EXPECTED_TFLITE_OPS[op], *_EXTRA_ALLOWED_OPS.get(op, ())}
    return build_case(op, lambda rng: spec_of(params, rng), allowed,
                      np.random.default_rng(seed), frozenset(EXPECTED_TFLITE_OPS[op]))
