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

import math
from pathlib import Path
from typing import Any

import numpy as np
import tflite
from tflite.utils import BUILTIN_OPCODE2NAME

from tinygen.errors import TinygenError, quoted
from tinygen.frontend.options import BadOption, read_options
from tinygen.frontend.validate import check_counts
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
    """Parse flatbuffer bytes into a ``Graph``.

    Every count, offset and index is checked against the file before it is followed, so
    a damaged or hostile file gives a ``TinygenError`` naming what is wrong, quickly and
    without allocating more than the file's size. The graph's meaning (shapes,
    quantization, order of the operators) is checked by
    :func:`tinygen.frontend.validate.check_graph` before compilation.
    """
    if len(data) < 8 or data[4:8] != b"TFL3":
        raise TinygenError(
            f"{origin}: not a TensorFlow Lite flatbuffer (missing the 'TFL3' identifier)"
        )
    reader = _Reader(data, origin)
    try:
        return reader.graph()
    except TinygenError:
        raise
    except Exception as exc:  # any other decoding failure means a damaged file
        raise TinygenError(
            f"{origin}: the TFLite flatbuffer is truncated or corrupt: {reader.reading} "
            f"cannot be read ({type(exc).__name__})"
        ) from exc


class _Reader:
    def __init__(self, data: bytes, origin: str) -> None:
        self.data = data
        self.origin = origin
        self.model = tflite.Model.GetRootAsModel(data, 0)
        self.reading = "the model table"  # what is being read, for the error message
        self.buffer_count = 0

    def _fail(self, message: str) -> TinygenError:
        return TinygenError(f"{self.origin}: {message} (corrupt file)")

    def _length(self, table: Any, field: int, itemsize: int, what: str) -> int:
        """Elements of vector ``field`` of ``table``, after checking they lie in the file."""
        tab = table._tab
        where = tab.Offset(4 + 2 * field)
        if where == 0:
            return 0
        count = tab.VectorLen(where)
        start = tab.Vector(where)
        if start < 0 or start + count * itemsize > len(self.data):
            raise self._fail(
                f"{what} declares {count:,} entries, more than the {len(self.data):,}-byte "
                "file holds"
            )
        return count

    def _vector(self, table: Any, field: int, dtype: str, what: str) -> np.ndarray:
        np_dtype = np.dtype(dtype).newbyteorder("<")
        count = self._length(table, field, np_dtype.itemsize, what)
        if count == 0:
            return np.zeros(0, np_dtype)
        start = table._tab.Vector(table._tab.Offset(4 + 2 * field))
        return np.frombuffer(self.data, np_dtype, count, start)

    def _indices(self, table: Any, field: int, what: str) -> list[int]:
        return [int(x) for x in self._vector(table, field, "int32", what)]

    def graph(self) -> Graph:
        model = self.model
        if self._length(model, 2, 4, "the subgraph list") < 1:
            raise TinygenError(f"{self.origin}: the model has no subgraph")
        self.buffer_count = self._length(model, 4, 4, "the buffer list")
        self.reading = "subgraph 0"
        sub = model.Subgraphs(0)
        tensor_count = self._length(sub, 0, 4, "the tensor list")
        check_counts(self._length(sub, 3, 4, "the operator list"), tensor_count)
        tensors = [self._tensor(i, sub.Tensors(i)) for i in range(tensor_count)]
        code_count = self._length(model, 1, 4, "the operator code list")
        codes = [self._opcode(k, model.OperatorCodes(k)) for k in range(code_count)]
        ops = []
        for i in range(self._length(sub, 3, 4, "the operator list")):
            self.reading = f"operator {i}"
            op = sub.Operators(i)
            code = int(op.OpcodeIndex())
            if code >= len(codes):
                raise self._fail(
                    f"operator {i} uses operator code {code}, but the model has {len(codes)}"
                )
            kind, version = codes[code]
            inputs = self._indices(op, 1, f"the input list of operator {i}")
            outputs = self._indices(op, 2, f"the output list of operator {i}")
            for t in inputs + outputs:
                if t != NO_TENSOR and not 0 <= t < len(tensors):
                    raise self._fail(
                        f"operator {i} ({kind}) refers to tensor {t}, "
                        f"but the model has {len(tensors)} tensors"
                    )
            attrs = self._options(i, kind, op)
            attrs["version"] = version
            ops.append(Op(kind, inputs, outputs, attrs))
        self.reading = "the graph's inputs, outputs and description"
        graph_inputs = self._indices(sub, 1, "the graph's input list")
        graph_outputs = self._indices(sub, 2, "the graph's output list")
        for which, indices in (("input", graph_inputs), ("output", graph_outputs)):
            for t in indices:
                if not 0 <= t < len(tensors):
                    raise self._fail(
                        f"graph {which} {t} is no tensor (the model has {len(tensors)})"
                    )
        desc = model.Description()
        return Graph(
            tensors,
            ops,
            graph_inputs,
            graph_outputs,
            description=desc.decode("utf-8", "replace") if desc else "",
        )

    def _opcode(self, index: int, code: Any) -> tuple[str, int]:
        self.reading = f"operator code {index}"
        builtin = max(int(code.BuiltinCode()), int(code.DeprecatedBuiltinCode()))
        if builtin < 0:
            raise self._fail(f"operator code {index} has the negative builtin code {builtin}")
        if builtin == 32:  # CUSTOM
            custom = code.CustomCode()
            text = custom.decode("utf-8", "replace") if custom else "?"
            name = "".join(c if " " <= c <= "~" else "?" for c in text[:60])
            return f"CUSTOM:{name}", int(code.Version())
        return BUILTIN_OPCODE2NAME.get(builtin, f"BUILTIN_{builtin}"), int(code.Version())

    def _buffer_bytes(self, index: int, tensor: str) -> bytes | None:
        if index >= self.buffer_count:
            raise self._fail(
                f"tensor {tensor} refers to buffer {index}, but the model has "
                f"{self.buffer_count} buffers"
            )
        if index == 0:  # buffer 0 is the empty one by convention
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
            return self.data[offset : offset + size] if size else None
        raw = self._vector(buf, 0, "uint8", f"buffer {index}")
        return raw.tobytes() if raw.size else None

    def _tensor(self, index: int, t: Any) -> Tensor:
        self.reading = f"tensor {index}"
        name = t.Name().decode("utf-8", "replace") if t.Name() else ""
        shown = f"{index} {quoted(name)}"
        type_code = int(t.Type())
        dtype = _TENSOR_TYPES.get(type_code)
        if dtype is None:
            raise self._fail(
                f"tensor {shown} has type code {type_code}, which is no TensorFlow Lite type"
            )
        shape = tuple(self._indices(t, 0, f"the shape of tensor {shown}"))
        if any(d < 0 for d in shape):
            raise self._fail(f"tensor {shown} has shape {list(shape)}, with a negative size")
        signature = tuple(self._indices(t, 7, f"the shape signature of tensor {shown}")) or None
        quant = None
        q = t.Quantization()
        if q is not None:
            scale = self._vector(q, 2, "float32", f"the scales of tensor {shown}")
            zero = self._vector(q, 3, "int64", f"the zero points of tensor {shown}")
            if scale.size:
                quant = Quantization(
                    scale.astype(np.float32),
                    zero.astype(np.int64) if zero.size else np.zeros(scale.size, np.int64),
                    int(q.QuantizedDimension()),
                )
        data = None
        raw = self._buffer_bytes(int(t.Buffer()), shown)
        if raw is not None:
            data = _decode_buffer(raw, dtype, shape, name, self.origin)
        variable = bool(t.IsVariable())
        if variable and data is not None:
            raise self._fail(
                f"tensor {shown} is a variable with initial data; tinygen starts state at "
                "its zero point, as TFLite Micro does"
            )
        return Tensor(name, shape, dtype, quant, data, signature, variable)

    def _options(self, index: int, kind: str, op: Any) -> dict[str, Any]:
        try:
            return read_options(kind, op)
        except BadOption as exc:
            raise self._fail(f"operator {index} ({kind}) carries {exc}") from None


def _decode_buffer(
    raw: bytes, dtype: str, shape: tuple[int, ...], name: str, origin: str
) -> np.ndarray:
    if dtype in ("string", "int4", "complex64"):
        return np.frombuffer(raw, np.uint8).copy()
    np_dtype = np.dtype(dtype)
    count = math.prod(shape)
    if len(raw) != count * np_dtype.itemsize:
        raise TinygenError(
            f"{origin}: constant tensor {quoted(name)} holds {len(raw)} bytes, "
            f"but shape {list(shape)} of {dtype} needs {count * np_dtype.itemsize} (corrupt file)"
        )
    return np.frombuffer(raw, np_dtype).reshape(shape).copy()
