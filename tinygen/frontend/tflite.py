"""Read a ``.tflite`` flatbuffer into tinygen's IR.

This is the only module that knows the TFLite schema. It uses the generated
schema bindings shipped by the ``tflite`` package (generated from TensorFlow's
``schema.fbs``) and turns the model's first subgraph into a ``Graph``.

Buffers may be stored inline or, in the large-model layout, as ``offset`` and
``size`` into the file after the flatbuffer; both are handled. Operator codes
are read from ``builtin_code`` and ``deprecated_builtin_code`` (the larger of
the two is the real one, as in TensorFlow's own reader).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import tflite
from tflite.utils import BUILTIN_OPCODE2NAME

from tinygen.errors import TinygenError
from tinygen.ir import NO_TENSOR, Graph, Op, Quantization, Tensor

_TENSOR_TYPES = {
    0: "float32",
    1: "float16",
    2: "int32",
    3: "uint8",
    4: "int64",
    5: "string",
    6: "bool",
    7: "int16",
    8: "complex64",
    9: "int8",
    10: "float64",
    15: "uint32",
    16: "uint16",
    17: "int4",
}
_ACTIVATIONS = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}
_PADDINGS = {0: "SAME", 1: "VALID"}


def read_tflite(path: str | Path) -> Graph:
    """Read a TFLite file; raise ``TinygenError`` with a clear sentence on bad input."""
    path = Path(path)
    if not path.exists():
        raise TinygenError(f"{path}: no such file")
    if path.is_dir():
        raise TinygenError(f"{path}: is a directory, expected a .tflite file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TinygenError(f"{path}: cannot be read ({exc.strerror})") from exc
    return parse_tflite(data, str(path))


def parse_tflite(data: bytes, origin: str = "<model>") -> Graph:
    """Parse flatbuffer bytes into a ``Graph``."""
    if len(data) < 8 or data[4:8] != b"TFL3":
        raise TinygenError(
            f"{origin}: not a TensorFlow Lite flatbuffer (missing the 'TFL3' identifier)"
        )
    try:
        return _Reader(data, origin).graph()
    except TinygenError:
        raise
    except Exception as exc:  # any decoding failure means a damaged file
        raise TinygenError(
            f"{origin}: the TFLite flatbuffer is truncated or corrupt ({type(exc).__name__})"
        ) from exc


class _Reader:
    def __init__(self, data: bytes, origin: str) -> None:
        self.data = data
        self.origin = origin
        self.model = tflite.Model.GetRootAsModel(data, 0)

    def graph(self) -> Graph:
        model = self.model
        if model.SubgraphsLength() < 1:
            raise TinygenError(f"{self.origin}: the model has no subgraph")
        sub = model.Subgraphs(0)
        tensors = [self._tensor(sub.Tensors(i)) for i in range(sub.TensorsLength())]
        codes = [self._opcode(model.OperatorCodes(i)) for i in range(model.OperatorCodesLength())]
        ops = []
        for i in range(sub.OperatorsLength()):
            op = sub.Operators(i)
            kind, version = codes[op.OpcodeIndex()]
            inputs = [int(x) for x in op.InputsAsNumpy()] if op.InputsLength() else []
            outputs = [int(x) for x in op.OutputsAsNumpy()] if op.OutputsLength() else []
            for t in inputs + outputs:
                if t != NO_TENSOR and not 0 <= t < len(tensors):
                    raise TinygenError(
                        f"{self.origin}: operator {i} refers to tensor {t}, "
                        f"but the model has {len(tensors)} tensors (corrupt file)"
                    )
            attrs = _options(kind, op)
            attrs["version"] = version
            ops.append(Op(kind, inputs, outputs, attrs))
        graph_inputs = [int(x) for x in sub.InputsAsNumpy()] if sub.InputsLength() else []
        graph_outputs = [int(x) for x in sub.OutputsAsNumpy()] if sub.OutputsLength() else []
        desc = model.Description()
        return Graph(
            tensors,
            ops,
            graph_inputs,
            graph_outputs,
            description=desc.decode("utf-8", "replace") if desc else "",
        )

    def _opcode(self, code: Any) -> tuple[str, int]:
        builtin = max(int(code.BuiltinCode()), int(code.DeprecatedBuiltinCode()))
        if builtin == 32:  # CUSTOM
            custom = code.CustomCode()
            return f"CUSTOM:{custom.decode() if custom else '?'}", int(code.Version())
        return BUILTIN_OPCODE2NAME.get(builtin, f"BUILTIN_{builtin}"), int(code.Version())

    def _buffer_bytes(self, index: int) -> bytes | None:
        if index <= 0 or index >= self.model.BuffersLength():
            return None
        buf = self.model.Buffers(index)
        offset, size = int(buf.Offset()), int(buf.Size())
        if offset > 1:  # large-model layout: data lives after the flatbuffer
            if offset + size > len(self.data):
                raise TinygenError(
                    f"{self.origin}: buffer {index} lies past the end of the file "
                    f"(offset {offset} + size {size} > {len(self.data)} bytes); "
                    "the file is truncated"
                )
            return self.data[offset : offset + size]
        if buf.DataLength() == 0:
            return None
        return buf.DataAsNumpy().tobytes()

    def _tensor(self, t: Any) -> Tensor:
        name = t.Name().decode("utf-8", "replace") if t.Name() else ""
        type_code = int(t.Type())
        dtype = _TENSOR_TYPES.get(type_code, f"type{type_code}")
        shape = tuple(int(x) for x in t.ShapeAsNumpy()) if t.ShapeLength() else ()
        signature = (
            tuple(int(x) for x in t.ShapeSignatureAsNumpy()) if t.ShapeSignatureLength() else None
        )
        quant = None
        q = t.Quantization()
        if q is not None and q.ScaleLength() > 0:
            zero = (
                q.ZeroPointAsNumpy().astype(np.int64)
                if q.ZeroPointLength()
                else np.zeros(q.ScaleLength(), np.int64)
            )
            quant = Quantization(
                q.ScaleAsNumpy().astype(np.float32), zero, int(q.QuantizedDimension())
            )
        data = None
        raw = self._buffer_bytes(int(t.Buffer()))
        if raw is not None:
            data = _decode_buffer(raw, dtype, shape, name, self.origin)
        return Tensor(name, shape, dtype, quant, data, signature)


def _decode_buffer(
    raw: bytes, dtype: str, shape: tuple[int, ...], name: str, origin: str
) -> np.ndarray:
    if dtype in ("string", "int4", "complex64") or dtype.startswith("type"):
        return np.frombuffer(raw, np.uint8).copy()
    np_dtype = np.dtype(dtype)
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if len(raw) != count * np_dtype.itemsize:
        raise TinygenError(
            f"{origin}: constant tensor '{name}' holds {len(raw)} bytes, "
            f"but shape {list(shape)} of {dtype} needs {count * np_dtype.itemsize} (corrupt file)"
        )
    return np.frombuffer(raw, np_dtype).reshape(shape).copy()


def _table(op: Any, cls: type) -> Any:
    table = op.BuiltinOptions()
    if table is None:
        return None
    opts = cls()
    opts.Init(table.Bytes, table.Pos)
    return opts


def _conv(o: Any) -> dict[str, Any]:
    return {
        "padding": _PADDINGS[o.Padding()],
        "stride_h": o.StrideH(),
        "stride_w": o.StrideW(),
        "dilation_h": o.DilationHFactor(),
        "dilation_w": o.DilationWFactor(),
        "activation": _ACTIVATIONS.get(o.FusedActivationFunction(), "UNKNOWN"),
    }


def _depthwise(o: Any) -> dict[str, Any]:
    return _conv(o) | {"depth_multiplier": o.DepthMultiplier()}


def _pool(o: Any) -> dict[str, Any]:
    return {
        "padding": _PADDINGS[o.Padding()],
        "stride_h": o.StrideH(),
        "stride_w": o.StrideW(),
        "filter_h": o.FilterHeight(),
        "filter_w": o.FilterWidth(),
        "activation": _ACTIVATIONS.get(o.FusedActivationFunction(), "UNKNOWN"),
    }


def _fully_connected(o: Any) -> dict[str, Any]:
    return {
        "activation": _ACTIVATIONS.get(o.FusedActivationFunction(), "UNKNOWN"),
        "keep_num_dims": bool(o.KeepNumDims()),
        "weights_format": int(o.WeightsFormat()),
    }


def _activation_only(o: Any) -> dict[str, Any]:
    return {"activation": _ACTIVATIONS.get(o.FusedActivationFunction(), "UNKNOWN")}


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


def _reducer(o: Any) -> dict[str, Any]:
    return {"keep_dims": bool(o.KeepDims())}


_OPTIONS: dict[str, tuple[type, Callable[[Any], dict[str, Any]]]] = {
    "CONV_2D": (tflite.Conv2DOptions, _conv),
    "DEPTHWISE_CONV_2D": (tflite.DepthwiseConv2DOptions, _depthwise),
    "AVERAGE_POOL_2D": (tflite.Pool2DOptions, _pool),
    "MAX_POOL_2D": (tflite.Pool2DOptions, _pool),
    "FULLY_CONNECTED": (tflite.FullyConnectedOptions, _fully_connected),
    "ADD": (tflite.AddOptions, _activation_only),
    "SUB": (tflite.SubOptions, _activation_only),
    "MUL": (tflite.MulOptions, _activation_only),
    "DIV": (tflite.DivOptions, _activation_only),
    "RESHAPE": (tflite.ReshapeOptions, _reshape),
    "SQUEEZE": (tflite.SqueezeOptions, _squeeze),
    "CONCATENATION": (tflite.ConcatenationOptions, _concat),
    "STRIDED_SLICE": (tflite.StridedSliceOptions, _strided_slice),
    "PACK": (tflite.PackOptions, _pack),
    "UNPACK": (tflite.UnpackOptions, _unpack),
    "GATHER": (tflite.GatherOptions, _gather),
    "MEAN": (tflite.ReducerOptions, _reducer),
    "SUM": (tflite.ReducerOptions, _reducer),
}


def _options(kind: str, op: Any) -> dict[str, Any]:
    if kind == "SOFTMAX":
        o = _table(op, tflite.SoftmaxOptions)
        return {"beta": float(o.Beta()) if o is not None else 1.0}
    entry = _OPTIONS.get(kind)
    if entry is None:
        return {}
    cls, convert = entry
    o = _table(op, cls)
    if o is None:
        return {}
    return convert(o)
