"""Calibration: read the user's samples, run the float graph on them, keep each tensor's values.

``load_calibration`` checks the file against the model's inputs (shape with or without the
batch dimension of 1, a float dtype, at least one sample, no NaN or Inf). ``FloatRunner``
runs the canonical float graph with the numpy kernels of :mod:`float_ops` and the index
maps of :mod:`float_movement`, many samples at a time when every tensor has a leading
batch of 1. ``collect_stats`` records, for every
activation tensor, the exact minimum and maximum over all samples and a seeded random
subsample of its values (at most ``cap`` in all) for the percentile and MSE range choices.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import NO_TENSOR, Graph
from tinygen.quantize.float_movement import MOVERS, data_slots, index_maps
from tinygen.quantize.float_ops import BROADCASTING, KERNELS, REDUCING

#: Values kept per tensor for the percentile and MSE range choices.
DEFAULT_CAP = 1 << 17
_CHUNK = 16


def _describe(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _check_array(data: np.ndarray, shape: tuple[int, ...], what: str) -> np.ndarray:
    if data.dtype.kind != "f":
        raise TinygenError(
            f"{what} holds {data.dtype} values; the float model's input is float32: convert "
            "the samples to float, preprocessed exactly as the model expects them"
        )
    with_batch = (f"(N, {', '.join(map(str, shape))})") if shape else "(N,)"
    if data.ndim == len(shape) + 1 and data.shape[1:] == shape:
        stacked = data
    elif shape and shape[0] == 1 and data.ndim == len(shape) and data.shape[1:] == shape[1:]:
        stacked = data.reshape((data.shape[0], *shape))
    else:
        without = f" or (N, {', '.join(map(str, shape[1:]))})" if shape and shape[0] == 1 else ""
        raise TinygenError(
            f"{what} has shape {_describe(data.shape)}; the model's input is "
            f"{_describe(shape)}, so the calibration samples must be stacked as "
            f"{with_batch}{without}"
        )
    if stacked.shape[0] == 0:
        raise TinygenError(f"{what} holds no samples; give at least one (100 or more is better)")
    bad = ~np.isfinite(stacked.reshape(stacked.shape[0], -1))
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=1))
        raise TinygenError(
            f"{what} holds {int(bad.sum())} NaN or infinite value(s), in {rows.size} of "
            f"{stacked.shape[0]} samples (first: sample {int(rows[0])}); remove or fix them"
        )
    return stacked.astype(np.float32)


def load_calibration(path: Path, graph: Graph) -> list[np.ndarray]:
    """One (N, *input shape) float32 array per graph input, in the graph's input order."""
    if not path.is_file():
        raise TinygenError(f"{path}: no such calibration file")
    inputs = [graph.tensors[t] for t in graph.inputs]
    try:
        loaded = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise TinygenError(f"{path}: not a readable .npy or .npz file ({exc})") from exc
    if isinstance(loaded, np.ndarray):
        if len(inputs) != 1:
            raise TinygenError(
                f"{path}: a .npy file holds one array, but the model has {len(inputs)} inputs; "
                "give a .npz with one array per input (keys: the input names, or arr_0, arr_1 …)"
            )
        arrays = [loaded]
    else:
        with loaded:
            keys = list(loaded.files)
            names = [t.name for t in inputs]
            if all(n in keys for n in names):
                chosen = names
            elif all(f"arr_{i}" in keys for i in range(len(inputs))):
                chosen = [f"arr_{i}" for i in range(len(inputs))]
            elif len(keys) == len(inputs) == 1:
                chosen = keys
            else:
                raise TinygenError(
                    f"{path}: holds the arrays {keys}; the model's inputs are {names}: name "
                    "the arrays after the inputs, or arr_0, arr_1 … in input order"
                )
            arrays = [loaded[k] for k in chosen]
    return check_samples(arrays, graph, str(path))


def check_samples(arrays: list[np.ndarray], graph: Graph, what: str) -> list[np.ndarray]:
    """``arrays`` (one per graph input, samples stacked first) checked and as float32
    (N, *input shape); ``what`` names them in errors."""
    inputs = [graph.tensors[t] for t in graph.inputs]
    checked = [
        _check_array(a, t.shape, what + (f" ('{t.name}')" if len(inputs) > 1 else ""))
        for a, t in zip(arrays, inputs, strict=True)
    ]
    counts = {a.shape[0] for a in checked}
    if len(counts) > 1:
        raise TinygenError(
            f"{what}: the inputs have different numbers of samples ({sorted(counts)}); "
            "every input needs one value per sample"
        )
    return checked


def _batchable(graph: Graph) -> bool:
    """Every activation tensor has a leading batch of 1, so samples can be stacked there."""
    return all(
        len(graph.tensors[t].shape) >= 1 and graph.tensors[t].shape[0] == 1
        for t in graph.activation_tensors()
    )


