"""Byte-level damage to a .tflite file: bit flips, overwritten bytes, truncation, junk,
vector counts and offsets. The positions of counts and offsets come from a walk of the
flatbuffer (``layout``) over the fields tinygen's reader follows."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np

INT32_MAX = (1 << 31) - 1
INT32_MIN = -(1 << 31)
UINT32_MAX = (1 << 32) - 1

#: The fields of the schema tinygen reads, by table: field id → (kind, table it points to).
_SCHEMA: dict[str, dict[int, tuple[str, str]]] = {
    "Model": {1: ("tables", "OperatorCode"), 2: ("tables", "SubGraph"), 3: ("string", ""),
              4: ("tables", "Buffer")},
    "SubGraph": {0: ("tables", "Tensor"), 1: ("vector", ""), 2: ("vector", ""),
                 3: ("tables", "Operator"), 4: ("string", "")},
    "Tensor": {0: ("vector", ""), 3: ("string", ""), 4: ("table", "Quantization"),
               7: ("vector", "")},
    "Operator": {1: ("vector", ""), 2: ("vector", ""), 4: ("table", "Options")},
    "Quantization": {0: ("vector", ""), 1: ("vector", ""), 2: ("vector", ""),
                     3: ("vector", "")},
    "Buffer": {0: ("vector", "")},
    "OperatorCode": {1: ("string", "")},
    "Options": {},
}  # fmt: skip


@dataclass
class Layout:
    """Where a valid flatbuffer keeps its vector counts, offsets and vtable offsets."""

    counts: list[int] = field(default_factory=list)  # uint32 element counts
    offsets: list[int] = field(default_factory=list)  # uoffsets to tables, vectors, strings
    vtables: list[int] = field(default_factory=list)  # soffset at the start of each table
    data: list[tuple[int, int]] = field(default_factory=list)  # buffer payload byte ranges


def _get(fmt: str, data: bytes, pos: int) -> int:
    return int(struct.unpack_from(fmt, data, pos)[0])


def layout(data: bytes) -> Layout:
    """Walk a valid model and note every count and offset tinygen's reader follows."""
    out = Layout()
    seen: set[int] = set()

    def table(pos: int, kind: str) -> None:
        if pos in seen:
            return
        seen.add(pos)
        out.vtables.append(pos)
        vtable = pos - _get("<i", data, pos)
        size = _get("<H", data, vtable)
        for field_id, (what, target) in _SCHEMA[kind].items():
            slot = 4 + 2 * field_id
            relative = _get("<H", data, vtable + slot) if slot < size else 0
            if relative == 0:
                continue
            where = pos + relative
            out.offsets.append(where)
            start = where + _get("<I", data, where)
            if what == "table":
                table(start, target)
                continue
            out.counts.append(start)
            count = _get("<I", data, start)
            if kind == "Buffer":
                out.data.append((start + 4, start + 4 + count))
            if what == "tables":
                for i in range(count):
                    element = start + 4 + 4 * i
                    out.offsets.append(element)
                    table(element + _get("<I", data, element), target)

    table(_get("<I", data, 0), "Model")
    return out


_LAYOUTS: dict[bytes, Layout] = {}


def cached_layout(data: bytes) -> Layout:
    if data not in _LAYOUTS:
        _LAYOUTS[data] = layout(data)
    return _LAYOUTS[data]


def structure_position(data: bytes, rng: np.random.Generator) -> int:
    """A byte outside the weight payloads, most of the time (that is where damage bites)."""
    ranges = cached_layout(data).data
    for _ in range(64):
        pos = int(rng.integers(len(data)))
        if not any(low <= pos < high for low, high in ranges):
            return pos
    return int(rng.integers(len(data)))


def pick(rng: np.random.Generator, values: list[Any] | tuple[Any, ...]) -> Any:
    return values[int(rng.integers(len(values)))]


# --- byte-level mutations -------------------------------------------------------------


def bit_flip(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    out = bytearray(data)
    flips = []
    for _ in range(int(rng.integers(1, 9))):
        pos, bit = structure_position(data, rng), int(rng.integers(8))
        out[pos] ^= 1 << bit
        flips.append(f"{pos}.{bit}")
    return bytes(out), "flipped bits " + ", ".join(flips)


def byte_overwrite(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    out = bytearray(data)
    done = []
    for _ in range(int(rng.integers(1, 9))):
        pos = structure_position(data, rng)
        value = pick(rng, [0x00, 0xFF, 0x7F, 0x80, 0x01, int(rng.integers(256))])
        out[pos] = value
        done.append(f"{pos}={value:#04x}")
    return bytes(out), "overwrote " + ", ".join(done)


def truncate(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    cut = int(rng.integers(len(data)))
    return data[:cut], f"cut to {cut} of {len(data)} bytes"


def append_junk(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    junk = rng.integers(0, 256, int(rng.integers(1, 4097)), dtype=np.uint8).tobytes()
    if rng.random() < 0.5:
        return data + junk, f"appended {len(junk)} random bytes"
    cut = int(rng.integers(len(data) // 2, len(data)))
    return data[:cut] + junk, f"replaced the bytes from {cut} on by {len(junk)} random bytes"


def vector_count(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    pos = pick(rng, cached_layout(data).counts)
    old = _get("<I", data, pos)
    new = pick(rng, [old + 1, old + int(rng.integers(2, 1000)), 2 * old + 7, 0x7FFFFFFF,
                      UINT32_MAX, 0x40000000, 0x00FFFFFF, 0])  # fmt: skip
    out = bytearray(data)
    struct.pack_into("<I", out, pos, new)
    return bytes(out), f"vector count at {pos}: {old} -> {new}"


def bad_offset(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    lay = cached_layout(data)
    out = bytearray(data)
    if rng.random() < 0.7:
        pos = pick(rng, lay.offsets)
        new = pick(rng, [len(data) - pos + int(rng.integers(0, 64)), UINT32_MAX, 0x80000000,
                          int(rng.integers(len(data))), int(rng.integers(1, 4)), 0,
                          _get("<I", data, pos) + int(rng.integers(1, 8))])  # fmt: skip
        struct.pack_into("<I", out, pos, new)
        return bytes(out), f"offset at {pos} -> {new}"
    pos = pick(rng, lay.vtables)
    new = pick(rng, [INT32_MAX, INT32_MIN, -len(data), pos + 1, int(rng.integers(-64, 64))])
    struct.pack_into("<i", out, pos, new)
    return bytes(out), f"vtable offset of the table at {pos} -> {new}"
