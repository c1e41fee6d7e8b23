"""A generated impulse as a folder that is at once a CMake project and an Arduino library.

::

    OUT/src/NAME.h                the API (tinygen/impulse/glue.py), beside the sources
    OUT/src/NAME.c                the glue; NAME_model.*, NAME_dsp.*, the runtime, tg_names.h
    OUT/tools/NAME_classify.c     the host program
    OUT/CMakeLists.txt            static library NAME, NAME_classify on a host build, and the
                                  bare-metal example m4/ with cmake/arm-none-eabi.cmake
    OUT/library.properties, OUT/examples/   the Arduino library's (tinygen/package/examples.py)
    OUT/cmake/, OUT/m4/           the Cortex-M4 toolchain file and bare-metal example (same)
    OUT/report.json, REPORT.md    memory by part, the arena's layout, the model's report
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tinygen.codegen.model_source import template_environment
from tinygen.dsp.sources import grouped_names_header, runtime_files
from tinygen.impulse.generate import Impulse
from tinygen.impulse.glue import glue_files
from tinygen.memory.budget import Budget, usage_table
from tinygen.package.examples import arduino_files, m4_example_files
from tinygen.package.folder import write_tree
from tinygen.target.cpus import CPUS, DEFAULT_CPU, TOOLCHAIN_FILE, Cpu, cpu_report


def _source_files(impulse: Impulse) -> dict[str, str]:
    """Every file under src/ by its name: model, DSP block, runtime, one tg_names.h."""
    model, dsp = impulse.model, impulse.dsp
    files = {name: text for name, text in model.sources.sources.items() if name != "tg_names.h"}
    files[f"{model.name}.h"] = model.sources.header
    for name, text in {f"{dsp.name}.c": dsp.source, f"{dsp.name}.h": dsp.header,
                       **runtime_files(dsp)}.items():
        if files.setdefault(name, text) != text:
            raise RuntimeError(f"the model and the DSP block both bring a different {name}")
    files["tg_names.h"] = grouped_names_header(
        {model.name: model.sources.kernel_functions, dsp.name: dsp.functions}
    )
    return files


def impulse_report(impulse: Impulse, budget: Budget | None = None) -> dict[str, Any]:
    c, layout, usage = impulse.config, impulse.layout, impulse.usage
    return {
        "name": c.name,
        "kind": c.kind,
        "signal_length": c.signal_length,
        "labels": list(c.labels),
        "dsp": {
            "block": c.block,
            "document": impulse.dsp_document,
            "output_length": impulse.dsp.output_length,
            "working_bytes": impulse.dsp.working_bytes,
            "constant_bytes": impulse.dsp.constant_bytes,
            "runtime_functions": list(impulse.dsp.functions),
        },
        "memory": {
            "model_arena_bytes": layout.model_arena,
            "feature_bytes": layout.features.size,
            "dsp_buffer_bytes": layout.buffer_bytes,
            "separate_bytes": layout.separate_bytes,
            "dsp_peak_bytes": layout.dsp_peak,
            "arena_bytes": layout.arena_bytes,
            "quantize": layout.quantize,
            "regions": layout.regions(),
        },
        "device_estimate": {
            "ram": dict(usage.ram),
            "flash": dict(usage.flash),
            "ram_bytes": usage.ram_bytes,
            "flash_bytes": usage.flash_bytes,
            "budget": None if budget is None else {
                "target": budget.target, "ram_bytes": budget.ram_bytes,
                "flash_bytes": budget.flash_bytes,
            },
        },
        "model": impulse.model.report(),
        "quantization": None if impulse.quantization is None
        else impulse.quantization.report.to_json(),
    }


def _shown(text: str) -> str:
    """Text from a user or a model in Markdown: exact, quoted, on one line."""
    return "`" + json.dumps(text, ensure_ascii=False).replace("`", "\\u0060") + "`"


def _fenced(text: str) -> str:
    """Text (maybe holding tensor names) inside a fenced block: no line can close it."""
    return text.replace("```", "`\u200b``")


def _cell(text: str) -> str:
    """Text (maybe a tensor name) in a Markdown table cell: one line, escaped."""
    return json.dumps(text, ensure_ascii=False)[1:-1].replace("|", "\\|").replace("`", "\\`")


def report_markdown(impulse: Impulse, budget: Budget | None = None,
                    cpu: Cpu | None = None) -> str:
    cpu = cpu or CPUS[DEFAULT_CPU]
    c, layout, usage = impulse.config, impulse.layout, impulse.usage
    name = c.name
    lines = [
        f"# Impulse `{name}`",
        "",
        f"- input: {c.kind}, {c.signal_length:,} values a window",
        f"- DSP block: `{c.block}`, {impulse.dsp.output_length:,} features",
        f"- model: {_shown(c.model.name)}, {len(impulse.model.graph.ops)} operators",
        "- labels: " + ", ".join(_shown(label) for label in c.labels),
        "",
        "## RAM",
        "",
        f"The DSP block runs while no tensor of the model is alive, so its features "
        f"({layout.features.size:,} B, written straight into the model's input) and its "
        f"buffers ({layout.buffer_bytes:,} B) live in the model's arena "
        f"({layout.model_arena:,} B). The arena is {layout.arena_bytes:,} B: the larger of "
        f"the model's and the DSP's {layout.dsp_peak:,} B, where keeping them apart would "
        f"take {layout.separate_bytes:,} B.",
        "",
        "| bytes | what |",
        "|---|---|",
    ]
    for r in layout.regions():
        lines.append(f"| {r['offset']:,} .. {int(r['offset']) + int(r['bytes']):,} | "
                     f"{_cell(str(r['name']))} |")
    lines += ["", "## Device estimate (Cortex-M4)", "", "```", usage_table(usage, budget), "```"]
    if impulse.quantization is not None:
        lines += ["", "## Quantization", "",
                  "The float model was quantized to int8 on the way; each tensor's "
                  "signal-to-quantization-noise ratio on the calibration samples:", "",
                  "```", _fenced(impulse.quantization.report.table()), "```"]
    lines += [
        "",
        "## Use",
        "",
        f"`#include \"{name}.h\"`, then `{name}_run_classifier(signal, "
        f"{name.upper()}_SIGNAL_LENGTH, &result)`; the header lists every function and "
        "error code.",
        "",
        "```sh",
        "cmake -S . -B build && cmake --build build",
        f"build/{name}_classify FILE",
        *_cross_build_lines(name, cpu),
        "```",
        "",
        f"The folder is also an Arduino library: put it in your sketchbook's `libraries/` as "
        f"`{name}/`, then open the example `{name}_static`.",
        "",
    ]
    return "\n".join(lines)


def _cross_build_lines(name: str, cpu: Cpu) -> list[str]:
    """REPORT.md's cross build: the bare-metal example on QEMU for a Cortex-M4, the library
    for another Arm core, none for a generic target."""
    if cpu.name == "cortex-m4":
        return [
            "# the bare-metal Cortex-M4F example m4/, on QEMU's mps2-an386",
            f"cmake -S . -B build-m4 -DCMAKE_TOOLCHAIN_FILE=cmake/{TOOLCHAIN_FILE}",
            "cmake --build build-m4",
            "qemu-system-arm -M mps2-an386 -nographic -semihosting-config enable=on,"
            "target=native \\",
            f"    -icount shift=0 -kernel build-m4/{name}_m4.elf",
        ]
    if not cpu.flags:
        return []
    return [f"# the library for {cpu.name} ({' '.join(cpu.flags)})",
            f"cmake -S . -B build-arm -DCMAKE_TOOLCHAIN_FILE=cmake/{TOOLCHAIN_FILE}",
            "cmake --build build-arm"]


def impulse_files(
    impulse: Impulse, budget: Budget | None = None, cpu: Cpu | None = None
) -> dict[str, str]:
    """The impulse folder's files, for ``cpu`` (default: the Cortex-M4, whose bare-metal
    example m4/ runs on QEMU's mps2-an386)."""
    cpu = cpu or CPUS[DEFAULT_CPU]
    files = glue_files(impulse)
    files.update({f"src/{name}": text for name, text in _source_files(impulse).items()})
    sources = sorted(f.removeprefix("src/") for f in files if f.startswith("src/"))
    files["CMakeLists.txt"] = template_environment().get_template(
        "impulse_CMakeLists.txt.j2"
    ).render(name=impulse.name, NAME=impulse.name.upper(),
             source_files=[f for f in sources if f.endswith(".c")], cpu=cpu.name)
    files.update(arduino_files(impulse))
    files.update(m4_example_files(impulse, cpu))
    report = impulse_report(impulse, budget)
    report["cpu"] = cpu_report(cpu)
    files["report.json"] = json.dumps(report, indent=2) + "\n"
    files["REPORT.md"] = report_markdown(impulse, budget, cpu)
    return files


def write_impulse(
    impulse: Impulse,
    out: Path,
    budget: Budget | None = None,
    *,
    force: bool = False,
    inputs: Iterable[Path | str] = (),
    cpu: Cpu | None = None,
) -> None:
    write_tree(out, impulse_files(impulse, budget, cpu), command="generate-library",
               force=force, inputs=inputs)
