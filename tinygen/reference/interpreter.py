"""Run a lowered graph with the numpy reference kernels, keeping every tensor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygen.ir import NO_TENSOR, Graph
from tinygen.lowering.call import KernelCall
from tinygen.reference.activations import lut_s8, prelu_s8
from tinygen.reference.add import add_s8, sub_s8
from tinygen.reference.arg_minmax import arg_minmax_s8
from tinygen.reference.batch_matmul import batch_matmul_s8
from tinygen.reference.concatenation import concatenation_s8
from tinygen.reference.conv import conv2d_s8, depthwise_conv2d_s8
from tinygen.reference.elementwise import maximum_s8, minimum_s8, squared_difference_s8
from tinygen.reference.float32 import FLOAT_KERNELS
from tinygen.reference.fully_connected import fully_connected_s8
from tinygen.reference.l2_normalization import l2_normalization_s8
from tinygen.reference.lstm import LSTM_KERNELS
from tinygen.reference.mean import mean_s8
from tinygen.reference.movement import (
    gather_s8,
    mirror_pad_s8,
    pack_s8,
    split_s8,
    strided_copy_s8,
)
from tinygen.reference.mul import mul_s8
from tinygen.reference.pad import pad_s8
from tinygen.reference.pooling import avg_pool_s8, max_pool_s8
from tinygen.reference.quantize import (
    dequantize_s8_f32,
    quantize_f32_s8,
    requantize_s8,
    requantize_s16_s32,
)
from tinygen.reference.reduce import reduce_minmax_s8
from tinygen.reference.resize import resize_bilinear_s8, resize_nearest_s8
from tinygen.reference.softmax import softmax_s8
from tinygen.reference.space_batch import batch_to_space_nd_s8, space_to_batch_nd_s8
from tinygen.reference.svdf import svdf_f32, svdf_s8
from tinygen.reference.transpose_conv import transpose_conv_s8


def _copy(_: Any, x: np.ndarray) -> np.ndarray:
    return x.copy()


KERNELS: dict[str, Callable[..., np.ndarray | tuple[np.ndarray, ...]]] = {
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
    "requantize_s16_s8": requantize_s8,
    "requantize_s16_s32": requantize_s16_s32,
    "dequantize_s8_f32": dequantize_s8_f32,
    "mean_s8": mean_s8,
    "reduce_max_s8": reduce_minmax_s8,
    "reduce_min_s8": reduce_minmax_s8,
    "arg_max_s8": arg_minmax_s8,
    "arg_min_s8": arg_minmax_s8,
    "l2_normalization_s8": l2_normalization_s8,
    "batch_matmul_s8": batch_matmul_s8,
    "space_to_batch_nd_s8": space_to_batch_nd_s8,
    "batch_to_space_nd_s8": batch_to_space_nd_s8,
    "pad_s8": pad_s8,
    "concatenation_s8": concatenation_s8,
    "lut_s8": lut_s8,
    "prelu_s8": prelu_s8,
    "maximum_s8": maximum_s8,
    "minimum_s8": minimum_s8,
    "squared_difference_s8": squared_difference_s8,
    "strided_copy_s8": strided_copy_s8,
    "split_s8": split_s8,
    "pack_s8": pack_s8,
    "gather_s8": gather_s8,
    "mirror_pad_s8": mirror_pad_s8,
    "transpose_conv_s8": transpose_conv_s8,
    "resize_nearest_s8": resize_nearest_s8,
    "resize_bilinear_s8": resize_bilinear_s8,
    "copy": _copy,
    "alias": _copy,
    **FLOAT_KERNELS,
    "svdf_s8": svdf_s8,
    "svdf_f32": svdf_f32,
    **LSTM_KERNELS,
}


def initial_state(graph: Graph) -> dict[int, np.ndarray]:
    """The variable tensors at start-up (and after NAME_reset()): an int8 one at its zero
    point, any other at 0, as TFLite Micro resets them."""
    state = {}
    for t in graph.state_tensors():
        tensor = graph.tensors[t]
        fill = tensor.quant.zero_point0 if tensor.dtype == "int8" and tensor.quant else 0
        state[t] = np.full(tensor.shape, fill, dtype=tensor.dtype)
    return state


def run_reference(
    graph: Graph, calls: Sequence[KernelCall], inputs: Sequence[np.ndarray],
    state: dict[int, np.ndarray] | None = None,
) -> dict[int, np.ndarray]:
    """Values of every tensor after running ``calls`` on ``inputs`` (by tensor index).

    ``state``: the variable tensors' values before this inference (by default their
    initial ones), updated in place to their values after it, for the next inference.
    """
    state = initial_state(graph) if state is None else state
    values: dict[int, np.ndarray] = dict(state)
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
        # one per output, then the new value of each state tensor the kernel updates
        results = result if isinstance(result, tuple) else (result,)
        for t, value in zip(call.outputs + call.state, results, strict=True):
            out = graph.tensors[t]
            values[t] = value.reshape(out.shape).astype(out.dtype)
        for t in call.state:
            state[t] = values[t]
    return values
