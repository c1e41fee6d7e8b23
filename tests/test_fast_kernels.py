"""The specialized kernels (tinygen/lowering/fast*.py, runtime_c/kernels/*_fast_*):
byte-exact with the numpy reference on randomized layers, on the host (portable C path) and
on the emulated Cortex-M4 (Arm DSP extension path).

Layers are chained into a few graphs so the M4 builds stay few: in the "all" graphs every
layer's output is a graph output (each layer is checked); in the "chain" graphs only the
last one is, so the planner overlaps outputs with dying inputs and runs depthwise layers in
place, and the kernels' memory contracts are exercised too.
"""

from __future__ import annotations

import itertools
import platform
import random
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tinygen.compiler import CompiledModel, compile_graph
from tinygen.geometry import output_size
from tinygen.ir import Graph, Op, Quantization, Tensor
from tinygen.lowering.fast import depthwise_layout, quad_layout, quad_quant, wide_layout
from tinygen.reference.interpreter import run_reference
from tinygen.verify.c_model import CModel
from tinygen.verify.inputs import random_inputs

LAYERS = 8  # per graph
SETS = 2  # random input sets per graph


def _quant(scale: float | np.ndarray, zero_point: int = 0, axis: int = 0) -> Quantization:
    scales = np.atleast_1d(np.asarray(scale, np.float32))
    return Quantization(scales, np.full(scales.size, zero_point, np.int64), axis)


