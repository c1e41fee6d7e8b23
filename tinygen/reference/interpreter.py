"""Run a lowered graph with the numpy reference kernels, keeping every tensor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygen.ir import NO_TENSOR, Graph
from tinygen.lowering.call import KernelCall
from tinygen.reference.add import add_s8, sub_s8
from tinygen.reference.concatenation import concatenation_s8
from tinygen.reference.conv import conv2d_s8, depthwise_conv2d_s8
from tinygen.reference.fully_connected import fully_connected_s8
from tinygen.reference.mean import mean_s8
from tinygen.reference.mul import mul_s8
from tinygen.reference.pad import pad_s8
from tinygen.reference.pooling import avg_pool_s8, max_pool_s8
from tinygen.reference.quantize import dequantize_s8_f32, quantize_f32_s8, requantize_s8
from tinygen.reference.softmax import softmax_s8
from tinygen.reference.space_batch import batch_to_space_nd_s8, space_to_batch_nd_s8


def _copy(_: Any, x: np.ndarray) -> np.ndarray:
    return x.copy()


KERNELS: dict[str, Callable[..., np.ndarray]] = {
    "conv2d_s8": conv2d_s8,
    "depthwise_conv2d_s8": depthwise_conv2d_s8,
    "depthwise_conv2d_s8_inplace": depthwise_conv2d_s8,
    "fully_connected_s8": fully_connected_s8,
    "avg_pool_s8": avg_pool_s8,
    "max_pool_s8": max_pool_s8,
    "softmax_s8": softmax_s8,
    "add_s8": add_s8,
    "sub_s8": sub_s8,
    "mul_s8": mul_s8,
    "quantize_f32_s8": quantize_f32_s8,
    "requantize_s8": requantize_s8,
    "dequantize_s8_f32": dequantize_s8_f32,
    "mean_s8": mean_s8,
    "space_to_batch_nd_s8": space_to_batch_nd_s8,
    "batch_to_space_nd_s8": batch_to_space_nd_s8,
    "pad_s8": pad_s8,
    "concatenation_s8": concatenation_s8,
    "copy": _copy,
    "alias": _copy,
}


def run_reference(
    graph: Graph, calls: Sequence[KernelCall], inputs: Sequence[np.ndarray]
) -> dict[int, np.ndarray]:
    """Values of every tensor after running ``calls`` on ``inputs`` (by tensor index)."""
    values: dict[int, np.ndarray] = {}
    for index, data in zip(graph.inputs, inputs, strict=True):
        tensor = graph.tensors[index]
        values[index] = np.asarray(data, dtype=tensor.dtype).reshape(tensor.shape)
    for call in calls:
        args = [
            None
            if t == NO_TENSOR
            else (graph.tensors[t].data if graph.tensors[t].is_constant else values[t])
            for t in call.inputs
        ]
        result = KERNELS[call.kernel](call.params, *args)
        out = graph.tensors[call.outputs[0]]
        values[call.outputs[0]] = result.reshape(out.shape).astype(out.dtype)
    return values
