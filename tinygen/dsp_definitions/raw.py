"""Raw block (Edge Impulse's raw block, implementation version 1): parameters."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawParams:
    scale_axes: float = 1.0
    implementation_version: int = 1
