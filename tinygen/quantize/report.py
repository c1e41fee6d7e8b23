"""Per-layer report: how close each int8 tensor stays to the float model's.

For every activation tensor, on the calibration samples (the first ``MAX_SAMPLES``), with
the index of the operator that writes it in the int8 model:

* ``sqnr_db``: signal-to-quantization-noise ratio of the int8 model's tensor (run by
  tinygen's bit-exact numpy reference, dequantized) against the float model's,
  ``10 log10(sum f² / sum (f - q)²)``: the error accumulated up to that tensor;
* ``loss_db``: how much SQNR the operator producing it loses, the lowest SQNR of its
  quantized inputs minus its own: the layers that hurt come first;
* ``own_sqnr_db``: the tensor's own rounding and clipping noise (its float values
  quantized with its parameters), and ``clipped``: the share of float values outside its
  range.

``None`` stands for an exact tensor (no noise at all). Index outputs (ARG_MAX's, ARG_MIN's)
are not quantized and not reported.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from tinygen.ir import Graph
from tinygen.lowering import KernelCall, lower_graph
from tinygen.quantize.calibrate import FloatRunner, chunks
from tinygen.quantize.ranges import fake_quantize, quantize_values
from tinygen.reference.interpreter import run_reference

MAX_SAMPLES = 256
_NAME_WIDTH = 44


@dataclass(frozen=True)
class TensorReport:
    index: int
    name: str
    op_index: int | None  # the producing operator's index in the int8 model; None: an input
    kind: str
    shape: list[int]
    scale: float
    zero_point: int
    sqnr_db: float | None
    loss_db: float | None
    own_sqnr_db: float | None
    clipped: float


@dataclass(frozen=True)
class QuantizationReport:
    samples: int
    ranges: str
    tensors: list[TensorReport]  # sorted: largest loss first, graph inputs last
    outputs: list[TensorReport]

    def to_json(self) -> dict[str, Any]:
        return {
            "calibration_samples": self.samples,
            "ranges": self.ranges,
            "outputs": [asdict(t) for t in self.outputs],
            "tensors": [asdict(t) for t in self.tensors],
        }

    def table(self) -> str:
        lines = [
            f"SQNR of the int8 model against the float model on {self.samples} calibration "
            "sample(s), in dB (higher is closer)"
        ]
        lines += [f"output '{t.name}': {_db(t.sqnr_db)} dB" for t in self.outputs]
        lines.append("layers, the one losing most SQNR first:")
        lines.append(
            f"{'op':>4}  {'kind':<18} {'tensor':<{_NAME_WIDTH}} {'SQNR':>6} {'loss':>6} "
            f"{'own':>6} {'clipped':>8} {'scale':>11} {'zp':>5}"
        )
        for t in self.tensors:
            name = t.name if len(t.name) <= _NAME_WIDTH else "…" + t.name[-_NAME_WIDTH + 1 :]
            op = "-" if t.op_index is None else str(t.op_index)
            lines.append(
                f"{op:>4}  {t.kind:<18} {name:<{_NAME_WIDTH}} {_db(t.sqnr_db):>6} "
                f"{_db(t.loss_db):>6} {_db(t.own_sqnr_db):>6} {t.clipped:>8.2%} "
                f"{t.scale:>11.4g} {t.zero_point:>5}"
            )
        return "\n".join(lines)


def _db(value: float | None) -> str:
    return "exact" if value is None else f"{value:.1f}"


def sqnr_db(signal: float, noise: float) -> float | None:
    """10 log10(signal / noise); None when there is no noise."""
    if noise <= 0.0:
        return None
    return 10.0 * math.log10(max(signal, 1e-30) / noise)  # an all-zero float tensor: very low


class _Sums:
    def __init__(self) -> None:
        self.signal = 0.0
        self.noise = 0.0
        self.own = 0.0
        self.clipped = 0
        self.count = 0


def _int8_inputs(int8: Graph, chunk: list[np.ndarray], i: int) -> list[np.ndarray]:
    """Sample ``i`` of the chunk as the int8 graph takes it (quantized unless float I/O)."""
    out = []
    for t, x in zip(int8.inputs, chunk, strict=True):
        tensor = int8.tensors[t]
        value = x[i].reshape(tensor.shape)
        if tensor.quant is not None:
            scale, zero = float(tensor.quant.scale[0]), int(tensor.quant.zero_point[0])
            value = quantize_values(value, scale, zero)
        out.append(value.astype(tensor.dtype))
    return out


def build_report(
    graph: Graph, int8: Graph, samples: list[np.ndarray], ranges: str,
    calls: list[KernelCall] | None = None,
) -> QuantizationReport:
    """Compare ``int8`` (built from the canonical float ``graph``, lowered to ``calls``)
    with it on ``samples``."""
    count = min(samples[0].shape[0], MAX_SAMPLES)
    samples = [x[:count] for x in samples]
    runner = FloatRunner(graph)
    calls = lower_graph(int8) if calls is None else calls
    tracked = [t for t in graph.activation_tensors() if int8.tensors[t].quant is not None]
    sums = {t: _Sums() for t in tracked}
    for chunk in chunks(samples):
        floats = runner.run(chunk)
        for i in range(chunk[0].shape[0]):
            values = run_reference(int8, calls, _int8_inputs(int8, chunk, i))
            for t in tracked:
                q = int8.tensors[t].quant
                assert q is not None
                scale, zero = float(q.scale[0]), int(q.zero_point[0])
                f = floats[t][i].reshape(-1).astype(np.float64)
                dq = (values[t].reshape(-1).astype(np.float64) - zero) * scale
                s = sums[t]
                s.signal += float(np.sum(f * f))
                s.noise += float(np.sum((f - dq) ** 2))
                s.own += float(np.sum((f - fake_quantize(f, scale, zero)) ** 2))
                outside = (f < (-128 - zero) * scale) | (f > (127 - zero) * scale)
                s.clipped += int(np.count_nonzero(outside))
                s.count += f.size
    producers = {y: (i, op) for i, op in enumerate(int8.ops) for y in op.outputs}
    db = {t: sqnr_db(s.signal, s.noise) for t, s in sums.items()}
    reports = []
    for t in tracked:
        tensor, q, s = int8.tensors[t], int8.tensors[t].quant, sums[t]
        assert q is not None
        op_index, kind, loss = None, "input", None
        if t in producers:
            op_index, op = producers[t]
            kind = op.kind
            before = [db[x] for x in op.inputs if x in db]
            finite = [math.inf if v is None else v for v in before]
            if finite and db[t] is not None and min(finite) < math.inf:
                loss = min(finite) - db[t]
        reports.append(
            TensorReport(
                t,
                graph.tensors[t].name,
                op_index,
                kind,
                list(tensor.shape),
                float(q.scale[0]),
                int(q.zero_point[0]),
                db[t],
                loss,
                sqnr_db(s.signal, s.own),
                s.clipped / max(s.count, 1),
            )
        )
    by_index = {r.index: r for r in reports}
    reports.sort(key=lambda r: (r.loss_db is None, -(r.loss_db or 0.0), r.index))
    return QuantizationReport(count, ranges, reports, [by_index[t] for t in graph.outputs
                                                      if t in by_index])
