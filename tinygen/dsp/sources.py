"""The C of one generated DSP block, and the files it needs from the runtime."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    #: The float working buffers (key, floats) that ``float_buffers`` defines as
    #: ``NAME_key``, in the order the block declares them.
    buffers: tuple[tuple[str, int], ...] = field(default=())
    #: Static RAM kept between calls (an audio block's continuous mode), not a buffer.
    state_bytes: int = 0


@dataclass(frozen=True)
class Placement:
    """A block's form inside an impulse: its working buffers in someone else's memory.

    Each float buffer ``NAME_key`` lies at byte ``offsets[key]`` (a multiple of 4) from
    the address that ``uint8_t *base(void)`` returns (a function the impulse's glue
    defines: the base of the model's arena, free while the block runs). Audio blocks in
    this form also give ``NAME_run_i16``, which reads int16 samples, and compute their
    features frame by frame through ``NAME_frame_features``; with ``slice_samples``
    they also run continuously on slices of that many samples
    (:mod:`tinygen.dsp.audio_source`).
    """

    base: str
    offsets: dict[str, int]
    slice_samples: int = 0


def float_buffers(name: str, buffers: dict[str, int], placement: Placement | None) -> str:
    """The C of a block's float working buffers ``NAME_key`` of ``buffers[key]`` floats.

    Standalone (``placement`` None): static arrays. Placed: one macro per buffer that
    points into the memory ``placement`` names, and the declaration of its base function.
    """
    if placement is None:
        return "".join(f"static float {name}_{key}[{n}];\n" for key, n in buffers.items())
    lines = [f"uint8_t *{placement.base}(void);\n"]
    for key, n in buffers.items():
        lines.append(
            f"#define {name}_{key} ((float *)({placement.base}() + {placement.offsets[key]}))"
            f" /* {n} floats */\n"
        )
    return "".join(lines)


def names_header(prefix: str, functions: tuple[str, ...]) -> str:
    """A ``tg_names.h`` that renames each ``tg_*`` runtime function to ``prefix_*``."""
    return grouped_names_header({prefix: functions})


def grouped_names_header(groups: dict[str, tuple[str, ...]]) -> str:
    """A ``tg_names.h`` that renames the ``tg_*`` functions of each group to ``prefix_*``
    (prefix → functions; one library made of several, such as an impulse's model and DSP)."""
    lines = [
        "/* Prefixes the runtime functions so several generated libraries link together. */",
        "#ifndef TG_NAMES_H",
        "#define TG_NAMES_H",
    ]
    for prefix, functions in groups.items():
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
    files.update(runtime_files(block))
    return files


def runtime_files(block: DspSources) -> dict[str, str]:
    """The runtime headers and sources ``block`` needs, by file name."""
    files = {h: (RUNTIME_DIR / "include" / h).read_text() for h in block.runtime_headers}
    files.update({s: (RUNTIME_DIR / "dsp" / s).read_text() for s in block.runtime_sources})
    return files
