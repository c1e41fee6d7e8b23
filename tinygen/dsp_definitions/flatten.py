"""Flatten block (Edge Impulse's flatten block, implementation version 1): parameters."""

from __future__ import annotations

from dataclasses import dataclass

#: The statistics in output order.
STATISTICS = ("average", "minimum", "maximum", "rms", "stdev", "skewness", "kurtosis")


@dataclass(frozen=True)
class FlattenParams:
    scale_axes: float = 1.0
    average: bool = True
    minimum: bool = True
    maximum: bool = True
    rms: bool = True
    stdev: bool = True
    skewness: bool = True
    kurtosis: bool = True
    implementation_version: int = 1

    def statistics(self) -> tuple[str, ...]:
        """The enabled statistics in output order."""
        return tuple(s for s in STATISTICS if getattr(self, s))
