"""Generated libraries on an emulated Cortex-M4F (QEMU mps2-an386): same bytes as the host
build, and instruction counts that are right and repeatable.

Needs arm-none-eabi-gcc with newlib and qemu-system-arm; without them the tests fail with
the Debian packages to install (CI installs them), they are not skipped.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
import tf_models

from tinygen.compiler import CompiledModel, compile_file, compile_graph
from tinygen.errors import TinygenError
from tinygen.frontend.tflite import parse_tflite
from tinygen.package.folder import write_library
from tinygen.report.operators import macs
from tinygen.target import cortex_m4
from tinygen.target.cortex_m4 import (
    BOARD_DIR,
    build_elf,
    code_size,
    model_tables,
    run_model_on_m4,
    run_qemu,
)
from tinygen.verify.c_model import CModel
from tinygen.verify.inputs import random_inputs

SHARED_MODELS = ["hello_world_int8", "ad01_int8", "kws_ref_model", "str_ww_ref_model"]
SETS = 3


@pytest.fixture(scope="module")
def dense() -> CompiledModel:
    return compile_graph(parse_tflite(tf_models.dense_model(), "dense"), "dense")


def _program(tmp_path: Path, body: str, name: str = "program") -> Path:
    """An ELF of one main.c (with board.h) and the board files."""
    source = tmp_path / f"{name}.c"
    source.write_text(body)
    return build_elf([source], [], tmp_path / f"{name}_build")


def _matches_host(model: CompiledModel, tmp_path: Path, seed: int) -> list[int]:
    """Run ``SETS`` random input sets on the M4 and on the host; the M4's instruction counts."""
    sets = list(itertools.islice(random_inputs(model.graph, SETS, seed), SETS))
    run = run_model_on_m4(model, sets, tmp_path / "m4")
    host = CModel(model, tmp_path / "host")
    assert len(run.outputs) == SETS
    for s, (inputs, outputs) in enumerate(zip(sets, run.outputs, strict=True)):
        expected = host.invoke(inputs)
        for i, (want, got) in enumerate(zip(expected, outputs, strict=True)):
            differ = int(np.count_nonzero(want != got))
            assert got.tobytes() == want.tobytes(), f"set {s}, output {i}: {differ} values differ"
    assert len(run.instructions) == SETS
    assert all(n > 0 for n in run.instructions), run.instructions
    return run.instructions


def test_timer_ticks_are_40_instructions(tmp_path: Path) -> None:
    # A loop of two instructions (subs, bne) a turn: with -icount shift=0 and the 25 MHz
    # timer, N turns are 2N instructions = 2N / 40 ticks.
    elf = _program(
        tmp_path,
        """#include <stdio.h>
#include "board.h"

static uint32_t ticks_of_loop(uint32_t turns)
{
    uint32_t start = board_counter_ticks();
    __asm__ volatile("1:\\n\\tsubs %0, %0, #1\\n\\tbne 1b" : "+r"(turns) : : "cc");
    return board_counter_ticks() - start;
}

int main(void)
{
    board_counter_start();
    printf("%lu %lu\\n", (unsigned long)ticks_of_loop(1000000),
           (unsigned long)ticks_of_loop(7000000));
    return 0;
}
""",
    )
    status, out = run_qemu(elf, 30)
    assert status == 0, out
    ticks = [int(v) for v in out.split()[:2]]
    for turns, measured in zip((1_000_000, 7_000_000), ticks, strict=True):
        # the timer reads around the loop add a few instructions: under one tick
        assert abs(measured * 40 - 2 * turns) <= 40, (turns, measured)
    assert re.search(r"BOARD_INSTRUCTIONS_PER_TICK 40u", (BOARD_DIR / "board.h").read_text())


def test_exit_status_faults_and_hangs(tmp_path: Path) -> None:
    ok = _program(tmp_path, '#include <stdio.h>\nint main(void)\n{\n    puts("hi");\n'
                  "    return 7;\n}\n", "seven")
    assert run_qemu(ok, 30) == (7, "hi\n")
    fault = _program(
        tmp_path,
        "#include <stdint.h>\nint main(void)\n{\n"
        "    return (int)*(volatile uint32_t *)0x30000000u; /* nothing is mapped there */\n}\n",
        "fault",
    )
    status, out = run_qemu(fault, 30)
    assert status == cortex_m4.FAULT_STATUS + 3 and "fault: exception 3" in out
    assert "HardFault" in cortex_m4.status_problem(status)
    hang = _program(tmp_path, "int main(void)\n{\n    for (;;) {\n    }\n}\n", "hang")
    with pytest.raises(TinygenError, match=r"did not finish .* within 1 s"):
        run_qemu(hang, 1)


def test_missing_tools_name_the_debian_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(TinygenError, match="apt-get install gcc-arm-none-eabi libnewlib"):
        build_elf([tmp_path / "main.c"], [], tmp_path)
    with pytest.raises(TinygenError, match="apt-get install qemu-system-arm"):
        run_qemu(tmp_path / "program.elf", 1)


def test_dense_model_matches_host_and_counts_repeat(dense: CompiledModel, tmp_path: Path) -> None:
    first = _matches_host(dense, tmp_path / "first", seed=5)
    again = _matches_host(dense, tmp_path / "again", seed=5)
    assert first == again
    total_macs = sum(macs(call) for call in dense.calls)
    assert min(first) > total_macs / 2, (first, total_macs)  # SMLAD: at most two MACs a cycle


def test_code_size_separates_code_from_tables(dense: CompiledModel, tmp_path: Path) -> None:
    library = tmp_path / "lib"
    write_library(dense, library)
    objects = cortex_m4.compile_library(library, tmp_path / "obj", "-Os")
    size = code_size(objects, model_tables(dense.name))
    assert size.table_bytes == dense.sources.constant_bytes
    assert size.other_const_bytes >= dense.sources.params_bytes
    assert size.text_bytes > 0 and size.data_bytes == 0
    assert size.bss_bytes >= dense.plan.arena_bytes
    assert code_size(objects).table_bytes == 0


def test_wrong_inputs_are_refused(dense: CompiledModel, tmp_path: Path) -> None:
    shape = dense.graph.tensors[dense.graph.inputs[0]].shape
    with pytest.raises(TinygenError, match="input 0 of set 0 is float32"):
        run_model_on_m4(dense, [[np.zeros(shape, np.float32)]], tmp_path)
    with pytest.raises(TinygenError, match="at least one input set"):
        run_model_on_m4(dense, [], tmp_path)


@pytest.mark.parametrize("name", SHARED_MODELS)
def test_shared_model_matches_host(name: str, shared_dir: Path, tmp_path: Path) -> None:
    model = compile_file(shared_dir / "models" / f"{name}.tflite")
    instructions = _matches_host(model, tmp_path, seed=7)
    total_macs = sum(macs(call) for call in model.calls)
    assert min(instructions) > total_macs / 2, (instructions, total_macs)
