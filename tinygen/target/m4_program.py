"""The program that runs a model on the Cortex-M4: its main.c, and reading what it prints.

The inputs are compiled into main.c as constant arrays (the board has no file system);
the program prints every output as hex bytes and the instructions of every invoke
(``templates/m4/main.c.j2``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

import jinja2
import numpy as np

from tinygen.codegen.c_values import array_lines
from tinygen.compiler import CompiledModel
from tinygen.errors import TinygenError
from tinygen.resources import TEMPLATES_DIR

BOARD_DIR = TEMPLATES_DIR / "m4"

_OUTPUT = re.compile(r"^output (\d+) (\d+) ([0-9a-f]*)$")
_INSTRUCTIONS = re.compile(r"^instructions (\d+)$")


class M4Run(NamedTuple):
    outputs: list[list[np.ndarray]]  # per input set, the model's outputs
    instructions: list[int]  # per input set, instructions of one invoke


def _input_bytes(
    model: CompiledModel, input_sets: Sequence[Sequence[np.ndarray]]
) -> list[list[bytes]]:
    graph = model.graph
    if not input_sets:
        raise TinygenError(f"{model.name}: give at least one input set to run on the Cortex-M4")
    result = []
    for s, inputs in enumerate(input_sets):
        if len(inputs) != len(graph.inputs):
            raise TinygenError(
                f"{model.name}: input set {s} has {len(inputs)} arrays; the model takes "
                f"{len(graph.inputs)}"
            )
        row = []
        for i, (t, data) in enumerate(zip(graph.inputs, inputs, strict=True)):
            tensor = graph.tensors[t]
            array = np.asarray(data)
            if array.dtype != np.dtype(tensor.dtype) or array.size != int(np.prod(tensor.shape)):
                raise TinygenError(
                    f"{model.name}: input {i} of set {s} is {array.dtype} {list(array.shape)}; "
                    f"the model's input is {tensor.dtype} {list(tensor.shape)}"
                )
            row.append(np.ascontiguousarray(array).tobytes())
        result.append(row)
    return result


def main_source(model: CompiledModel, input_sets: Sequence[Sequence[np.ndarray]]) -> str:
    """main.c that runs ``model`` once on each input set and prints what it gives."""
    sets = [
        [{"set": s, "lines": array_lines(np.frombuffer(raw, np.uint8))} for raw in row]
        for s, row in enumerate(_input_bytes(model, input_sets))
    ]
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(BOARD_DIR)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("main.c.j2").render(
        name=model.name,
        NAME=model.name.upper(),
        sets=sets,
        input_count=len(model.graph.inputs),
        output_count=len(model.graph.outputs),
    )


def parse_run(model: CompiledModel, stdout: str, set_count: int) -> M4Run:
    """The outputs and instruction counts in what the program of :func:`main_source` printed."""
    graph = model.graph
    outputs: list[list[np.ndarray | None]] = [[None] * len(graph.outputs) for _ in range(set_count)]
    instructions: list[int] = []
    for line in stdout.splitlines():
        line = line.strip()
        if match := _INSTRUCTIONS.match(line):
            instructions.append(int(match.group(1)))
        elif match := _OUTPUT.match(line):
            s, i = int(match.group(1)), int(match.group(2))
            if s >= set_count or i >= len(graph.outputs):
                raise TinygenError(f"{model.name} on the Cortex-M4 printed {line[:60]!r}")
            tensor = graph.tensors[graph.outputs[i]]
            raw = bytes.fromhex(match.group(3))
            if len(raw) != tensor.nbytes:
                raise TinygenError(
                    f"{model.name} on the Cortex-M4 printed {len(raw)} bytes for output {i} of "
                    f"set {s}; it has {tensor.nbytes}"
                )
            outputs[s][i] = np.frombuffer(raw, tensor.dtype).reshape(tensor.shape).copy()
    complete = [row for row in outputs if all(x is not None for x in row)]
    if len(complete) != set_count or len(instructions) != set_count:
        raise TinygenError(
            f"{model.name} on the Cortex-M4 printed {len(complete)} of {set_count} output sets "
            f"and {len(instructions)} instruction counts; it printed:\n{stdout[-2000:]}"
        )
    return M4Run([[x for x in row if x is not None] for row in outputs], instructions)
