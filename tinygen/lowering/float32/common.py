"""What the float32 lowerings share: the fused activation as a float range."""

from __future__ import annotations

import numpy as np

from tinygen.errors import TinygenError
from tinygen.ir import Op

#: The largest finite float32: TensorFlow Lite's range of an operator without activation.
FLOAT_MAX = np.float32(np.finfo(np.float32).max)

_RANGES = {
    "NONE": (-FLOAT_MAX, FLOAT_MAX),
    "RELU": (np.float32(0.0), FLOAT_MAX),
    "RELU6": (np.float32(0.0), np.float32(6.0)),
    "RELU_N1_TO_1": (np.float32(-1.0), np.float32(1.0)),
}


def float_activation(index: int, op: Op) -> tuple[np.float32, np.float32]:
    """The clamp range of ``op``'s fused activation (CalculateActivationRange for float)."""
    activation = op.attrs.get("activation", "NONE")
    if activation not in _RANGES:
        raise TinygenError(
            f"operator {index} ({op.kind}): fused activation {activation} is not supported"
        )
    return _RANGES[activation]
