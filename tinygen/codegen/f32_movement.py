"""The C side of the float32 movement kernels (runtime_c/include/tg_f32_movement.h).

All but ``pad_f32`` are tg_kernels.h's int8 byte-moving kernels, run on the float tensors'
bytes: their calls carry ``byte_view`` (tinygen/lowering/float32/movement.py), so the
tensors are passed as ``int8_t`` pointers.
"""

from __future__ import annotations

from tinygen.codegen.kernel_spec import CKernel, kernel

MOVEMENT_F32: dict[str, CKernel] = {
    "strided_copy_f32": kernel("tg_strided_copy_s8", "tg_strided_copy_params"),
    "split_f32": kernel("tg_split_s8", "tg_split_params", output_array=True),
    "concatenation_f32": kernel("tg_concatenation_s8", "tg_concatenation_params",
                                input_array=True),
    "pack_f32": kernel("tg_concatenation_s8", "tg_concatenation_params", input_array=True),
    "gather_f32": kernel("tg_gather_s8", "tg_gather_params"),
    "pad_bytes_f32": kernel("tg_pad_s8", "tg_pad_params"),
    "pad_f32": kernel("tg_pad_f32", "tg_pad_f32_params"),
    "mirror_pad_f32": kernel("tg_mirror_pad_s8", "tg_mirror_pad_params"),
    "space_to_batch_nd_f32": kernel("tg_space_to_batch_nd_s8", "tg_space_to_batch_params"),
    "batch_to_space_nd_f32": kernel("tg_batch_to_space_nd_s8", "tg_batch_to_space_params"),
}
