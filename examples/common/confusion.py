"""A confusion matrix as a small self-contained SVG picture (no plotting library needed)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

import numpy as np


def confusion(truth: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """counts[t, p]: samples of true class t predicted as p."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (truth, predicted), 1)
    return counts


def write_svg(path: Path, counts: np.ndarray, labels: Sequence[str], title: str) -> None:
    """Rows are the true labels, columns the predictions; cells shaded by row share."""
    cell, left, top = 64, 96, 64
    n = len(labels)
    width, height = left + n * cell + 16, top + n * cell + 48
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="13">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="18" text-anchor="middle" font-weight="bold">'
        f"{escape(title)}</text>",
        f'<text x="{left + n * cell / 2}" y="{top - 26}" text-anchor="middle">predicted</text>',
        f'<text x="14" y="{top + n * cell / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + n * cell / 2})">true</text>',
    ]
    for j, label in enumerate(labels):
        parts.append(
            f'<text x="{left + j * cell + cell / 2}" y="{top - 8}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    for i, label in enumerate(labels):
        y = top + i * cell
        parts.append(
            f'<text x="{left - 8}" y="{y + cell / 2 + 4}" text-anchor="end">{escape(label)}</text>'
        )
        for j in range(n):
            x = left + j * cell
            share = float(shares[i, j])
            shade = round(255 - 200 * share)
            ink = "white" if share > 0.6 else "black"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" '
                f'fill="rgb({shade},{shade},255)" stroke="#888"/>'
                f'<text x="{x + cell / 2}" y="{y + cell / 2 + 5}" text-anchor="middle" '
                f'fill="{ink}">{counts[i, j]}</text>'
            )
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    parts.append(
        f'<text x="{width / 2}" y="{height - 16}" text-anchor="middle">'
        f"accuracy {100 * accuracy:.1f} % of {counts.sum()} samples</text>"
    )
    parts.append("</svg>\n")
    path.write_text("\n".join(parts))
