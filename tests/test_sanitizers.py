"""Generated model C under AddressSanitizer, UndefinedBehaviorSanitizer and guard bytes.

Each int8 model of ../shared/models and one model built here runs in a program compiled
with ``-fsanitize=address,undefined``: once as shipped (the sanitizers see the arena's
real bounds) and once with ``NAME_ARENA_GUARD`` (64 bytes of a pattern on each side of
the arena, checked after every inference, since a static arena is one object to
AddressSanitizer). Inputs: random ones and all -128, all 0, all 127; every output must
equal the numpy reference's.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tf_models
from conftest import SHARED_DIR
from library_build import STRICT_C, STRICT_CXX, compile_objects
from sanitizer_build import (
    GUARDS_DAMAGED,
    build,
    model_input_bytes,
    model_outputs,
    run,
    write_model_program,
)

from tinygen.compiler import CompiledModel, compile_file
from tinygen.frontend.tflite import parse_tflite
from tinygen.package.folder import library_files
from tinygen.reference.interpreter import run_reference
from tinygen.verify.inputs import random_inputs

RANDOM_RUNS = 3
SEED = 20240611


def _shared_int8_models() -> list[str]:
    """The int8 models in ../shared/models (one name without it: the fixture skips)."""
    folder = SHARED_DIR / "models"
    if not folder.is_dir():
        return ["hello_world_int8"]
    names = []
    for path in sorted(folder.glob("*.tflite")):
        graph = parse_tflite(path.read_bytes())
        if all(graph.tensors[t].dtype == "int8" for t in graph.inputs):
            names.append(path.stem)
    return names


def _own_model_bytes() -> bytes:
    """int8 in and out: convolution, depthwise with multiplier 2, ADD of two branches,
    pooling, MEAN, FULLY_CONNECTED and SOFTMAX on an odd-sized input."""
    import tensorflow as tf

    rng = np.random.default_rng(11)

    def weights(*shape: int) -> Any:
        return tf.constant((rng.normal(size=shape) * 0.4).astype(np.float32))

    conv, depthwise, project = weights(3, 3, 3, 6), weights(3, 3, 6, 2), weights(1, 1, 12, 12)
    dense = weights(12, 5)

    def fn(x: Any) -> Any:
        y = tf.nn.relu6(tf.nn.conv2d(x, conv, 1, "VALID"))
        y = tf.nn.depthwise_conv2d(y, depthwise, [1, 2, 2, 1], "SAME")
        y = tf.nn.relu(y + tf.nn.conv2d(y, project, 1, "SAME"))
        y = tf.nn.max_pool2d(y, 2, 1, "SAME")
        y = tf.reduce_mean(tf.nn.avg_pool2d(y, 2, 1, "VALID"), axis=[1, 2])
        return tf.nn.softmax(tf.matmul(y, dense))

    return tf_models.convert(fn, (1, 11, 9, 3))


@pytest.fixture(scope="module")
def own_model(tmp_path_factory: pytest.TempPathFactory) -> CompiledModel:
    path = tmp_path_factory.mktemp("own") / "own.tflite"
    path.write_bytes(_own_model_bytes())
    return compile_file(path)


def _programs(
    model: CompiledModel, folder: Path, patch: dict[str, str] | None = None
) -> dict[str, Path]:
    """The model's program as shipped ("plain") and with guard bytes ("guarded")."""
    sources, includes = write_model_program(model, folder)
    for rel, text in (patch or {}).items():
        (folder / rel).write_text(text)
    variants = {"plain": [], "guarded": [f"{model.name.upper()}_ARENA_GUARD"]}
    with ThreadPoolExecutor(2) as pool:
        futures = {
            key: pool.submit(build, sources, includes, folder / key, defines)
            for key, defines in variants.items()
        }
        return {key: future.result() for key, future in futures.items()}


def check_model(model: CompiledModel, folder: Path) -> None:
    inputs = list(random_inputs(model.graph, RANDOM_RUNS, SEED))
    assert len(inputs) == RANDOM_RUNS + 3  # and all -128, all 0, all 127
    data = b"".join(model_input_bytes(x) for x in inputs)
    expected = [run_reference(model.graph, model.calls, x) for x in inputs]
    for variant, exe in _programs(model, folder).items():
        result = run(exe, data)
        assert result.clean, f"{variant}: exit {result.returncode}\n{result.stderr[-4000:]}"
        for i, outputs in enumerate(model_outputs(model, result.stdout, len(inputs))):
            for t, got in zip(model.graph.outputs, outputs, strict=True):
                assert np.array_equal(got, expected[i][t]), f"{variant}: input set {i}"


@pytest.mark.parametrize("name", _shared_int8_models())
def test_conformance_model_is_sanitizer_clean(name: str, shared_dir: Path, tmp_path: Path) -> None:
    check_model(compile_file(shared_dir / "models" / f"{name}.tflite"), tmp_path)


def test_own_model_is_sanitizer_clean(own_model: CompiledModel, tmp_path: Path) -> None:
    kinds = {op.kind for op in own_model.graph.ops}
    assert {"CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "MEAN", "SOFTMAX"} <= kinds, kinds
    check_model(own_model, tmp_path)
    # The guarded build is as warning-free as the shipped one, in C++ too.
    guard = f"-D{own_model.name.upper()}_ARENA_GUARD"
    compile_objects(tmp_path, [*STRICT_C, guard], tmp_path / "c")
    compile_objects(tmp_path, [*STRICT_CXX, guard], tmp_path / "cxx")


@pytest.mark.parametrize("where", ["past the end", "before the start"])
def test_a_write_outside_the_arena_is_caught(
    own_model: CompiledModel, tmp_path: Path, where: str
) -> None:
    """The checks can fail: the last operator's output moved so that it covers one byte
    past the arena's end (or one before its start) trips the guard bytes and ASan."""
    name, graph = own_model.name, own_model.graph
    source = "src/" + f"{name}.c"
    text = library_files(own_model)[source]
    last = max(i for i, call in enumerate(own_model.calls) if call.kernel != "alias")
    size = graph.tensors[graph.outputs[0]].nbytes
    offset = f"{name.upper()}_ARENA_BYTES - {size - 1}" if where == "past the end" else "-1"
    step = re.compile(
        rf"(static void {name}_step{last}\(void\)\n\{{\n[^\n]*\(int8_t \*\)\({name}_arena\.bytes"
        rf" \+ )\d+\)"
    )
    patched, count = step.subn(rf"\g<1>{offset})", text)
    assert count == 1, "the last step's output pointer was not found"
    programs = _programs(own_model, tmp_path, {source: patched})
    x = model_input_bytes(next(iter(random_inputs(graph, 1, SEED))))
    guarded = run(programs["guarded"], x)
    assert guarded.returncode == GUARDS_DAMAGED and "guard bytes" in guarded.stderr
    if where == "past the end":
        plain = run(programs["plain"], x)
        assert plain.returncode != 0 and "global-buffer-overflow" in plain.stderr, plain.stderr
