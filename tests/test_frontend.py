"""The TFLite reader: real models, both buffer layouts, operator codes."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import flatbuffers
import numpy as np
import pytest
import tf_models
import tflite

from tinygen.errors import TinygenError
from tinygen.frontend.tflite import parse_tflite
from tinygen.frontend.validate import check_graph

schema = pytest.importorskip(
    "tflite_micro.tensorflow.lite.micro.python.schema_py_generated",
    reason="the object API of the TFLite schema comes with the tflite-micro package",
)


def _pack(model: object) -> bytes:
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def to_offset_layout(data: bytes) -> bytes:
    """Rewrite a model so every buffer is stored after the flatbuffer (offset/size)."""
    model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
    payloads = {}
    for i, buf in enumerate(model.buffers):
        if buf.data is not None and len(buf.data):
            payloads[i] = bytes(np.asarray(buf.data, np.uint8))
            buf.data = None
            buf.offset, buf.size = 1 << 40, len(payloads[i])  # placeholders, same width
    head = _pack(model)
    tail = bytearray()
    position = (len(head) + 15) // 16 * 16
    for i, payload in payloads.items():
        model.buffers[i].offset = position + len(tail)
        tail += payload + b"\0" * (-len(payload) % 16)
    head = _pack(model)
    assert (len(head) + 15) // 16 * 16 == position
    return head + b"\0" * (position - len(head)) + bytes(tail)


def test_offset_buffers_read_like_inline_ones() -> None:
    inline = tf_models.dense_model()
    moved = to_offset_layout(inline)
    a, b = parse_tflite(inline), parse_tflite(moved)
    assert len(moved) > len(inline) // 2
    assert [op.kind for op in a.ops] == [op.kind for op in b.ops]
    constants = [t for t in a.tensors if t.is_constant]
    assert constants
    for ta, tb in zip(a.tensors, b.tensors, strict=True):
        assert ta.shape == tb.shape and ta.dtype == tb.dtype
        if ta.is_constant:
            assert tb.is_constant and np.array_equal(ta.data, tb.data)


def test_offset_past_end_is_reported() -> None:
    moved = to_offset_layout(tf_models.dense_model())
    model = schema.ModelT.InitFromPackedBuf(bytearray(moved), 0)
    first_payload = min(b.offset for b in model.buffers if b.offset > 1)
    with pytest.raises(TinygenError, match="truncated"):
        parse_tflite(moved[: first_payload + 1])


def test_opcode_from_deprecated_builtin_code() -> None:
    model = schema.ModelT.InitFromPackedBuf(bytearray(tf_models.dense_model()), 0)
    for code in model.operatorCodes:
        code.deprecatedBuiltinCode = code.builtinCode
        code.builtinCode = 0  # old writers only filled the deprecated field
    graph = parse_tflite(_pack(model))
    assert [op.kind for op in graph.ops] == ["FULLY_CONNECTED"]


def test_shared_models_read(shared_dir: Path) -> None:
    graph = parse_tflite((shared_dir / "models" / "kws_ref_model.tflite").read_bytes())
    assert [graph.tensors[i].shape for i in graph.inputs] == [(1, 49, 10, 1)]
    kinds = [op.kind for op in graph.ops]
    assert kinds.count("CONV_2D") == 5 and kinds.count("DEPTHWISE_CONV_2D") == 4
    conv = graph.ops[0]
    assert conv.attrs["stride_h"] == 2 and conv.attrs["padding"] == "SAME"
    weights = graph.tensors[conv.inputs[1]]
    assert weights.is_constant and weights.quant is not None and weights.quant.per_channel


@cache
def _dense() -> bytes:
    return tf_models.dense_model()


def _edited(edit: Callable[[Any], None]) -> bytes:
    model = schema.ModelT.InitFromPackedBuf(bytearray(_dense()), 0)
    edit(model)
    return _pack(model)


def _weights(model: Any) -> Any:
    sub = model.subgraphs[0]
    return sub.tensors[sub.operators[0].inputs[1]]


def _set(obj: Any, **values: Any) -> None:
    for name, value in values.items():
        setattr(obj, name, value)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: _set(m.subgraphs[0].operators[0], opcodeIndex=7),
         "operator 0 uses operator code 7, but the model has 1"),
        (lambda m: _set(m.subgraphs[0].tensors[0], type=100), "type code 100"),
        (lambda m: _set(m.subgraphs[0].tensors[0], shape=[1, -3]), "with a negative size"),
        (lambda m: _set(_weights(m), buffer=999), "refers to buffer 999"),
        (lambda m: _set(m.subgraphs[0].operators[0], builtinOptionsType=1),
         "carries options of type 1, not its FullyConnectedOptions"),
        (lambda m: _set(m.subgraphs[0], inputs=[5000]), "graph input 5000 is no tensor"),
    ],
)
def test_damaged_file_is_named(edit: Callable[[Any], None], message: str) -> None:
    with pytest.raises(TinygenError, match=re.escape(message)):
        parse_tflite(_edited(edit))


def test_vector_count_beyond_the_file() -> None:
    data = bytearray(_dense())
    tab = tflite.Model.GetRootAsModel(data, 0).Subgraphs(0)._tab
    count_at = tab.Vector(tab.Offset(4)) - 4  # the length of the tensor list
    data[count_at : count_at + 4] = (0x7FFFFFFF).to_bytes(4, "little")
    with pytest.raises(TinygenError, match="the tensor list declares 2,147,483,647 entries"):
        parse_tflite(bytes(data))


def _first_op_reads_its_output(m: Any) -> None:
    op = m.subgraphs[0].operators[0]
    op.inputs[0] = op.outputs[0]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_first_op_reads_its_output, "before operator 0 (FULLY_CONNECTED) writes it"),
        (lambda m: _set(_weights(m).quantization, scale=[0.0] * 8),
         "scales must be finite and above 0"),
        (lambda m: _set(m.subgraphs[0].tensors[m.subgraphs[0].inputs[0]].quantization,
                        zeroPoint=[300]), "zero point 300, outside [-128, 127]"),
        (lambda m: _set(m.subgraphs[0], outputs=[m.subgraphs[0].operators[0].inputs[1]]),
         "is constant"),
        (lambda m: _set(_weights(m).quantization, quantizedDimension=1),
         "quantization scales along dimension 1"),
    ],
)
def test_invalid_graph_is_refused(edit: Callable[[Any], None], message: str) -> None:
    graph = parse_tflite(_edited(edit))
    with pytest.raises(TinygenError, match=re.escape(message)):
        check_graph(graph)


def test_the_writer_writes_every_option_the_reader_reads() -> None:
    """A kind whose options the reader reads but the writer lacks would be written without
    them (a TRANSPOSE_CONV of strides 0, an LSTM without its cell clip)."""
    from tinygen.frontend import options, tflite_writer

    assert set(options.OPTIONS) <= set(tflite_writer._OPTIONS)
