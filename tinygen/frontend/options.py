"""The builtin options of the operators tinygen reads, as plain ``attrs`` dictionaries.

``OPTIONS`` maps an operator kind to its options table class, the table's type in the
``BuiltinOptions`` union and a converter; :func:`read_options` checks the union type and
turns an absent table into the schema's defaults, as TensorFlow Lite's reader does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flatbuffers
import tflite

ACTIVATIONS = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}
PADDINGS = {0: "SAME", 1: "VALID"}


class BadOption(Exception):
    """An options table that does not fit its operator; the reader names the operator."""


def _padding(code: int) -> str:
    if code not in PADDINGS:
        raise BadOption(f"the unknown padding {code} (0 is SAME, 1 is VALID)")
    return PADDINGS[code]


def _activation(code: int) -> str:
    return ACTIVATIONS.get(code, f"unknown ({code})")


def _conv(o: Any) -> dict[str, Any]:
    return {
        "padding": _padding(o.Padding()),
        "stride_h": o.StrideH(),
        "stride_w": o.StrideW(),
        "dilation_h": o.DilationHFactor(),
        "dilation_w": o.DilationWFactor(),
        "activation": _activation(o.FusedActivationFunction()),
    }


def _depthwise(o: Any) -> dict[str, Any]:
    return _conv(o) | {"depth_multiplier": o.DepthMultiplier()}


def _pool(o: Any) -> dict[str, Any]:
    return {
        "padding": _padding(o.Padding()),
        "stride_h": o.StrideH(),
        "stride_w": o.StrideW(),
        "filter_h": o.FilterHeight(),
        "filter_w": o.FilterWidth(),
        "activation": _activation(o.FusedActivationFunction()),
    }


def _fully_connected(o: Any) -> dict[str, Any]:
    return {
        "activation": _activation(o.FusedActivationFunction()),
        "keep_num_dims": bool(o.KeepNumDims()),
        "weights_format": int(o.WeightsFormat()),
    }


def _activation_only(o: Any) -> dict[str, Any]:
    return {"activation": _activation(o.FusedActivationFunction())}


def _reshape(o: Any) -> dict[str, Any]:
    if o.NewShapeLength() == 0:
        return {}
    return {"new_shape": [int(x) for x in o.NewShapeAsNumpy()]}


def _squeeze(o: Any) -> dict[str, Any]:
    dims = [int(x) for x in o.SqueezeDimsAsNumpy()] if o.SqueezeDimsLength() else []
    return {"squeeze_dims": dims}


def _concat(o: Any) -> dict[str, Any]:
    return {"axis": o.Axis()} | _activation_only(o)


def _strided_slice(o: Any) -> dict[str, Any]:
    return {
        "begin_mask": o.BeginMask(),
        "end_mask": o.EndMask(),
        "ellipsis_mask": o.EllipsisMask(),
        "new_axis_mask": o.NewAxisMask(),
        "shrink_axis_mask": o.ShrinkAxisMask(),
        "offset": bool(o.Offset()),
    }


def _pack(o: Any) -> dict[str, Any]:
    return {"axis": o.Axis(), "values_count": o.ValuesCount()}


def _unpack(o: Any) -> dict[str, Any]:
    return {"axis": o.Axis(), "num": o.Num()}


def _gather(o: Any) -> dict[str, Any]:
    return {"axis": o.Axis(), "batch_dims": o.BatchDims()}


def _block_size(o: Any) -> dict[str, Any]:
    return {"block_size": o.BlockSize()}


def _num_splits(o: Any) -> dict[str, Any]:
    return {"num_splits": o.NumSplits()}


def _mirror_pad(o: Any) -> dict[str, Any]:
    modes = {tflite.MirrorPadMode.REFLECT: "REFLECT", tflite.MirrorPadMode.SYMMETRIC: "SYMMETRIC"}
    return {"mode": modes.get(o.Mode(), f"unknown ({o.Mode()})")}


def _reducer(o: Any) -> dict[str, Any]:
    return {"keep_dims": bool(o.KeepDims())}


#: ARG_MAX / ARG_MIN output types (TensorType codes) the converter writes.
_INDEX_TYPES = {2: "int32", 4: "int64"}


def _arg_minmax(o: Any) -> dict[str, Any]:
    return {"output_type": _INDEX_TYPES.get(o.OutputType(), f"unknown ({o.OutputType()})")}


def _batch_matmul(o: Any) -> dict[str, Any]:
    return {"adj_x": bool(o.AdjX()), "adj_y": bool(o.AdjY()),
            "asymmetric_quantize_inputs": bool(o.AsymmetricQuantizeInputs())}


def _softmax(o: Any) -> dict[str, Any]:
    return {"beta": float(o.Beta())}


def _leaky_relu(o: Any) -> dict[str, Any]:
    return {"alpha": float(o.Alpha())}


def _transpose_conv(o: Any) -> dict[str, Any]:
    return {
        "padding": _padding(o.Padding()),
        "stride_h": o.StrideH(),
        "stride_w": o.StrideW(),
        "activation": _activation(o.FusedActivationFunction()),
    }


def _resize(o: Any) -> dict[str, Any]:
    return {"align_corners": bool(o.AlignCorners()),
            "half_pixel_centers": bool(o.HalfPixelCenters())}


def _svdf(o: Any) -> dict[str, Any]:
    return {
        "rank": int(o.Rank()),
        "activation": _activation(o.FusedActivationFunction()),
        "asymmetric_quantize_inputs": bool(o.AsymmetricQuantizeInputs()),
    }


def _sequence_lstm(o: Any) -> dict[str, Any]:
    return {
        "activation": _activation(o.FusedActivationFunction()),
        "cell_clip": float(o.CellClip()),
        "proj_clip": float(o.ProjClip()),
        "time_major": bool(o.TimeMajor()),
        "asymmetric_quantize_inputs": bool(o.AsymmetricQuantizeInputs()),
        "diagonal_recurrent_tensors": bool(o.DiagonalRecurrentTensors()),
    }


_T = tflite.BuiltinOptions
#: Operator kind → (options table, its BuiltinOptions union type, converter to attrs).
OPTIONS: dict[str, tuple[type, int, Callable[[Any], dict[str, Any]]]] = {
    "CONV_2D": (tflite.Conv2DOptions, _T.Conv2DOptions, _conv),
    "DEPTHWISE_CONV_2D": (tflite.DepthwiseConv2DOptions, _T.DepthwiseConv2DOptions, _depthwise),
    "AVERAGE_POOL_2D": (tflite.Pool2DOptions, _T.Pool2DOptions, _pool),
    "MAX_POOL_2D": (tflite.Pool2DOptions, _T.Pool2DOptions, _pool),
    "FULLY_CONNECTED": (tflite.FullyConnectedOptions, _T.FullyConnectedOptions, _fully_connected),
    "SOFTMAX": (tflite.SoftmaxOptions, _T.SoftmaxOptions, _softmax),
    "LEAKY_RELU": (tflite.LeakyReluOptions, _T.LeakyReluOptions, _leaky_relu),
    "ADD": (tflite.AddOptions, _T.AddOptions, _activation_only),
    "SUB": (tflite.SubOptions, _T.SubOptions, _activation_only),
    "MUL": (tflite.MulOptions, _T.MulOptions, _activation_only),
    "DIV": (tflite.DivOptions, _T.DivOptions, _activation_only),
    "RESHAPE": (tflite.ReshapeOptions, _T.ReshapeOptions, _reshape),
    "SQUEEZE": (tflite.SqueezeOptions, _T.SqueezeOptions, _squeeze),
    "CONCATENATION": (tflite.ConcatenationOptions, _T.ConcatenationOptions, _concat),
    "STRIDED_SLICE": (tflite.StridedSliceOptions, _T.StridedSliceOptions, _strided_slice),
    "PACK": (tflite.PackOptions, _T.PackOptions, _pack),
    "UNPACK": (tflite.UnpackOptions, _T.UnpackOptions, _unpack),
    "GATHER": (tflite.GatherOptions, _T.GatherOptions, _gather),
    "SPACE_TO_DEPTH": (tflite.SpaceToDepthOptions, _T.SpaceToDepthOptions, _block_size),
    "DEPTH_TO_SPACE": (tflite.DepthToSpaceOptions, _T.DepthToSpaceOptions, _block_size),
    "SPLIT": (tflite.SplitOptions, _T.SplitOptions, _num_splits),
    "SPLIT_V": (tflite.SplitVOptions, _T.SplitVOptions, _num_splits),
    "MIRROR_PAD": (tflite.MirrorPadOptions, _T.MirrorPadOptions, _mirror_pad),
    "MEAN": (tflite.ReducerOptions, _T.ReducerOptions, _reducer),
    "SUM": (tflite.ReducerOptions, _T.ReducerOptions, _reducer),
    "REDUCE_MAX": (tflite.ReducerOptions, _T.ReducerOptions, _reducer),
    "REDUCE_MIN": (tflite.ReducerOptions, _T.ReducerOptions, _reducer),
    "ARG_MAX": (tflite.ArgMaxOptions, _T.ArgMaxOptions, _arg_minmax),
    "ARG_MIN": (tflite.ArgMinOptions, _T.ArgMinOptions, _arg_minmax),
    "L2_NORMALIZATION": (tflite.L2NormOptions, _T.L2NormOptions, _activation_only),
    "BATCH_MATMUL": (tflite.BatchMatMulOptions, _T.BatchMatMulOptions, _batch_matmul),
    "TRANSPOSE_CONV": (tflite.TransposeConvOptions, _T.TransposeConvOptions, _transpose_conv),
    "RESIZE_BILINEAR": (tflite.ResizeBilinearOptions, _T.ResizeBilinearOptions, _resize),
    "RESIZE_NEAREST_NEIGHBOR": (
        tflite.ResizeNearestNeighborOptions, _T.ResizeNearestNeighborOptions, _resize),
    "SVDF": (tflite.SVDFOptions, _T.SVDFOptions, _svdf),
    "UNIDIRECTIONAL_SEQUENCE_LSTM": (
        tflite.UnidirectionalSequenceLSTMOptions, _T.UnidirectionalSequenceLSTMOptions,
        _sequence_lstm),
}
#: Attributes of absent options that differ from the schema's defaults.
_ABSENT = {"SOFTMAX": {"beta": 1.0}}


def _empty_table() -> tuple[bytearray, int]:
    builder = flatbuffers.Builder(16)
    builder.StartObject(0)
    builder.Finish(builder.EndObject())
    data = builder.Output()
    return bytearray(data), int.from_bytes(data[:4], "little")


_EMPTY_TABLE, _EMPTY_TABLE_POS = _empty_table()


def read_options(kind: str, op: Any) -> dict[str, Any]:
    """The attrs of operator ``op`` of ``kind`` (empty for kinds without known options)."""
    entry = OPTIONS.get(kind)
    if entry is None:
        return {}
    cls, union, convert = entry
    table = op.BuiltinOptions()
    given = int(op.BuiltinOptionsType())
    if table is not None and given != union:
        raise BadOption(f"options of type {given}, not its {cls.__name__} ({union})")
    options = cls()
    if table is None:  # absent options: every field takes the schema's default
        options.Init(_EMPTY_TABLE, _EMPTY_TABLE_POS)
    else:
        options.Init(table.Bytes, table.Pos)
    attrs = convert(options)
    return attrs | _ABSENT.get(kind, {}) if table is None else attrs
