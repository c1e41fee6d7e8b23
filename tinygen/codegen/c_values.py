"""C spellings of values: identifiers, types, literals, array initialisers and text.

Every name or text from a model or a user reaches the generated C through
:func:`checked_library_name` / :func:`c_identifier`, :func:`c_comment_text` or
:func:`c_string_literal`.
"""

from __future__ import annotations

import re

import numpy as np

from tinygen.errors import TinygenError

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

#: Keywords of C99 … C23 (``_Bool`` and the like fall under the reserved ``_X`` rule).
C_KEYWORDS = frozenset(
    {
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
        "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
        "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
        "typedef", "union", "unsigned", "void", "volatile", "while", "alignas", "alignof",
        "bool", "constexpr", "false", "nullptr", "static_assert", "thread_local", "true",
        "typeof", "typeof_unqual",
    }
)
#: Keywords of C++ (the generated headers are ``extern "C"`` guarded for C++ users).
CXX_KEYWORDS = frozenset(
    {
        "and", "and_eq", "asm", "bitand", "bitor", "catch", "char8_t", "char16_t", "char32_t",
        "class", "co_await", "co_return", "co_yield", "compl", "concept", "const_cast",
        "consteval", "constinit", "decltype", "delete", "dynamic_cast", "explicit", "export",
        "friend", "mutable", "namespace", "new", "noexcept", "not", "not_eq", "operator", "or",
        "or_eq", "private", "protected", "public", "reinterpret_cast", "requires",
        "static_cast", "template", "this", "throw", "try", "typeid", "typename", "using",
        "virtual", "wchar_t", "xor", "xor_eq",
    }
)
#: C99 guarantees 63 significant initial characters in an internal identifier,
MAX_NAME_CHARS = 63
#: and 4095 characters in a string literal (gcc -pedantic holds a program to that).
MAX_STRING_BYTES = 4095
#: Text from a model is cut to this many characters in a comment.
COMMENT_CHARS = 120


