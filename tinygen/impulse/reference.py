"""An impulse run by tinygen's references: what its generated C computes on one window.

The DSP block's float64 reference gives the features (the C matches them within the
block's tolerance); they reach the model's input as the glue writes them (quantized
with the input's scale and zero point for an int8 model, as int8 already from an int8
image block, as floats for a float model), and tinygen's bit-exact reference of the model
gives its output.
"""

from __future__ import annotations

import numpy as np

from tinygen.impulse.calibration import features
from tinygen.impulse.generate import Impulse
from tinygen.lowering.quantize import QuantizeParams
from tinygen.reference.interpreter import run_reference
from tinygen.reference.quantize import quantize_f32_s8


def model_input(impulse: Impulse, window: np.ndarray) -> np.ndarray:
    """The model's input for ``window`` (a file's window, as ``read_window`` gives it)."""
    tensor = impulse.model_tensor()
    row = features(impulse.dsp_document, np.asarray(window).reshape(-1))
    if tensor.dtype == "float32":
        values = row.astype(np.float32)
    elif not impulse.float_features:  # the DSP block quantized already (image block)
        values = row.astype(np.int8)
    else:
        q = tensor.quant
        values = quantize_f32_s8(
            QuantizeParams(row.size, int(q.zero_point0), np.float32(q.scale0)), row)
    return values.reshape(tensor.shape)


def model_output(impulse: Impulse, window: np.ndarray) -> np.ndarray:
    """The model's output (flat, in its own type) for ``window``."""
    graph = impulse.model.graph
    out = run_reference(graph, impulse.model.calls, [model_input(impulse, window)])
    return out[graph.outputs[0]].reshape(-1)
