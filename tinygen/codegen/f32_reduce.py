"""The C side of the float32 reductions (runtime_c/include/tg_f32_reduce.h): MEAN, SUM,
REDUCE_MAX and REDUCE_MIN on tg_reduce_f32, ARG_MAX and ARG_MIN on tg_arg_minmax_f32."""

from __future__ import annotations

from tinygen.codegen.kernel_spec import CKernel, kernel

_REDUCE = kernel("tg_reduce_f32", "tg_reduce_f32_params")
_ARG = kernel("tg_arg_minmax_f32", "tg_arg_minmax_params")

REDUCE_F32: dict[str, CKernel] = {
    "sum_f32": _REDUCE,
    "mean_f32": _REDUCE,
    "reduce_max_f32": _REDUCE,
    "reduce_min_f32": _REDUCE,
    "arg_max_f32": _ARG,
    "arg_min_f32": _ARG,
}
