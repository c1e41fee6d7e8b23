"""The public entry point of a DSP block around its computation, and its return codes.

``int NAME_run(const <in> *input, <out> *output)`` checks its pointers and, for float
blocks, that the input and then every feature is finite, before and after the block's
``static int NAME_compute`` (which every block module writes). The codes are macros of
the block's header:

- ``NAME_OK`` (0): the output holds the features;
- ``NAME_ERROR_NULL`` (1): input or output is NULL; nothing is read or written;
- ``NAME_ERROR_NONFINITE`` (2, float input): the input holds a NaN or an infinity; the
  output is all zeros;
- ``NAME_ERROR_OVERFLOW`` (3, float output): a feature came out as NaN or an infinity
  (float overflowed: the input is too large for the block); the output is all zeros;
- ``NAME_ERROR_RANGE`` (4, audio blocks, whose input is int16 sample values as floats):
  an input value is outside -32768 .. 32767; the output is all zeros.
"""

from __future__ import annotations

#: (macro suffix, value, meaning) of every code NAME_run returns.
CODES = (
    ("OK", 0, "the output holds the features"),
    ("ERROR_NULL", 1, "input or output is NULL: nothing is read or written"),
    ("ERROR_NONFINITE", 2, "the input holds a NaN or an infinity: the output is all 0"),
    ("ERROR_OVERFLOW", 3, "a feature is NaN or infinite (float overflowed): the output is all 0"),
)
#: The code of the audio blocks for a value that is no int16 sample.
RANGE_CODE = ("ERROR_RANGE", 4, "an input value is outside -32768 .. 32767: the output is all 0")
#: The codes of a block with integer input and output (the image block).
INTEGER_CODES = CODES[:2]

#: What the source of a block that uses :func:`run_function` includes first.
INCLUDES = "#include <float.h>\n#include <stddef.h>\n"


def codes_header(name: str, *, float_data: bool = True, int16_range: bool = False) -> str:
    """The return-code macros and their comment, for the block's header (``int16_range``:
    the block takes int16 sample values as floats and refuses others)."""
    upper = name.upper()
    codes = (CODES if float_data else INTEGER_CODES) + ((RANGE_CODE,) if int16_range else ())
    lines = [f"/* {name}_run returns one of these:"]
    lines += [f" *   {upper}_{suffix} ({value}): {meaning}" for suffix, value, meaning in codes]
    lines += [
        " * The lengths cannot be checked: input must point to INPUT_LENGTH values and",
        " * output to OUTPUT_LENGTH (not overlapping). */",
    ]
    lines += [f"#define {upper}_{suffix} {value}" for suffix, value, _ in codes]
    return "\n".join(lines) + "\n"


def run_function(
    name: str,
    in_type: str,
    out_type: str,
    input_length: int,
    output_length: int,
    *,
    int16_range: bool = False,
) -> str:
    """C of ``NAME_run``, which calls ``static int NAME_compute(input, output)`` (defined
    before it) and returns its nonzero result as it is; ``int16_range``: an input value
    outside -32768 .. 32767 gives ``NAME_ERROR_RANGE``."""
    upper = name.upper()
    before, after = [], []  # (array, its length, low, high, code)
    if in_type == "float":
        before.append(("input", input_length, "-FLT_MAX", "FLT_MAX", "ERROR_NONFINITE"))
        if int16_range:
            before.append(("input", input_length, "-32768.0f", "32767.0f", "ERROR_RANGE"))
        if out_type == "float":
            after.append(("output", output_length, "-FLT_MAX", "FLT_MAX", "ERROR_OVERFLOW"))

    def check(array: str, length: int, low: str, high: str, code: str) -> list[str]:
        return [
            f"    if (!{name}_within({array}, {length}, {low}, {high})) {{",
            f"        {name}_clear(output, {output_length});",
            f"        return {upper}_{code};",
            "    }",
        ]

    lines = []
    if before:
        lines += [
            "/* 1 if low <= values[i] <= high for every i (never for a NaN). */",
            f"static int {name}_within(const float *values, int32_t count, float low, float high)",
            "{",
            "    int32_t i;",
            "    for (i = 0; i < count; ++i) {",
            "        if (!(values[i] >= low && values[i] <= high)) {",
            "            return 0;",
            "        }",
            "    }",
            "    return 1;",
            "}",
            "",
            f"static void {name}_clear(float *values, int32_t count)",
            "{",
            "    int32_t i;",
            "    for (i = 0; i < count; ++i) {",
            "        values[i] = 0.0f;",
            "    }",
            "}",
            "",
        ]
    lines += [
        f"int {name}_run(const {in_type} *input, {out_type} *output)",
        "{",
        "    int status;",
        "    if (input == NULL || output == NULL) {",
        f"        return {upper}_ERROR_NULL;",
        "    }",
    ]
    if int16_range and in_type == "float":
        # one pass where the input is good: a value outside -32768 .. 32767, NaN or an
        # infinity fails it, and only then does a second pass tell which code to give
        lines += [
            f"    if (!{name}_within(input, {input_length}, -32768.0f, 32767.0f)) {{",
            f"        {name}_clear(output, {output_length});",
            f"        return {name}_within(input, {input_length}, -FLT_MAX, FLT_MAX) ? "
            f"{upper}_ERROR_RANGE : {upper}_ERROR_NONFINITE;",
            "    }",
        ]
    else:
        for item in before:
            lines += check(*item)
    lines += [
        f"    status = {name}_compute(input, output);",
        "    if (status != 0) {",
        "        return status;",
        "    }",
    ]
    for item in after:
        lines += check(*item)
    lines += [f"    return {upper}_OK;", "}"]
    return "\n".join(lines) + "\n"
