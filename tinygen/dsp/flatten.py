"""Flatten block: per-axis statistics (Edge Impulse's flatten block, version 1).

Parameters: ``scale_axes`` and one boolean per statistic (``average``, ``minimum``,
``maximum``, ``rms``, ``stdev``, ``skewness``, ``kurtosis``, all true by default); at
least one must be true. See tinygen/reference/dsp/flatten.py for the arithmetic.
"""

from __future__ import annotations

from dataclasses import fields

from tinygen.codegen.c_values import float_literal
from tinygen.dsp import entry
from tinygen.dsp.params import (
    boolean,
    check_name,
    fail,
    float_block_header,
    integer,
    known_values,
    number,
    samples_per_axis,
)
from tinygen.dsp.sources import DspSources
from tinygen.dsp_definitions.flatten import STATISTICS, FlattenParams

BLOCK = "flatten"
SOURCES = ("tg_dsp_moments.c", "tg_flatten.c")
HEADERS = ("tg_dsp_moments.h", "tg_dsp_flatten.h")
FUNCTIONS = ("tg_dsp_moments", "tg_flatten")


def parse_params(obj: dict) -> FlattenParams:
    """FlattenParams from a JSON object of the block's parameters (missing: default)."""
    values = known_values(BLOCK, obj, (f.name for f in fields(FlattenParams)))
    out: dict = {}
    for key, value in values.items():
        if key == "scale_axes":
            out[key] = number(BLOCK, key, value)
        elif key == "implementation_version":
            out[key] = integer(BLOCK, key, value)
            if out[key] != 1:
                fail(BLOCK, f"only implementation_version 1 is supported, got {out[key]}")
        else:
            out[key] = boolean(BLOCK, key, value)
    params = FlattenParams(**out)
    if not params.statistics():
        fail(BLOCK, f"enable at least one of {', '.join(STATISTICS)}")
    return params


def generate(
    name: str,
    params: FlattenParams,
    *,
    sampling_freq: float = 0.0,
    input_length: int,
    axes: int = 1,
) -> DspSources:
    """C of the block ``int NAME_run(const float *input, float *output)``.

    ``input_length`` counts every input value (samples x axes, interleaved).
    ``sampling_freq`` is not used.
    """
    check_name(BLOCK, name)
    samples = samples_per_axis(BLOCK, input_length, axes)
    statistics = params.statistics()
    if not statistics:
        fail(BLOCK, f"enable at least one of {', '.join(STATISTICS)}")
    bits = sum(1 << i for i, s in enumerate(STATISTICS) if s in statistics)
    output_length = axes * len(statistics)
    header = float_block_header(
        name,
        f"Flatten block {name}: {', '.join(statistics)} of {samples} samples x {axes} axes.",
        input_length,
        output_length,
    )
    source = (
        f'{entry.INCLUDES}\n#include "{name}.h"\n#include "tg_dsp_flatten.h"\n\n'
        f"static const tg_flatten_params {name}_params = {{\n"
        f"    {axes}, {samples}, {float_literal(params.scale_axes)}, {bits}\n}};\n\n"
        f"static int {name}_compute(const float *input, float *output)\n{{\n"
        f"    return tg_flatten(&{name}_params, input, output);\n}}\n\n"
        + entry.run_function(name, "float", "float", input_length, output_length)
    )
    return DspSources(
        name=name,
        header=header,
        source=source,
        runtime_sources=SOURCES,
        runtime_headers=HEADERS,
        functions=FUNCTIONS,
        input_length=input_length,
        output_length=output_length,
        working_bytes=0,
        constant_bytes=4 * 4,
    )
