"""The DSP block's parameters as the model in front of which it runs needs them."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygen.impulse.config import ImpulseConfig, fail
from tinygen.ir import Tensor


def block_parameters(config: ImpulseConfig, tensor: Tensor) -> dict[str, Any]:
    """The DSP block's parameters in front of the model input ``tensor``: impulse.json's;
    for the image block, the output's size and type taken from the model's input where
    impulse.json leaves them out (given ones must agree with the model)."""
    params = dict(config.parameters)
    if config.kind != "image":
        return params
    shape = tensor.shape
    if len(shape) == 4 and shape[0] == 1 and shape[3] in (1, 3):
        params.setdefault("height", int(shape[1]))
        params.setdefault("width", int(shape[2]))
        params.setdefault("channels", "RGB" if shape[3] == 3 else "Grayscale")
    quant = tensor.quant
    if tensor.dtype == "int8" and quant is not None:
        params.setdefault("output_type", "int8")
        if params["output_type"] == "int8":
            model_scale, model_zero = float(quant.scale0), int(quant.zero_point0)
            params.setdefault("scale", model_scale)
            params.setdefault("zero_point", model_zero)
            given = (params["scale"], params["zero_point"])
            if not (np.float32(given[0]) == np.float32(model_scale) and given[1] == model_zero):
                fail(config.path, f"dsp.parameters scale {given[0]!r} and zero_point {given[1]!r} "
                     f"differ from the model input's {model_scale!r} and {model_zero}; leave "
                     "them out to take the model's")
    else:
        params.setdefault("output_type", "float32")
        if params["output_type"] == "int8":
            fail(config.path, f'dsp.parameters output_type "int8" needs an int8 model input; '
                 f"{tensor.name!r} is {tensor.dtype}")
    return params
