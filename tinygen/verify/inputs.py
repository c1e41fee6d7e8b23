"""Test inputs for verification: random, edge values, or the user's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Graph

EDGE_VALUES = (-128, 0, 127)


def random_inputs(graph: Graph, runs: int, seed: int) -> Iterator[list[np.ndarray]]:
    """``runs`` random input sets, then one set per edge value (int8 inputs only)."""
    rng = np.random.default_rng(seed)
    tensors = [graph.tensors[t] for t in graph.inputs]
    for _ in range(runs):
        batch = []
        for t in tensors:
            if t.dtype == "int8":
                batch.append(rng.integers(-128, 128, size=t.shape, dtype=np.int8))
            else:
                scale = t.quant.scale0 * 128 if t.quant else 4.0
                batch.append((rng.standard_normal(t.shape) * scale).astype(t.dtype))
        yield batch
    if all(t.dtype == "int8" for t in tensors):
        for value in EDGE_VALUES:
            yield [np.full(t.shape, value, np.int8) for t in tensors]


def load_inputs(graph: Graph, path: Path) -> list[list[np.ndarray]]:
    """Input sets from a .npy file: one input tensor, or a stack of them."""
    if len(graph.inputs) != 1:
        raise TinygenError("--inputs takes a .npy file, which fits only one-input models")
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise TinygenError(f"{path}: not a readable .npy file ({exc})") from exc
    tensor = graph.tensors[graph.inputs[0]]
    if data.shape == tensor.shape:
        data = data[None]
    if data.shape[1:] != tensor.shape:
        raise TinygenError(
            f"{path}: holds an array of shape {list(data.shape)}; the model's input is "
            f"{list(tensor.shape)} (or a stack of them)"
        )
    if data.dtype != np.dtype(tensor.dtype):
        raise TinygenError(f"{path}: holds {data.dtype}; the model's input is {tensor.dtype}")
    return [[x] for x in data]
