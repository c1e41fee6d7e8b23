"""int8 post-training quantization of float TensorFlow Lite models (``tinygen quantize``).

Modules, in the order data flows through them: ``calibrate`` (samples, float run,
statistics), ``ranges`` (range choice and int8 parameters), ``rules`` (operators and their
quantization rules), ``weights`` (constant tensors), ``build`` (the int8 graph),
``report`` (per-layer SQNR), ``pipeline`` (all of it, and the files).
"""

from tinygen.quantize.pipeline import (
    Quantized,
    QuantizeOptions,
    quantize_file,
    quantize_graph,
    report_path,
)

__all__ = ["QuantizeOptions", "Quantized", "quantize_file", "quantize_graph", "report_path"]
