"""The operator versions TensorFlow's converter writes for the int8 operators.

A version names the kernel features an operator needs (TensorFlow Lite's
``tools/versioning/op_version.cc``): most int8 operators are one fixed version; a few
depend on their shapes, options or scales, and :func:`int8_version` works those out on
the int8 graph. The resizes are version 3, as TensorFlow 2.21's converter writes them
for any options (its version table gives 2 without half-pixel centers or aligned corners).
"""

from __future__ import annotations

import numpy as np

from tinygen.ir import Graph, Op

INT8_VERSIONS = {
    "CONV_2D": 3,
    "DEPTHWISE_CONV_2D": 3,
    "FULLY_CONNECTED": 4,
    "AVERAGE_POOL_2D": 2,
    "MAX_POOL_2D": 2,
    "SOFTMAX": 2,
    "ADD": 2,
    "SUB": 2,
    "MUL": 2,
    "MEAN": 2,
    "RELU": 2,
    "RELU6": 2,
    "RESHAPE": 1,
    "SQUEEZE": 1,
    "EXPAND_DIMS": 1,
    "PAD": 2,
    "CONCATENATION": 2,
    "PACK": 2,
    "UNPACK": 2,
    "SPLIT": 2,
    "SPLIT_V": 2,
    "TRANSPOSE": 2,
    "SLICE": 2,
    "STRIDED_SLICE": 2,
    "SPACE_TO_DEPTH": 2,
    "DEPTH_TO_SPACE": 2,
    "MAXIMUM": 2,
    "MINIMUM": 2,
    "LOGISTIC": 2,
    "TANH": 2,
    "HARD_SWISH": 1,
    "RESIZE_BILINEAR": 3,  # what TensorFlow 2.21's converter writes, whatever the options
    "RESIZE_NEAREST_NEIGHBOR": 3,
    "LEAKY_RELU": 1,
    "SQUARED_DIFFERENCE": 2,
    "L2_NORMALIZATION": 2,
    "SUM": 2,
    "REDUCE_MAX": 2,
    "REDUCE_MIN": 2,
    "MIRROR_PAD": 2,
    "GATHER": 2,
    "SPACE_TO_BATCH_ND": 2,
    "BATCH_TO_SPACE_ND": 2,
    "PADV2": 2,
    "PRELU": 1,
    "TRANSPOSE_CONV": 2,  # 3 with a bias
    "BATCH_MATMUL": 2,
    "ARG_MAX": 2,
    "ARG_MIN": 2,
    "QUANTIZE": 1,
    "DEQUANTIZE": 2,
}


def _rank(graph: Graph, t: int) -> int:
    return len(graph.tensors[t].shape)


def _scale(graph: Graph, t: int) -> float:
    quant = graph.tensors[t].quant
    return float(np.float32(quant.scale0)) if quant is not None else 1.0


def _broadcast_above_4d(graph: Graph, op: Op) -> bool:
    a, b = (graph.tensors[t].shape for t in op.inputs[:2])
    return tuple(a) != tuple(b) and max(len(a), len(b)) > 4


def int8_version(graph: Graph, op: Op) -> int:
    """The version of int8 operator ``op`` of ``graph`` (its tensors quantized)."""
    kind, a = op.kind, op.attrs
    if kind == "MUL":
        s1, s2, so = (_scale(graph, t) for t in (*op.inputs[:2], op.outputs[0]))
        return 3 if s1 * s2 / so >= 1.0 else 2
    if kind in ("SUB", "MAXIMUM", "MINIMUM") and _broadcast_above_4d(graph, op):
        return 3
    if kind == "TRANSPOSE":
        rank = _rank(graph, op.inputs[0])
        return 6 if rank > 5 else 4 if rank > 4 else 2
    if kind == "SLICE" and _rank(graph, op.inputs[0]) > 4:
        return 5
    if kind == "STRIDED_SLICE":
        return 8 if a.get("offset") else 4 if _rank(graph, op.inputs[0]) > 4 else 2
    if kind == "TRANSPOSE_CONV":
        if a.get("activation", "NONE") != "NONE":
            return 4
        return 3 if len(op.inputs) > 3 and op.inputs[3] >= 0 else 2
    if kind in ("PAD", "PADV2") and _rank(graph, op.inputs[0]) > 4:
        return 4
    if kind in ("SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND") and _rank(graph, op.inputs[0]) != 4:
        return 3
    return INT8_VERSIONS[kind]
