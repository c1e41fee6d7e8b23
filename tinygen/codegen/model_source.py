"""Render a lowered, planned graph as the C sources of one library.

All values are computed here; the templates only place them. Text from the model
(tensor names, operator kinds) reaches a template only as :class:`CText`, escaped
for its place; any other value a template places must be plain C (numbers,
identifiers, expressions), which :func:`_placed` checks.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
import numpy as np

from tinygen.codegen.c_values import (
    C_TYPES,
    CText,
    array_lines,
    c_comment_text,
    checked_library_name,
    double_literal,
    float_literal,
    int_literal,
)
from tinygen.codegen.kernels import RUNTIME_HEADERS, c_kernel_of
from tinygen.ir import NO_TENSOR, Graph
from tinygen.lowering.call import KernelCall
from tinygen.memory.planner import MemoryPlan
from tinygen.resources import RUNTIME_DIR, TEMPLATES_DIR


@dataclass(frozen=True)
class GeneratedSources:
    header: str  # include/NAME.h
    sources: dict[str, str]  # file name under src/ → text
    cmake: str
    constant_bytes: int
    params_bytes: int  # kernel parameter structs (const), for a 32-bit target
    kernel_functions: tuple[str, ...]


#: What plain C values (numbers, identifiers, expressions) never hold, nor a line break:
#: only escaped text (CText) may.
_NOT_PLAIN_C = re.compile(r"/\*|\*/|//|[^\x20-\x7e]|[\"'\\#?]")


def _placed(value: object) -> object:
    """Every ``{{ value }}`` of the templates passes here (jinja2's ``finalize``)."""
    if not isinstance(value, CText) and _NOT_PLAIN_C.search(str(value)):
        raise ValueError(f"unescaped text would reach the generated C: {str(value)[:60]!r}")
    return value


def template_environment() -> jinja2.Environment:
    """The environment of every template of generated C: only plain C or escaped text
    (:class:`CText`) reaches the output."""
    return _environment()


@cache  # one environment: jinja2 compiles each template once, not once per library
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_placed,
    )


