"""int8 post-training quantization of float TensorFlow Lite models (``tinygen quantize``).

Modules, in the order data flows through them: ``calibrate`` (samples, float run with the
kernels of ``float_ops`` and the index maps of ``float_movement``, statistics), ``ranges``
(range choice and int8 parameters), ``rules`` (operators and their quantization rules),
``scales`` (each tensor's quantization under the same-scale rules, and the requantizes),
``weights`` (constant tensors), ``build`` (the int8 graph, its operators' ``versions``),
``report`` (per-layer SQNR), ``pipeline`` (all of it, and the files, written by
``tinygen.frontend.tflite_writer``).
"""

from tinygen.quantize.pipeline import (
    Quantized,
    QuantizeOptions,
    quantize_file,
    quantize_graph,
    report_path,
)

__all__ = ["QuantizeOptions", "Quantized", "quantize_file", "quantize_graph", "report_path"]
