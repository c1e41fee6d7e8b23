"""The C side of the float32 elementwise kernels (runtime_c/include/tg_f32_elementwise.h):
the activations and L2_NORMALIZATION (MAXIMUM, MINIMUM and SQUARED_DIFFERENCE run the core
family's ``binary_f32``)."""

from __future__ import annotations

from tinygen.codegen.kernel_spec import CKernel, kernel

ELEMENTWISE_F32: dict[str, CKernel] = {
    "relu_f32": kernel("tg_relu_f32", "tg_relu_f32_params"),
    "logistic_f32": kernel("tg_logistic_f32", "tg_unary_f32_params"),
    "tanh_f32": kernel("tg_tanh_f32", "tg_unary_f32_params"),
    "hard_swish_f32": kernel("tg_hard_swish_f32", "tg_unary_f32_params"),
    "leaky_relu_f32": kernel("tg_leaky_relu_f32", "tg_leaky_relu_f32_params"),
    "prelu_f32": kernel("tg_prelu_f32", "tg_prelu_f32_params"),
    "l2_normalization_f32": kernel("tg_l2_normalization_f32",
                                   "tg_l2_normalization_f32_params"),
}