class _Builder:
    def __init__(self, name: str, graph: Graph, calls: list[KernelCall], plan: MemoryPlan):
        self.name = name
        self.graph = graph
        self.calls = calls
        self.plan = plan
        self.arrays: list[dict[str, Any]] = []
        self.constant_bytes = 0
        self.constant_names: dict[int, str] = {}
        self.code_calls = [c for c in calls if c.kernel != "alias"]
        self.params_bytes = 0

    def const_array(self, name: str, values: np.ndarray, dtype: str) -> str:
        values = np.asarray(values)
        self.arrays.append(
            {
                "ctype": C_TYPES[dtype],
                "name": name,
                "count": max(values.size, 1),
                "lines": array_lines(values) if values.size else ["0"],
            }
        )
        self.constant_bytes += values.size * np.dtype(dtype).itemsize
        return name

    def pointer_array(self, name: str, pointers: list[str], ctype: str = "int8_t *const") -> str:
        """``static const CTYPE name[]`` of address constants (tensor arguments): by default
        ``const int8_t *const`` (inputs); ``tg_s8_output`` gives ``int8_t *const`` (outputs)."""
        self.arrays.append(
            {"ctype": ctype, "name": name, "count": len(pointers), "lines": pointers}
        )
        self.params_bytes += 4 * len(pointers)
        return name

    def tensor_arg(self, index: int, writable: bool, byte_view: bool = False) -> str:
        """The C argument of tensor ``index``; with ``byte_view`` a float32 tensor is passed
        as ``int8_t`` bytes (an int8 byte-moving kernel run on it)."""
        if index == NO_TENSOR:
            return "NULL"
        tensor = self.graph.tensors[index]
        as_bytes = byte_view and tensor.dtype == "float32"
        ctype = "int8_t" if as_bytes else C_TYPES[tensor.dtype]
        if tensor.is_constant:
            if index not in self.constant_names:
                self.constant_names[index] = self.const_array(
                    f"{self.name}_t{index}", tensor.data, tensor.dtype
                )
            name = self.constant_names[index]
            return f"(const int8_t *){name}" if as_bytes else name
        if tensor.variable:  # persistent state, which its kernel updates in place
            return f"({ctype} *)({self.name}_state.bytes + {self.plan.state_offsets[index]})"
        qualifier = "" if writable else "const "
        return f"({qualifier}{ctype} *)({self.name}_arena.bytes + {self.plan.offsets[index]})"

    def state(self) -> list[dict[str, Any]]:
        """Each variable tensor: where it lives in the state buffer, its bytes and the byte
        NAME_reset() fills it with (an int8 tensor's zero point, else 0)."""
        result = []
        for t in self.graph.state_tensors():
            tensor = self.graph.tensors[t]
            q = tensor.quant
            fill = q.zero_point0 if tensor.dtype == "int8" and q is not None else 0
            result.append({"offset": self.plan.state_offsets[t], "bytes": tensor.nbytes,
                           "fill": fill, "name_comment": c_comment_text(tensor.name)})
        return result

    def field_value(self, op_index: int, field: str, value: Any) -> str:
        if value is None:  # an absent array
            return "NULL"
        if isinstance(value, np.ndarray):
            return self.const_array(f"{self.name}_op{op_index}_{field}", value, str(value.dtype))
        if isinstance(value, tuple):
            return "{" + ", ".join(int_literal(v) for v in value) + "}"
        if isinstance(value, np.float32):
            return float_literal(float(value))
        if isinstance(value, float):
            return double_literal(value)
        return int_literal(int(value))

    def io(self, indices: list[int]) -> list[dict[str, Any]]:
        result = []
        for i, t in enumerate(indices):
            tensor = self.graph.tensors[t]
            q = tensor.quant
            result.append(
                {
                    "index": i,
                    "offset": self.plan.offsets[t],
                    "bytes": tensor.nbytes,
                    "scale": float_literal(q.scale0) if q else "1.0f",
                    "zero_point": q.zero_point0 if q else 0,
                    "ctype": C_TYPES.get(tensor.dtype, "uint8_t"),
                    "shape": list(tensor.shape),
                    "name_comment": c_comment_text(tensor.name),
                }
            )
        return result

    def context(self) -> dict[str, Any]:
        params, steps = [], []
        for i, call in enumerate(self.calls):
            op = self.graph.ops[i]
            out = self.graph.tensors[call.outputs[0]]
            comment = CText(
                f"{c_comment_text(op.kind)} -> {c_comment_text(out.name)} {list(out.shape)}"
            )
            if call.kernel == "alias":
                steps.append({"index": i, "comment": CText(f"{comment} (alias)"), "call": None})
                continue
            kernel, call_params, inputs = c_kernel_of(call)
            args = [self.tensor_arg(t, False, call.byte_view) for t in inputs]
            if kernel.input_array:  # one const array of the input pointers, in flash
                args = [self.pointer_array(f"{self.name}_op{i}_inputs", args)]
            outputs = [self.tensor_arg(t, True, call.byte_view) for t in call.outputs]
            if kernel.output_array:  # one const array of the output pointers, in flash
                outputs = [self.pointer_array(f"{self.name}_op{i}_outputs", outputs,
                                              "tg_s8_output")]
            args += outputs
            if kernel.scratch:
                scratch = self.plan.scratch_offsets.get(i)
                at = f"(int8_t *)({self.name}_arena.bytes + {scratch})"
                args.append("NULL" if scratch is None else at)
            pname = f"{self.name}_p{i}"
            fields = [
                (f.name, self.field_value(i, f.name, getattr(call_params, f.name)))
                for f in dataclasses.fields(call_params)
            ]
            params.append({"type": kernel.params_type, "name": pname, "fields": fields})
            self.params_bytes += sum(_field_bytes(getattr(call_params, f)) for f, _ in fields)
            steps.append(
                {
                    "index": i,
                    "comment": comment,
                    "call": f"{kernel.function}(&{pname}, {', '.join(args)});",
                }
            )
        pattern = guard_pattern()
        guard_rows = [
            ", ".join(f"0x{b:02x}" for b in pattern[i : i + 16]) for i in range(0, len(pattern), 16)
        ]
        return {
            "name": self.name,
            "NAME": self.name.upper(),
            "arena_bytes": max(self.plan.arena_bytes, 1),
            "state": self.state(),
            "state_bytes": self.plan.state_bytes,
            "guard_bytes": GUARD_BYTES,
            "guard_rows": guard_rows,
            "guard_pattern": ", ".join(
                f"{self.name.upper()}_GUARD_ROW{i}" for i in range(len(guard_rows))
            ),
            "inputs": self.io(self.graph.inputs),
            "outputs": self.io(self.graph.outputs),
            "arrays": self.arrays,
            "params": params,
            "steps": steps,
            "kernel_functions": sorted({c_kernel_of(c)[0].function for c in self.code_calls}),
            "kernel_sources": sorted({c_kernel_of(c)[0].source for c in self.code_calls}),
        }


#: Bytes of the guard pattern on each side of the arena in a NAME_ARENA_GUARD build.
GUARD_BYTES = 64


def guard_pattern() -> list[int]:
    """The guard bytes: no two neighbours equal, none of 0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff
    (values kernels write often: zeros, clamps), so a stray write rarely leaves one as it was."""
    pattern = [(0x5B + 97 * i) % 251 + 2 for i in range(GUARD_BYTES)]
    return [b + 3 if b in (0x7F, 0x80) else b for b in pattern]


def _field_bytes(value: Any) -> int:
    """Bytes of one parameter struct field on a 32-bit target."""
    if isinstance(value, tuple):
        return 4 * len(value)
    if isinstance(value, float) and not isinstance(value, np.float32):
        return 8
    return 4  # int32, float, or a pointer to a const array


def generate_sources(
    name: str, graph: Graph, calls: list[KernelCall], plan: MemoryPlan
) -> GeneratedSources:
    builder = _Builder(checked_library_name(name, "the library name"), graph, calls, plan)
    ctx = builder.context()
    env = _environment()
    sources = {
        f"{name}.c": env.get_template("model.c.j2").render(ctx),
        "tg_names.h": env.get_template("tg_names.h.j2").render(ctx),
    }
    for header in RUNTIME_HEADERS:
        sources[header] = (RUNTIME_DIR / "include" / header).read_text()
    for source in ctx["kernel_sources"]:
        sources[source] = (RUNTIME_DIR / "kernels" / source).read_text()
    ctx["source_files"] = sorted(f for f in sources if f.endswith(".c"))
    return GeneratedSources(
        header=env.get_template("model.h.j2").render(ctx),
        sources=sources,
        cmake=env.get_template("CMakeLists.txt.j2").render(ctx),
        constant_bytes=builder.constant_bytes,
        params_bytes=builder.params_bytes,
        kernel_functions=tuple(ctx["kernel_functions"]),
    )
