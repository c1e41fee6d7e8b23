"""The C of one generated DSP block, and the files it needs from the runtime."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.resources import RUNTIME_DIR


@dataclass(frozen=True)
class DspSources:
    """One DSP block rendered as C.

    ``source`` defines the const tables, the static working buffers and the entry
    point ``int NAME_<entry>(const <in> *input, <out> *output)`` (0 on success);
    every symbol it defines starts with ``NAME_``. ``functions`` lists the runtime
    entry points (``tg_*``) it calls, which a ``tg_names.h`` renames per library.
    """

    name: str
    header: str  # NAME.h: the entry point, input and output lengths
    source: str  # NAME.c
    runtime_sources: tuple[str, ...]  # file names under runtime_c/dsp/
    runtime_headers: tuple[str, ...]  # file names under runtime_c/include/
    functions: tuple[str, ...]  # tg_* runtime functions called (and their callees)
    input_length: int  # elements of the input
    output_length: int  # elements of the feature vector
    working_bytes: int  # static RAM the block uses besides its input and output
    constant_bytes: int  # bytes of const tables


def names_header(prefix: str, functions: tuple[str, ...]) -> str:
    """A ``tg_names.h`` that renames each ``tg_*`` runtime function to ``prefix_*``."""
    lines = [
        "/* Prefixes the runtime functions so several generated libraries link together. */",
        "#ifndef TG_NAMES_H",
        "#define TG_NAMES_H",
    ]
    lines += [f"#define {f} {prefix}_{f[3:]}" for f in sorted(set(functions))]
    lines.append("#endif /* TG_NAMES_H */")
    return "\n".join(lines) + "\n"


def dsp_files(block: DspSources) -> dict[str, str]:
    """Every file a standalone build of ``block`` needs, by file name."""
    files = {
        f"{block.name}.h": block.header,
        f"{block.name}.c": block.source,
        "tg_names.h": names_header(block.name, block.functions),
    }
    for header in block.runtime_headers:
        files[header] = (RUNTIME_DIR / "include" / header).read_text()
    for source in block.runtime_sources:
        files[source] = (RUNTIME_DIR / "dsp" / source).read_text()
    return files
