"""Sizes the generated C holds: 32-bit sizes and parameters, the arena and constant maxima."""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import tf_models

from tinygen.cli import main
from tinygen.compiler import compile_graph
from tinygen.errors import EXIT_BUDGET, EXIT_USAGE, TinygenError
from tinygen.ir import Graph, Op, Quantization, Tensor
from tinygen.lowering.call import KernelCall
from tinygen.lowering.reshape import CopyParams
from tinygen.memory.limits import Limits, check_parameters, make_limits

MIB = 1 << 20


def _quant() -> Quantization:
    return Quantization(np.array([0.05], np.float32), np.array([0], np.int64))


def _add_graph(shape: tuple[int, ...]) -> Graph:
    """Two graph inputs added into one output, all of ``shape`` (int8)."""
    tensors = [Tensor(name, shape, "int8", _quant()) for name in ("a", "b", "sum")]
    return Graph(tensors, [Op("ADD", [0, 1], [2], {"activation": "NONE"})], [0, 1], [2])


def _refused_quickly(graph: Graph, limits: Limits | None = None) -> TinygenError:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(TinygenError) as error:
            compile_graph(graph, "big", limits=limits)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - start < 5
    assert peak < 64 * MIB, f"{peak:,} bytes allocated to refuse the model"
    return error.value


def test_tensor_too_big_for_int32_offsets() -> None:
    """2**31 bytes: one more than an int32_t size or offset holds."""
    tensors = [Tensor("huge", (1, 1 << 31), "int8", _quant()),
               Tensor("flat", (1 << 31,), "int8", _quant())]  # fmt: skip
    graph = Graph(tensors, [Op("RESHAPE", [0], [1], {})], [0], [1])
    error = _refused_quickly(graph, Limits(max_arena=(1 << 31) - 1))
    assert error.exit_code == EXIT_USAGE
    assert "tensor 0 'huge'" in error.message and "32-bit" in error.message


def test_tensor_of_2_to_the_40_elements() -> None:
    error = _refused_quickly(_add_graph((1024, 1024, 1024, 1024)))
    assert error.exit_code == EXIT_USAGE and "1,099,511,627,776 elements" in error.message


def test_tensor_over_the_arena_maximum() -> None:
    graph = _add_graph((1, 300 * MIB))
    error = _refused_quickly(graph)
    assert error.exit_code == EXIT_BUDGET
    assert "--max-arena" in error.message and "nothing was written" in error.message
    model = compile_graph(graph, "big", limits=Limits(max_arena=1 << 30))  # the only reason
    assert model.plan.arena_bytes >= 600 * MIB


def test_planned_arena_over_the_maximum() -> None:
    """Each tensor fits the maximum, the two inputs alive together do not."""
    error = _refused_quickly(_add_graph((1, 100 * MIB)), Limits(max_arena=150 * MIB))
    assert error.exit_code == EXIT_BUDGET and "the arena needs" in error.message


def test_parameter_beyond_int32_is_refused() -> None:
    graph = _add_graph((1, 8))
    calls = [KernelCall("copy", (0,), (2,), CopyParams(1 << 31))]
    with pytest.raises(TinygenError, match="parameter bytes = 2147483648 does not fit"):
        check_parameters(graph, calls)
    check_parameters(graph, [KernelCall("copy", (0,), (2,), CopyParams((1 << 31) - 1))])


@pytest.mark.parametrize(
    ("arena", "constants", "message"),
    [("4096M", None, "outside 1"), (None, "0", "outside 1"), ("1G", None, "is not a size")],
)
def test_maximum_options_are_checked(
    arena: str | None, constants: str | None, message: str
) -> None:
    with pytest.raises(TinygenError, match=message) as error:
        make_limits(arena, constants)
    assert error.value.exit_code == EXIT_USAGE


@pytest.fixture(scope="module")
def dense(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models") / "dense.tflite"
    path.write_bytes(tf_models.dense_model())
    return path


@pytest.mark.parametrize("option", [["--max-arena", "16"], ["--max-constants", "100"]])
def test_cli_refuses_a_model_over_a_maximum(dense: Path, tmp_path: Path, option: list[str]) -> None:
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "tinygen", "generate-library", str(dense), "-o", str(out),
         *option], capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == EXIT_BUDGET, result.stderr
    assert option[0] in result.stderr and "nothing was written" in result.stderr
    assert not out.exists()
    assert main(["generate-library", str(dense), "-o", str(out), option[0], "256K"]) == 0


def test_file_declaring_a_giant_tensor(dense: Path, tmp_path: Path) -> None:
    """A .tflite whose input claims 2**40 elements is refused at once, nothing allocated."""
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model_from_bytearray(bytearray(dense.read_bytes()))
    sub = model.subgraphs[0]
    sub.tensors[sub.inputs[0]].shape = [1024, 1024, 1024, 1024]
    giant = tmp_path / "giant.tflite"
    giant.write_bytes(flatbuffer_utils.convert_object_to_bytearray(model))
    out = tmp_path / "out"
    tracemalloc.start()
    start = time.perf_counter()
    code = main(["generate-library", str(giant), "-o", str(out)])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == EXIT_USAGE and not out.exists()
    assert time.perf_counter() - start < 5 and peak < 64 * MIB


def test_constant_folding_does_not_build_a_giant_constant() -> None:
    """FILL of [65536, 65536] from two small constants, its output declared [1]: not
    folded (that would take 4 GiB), so the operator stays and is refused."""
    tensors = [
        Tensor("dims", (2,), "int32", data=np.array([1 << 16, 1 << 16], np.int32)),
        Tensor("value", (), "int8", data=np.array(3, np.int8)),
        Tensor("filled", (1,), "int8"),
        Tensor("x", (1,), "int8", _quant()),
        Tensor("sum", (1,), "int8", _quant()),
    ]
    ops = [Op("FILL", [0, 1], [2], {}), Op("ADD", [2, 3], [4], {"activation": "NONE"})]
    error = _refused_quickly(Graph(tensors, ops, [3], [4]))
    assert "unsupported operators: FILL (operator 0)" in error.message
