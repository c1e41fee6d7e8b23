"""C spellings of values: identifiers, types, literals and array initialisers."""

from __future__ import annotations

import re

import numpy as np

C_TYPES = {
    "int8": "int8_t",
    "uint8": "uint8_t",
    "int16": "int16_t",
    "int32": "int32_t",
    "uint32": "uint32_t",
    "int64": "int64_t",
    "float32": "float",
    "float64": "double",
    "bool": "uint8_t",
}

_C_KEYWORDS = {
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
}


def c_identifier(text: str) -> str:
    """A lower-case C identifier made from ``text`` (a file stem, a user's name)."""
    name = re.sub(r"[^0-9a-zA-Z_]", "_", text).lower().strip("_") or "model"
    name = re.sub(r"_+", "_", name)
    if name[0].isdigit():
        name = "m_" + name
    if name in _C_KEYWORDS:
        name += "_model"
    return name


def float_literal(value: float) -> str:
    """A float32 literal that the C compiler reads back as exactly ``value``."""
    text = np.format_float_positional(np.float32(value), unique=True, trim="0")
    if "e" not in text and "." not in text:
        text += ".0"
    return text + "f"


def double_literal(value: float) -> str:
    text = repr(float(value))
    return text if any(c in text for c in ".en") else text + ".0"


def int_literal(value: int) -> str:
    value = int(value)
    if value == -(1 << 31):
        return "(-2147483647 - 1)"
    return str(value)


def array_body(values: np.ndarray, per_line: int = 24) -> str:
    """Comma-separated values of an integer array, ``per_line`` to a line."""
    flat = np.asarray(values).reshape(-1)
    if flat.dtype.kind == "f":
        items = [float_literal(v) for v in flat.tolist()]
    else:
        items = [int_literal(v) for v in flat.tolist()]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return ",\n    ".join(lines)
