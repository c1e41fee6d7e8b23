"""The C side of the float32 kernels (runtime_c/include/tg_kernels_f32.h), by family."""

from __future__ import annotations

from tinygen.codegen.f32_elementwise import ELEMENTWISE_F32
from tinygen.codegen.f32_movement import MOVEMENT_F32
from tinygen.codegen.f32_other import OTHER_F32
from tinygen.codegen.f32_reduce import REDUCE_F32
from tinygen.codegen.kernel_spec import CKernel, kernel

CORE_F32: dict[str, CKernel] = {
    "conv2d_f32": kernel("tg_conv2d_f32", "tg_conv_f32_params"),
    "depthwise_conv2d_f32": kernel("tg_depthwise_conv2d_f32", "tg_conv_f32_params"),
    "fully_connected_f32": kernel("tg_fully_connected_f32", "tg_fully_connected_f32_params"),
    "avg_pool_f32": kernel("tg_pool_f32", "tg_pool_f32_params"),
    "max_pool_f32": kernel("tg_pool_f32", "tg_pool_f32_params"),
    "softmax_f32": kernel("tg_softmax_f32", "tg_softmax_f32_params"),
    "binary_f32": kernel("tg_binary_f32", "tg_binary_f32_params"),
}

FLOAT_C_KERNELS: dict[str, CKernel] = {
    **CORE_F32, **ELEMENTWISE_F32, **MOVEMENT_F32, **REDUCE_F32, **OTHER_F32
}
