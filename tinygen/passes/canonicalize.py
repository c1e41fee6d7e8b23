"""Canonicalization: fold everything static and rewrite converter patterns, before lowering."""

from __future__ import annotations

from collections.abc import Callable

from tinygen.ir import Graph
from tinygen.passes.batch_shapes import fix_batch_shapes
from tinygen.passes.constant_folding import fold_constants
from tinygen.passes.dilated_conv import fuse_dilated_convs
from tinygen.passes.fuse_activation import fuse_activations
from tinygen.passes.graph_utils import remove_dead_ops
from tinygen.passes.reshapes import merge_reshapes, remove_identities, static_reshape_inputs
from tinygen.passes.static_shapes import fix_dynamic_batch, fold_shape_ops

Pass = Callable[[Graph], tuple[Graph, list[str]]]

#: Passes repeated until none of them changes anything.
PASSES: tuple[Pass, ...] = (
    fold_shape_ops,
    fold_constants,
    static_reshape_inputs,
    remove_dead_ops,
    fuse_dilated_convs,
    fix_batch_shapes,
    remove_identities,
    merge_reshapes,
    fuse_activations,
    remove_dead_ops,
)

_MAX_ROUNDS = 10


def canonicalize(graph: Graph) -> tuple[Graph, list[str]]:
    """The canonical graph and one human-readable line per fold or rewrite."""
    graph, lines = fix_dynamic_batch(graph)
    for _ in range(_MAX_ROUNDS):
        round_lines: list[str] = []
        for run in PASSES:
            graph, new = run(graph)
            round_lines.extend(new)
        lines.extend(round_lines)
        if not round_lines:
            break
    return graph, lines
