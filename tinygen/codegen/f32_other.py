"""The C side of the remaining float32 kernels (runtime_c/include/tg_f32_other.h)."""

from __future__ import annotations

from tinygen.codegen.kernel_spec import CKernel, kernel

OTHER_F32: dict[str, CKernel] = {
    "transpose_conv_f32": kernel("tg_transpose_conv_f32", "tg_transpose_conv_f32_params"),
    "batch_matmul_f32": kernel("tg_batch_matmul_f32", "tg_batch_matmul_f32_params"),
    "resize_nearest_f32": kernel("tg_resize_nearest_f32", "tg_resize_nearest_params"),
    "resize_bilinear_f32": kernel("tg_resize_bilinear_f32", "tg_resize_bilinear_f32_params"),
}
