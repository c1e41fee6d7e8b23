"""SVDF test models, written with tinygen's flatbuffer writer (TensorFlow's converter emits
no SVDF from Keras).

A model is one SVDF operator: input [batch, input_size] → output [batch, num_units], with
the activation state as a variable tensor. The int8 form is quantized as TFLite Micro's
svdf_test.cc quantizes its models (int8 input, feature weights and output, int16 time
weights and a symmetric int16 state, int32 bias at the state's scale times the time
weights'), with the state's and the output's scales calibrated on a float run of the same
weights so that the values neither vanish nor all saturate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.frontend.tflite_writer import write_tflite
from tinygen.ir import NO_TENSOR, Graph, Op, Quantization, Tensor


@dataclass(frozen=True)
class SvdfSpec:
    batch: int
    input_size: int
    rank: int
    num_units: int
    memory_size: int
    dtype: str  # "int8" or "float32"
    activation: str = "NONE"
    bias: bool = True
    seed: int = 0

    @property
    def num_filters(self) -> int:
        return self.rank * self.num_units


def random_spec(rng: np.random.Generator, dtype: str, activation: str = "NONE",
                bias: bool = True) -> SvdfSpec:
    return SvdfSpec(
        batch=int(rng.integers(1, 3)),
        input_size=int(rng.integers(1, 20)),
        rank=int(rng.integers(1, 4)),
        num_units=int(rng.integers(1, 9)),
        memory_size=int(rng.integers(1, 12)),
        dtype=dtype,
        activation=activation,
        bias=bias,
        seed=int(rng.integers(1 << 30)),
    )


def _quant(scale: float, zero_point: int = 0) -> Quantization:
    return Quantization(np.array([scale], np.float32), np.array([zero_point], np.int64))


def _float_run(spec: SvdfSpec, wf: np.ndarray, wt: np.ndarray, bias: np.ndarray,
               xs: np.ndarray) -> tuple[float, float]:
    """The largest feature activation and output of a float run over the steps ``xs``."""
    state = np.zeros((spec.batch, spec.num_filters, spec.memory_size))
    top_feature = top_output = 1e-6
    for x in xs:
        state = np.roll(state, -1, axis=2)
        state[:, :, -1] = x @ wf.T
        out = (state * wt[None]).sum(axis=2).reshape(spec.batch, spec.num_units, spec.rank)
        out = out.sum(axis=2) + bias
        top_feature = max(top_feature, float(np.abs(state).max()))
        top_output = max(top_output, float(np.abs(out).max()))
    return top_feature, top_output


def svdf_graph(spec: SvdfSpec) -> Graph:
    rng = np.random.default_rng(spec.seed)
    b, n_in, n_f, n_u, mem = (spec.batch, spec.input_size, spec.num_filters, spec.num_units,
                              spec.memory_size)
    wf = rng.uniform(-1, 1, (n_f, n_in)).astype(np.float32)
    wt = rng.uniform(-1, 1, (n_f, mem)).astype(np.float32)
    bias = rng.uniform(-0.5, 0.5, n_u).astype(np.float32) if spec.bias else np.zeros(n_u)
    x_range = float(rng.uniform(0.5, 3.0))
    if spec.dtype == "float32":
        tensors = [
            Tensor("input", (b, n_in), "float32"),
            Tensor("weights_feature", (n_f, n_in), "float32", data=wf),
            Tensor("weights_time", (n_f, mem), "float32", data=wt),
            Tensor("bias", (n_u,), "float32", data=bias.astype(np.float32)),
            Tensor("activation_state", (b, mem * n_f), "float32", variable=True),
            Tensor("output", (b, n_u), "float32"),
        ]
        version = 1
    else:
        xs = rng.uniform(-x_range, x_range, (8, b, n_in))
        top_feature, top_output = _float_run(spec, wf, wt, bias, xs)
        x_zero = int(rng.integers(-30, 31))
        x_scale = np.float32(2 * x_range / 255)
        wf_scale = np.float32(np.abs(wf).max() / 127)
        wt_scale = np.float32(np.abs(wt).max() / 32767)
        state_scale = np.float32(top_feature * rng.uniform(0.6, 1.5) / 32767)
        y_scale = np.float32(top_output * rng.uniform(0.5, 1.5) / 127)
        bias_scale = np.float32(state_scale * wt_scale)
        tensors = [
            Tensor("input", (b, n_in), "int8", _quant(x_scale, x_zero)),
            Tensor("weights_feature", (n_f, n_in), "int8", _quant(wf_scale),
                   np.clip(np.round(wf / wf_scale), -127, 127).astype(np.int8)),
            Tensor("weights_time", (n_f, mem), "int16", _quant(wt_scale),
                   np.clip(np.round(wt / wt_scale), -32767, 32767).astype(np.int16)),
            Tensor("bias", (n_u,), "int32", _quant(bias_scale),
                   np.round(bias / bias_scale).astype(np.int32)),
            Tensor("activation_state", (b, mem * n_f), "int16", _quant(state_scale),
                   variable=True),
            Tensor("output", (b, n_u), "int8", _quant(y_scale, int(rng.integers(-10, 11)))),
        ]
        version = 3
    inputs = [0, 1, 2, 3 if spec.bias else NO_TENSOR, 4]
    attrs = {"rank": spec.rank, "activation": spec.activation, "version": version}
    return Graph(tensors, [Op("SVDF", inputs, [5], attrs)], [0], [5], "svdf test model")


def svdf_model(spec: SvdfSpec) -> bytes:
    """The ``.tflite`` bytes of ``spec``'s one-operator model."""
    return write_tflite(svdf_graph(spec))


def random_steps(spec: SvdfSpec, steps: int, seed: int) -> list[np.ndarray]:
    """Inputs for ``steps`` invokes in a row: int8 over the whole range, or floats."""
    rng = np.random.default_rng(seed)
    shape = (spec.batch, spec.input_size)
    if spec.dtype == "int8":
        return [rng.integers(-128, 128, shape).astype(np.int8) for _ in range(steps)]
    return [rng.uniform(-2, 2, shape).astype(np.float32) for _ in range(steps)]
