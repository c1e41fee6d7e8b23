"""The C side of each lowered kernel: entry point, parameter struct, source file."""

from __future__ import annotations

from typing import Any

from tinygen.codegen.kernel_spec import CKernel, kernel
from tinygen.codegen.kernels_f32 import FLOAT_C_KERNELS
from tinygen.lowering.call import KernelCall

_k = kernel

C_KERNELS: dict[str, CKernel] = {
    "conv2d_s8": _k("tg_conv2d_s8", "tg_conv_params"),
    "depthwise_conv2d_s8": _k("tg_depthwise_conv2d_s8", "tg_conv_params"),
    "depthwise_conv2d_s8_inplace": _k(
        "tg_depthwise_conv2d_s8_inplace", "tg_conv_params", scratch=True
    ),
    "fully_connected_s8": _k("tg_fully_connected_s8", "tg_fully_connected_params"),
    "avg_pool_s8": _k("tg_avg_pool_s8", "tg_pool_params"),
    "max_pool_s8": _k("tg_max_pool_s8", "tg_pool_params"),
    "softmax_s8": _k("tg_softmax_s8", "tg_softmax_params"),
    "add_s8": _k("tg_add_s8", "tg_add_params"),
    "quantize_f32_s8": _k("tg_quantize_f32_s8", "tg_quantize_params"),
    "requantize_s8": _k("tg_requantize_s8", "tg_requantize_params"),
    "requantize_s16_s8": _k("tg_requantize_s16_s8", "tg_requantize_params"),
    "requantize_s16_s32": _k("tg_requantize_s16_s32", "tg_requantize_params"),
    "dequantize_s8_f32": _k("tg_dequantize_s8_f32", "tg_dequantize_params"),
    "mean_s8": _k("tg_mean_s8", "tg_mean_params"),
    "reduce_max_s8": _k("tg_reduce_minmax_s8", "tg_reduce_minmax_params"),
    "reduce_min_s8": _k("tg_reduce_minmax_s8", "tg_reduce_minmax_params"),
    "arg_max_s8": _k("tg_arg_minmax_s8", "tg_arg_minmax_params"),
    "arg_min_s8": _k("tg_arg_minmax_s8", "tg_arg_minmax_params"),
    "l2_normalization_s8": _k("tg_l2_normalization_s8", "tg_l2_normalization_params"),
    "batch_matmul_s8": _k("tg_batch_matmul_s8", "tg_batch_matmul_params"),
    "space_to_batch_nd_s8": _k("tg_space_to_batch_nd_s8", "tg_space_to_batch_params"),
    "batch_to_space_nd_s8": _k("tg_batch_to_space_nd_s8", "tg_batch_to_space_params"),
    "copy": _k("tg_copy", "tg_copy_params"),
    "pad_s8": _k("tg_pad_s8", "tg_pad_params"),
    "sub_s8": _k("tg_sub_s8", "tg_add_params"),
    "mul_s8": _k("tg_mul_s8", "tg_mul_params"),
    "concatenation_s8": _k("tg_concatenation_s8", "tg_concatenation_params", input_array=True),
    "lut_s8": _k("tg_lut_s8", "tg_lut_params"),
    "prelu_s8": _k("tg_prelu_s8", "tg_prelu_params"),
    "maximum_s8": _k("tg_maximum_s8", "tg_minmax_params"),
    "minimum_s8": _k("tg_minimum_s8", "tg_minmax_params"),
    "squared_difference_s8": _k("tg_squared_difference_s8", "tg_add_params"),
    "strided_copy_s8": _k("tg_strided_copy_s8", "tg_strided_copy_params"),
    "split_s8": _k("tg_split_s8", "tg_split_params", output_array=True),
    "pack_s8": _k("tg_concatenation_s8", "tg_concatenation_params", input_array=True),
    "gather_s8": _k("tg_gather_s8", "tg_gather_params"),
    "mirror_pad_s8": _k("tg_mirror_pad_s8", "tg_mirror_pad_params"),
    "transpose_conv_s8": _k("tg_transpose_conv_s8", "tg_transpose_conv_params"),
    "resize_nearest_s8": _k("tg_resize_nearest_s8", "tg_resize_nearest_params"),
    "resize_bilinear_s8": _k("tg_resize_bilinear_s8", "tg_resize_bilinear_params"),
    # specialized kernels (tinygen/lowering/fast.py): weights and bias in their parameters
    "conv2d_fast_s8": _k("tg_conv2d_fast_s8", "tg_conv_fast_params", scratch=True),
    "depthwise_conv2d_fast_s8": _k("tg_depthwise_conv2d_fast_s8", "tg_depthwise_fast_params"),
    "add_fast_s8": _k("tg_add_fast_s8", "tg_add_fast_params"),
    "fully_connected_fast_s8": _k("tg_fully_connected_fast_s8", "tg_fully_connected_fast_params"),
    "depthwise_conv2d_fast_s8_inplace": _k(
        "tg_depthwise_conv2d_fast_s8_inplace", "tg_depthwise_fast_params", scratch=True
    ),
    **FLOAT_C_KERNELS,
    # recurrent layers with persistent state (KernelCall.state)
    "svdf_s8": _k("tg_svdf_s8", "tg_svdf_s8_params"),
    "svdf_f32": _k("tg_svdf_f32", "tg_svdf_f32_params"),
    "lstm_s8": _k("tg_lstm_s8", "tg_lstm_s8_params"),
    "lstm_f32": _k("tg_lstm_f32", "tg_lstm_f32_params"),
}


def c_kernel_of(call: KernelCall) -> tuple[CKernel, Any, tuple[int, ...]]:
    """The C kernel that runs ``call``, its parameters and its tensor inputs: the specialized
    kernel where lowering chose one (it takes the leading data inputs only)."""
    if call.fast is not None:
        return C_KERNELS[call.fast.kernel], call.fast.params, call.inputs[: call.fast.inputs]
    return C_KERNELS[call.kernel], call.params, call.inputs

#: Headers every generated library carries next to its kernels.
RUNTIME_HEADERS = (
    "tg_kernels.h", "tg_fixedpoint.h", "tg_depthwise.h", "tg_fast.h", "tg_simd_host.h",
    "tg_elementwise.h", "tg_kernels_f32.h", "tg_f32_elementwise.h", "tg_f32_movement.h",
    "tg_f32_reduce.h", "tg_f32_other.h", "tg_recurrent.h", "tg_recurrent_lstm.h",
    "tg_recurrent_svdf.h",
)
