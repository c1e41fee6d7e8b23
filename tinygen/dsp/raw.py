"""Raw block: the input times ``scale_axes`` (Edge Impulse's raw block, version 1)."""

from __future__ import annotations

from dataclasses import fields

from tinygen.codegen.c_values import float_literal
from tinygen.dsp import entry
from tinygen.dsp.params import (
    check_name,
    fail,
    float_block_header,
    integer,
    known_values,
    number,
    samples_per_axis,
)
from tinygen.dsp.sources import DspSources
from tinygen.dsp_definitions.raw import RawParams

BLOCK = "raw"
SOURCES = ("tg_raw_scale.c",)
HEADERS = ("tg_dsp_moments.h", "tg_dsp_flatten.h")
FUNCTIONS = ("tg_raw_scale",)


def parse_params(obj: dict) -> RawParams:
    """RawParams from a JSON object of the block's parameters (missing: default)."""
    values = known_values(BLOCK, obj, (f.name for f in fields(RawParams)))
    out: dict = {}
    if "scale_axes" in values:
        out["scale_axes"] = number(BLOCK, "scale_axes", values["scale_axes"])
    if "implementation_version" in values:
        version = integer(BLOCK, "implementation_version", values["implementation_version"])
        if version != 1:
            fail(BLOCK, f"only implementation_version 1 is supported, got {version}")
        out["implementation_version"] = version
    return RawParams(**out)


def generate(
    name: str,
    params: RawParams,
    *,
    sampling_freq: float = 0.0,
    input_length: int,
    axes: int = 1,
) -> DspSources:
    """C of the block ``int NAME_run(const float *input, float *output)``.

    ``input_length`` counts every input value (samples x axes, interleaved); the
    output has as many. ``sampling_freq`` is not used.
    """
    check_name(BLOCK, name)
    samples = samples_per_axis(BLOCK, input_length, axes)
    header = float_block_header(
        name,
        f"Raw block {name}: {samples} samples x {axes} axes times {params.scale_axes:g}.",
        input_length,
        input_length,
    )
    source = (
        f'{entry.INCLUDES}\n#include "{name}.h"\n#include "tg_dsp_flatten.h"\n\n'
        f"static int {name}_compute(const float *input, float *output)\n{{\n"
        f"    tg_raw_scale(input, {input_length}, {float_literal(params.scale_axes)}, output);\n"
        "    return 0;\n}\n\n"
        + entry.run_function(name, "float", "float", input_length, input_length)
    )
    return DspSources(
        name=name,
        header=header,
        source=source,
        runtime_sources=SOURCES,
        runtime_headers=HEADERS,
        functions=FUNCTIONS,
        input_length=input_length,
        output_length=input_length,
        working_bytes=0,
        constant_bytes=0,
    )