class FloatRunner:
    """Runs a canonical float graph on stacked samples with the numpy kernels."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.batchable = _batchable(graph)
        self.maps = {
            i: index_maps(graph, i, op) for i, op in enumerate(graph.ops) if op.kind in MOVERS
        }

    def _sample_shape(self, index: int) -> tuple[int, ...]:
        shape = self.graph.tensors[index].shape
        return shape[1:] if self.batchable else shape

    def _argument(self, values: dict[int, np.ndarray], t: int, count: int,
                  rank: int | None) -> np.ndarray:
        """Tensor ``t`` as a kernel takes it: a constant as it is, an activation with its
        samples first; with ``rank`` (broadcasting kernels, batched), with 1s inserted after
        the samples so that it has that rank and broadcasts as the one sample would."""
        tensor = self.graph.tensors[t]
        if tensor.is_constant:
            return np.asarray(tensor.data)
        if not self.batchable:
            return values[t].reshape(tensor.shape)
        lift = (1,) * max(0, (rank or 0) - len(tensor.shape))
        return values[t].reshape((count, *lift, *tensor.shape[1:]))

    def _flat(self, values: dict[int, np.ndarray], t: int, count: int) -> np.ndarray:
        tensor = self.graph.tensors[t]
        if tensor.is_constant:
            flat = np.asarray(tensor.data, np.float32).reshape(1, -1)
            return np.broadcast_to(flat, (count, flat.shape[1]))
        return values[t].reshape(count, -1)

    def run(self, inputs: list[np.ndarray]) -> dict[int, np.ndarray]:
        """Values of every activation tensor, each (B, *per-sample shape), for B samples."""
        if not self.batchable and inputs[0].shape[0] > 1:
            runs = [self.run([x[i : i + 1] for x in inputs]) for i in range(inputs[0].shape[0])]
            return {t: np.concatenate([r[t] for r in runs]) for t in runs[0]}
        count = inputs[0].shape[0]
        values: dict[int, np.ndarray] = {}
        for t, x in zip(self.graph.inputs, inputs, strict=True):
            values[t] = x.reshape((count, *self._sample_shape(t)))
        for i, op in enumerate(self.graph.ops):
            if i in self.maps:
                flat = [self._flat(values, op.inputs[k], count) for k in data_slots(op)]
                zero = np.zeros((count, 1), np.float32)  # element ZERO (-1): a padded 0.0
                source = np.concatenate([*flat, zero], axis=1)
                outs = [source[:, m] for m in self.maps[i]]
            else:
                kernel, arity = KERNELS[op.kind]
                rank = (len(self.graph.tensors[op.outputs[0]].shape)
                        if op.kind in BROADCASTING else None)
                args = [
                    None if t == NO_TENSOR else self._argument(values, t, count, rank)
                    for t in op.inputs[:arity]
                ]
                args += [None] * (arity - len(args))
                extra = {"samples": self.batchable} if op.kind in REDUCING else {}
                outs = [np.asarray(kernel(op.attrs, *args, **extra), np.float32)]
            for y, out in zip(op.outputs, outs, strict=True):
                values[y] = out.reshape((count, *self._sample_shape(y)))
        return values


def chunks(samples: list[np.ndarray], size: int = _CHUNK) -> Iterator[list[np.ndarray]]:
    count = samples[0].shape[0]
    for start in range(0, count, size):
        yield [x[start : start + size] for x in samples]


@dataclass
class TensorStats:
    """What calibration saw of one tensor: exact extremes and a subsample of its values."""

    minimum: float = float("inf")
    maximum: float = float("-inf")
    parts: list[np.ndarray] = field(default_factory=list)

    @property
    def values(self) -> np.ndarray:
        return np.concatenate(self.parts) if self.parts else np.zeros(0, np.float32)


def collect_stats(
    graph: Graph, samples: list[np.ndarray], cap: int = DEFAULT_CAP, seed: int = 0
) -> dict[int, TensorStats]:
    """Statistics of every activation tensor of ``graph`` over the calibration samples."""
    runner = FloatRunner(graph)
    rng = np.random.default_rng(seed)
    total = samples[0].shape[0]
    stats: dict[int, TensorStats] = {}
    for chunk in chunks(samples):
        values = runner.run(chunk)
        for t, v in values.items():
            s = stats.setdefault(t, TensorStats())
            flat = v.reshape(-1)
            s.minimum = min(s.minimum, float(flat.min()))
            s.maximum = max(s.maximum, float(flat.max()))
            keep = max(1, -(-cap * v.shape[0] // total))  # this chunk's share of the cap
            if flat.size <= keep:
                s.parts.append(flat.copy())
            else:
                s.parts.append(flat[rng.integers(0, flat.size, keep)])
    return stats
