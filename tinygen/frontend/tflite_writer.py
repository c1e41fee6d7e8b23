"""Write tinygen's IR as a ``.tflite`` flatbuffer: the reader's counterpart.

It writes what the reader reads back into the same ``Graph``: one subgraph, its tensors
(shape, type, quantization, constant data, the variable flag), the operators with their
builtin options and versions, the graph's inputs and outputs. It uses the schema's builder
functions shipped with the ``tflite`` package and the ``flatbuffers`` builder; enum values
come from the package's enum classes, so no schema number is repeated here.

Tensors that no operator and no graph input or output uses are left out (a pass that
replaces a constant leaves the old one in ``Graph.tensors``); :func:`kept_tensors` gives
the old index of each written tensor. Constant data is 16-byte aligned in the file, as
TensorFlow's converter writes it, so TFLite Micro can read it in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flatbuffers
import numpy as np
import tflite

from tinygen.errors import TinygenError
from tinygen.ir import NO_TENSOR, Graph, Op, Tensor

_SCHEMA_VERSION = 3
_DATA_ALIGNMENT = 16


def kept_tensors(graph: Graph) -> list[int]:
    """Indices of the tensors the file holds, in file order (used ones only)."""
    used = set(graph.inputs) | set(graph.outputs)
    for op in graph.ops:
        used.update(t for t in op.inputs + op.outputs if t != NO_TENSOR)
    return sorted(used)


def write_tflite(graph: Graph, description: str = "") -> bytes:
    """The flatbuffer bytes of ``graph`` (``description`` defaults to the graph's own)."""
    return _Writer(graph).build(description or graph.description)


def _enum(cls: type, name: str, what: str) -> int:
    value = getattr(cls, name, getattr(cls, name.upper(), None))
    if not isinstance(value, int):
        raise TinygenError(f"cannot write {what} '{name}': the TFLite schema has no such value")
    return value


class _Writer:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.b = flatbuffers.Builder(1024)
        self.kept = kept_tensors(graph)
        self.new_index = {old: new for new, old in enumerate(self.kept)}

    def build(self, description: str) -> bytes:
        b = self.b
        buffers = [self._buffer(None)]  # buffer 0: the empty sentinel TFLite requires
        tensors = []
        for old in self.kept:
            tensor = self.graph.tensors[old]
            buffer = 0
            if tensor.is_constant:
                buffers.append(self._buffer(tensor))
                buffer = len(buffers) - 1
            tensors.append(self._tensor(tensor, buffer))
        codes: dict[tuple[str, int], int] = {}
        operators = [self._operator(i, op, codes) for i, op in enumerate(self.graph.ops)]
        code_tables = [self._opcode(kind, version) for kind, version in codes]
        subgraph = self._subgraph(tensors, operators)
        desc = b.CreateString(description)
        codes_vec = self._tables(code_tables)
        subgraphs_vec = self._tables([subgraph])
        buffers_vec = self._tables(buffers)
        tflite.ModelStart(b)
        tflite.ModelAddVersion(b, _SCHEMA_VERSION)
        tflite.ModelAddOperatorCodes(b, codes_vec)
        tflite.ModelAddSubgraphs(b, subgraphs_vec)
        tflite.ModelAddDescription(b, desc)
        tflite.ModelAddBuffers(b, buffers_vec)
        b.Finish(tflite.ModelEnd(b), file_identifier=b"TFL3")
        return bytes(b.Output())

    # -- vectors ---------------------------------------------------------------------

    def _tables(self, offsets: list[int]) -> int:
        self.b.StartVector(4, len(offsets), 4)
        for offset in reversed(offsets):
            self.b.PrependUOffsetTRelative(offset)
        return self.b.EndVector()

    def _ints(self, values: list[int] | tuple[int, ...] | np.ndarray, dtype: str) -> int:
        return self.b.CreateNumpyVector(np.asarray(values, dtype=np.dtype(dtype).newbyteorder("<")))

    def _data(self, raw: bytes) -> int:
        b = self.b
        b.StartVector(1, len(raw), _DATA_ALIGNMENT)
        b.head = b.head - len(raw)
        b.Bytes[b.head : b.head + len(raw)] = raw
        return b.EndVector()

    # -- tables ----------------------------------------------------------------------

    def _buffer(self, tensor: Tensor | None) -> int:
        data = None
        if tensor is not None and tensor.data is not None:
            array = np.ascontiguousarray(tensor.data, dtype=np.dtype(tensor.dtype))
            data = self._data(array.astype(array.dtype.newbyteorder("<")).tobytes())
        tflite.BufferStart(self.b)
        if data is not None:
            tflite.BufferAddData(self.b, data)
        return tflite.BufferEnd(self.b)

    def _quantization(self, tensor: Tensor) -> int | None:
        q = tensor.quant
        if q is None:
            return None
        scale = self._ints(q.scale.reshape(-1), "float32")
        zero = self._ints(q.zero_point.reshape(-1), "int64")
        tflite.QuantizationParametersStart(self.b)
        tflite.QuantizationParametersAddScale(self.b, scale)
        tflite.QuantizationParametersAddZeroPoint(self.b, zero)
        tflite.QuantizationParametersAddQuantizedDimension(self.b, int(q.axis))
        return tflite.QuantizationParametersEnd(self.b)

    def _tensor(self, tensor: Tensor, buffer: int) -> int:
        b = self.b
        name = b.CreateString(tensor.name)
        shape = self._ints(tensor.shape, "int32")
        signature = None
        if tensor.shape_signature is not None and tuple(tensor.shape_signature) != tensor.shape:
            signature = self._ints(tensor.shape_signature, "int32")
        quant = self._quantization(tensor)
        tflite.TensorStart(b)
        tflite.TensorAddShape(b, shape)
        tflite.TensorAddType(b, _enum(tflite.TensorType, tensor.dtype, "tensor type"))
        tflite.TensorAddBuffer(b, buffer)
        tflite.TensorAddName(b, name)
        if quant is not None:
            tflite.TensorAddQuantization(b, quant)
        if signature is not None:
            tflite.TensorAddShapeSignature(b, signature)
        if tensor.variable:
            tflite.TensorAddIsVariable(b, True)
        return tflite.TensorEnd(b)

    def _operator(self, index: int, op: Op, codes: dict[tuple[str, int], int]) -> int:
        b = self.b
        key = (op.kind, int(op.attrs.get("version", 1)))
        code = codes.setdefault(key, len(codes))
        remap = [NO_TENSOR if t == NO_TENSOR else self.new_index[t] for t in op.inputs]
        inputs = self._ints(remap, "int32")
        outputs = self._ints([self.new_index[t] for t in op.outputs], "int32")
        table = None
        if op.kind in _OPTIONS:
            try:
                table = _write_options(b, op.kind, op.attrs)
            except KeyError as exc:
                raise TinygenError(
                    f"cannot write operator {index} ({op.kind}): its option {exc} is missing"
                ) from exc
        tflite.OperatorStart(b)
        tflite.OperatorAddOpcodeIndex(b, code)
        tflite.OperatorAddInputs(b, inputs)
        tflite.OperatorAddOutputs(b, outputs)
        if table is not None:
            union = _enum(tflite.BuiltinOptions, _OPTIONS[op.kind][0], "options")
            tflite.OperatorAddBuiltinOptionsType(b, union)
            tflite.OperatorAddBuiltinOptions(b, table)
        return tflite.OperatorEnd(b)

    def _opcode(self, kind: str, version: int) -> int:
        code = _enum(tflite.BuiltinOperator, kind, "operator")
        tflite.OperatorCodeStart(self.b)
        tflite.OperatorCodeAddDeprecatedBuiltinCode(self.b, min(code, 127))
        tflite.OperatorCodeAddBuiltinCode(self.b, code)
        tflite.OperatorCodeAddVersion(self.b, version)
        return tflite.OperatorCodeEnd(self.b)

    def _subgraph(self, tensors: list[int], operators: list[int]) -> int:
        b = self.b
        tensors_vec = self._tables(tensors)
        inputs = self._ints([self.new_index[t] for t in self.graph.inputs], "int32")
        outputs = self._ints([self.new_index[t] for t in self.graph.outputs], "int32")
        operators_vec = self._tables(operators)
        name = b.CreateString("main")
        tflite.SubGraphStart(b)
        tflite.SubGraphAddTensors(b, tensors_vec)
        tflite.SubGraphAddInputs(b, inputs)
        tflite.SubGraphAddOutputs(b, outputs)
        tflite.SubGraphAddOperators(b, operators_vec)
        tflite.SubGraphAddName(b, name)
        return tflite.SubGraphEnd(b)


# -- builtin options: the reader's attrs back into tables -------------------------------

Field = Callable[[flatbuffers.Builder, dict[str, Any]], Any]


def _activation(_: flatbuffers.Builder, a: dict[str, Any]) -> int:
    return _enum(tflite.ActivationFunctionType, a.get("activation", "NONE"), "activation")


def _padding(_: flatbuffers.Builder, a: dict[str, Any]) -> int:
    return _enum(tflite.Padding, a["padding"], "padding")


def _attr(key: str, default: Any = None, kind: type = int) -> Field:
    """The attribute ``key`` (``default`` when absent; required when there is none)."""

    def get(_: flatbuffers.Builder, a: dict[str, Any]) -> Any:
        return kind(a[key] if default is None else a.get(key, default))

    return get


def _int_vector(key: str) -> Field:
    def get(b: flatbuffers.Builder, a: dict[str, Any]) -> int:
        return b.CreateNumpyVector(np.asarray(a.get(key, []), np.int32))

    return get


_STRIDES = [("StrideW", _attr("stride_w")), ("StrideH", _attr("stride_h"))]
_DILATIONS = [
    ("DilationWFactor", _attr("dilation_w", 1)),
    ("DilationHFactor", _attr("dilation_h", 1)),
]
_FUSED = ("FusedActivationFunction", _activation)

#: Operator kind → (its table's name in the BuiltinOptions union, the fields written).
_OPTIONS: dict[str, tuple[str, list[tuple[str, Field]]]] = {
    "CONV_2D": ("Conv2DOptions", [("Padding", _padding), *_STRIDES, _FUSED, *_DILATIONS]),
    "DEPTHWISE_CONV_2D": (
        "DepthwiseConv2DOptions",
        [
            ("Padding", _padding),
            *_STRIDES,
            ("DepthMultiplier", _attr("depth_multiplier", 1)),
            _FUSED,
            *_DILATIONS,
        ],
    ),
    "FULLY_CONNECTED": (
        "FullyConnectedOptions",
        [
            _FUSED,
            ("WeightsFormat", _attr("weights_format", 0)),
            ("KeepNumDims", _attr("keep_num_dims", False, bool)),
        ],
    ),
    "ADD": ("AddOptions", [_FUSED]),
    "SOFTMAX": ("SoftmaxOptions", [("Beta", _attr("beta", 1.0, float))]),
    "RESHAPE": ("ReshapeOptions", [("NewShape", _int_vector("new_shape"))]),
    "SQUEEZE": ("SqueezeOptions", [("SqueezeDims", _int_vector("squeeze_dims"))]),
    "MEAN": ("ReducerOptions", [("KeepDims", _attr("keep_dims", False, bool))]),
    "EXPAND_DIMS": ("ExpandDimsOptions", []),
    "QUANTIZE": ("QuantizeOptions", []),
    "DEQUANTIZE": ("DequantizeOptions", []),
}
_POOL = [
    ("Padding", _padding),
    *_STRIDES,
    ("FilterWidth", _attr("filter_w")),
    ("FilterHeight", _attr("filter_h")),
    _FUSED,
]
_OPTIONS["AVERAGE_POOL_2D"] = _OPTIONS["MAX_POOL_2D"] = ("Pool2DOptions", _POOL)
_RESIZE = [
    ("AlignCorners", _attr("align_corners", False, bool)),
    ("HalfPixelCenters", _attr("half_pixel_centers", False, bool)),
]
_REDUCER = ("ReducerOptions", [("KeepDims", _attr("keep_dims", False, bool))])
_AXIS = _attr("axis", 0)


def _mirror_mode(_: flatbuffers.Builder, a: dict[str, Any]) -> int:
    return _enum(tflite.MirrorPadMode, a.get("mode", "REFLECT"), "mirror padding mode")


def _index_type(_: flatbuffers.Builder, a: dict[str, Any]) -> int:
    return _enum(tflite.TensorType, str(a.get("output_type", "int64")).upper(), "index type")


_OPTIONS.update({
    "CONCATENATION": ("ConcatenationOptions", [("Axis", _AXIS), _FUSED]),
    "MUL": ("MulOptions", [_FUSED]),
    "SUB": ("SubOptions", [_FUSED]),
    "MAXIMUM": ("MaximumMinimumOptions", []),
    "MINIMUM": ("MaximumMinimumOptions", []),
    "HARD_SWISH": ("HardSwishOptions", []),
    "TRANSPOSE": ("TransposeOptions", []),
    "SLICE": ("SliceOptions", []),
    "STRIDED_SLICE": (
        "StridedSliceOptions",
        [
            ("BeginMask", _attr("begin_mask", 0)),
            ("EndMask", _attr("end_mask", 0)),
            ("EllipsisMask", _attr("ellipsis_mask", 0)),
            ("NewAxisMask", _attr("new_axis_mask", 0)),
            ("ShrinkAxisMask", _attr("shrink_axis_mask", 0)),
            ("Offset", _attr("offset", False, bool)),
        ],
    ),
    "PACK": ("PackOptions", [("ValuesCount", _attr("values_count")), ("Axis", _AXIS)]),
    "UNPACK": ("UnpackOptions", [("Num", _attr("num")), ("Axis", _AXIS)]),
    "SPLIT": ("SplitOptions", [("NumSplits", _attr("num_splits"))]),
    "SPLIT_V": ("SplitVOptions", [("NumSplits", _attr("num_splits"))]),
    "SPACE_TO_DEPTH": ("SpaceToDepthOptions", [("BlockSize", _attr("block_size"))]),
    "DEPTH_TO_SPACE": ("DepthToSpaceOptions", [("BlockSize", _attr("block_size"))]),
    "RESIZE_BILINEAR": ("ResizeBilinearOptions", _RESIZE),
    "RESIZE_NEAREST_NEIGHBOR": ("ResizeNearestNeighborOptions", _RESIZE),
    "SUM": _REDUCER,
    "REDUCE_MAX": _REDUCER,
    "REDUCE_MIN": _REDUCER,
    "LEAKY_RELU": ("LeakyReluOptions", [("Alpha", _attr("alpha", 0.0, float))]),
    "SQUARED_DIFFERENCE": ("SquaredDifferenceOptions", []),
    "L2_NORMALIZATION": ("L2NormOptions", [_FUSED]),
    "MIRROR_PAD": ("MirrorPadOptions", [("Mode", _mirror_mode)]),
    "SPACE_TO_BATCH_ND": ("SpaceToBatchNDOptions", []),
    "BATCH_TO_SPACE_ND": ("BatchToSpaceNDOptions", []),
    "GATHER": ("GatherOptions", [("Axis", _AXIS), ("BatchDims", _attr("batch_dims", 0))]),
    "ARG_MAX": ("ArgMaxOptions", [("OutputType", _index_type)]),
    "ARG_MIN": ("ArgMinOptions", [("OutputType", _index_type)]),
    "BATCH_MATMUL": (
        "BatchMatMulOptions",
        [
            ("AdjX", _attr("adj_x", False, bool)),
            ("AdjY", _attr("adj_y", False, bool)),
            ("AsymmetricQuantizeInputs", _attr("asymmetric_quantize_inputs", False, bool)),
        ],
    ),
    "TRANSPOSE_CONV": ("TransposeConvOptions", [("Padding", _padding), *_STRIDES, _FUSED]),
    "PADV2": ("PadV2Options", []),
    "DIV": ("DivOptions", [_FUSED]),
    "UNIDIRECTIONAL_SEQUENCE_LSTM": (
        "UnidirectionalSequenceLSTMOptions",
        [
            _FUSED,
            ("CellClip", _attr("cell_clip", 0.0, float)),
            ("ProjClip", _attr("proj_clip", 0.0, float)),
            ("TimeMajor", _attr("time_major", False, bool)),
            ("AsymmetricQuantizeInputs", _attr("asymmetric_quantize_inputs", False, bool)),
            ("DiagonalRecurrentTensors", _attr("diagonal_recurrent_tensors", False, bool)),
        ],
    ),
    "SVDF": (
        "SVDFOptions",
        [
            ("Rank", _attr("rank")),
            _FUSED,
            ("AsymmetricQuantizeInputs", _attr("asymmetric_quantize_inputs", False, bool)),
        ],
    ),
})


def _write_options(b: flatbuffers.Builder, kind: str, a: dict[str, Any]) -> int | None:
    """The options table of an operator; None for a RESHAPE that takes its shape as input."""
    table, fields = _OPTIONS[kind]
    if kind == "RESHAPE" and "new_shape" not in a:
        return None
    values = [(name, get(b, a)) for name, get in fields]  # vectors before the table starts
    getattr(tflite, f"{table}Start")(b)
    for name, value in values:
        getattr(tflite, f"{table}Add{name}")(b, value)
    return getattr(tflite, f"{table}End")(b)