class CText(str):
    """Text already made safe for its place in the generated C (a comment, a literal)."""


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot prefix a generated library's symbols, or None if it can.

    A name is used exactly as given: a C identifier ``[A-Za-z_][A-Za-z0-9_]*`` of at
    most 63 characters that is no C or C++ keyword, starts with no ``_`` (C reserves
    ``__x`` and ``_X`` for itself, and the macros of ``_x`` would be ``_X_...``) and
    whose macros ``NAME.upper()_*`` stay clear of the runtime's ``TG_*`` / ``tg_*``.
    Two names that differ only in case (``MyModel``, ``mymodel``) share their macros
    and header guard: their headers cannot meet in one translation unit.
    """
    if not name:
        return "it is empty"
    bad = sorted(set(re.sub(r"[A-Za-z0-9_]", "", name)))
    if bad:
        shown = ", ".join(ascii(c) for c in bad[:5]) + (", ..." if len(bad) > 5 else "")
        return f"it holds {shown}; a C identifier has only letters A-Z a-z, digits and _"
    if name[0].isdigit():
        return "it starts with a digit"
    if len(name) > MAX_NAME_CHARS:
        return f"it has {len(name)} characters, and C99 guarantees only {MAX_NAME_CHARS}"
    if name.startswith("__") or re.match(r"_[A-Z]", name):
        return "C reserves names that start with __ or with _ and an uppercase letter"
    if name.startswith("_"):
        return (
            f"its macros {name.upper()}_* would start with _ and an uppercase letter, "
            "which C reserves"
        )
    if name in C_KEYWORDS:
        return "it is a C keyword"
    if name in CXX_KEYWORDS:
        return "it is a C++ keyword, and the header is also read by C++ compilers"
    upper = name.upper()
    if upper == "TG" or upper.startswith("TG_"):
        return (
            f"its macros {upper}_* and symbols would start with the prefix of tinygen's "
            "runtime (TG_* macros, tg_* functions and files)"
        )
    return None


def _spell_identifier(text: str, lower: bool) -> str:
    """A name that :func:`name_problem` accepts, made from any ``text``."""
    name = re.sub(r"[^0-9a-zA-Z_]", "_", text)
    name = re.sub(r"_+", "_", name.lower() if lower else name).strip("_") or "model"
    if name[0].isdigit() or name.upper() == "TG" or name.upper().startswith("TG_"):
        name = "m_" + name
    name = name[:MAX_NAME_CHARS].rstrip("_")
    if name in C_KEYWORDS or name in CXX_KEYWORDS:
        name += "_model"
    return name


def c_identifier(text: str) -> str:
    """A lower-case C identifier made from ``text`` (a file stem: not a user's choice)."""
    return _spell_identifier(text, lower=True)


def _shown(text: str, limit: int = 60) -> str:
    return ascii(text if len(text) <= limit else text[:limit] + "...")


def checked_library_name(given: object, source: str = "--name") -> str:
    """``given`` itself if :func:`name_problem` finds nothing; else a TinygenError.

    The message names ``source`` (the option or file the name came from), says why,
    and suggests a spelling that would be accepted.
    """
    if not isinstance(given, str):
        raise TinygenError(f"{source} must be a string, got {type(given).__name__}")
    problem = name_problem(given)
    if problem:
        raise TinygenError(
            f"{source} {_shown(given)} cannot be the library's C name: {problem}. "
            "Names are used exactly as given; use for example "
            f"{_spell_identifier(given, lower=False)!r}"
        )
    return given


def library_name(given: object | None, default: str, source: str = "--name") -> str:
    """An explicit name exactly as given (checked), or, when None, ``default`` made one."""
    return c_identifier(default) if given is None else checked_library_name(given, source)


def _comment_piece(char: str, prev: str) -> str:
    code = ord(char)
    if 0x20 <= code < 0x7F:
        return " " + char if prev + char in ("/*", "*/", "??") else char
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def c_comment_text(text: str, max_chars: int = COMMENT_CHARS) -> CText:
    """``text`` as one line of printable ASCII that can stand inside ``/* ... */``.

    Printable ASCII stays, except that a space separates the two characters of
    every ``/*``, ``*/`` and ``??`` (no comment ends or nests, no trigraph forms) and a
    backslash at the very end becomes ``\\x5c``; control characters become ``\\xNN``,
    other characters their code point ``\\uNNNN`` / ``\\UNNNNNNNN``. Longer results are
    cut to ``max_chars`` characters ending in ``...``. Put a space or a quote on either
    side of it (``/* input 0: 'TEXT' */``).
    """
    if max_chars < 4:
        raise ValueError("max_chars must leave room for some text and '...'")
    pieces: list[str] = []
    prev = ""
    for char in text[: max_chars + 1]:  # every character takes at least one
        pieces.append(_comment_piece(char, prev))
        prev = pieces[-1][-1]
    if pieces and pieces[-1] == "\\":
        pieces[-1] = "\\x5c"
    size = sum(map(len, pieces))
    if size <= max_chars and len(text) <= max_chars:
        return CText("".join(pieces))
    while size > max_chars - 3:
        size -= len(pieces.pop())
    return CText("".join(pieces) + "...")


def c_string_literal(text: str) -> CText:
    """``text`` as a quoted C string literal whose array holds exactly its UTF-8 bytes.

    ``"`` and ``\\`` are escaped, every byte outside printable ASCII becomes a
    three-digit octal escape (which never takes the digit after it), and a ``?``
    after a ``?`` becomes ``\\?``, so no trigraph forms. A NUL would end the string
    for every C function that reads it, so text holding one is refused, as is text
    of more than 4095 bytes (the longest literal ISO C99 compilers must support).
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise TinygenError(f"text {_shown(text)} is not valid Unicode ({exc.reason})") from exc
    if b"\0" in data:
        raise TinygenError(
            f"text {_shown(text)} holds a NUL character, which would end the C string there"
        )
    if len(data) > MAX_STRING_BYTES:
        raise TinygenError(
            f"text {_shown(text)} has {len(data)} UTF-8 bytes; a C99 string literal holds "
            f"at most {MAX_STRING_BYTES}"
        )
    out = ['"']
    prev = 0
    for byte in data:
        if byte in (0x22, 0x5C):
            out.append("\\" + chr(byte))
        elif byte == 0x3F and prev == 0x3F:
            out.append("\\?")
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03o}")
        prev = byte
    out.append('"')
    return CText("".join(out))


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


def array_lines(values: np.ndarray, per_line: int = 24) -> list[str]:
    """The values of an array as C literals, ``per_line`` to a line (no trailing comma)."""
    flat = np.asarray(values).reshape(-1)
    if flat.dtype.kind == "f":
        items = [float_literal(v) for v in flat.tolist()]
    else:
        items = [int_literal(v) for v in flat.tolist()]
    return [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]


def array_body(values: np.ndarray, per_line: int = 24) -> str:
    """Comma-separated values of an array, ``per_line`` to a line."""
    return ",\n    ".join(array_lines(values, per_line))