class _Builder:
    def __init__(self, rng: random.Random, shape: tuple[int, int, int]) -> None:
        self.rng = rng
        self.np = np.random.default_rng(rng.randrange(1 << 30))
        self.tensors: list[Tensor] = []
        self.ops: list[Op] = []
        self.current = self.add(Tensor("input", (1, *shape), "int8", self.activation_quant()))
        self.outputs: list[int] = []
        self.width = 0  # output channels of every convolution (0: random)

    def add(self, tensor: Tensor) -> int:
        self.tensors.append(tensor)
        return len(self.tensors) - 1

    def activation_quant(self) -> Quantization:
        return _quant(self.rng.uniform(0.01, 0.1), self.rng.randrange(-128, 128))

    def layer(self, kind: str) -> None:
        rng = self.rng
        _, h, w, c = self.tensors[self.current].shape
        xq = self.tensors[self.current].quant
        depthwise = kind in ("DEPTHWISE_CONV_2D", "DEPTHWISE_3X3", "DEPTHWISE_COLUMN")
        if kind == "DEPTHWISE_COLUMN":  # a (k, 1) filter over a column, as str_ww's
            kh, kw = rng.randrange(2, 11), 1
            stride, padding, dilation = 1, rng.choice(["SAME", "VALID"]), rng.choice([1, 2])
        elif kind == "POINTWISE":
            kh = kw = stride = 1
            padding, dilation = "VALID", 1
        elif kind == "DEPTHWISE_3X3":
            kh = kw = 3
            stride, padding, dilation = 1, "SAME", 1
        else:
            kh, kw = rng.choice([(3, 3), (3, 3), (1, 3), (5, 5), (2, 4)])
            stride = rng.choice([1, 1, 2])
            padding = rng.choice(["SAME", "VALID"])
            dilation = rng.choice([1, 1, 1, 2]) if stride == 1 else 1
        out_c = c if depthwise else self.width or rng.choice([1, 3, 4, 7, 8, 16, 21])
        span_h, span_w = (kh - 1) * dilation + 1, (kw - 1) * dilation + 1
        if padding == "VALID" and (h < span_h or w < span_w):
            padding = "SAME"
        oh = output_size(padding, h, kh, stride, dilation)
        ow = output_size(padding, w, kw, stride, dilation)
        wshape = (1, kh, kw, out_c) if depthwise else (out_c, kh, kw, c)
        wdata = self.np.integers(-127, 128, wshape, dtype=np.int8)
        wscale = np.asarray([rng.uniform(0.002, 0.02) for _ in range(out_c)], np.float32)
        wt = self.add(Tensor("w", wshape, "int8", _quant(wscale, 0, 3 if depthwise else 0), wdata))
        inputs = [self.current, wt]
        if rng.random() < 0.85:
            bias = self.np.integers(-5000, 5000, out_c, dtype=np.int32)
            if rng.random() < 0.4:  # a dead channel (zero weights) with a huge bias
                dead = rng.randrange(out_c)
                if depthwise:
                    wdata[..., dead] = 0
                else:
                    wdata[dead] = 0
                bias[dead] = rng.choice([2**31 - 1, -(2**31), 2**30, -(2**30)])
            if rng.random() < 0.1:  # beyond the fast kernels' accumulator bound
                bias[rng.randrange(out_c)] = 2**30
            inputs.append(self.add(Tensor("b", (out_c,), "int32", _quant(wscale), bias)))
        yq = self.activation_quant()
        y = self.add(Tensor(f"y{len(self.ops)}", (1, oh, ow, out_c), "int8", yq))
        attrs = {
            "stride_h": stride,
            "stride_w": stride,
            "dilation_h": dilation,
            "dilation_w": dilation,
            "padding": padding,
            "activation": rng.choice(["NONE", "RELU", "RELU6"]),
        }
        if depthwise:
            attrs["depth_multiplier"] = 1
        op_kind = {"POINTWISE": "CONV_2D", "DEPTHWISE_3X3": "DEPTHWISE_CONV_2D",
                   "DEPTHWISE_COLUMN": "DEPTHWISE_CONV_2D"}.get(kind, kind)
        self.ops.append(Op(op_kind, inputs, [y], attrs))
        self.outputs.append(y)
        self.current = y
        assert xq is not None

    def residual(self, other: int) -> None:
        """ADD of the current tensor and ``other`` (same shape, or broadcast along h and w)."""
        shape = self.tensors[self.current].shape
        y = self.add(Tensor(f"y{len(self.ops)}", shape, "int8", self.activation_quant()))
        attrs = {"activation": self.rng.choice(["NONE", "RELU"])}
        self.ops.append(Op("ADD", [self.current, other], [y], attrs))
        self.outputs.append(y)
        self.current = y

    def dense(self, out: int, per_channel: bool) -> None:
        """FULLY_CONNECTED of the current (rows, depth) tensor to ``out`` outputs."""
        rng = self.rng
        rows, depth = self.tensors[self.current].shape
        wdata = self.np.integers(-127, 128, (out, depth), dtype=np.int8)
        count = out if per_channel else 1
        wscale = np.asarray([rng.uniform(0.002, 0.02) for _ in range(count)], np.float32)
        inputs = [self.current, self.add(Tensor("w", (out, depth), "int8", _quant(wscale), wdata))]
        if rng.random() < 0.8:
            bias = self.np.integers(-5000, 5000, out, dtype=np.int32)
            inputs.append(self.add(Tensor("b", (out,), "int32", _quant(wscale), bias)))
        y = self.add(Tensor(f"y{len(self.ops)}", (rows, out), "int8", self.activation_quant()))
        attrs = {"activation": rng.choice(["NONE", "RELU", "RELU6"])}
        self.ops.append(Op("FULLY_CONNECTED", inputs, [y], attrs))
        self.outputs.append(y)
        self.current = y

    def graph(self, every_output: bool) -> Graph:
        outputs = self.outputs if every_output else [self.current]
        return Graph(self.tensors, self.ops, [0], outputs)


#: DS-CNN-like: a strided convolution, then depthwise and pointwise layers of one width, whose
#: plan runs the depthwise layers in place and overlaps the pointwise ones with their inputs.
DS_CNN = ["CONV_2D", "DEPTHWISE_3X3", "POINTWISE", "DEPTHWISE_3X3", "POINTWISE"]


