"""The generated library as a user's compiler sees it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from library_build import (
    STRICT_C,
    STRICT_CXX,
    compile_objects,
    generate,
    global_symbols,
    writable_bytes,
)

from tinygen.reference.interpreter import run_reference

MODELS = ["hello_world_int8", "kws_ref_model", "pretrainedResnet_quant", "str_ww_ref_model"]


@pytest.mark.parametrize("name", MODELS)
def test_strict_c99_and_cxx(name: str, shared_dir: Path, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    model = generate(shared_dir / "models" / f"{name}.tflite", lib)
    objects = compile_objects(lib, STRICT_C, tmp_path / "c")
    compile_objects(lib, STRICT_CXX, tmp_path / "cxx")
    # The one arena is the only writable memory (alignment slack aside).
    writable = writable_bytes(objects)
    assert model.plan.arena_bytes <= writable <= model.plan.arena_bytes + 16
    # Every exported symbol carries the library's prefix.
    symbols = global_symbols(objects)
    assert symbols
    assert all(s.startswith(model.name + "_") for s in symbols), symbols


def test_library_files(shared_dir: Path, tmp_path: Path) -> None:
    lib = tmp_path / "kws"
    generate(shared_dir / "models" / "kws_ref_model.tflite", lib, name="kws")
    sources = sorted(p.name for p in (lib / "src").glob("*.c"))
    assert sources == sorted(
        [
            "kws.c",
            "tg_conv2d_fast_s8.c",  # the specialized kernels (tinygen/lowering/fast*.py)
            "tg_depthwise_conv2d_fast_s8_inplace.c",  # in place at the peak steps
            "tg_avg_pool_s8.c",
            "tg_fully_connected_fast_s8.c",
            "tg_softmax_s8.c",
        ]
    )  # only the kernels the model uses (the reshape aliases: no copy)
    header = (lib / "include" / "kws.h").read_text()
    for macro in (
        "KWS_ARENA_BYTES",
        "KWS_INPUT_COUNT 1",
        "KWS_OUTPUT_COUNT 1",
        "KWS_INPUT0_BYTES 490",
        "KWS_INPUT0_SCALE",
        "KWS_INPUT0_ZERO_POINT",
        "KWS_OUTPUT0_BYTES 12",
        "KWS_OUTPUT0_SCALE 0.00390625f",
        "KWS_OUTPUT0_ZERO_POINT -128",
        "int kws_invoke(void);",
        "void *kws_input(int index);",
        "const void *kws_output(int index);",
        'extern "C"',
    ):
        assert macro in header
    assert "add_library(kws STATIC" in (lib / "CMakeLists.txt").read_text()


MAIN_C = r"""
#include <stdio.h>
#include <stdint.h>
#include "sine.h"
#include "kws.h"

static void fill(int8_t *p, int n) {
    int i;
    for (i = 0; i < n; ++i) p[i] = (int8_t)((i * 37 + 11) % 256 - 128);
}

int main(void) {
    int i;
    fill((int8_t *)sine_input(0), SINE_INPUT0_BYTES);
    fill((int8_t *)kws_input(0), KWS_INPUT0_BYTES);
    if (sine_invoke() != 0 || kws_invoke() != 0) return 1;
    if (sine_input(1) != NULL || kws_output(1) != NULL) return 2;
    for (i = 0; i < SINE_OUTPUT0_BYTES; ++i) printf("%d ", ((const int8_t *)sine_output(0))[i]);
    printf("\n");
    for (i = 0; i < KWS_OUTPUT0_BYTES; ++i) printf("%d ", ((const int8_t *)kws_output(0))[i]);
    printf("\n");
    return 0;
}
"""


def _pattern(n: int) -> np.ndarray:
    return ((np.arange(n) * 37 + 11) % 256 - 128).astype(np.int8)


def test_two_libraries_link_into_one_program(shared_dir: Path, tmp_path: Path) -> None:
    models = {
        "sine": generate(
            shared_dir / "models" / "hello_world_int8.tflite", tmp_path / "sine", name="sine"
        ),
        "kws": generate(
            shared_dir / "models" / "kws_ref_model.tflite", tmp_path / "kws", name="kws"
        ),
    }
    objects: list[Path] = []
    for name in models:
        objects += compile_objects(tmp_path / name, STRICT_C, tmp_path / f"obj_{name}")
    main = tmp_path / "main.c"
    main.write_text(MAIN_C)
    exe = tmp_path / "both"
    includes = [f"-I{tmp_path / n / 'include'}" for n in models]
    subprocess.run(
        [*STRICT_C, str(main), *includes, *map(str, objects), "-o", str(exe)],
        check=True,
        capture_output=True,
        text=True,
    )
    lines = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    printed = [list(map(int, line.split())) for line in lines.strip().splitlines()]
    for row, (name, model) in zip(printed, models.items(), strict=True):
        graph = model.graph
        x = _pattern(graph.tensors[graph.inputs[0]].size)
        expected = run_reference(graph, model.calls, [x])[graph.outputs[0]]
        assert row == expected.reshape(-1).tolist(), name