def _random_graph(seed: int, every_output: bool) -> Graph:
    rng = random.Random(seed)
    if DENSE_SEEDS <= seed < COLUMN_SEEDS:  # fully connected, some weights per channel
        rows, depth = rng.choice([1, 1, 3]), rng.randrange(1, 80)
        builder = _Builder(rng, (1, 1, 1))
        builder.tensors[0] = Tensor("input", (rows, depth), "int8", builder.activation_quant())
        for _ in range(LAYERS):
            builder.dense(rng.choice([1, 3, 4, 6, 8, 13, 32]), rng.random() < 0.25)
        return builder.graph(every_output)
    if POINTWISE_SEEDS <= seed < DENSE_SEEDS:  # pointwise layers of one width, overlapped
        width = rng.choice([16, 24, 33])
        builder = _Builder(rng, (rng.randrange(5, 12), rng.randrange(5, 12), width))
        builder.width = width
        for _ in range(3):
            builder.layer("POINTWISE")
        return builder.graph(every_output)
    if seed >= COLUMN_SEEDS:  # str_ww-like: a column, (k, 1) depthwise filters in place
        builder = _Builder(rng, (rng.randrange(20, 32), 1, rng.choice([8, 13, 16])))
        builder.width = builder.tensors[0].shape[3]
        for kind in ["DEPTHWISE_COLUMN", "POINTWISE", "DEPTHWISE_COLUMN", "POINTWISE"]:
            builder.layer(kind)
        return builder.graph(every_output)
    if seed >= DS_CNN_SEEDS:
        builder = _Builder(rng, (rng.randrange(14, 26), rng.randrange(6, 12), 1))
        builder.width = rng.choice([24, 32, 45])
        residuals = seed % 2 == 0  # odd seeds: the depthwise layers run in place
        for kind in DS_CNN:
            builder.layer(kind)
            if kind == "POINTWISE" and residuals:  # a residual connection, as ResNet's
                builder.residual(builder.outputs[-3])
        if not residuals:
            return builder.graph(every_output)
        # and a broadcast addition: one value per channel
        _, _, _, c = builder.tensors[builder.current].shape
        row = builder.np.integers(-128, 128, (1, 1, 1, c), dtype=np.int8)
        q = builder.activation_quant()
        builder.residual(builder.add(Tensor("row", (1, 1, 1, c), "int8", q, row)))
        return builder.graph(every_output)
    builder = _Builder(rng, (rng.randrange(3, 14), rng.randrange(3, 14), rng.randrange(1, 20)))
    kinds = ["POINTWISE", "DEPTHWISE_CONV_2D", "CONV_2D"]
    for _ in range(LAYERS):
        builder.layer(rng.choice(kinds))
        _, h, w, _ = builder.tensors[builder.current].shape
        if h * w < 4:  # keep some pixels to convolve
            break
    return builder.graph(every_output)


DS_CNN_SEEDS = 7  # seeds from here build DS_CNN graphs
POINTWISE_SEEDS = 9  # and from here pointwise chains
DENSE_SEEDS = 11  # and from here fully connected chains
COLUMN_SEEDS = 14  # and from here depthwise columns
CASES = [(seed, True) for seed in range(4)] + [(seed, False) for seed in range(4, 11)] + [
    (11, True), (12, True), (13, False), (14, True), (15, False), (16, False), (17, False)
]


def _model(seed: int, every_output: bool) -> CompiledModel:
    return compile_graph(_random_graph(seed, every_output), f"fast{seed}")


def _expected(model: CompiledModel, inputs: list[np.ndarray]) -> list[np.ndarray]:
    values = run_reference(model.graph, model.calls, inputs)
    return [values[t] for t in model.graph.outputs]


def test_layouts() -> None:
    rows = np.arange(1, 3 * 6 + 1, dtype=np.int8).reshape(3, 6)
    # quads of rows (the count padded with zero rows), by four bytes, then each row's last 2
    assert quad_layout(rows).tolist() == [
        *[1, 2, 3, 4, 7, 8, 9, 10, 13, 14, 15, 16, 0, 0, 0, 0],
        *[5, 6, 11, 12, 17, 18, 0, 0],
    ]
    # widened: int16, each group of four in the order 0, 2, 1, 3, the tails as they are
    assert wide_layout(rows).tolist() == [
        *[1, 3, 2, 4, 7, 9, 8, 10, 13, 15, 14, 16, 0, 0, 0, 0],
        *[5, 6, 11, 12, 17, 18, 0, 0],
    ]
    taps = np.arange(2 * 6, dtype=np.int8).reshape(2, 6)  # 2 taps, 6 channels
    assert depthwise_layout(taps).tolist() == [0, 1, 2, 3, 6, 7, 8, 9, 4, 5, 10, 11]


@pytest.mark.parametrize("portable", [False, True], ids=["simd", "portable"])
@pytest.mark.parametrize("seed, every_output", CASES)
def test_host_matches_reference(seed: int, every_output: bool, portable: bool,
                                tmp_path: Path) -> None:
    """The host's SSE2 dot products (tg_simd_host.h) and the portable loops alike."""
    model = _model(seed, every_output)
    assert any(c.fast is not None for c in model.calls)
    host = CModel(model, tmp_path / "host", portable=portable)
    for inputs in itertools.islice(random_inputs(model.graph, SETS, seed), SETS):
        outputs = zip(_expected(model, inputs), host.invoke(inputs), strict=True)
        for i, (want, got) in enumerate(outputs):
            assert got.tobytes() == want.tobytes(), f"output {i}"


def test_chains_exercise_the_planner() -> None:
    models = [_model(seed, False) for seed, every in CASES if not every]
    planned = [m.plan for m in models]
    assert any(p.overlapped_ops for p in planned)
    assert any(p.scratch_offsets for p in planned)
    assert any(p.in_place_depthwise for p in planned)
    # pointwise layers read in place overlap their output with their input too
    assert any(
        call.fast.params.direct
        for m in models
        for step, call in enumerate(m.calls)
        if step in m.plan.overlapped_ops and call.fast and call.fast.kernel == "conv2d_fast_s8"
    )


def test_quad_requantization_constants() -> None:
    """tg_quad_requantize's constants: right + 1 and the rounding with the offset; refused
    where a shift is positive or an intermediate could leave int32."""
    rows = np.ones((2, 8), np.int8)
    folded = np.array([5, -7], np.int32)
    quant = quad_quant(rows, folded, np.array([1 << 30, 3 << 29]), np.array([0, -3]), -5)
    assert quant is not None
    assert quant.reshape(-1, 4).tolist() == [
        [5, 1 << 30, 1, 1 + (-5 << 1)], [-7, 3 << 29, 4, 8 + (-5 << 4)],
        [0, 1 << 30, 1, 1], [0, 1 << 30, 1, 1],
    ]
    assert quad_quant(rows, folded, np.array([1 << 30] * 2), np.array([1, 0]), 0) is None
    assert quad_quant(rows, np.array([1 << 30, 0]), np.array([1 << 30] * 2),
                      np.array([0, 0]), 0) is None


def test_m4_matches_reference(tmp_path: Path) -> None:
    """The DSP path, one QEMU run per graph."""
    from tinygen.target.cortex_m4 import run_model_on_m4

    for seed, every_output in CASES:
        model = _model(seed, every_output)
        sets = list(itertools.islice(random_inputs(model.graph, SETS, seed), SETS))
        run = run_model_on_m4(model, sets, tmp_path / f"m4_{seed}")
        for s, (inputs, outputs) in enumerate(zip(sets, run.outputs, strict=True)):
            for i, (want, got) in enumerate(zip(_expected(model, inputs), outputs, strict=True)):
                assert got.tobytes() == want.tobytes(), f"graph {seed}, set {s}, output {i}"


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="an x86-64 host")
@pytest.mark.parametrize("defines, sse2", [([], True), (["-DTG_PORTABLE"], False)])
def test_host_simd_is_chosen_on_x86_64(defines: list[str], sse2: bool) -> None:
    """x86-64 builds take the SSE2 dot products unless TG_PORTABLE asks for the loops."""
    include = Path(__file__).resolve().parent.parent / "runtime_c" / "include"
    macros = subprocess.run(
        ["gcc", "-std=c99", "-O2", "-E", "-dM", *defines, f"-I{include}", "-x", "c", "-"],
        input='#include "tg_fast.h"\n', capture_output=True, text=True, check=True,
    ).stdout
    assert ("#define TG_SSE2 1" in macros) == sse2
