"""Graph passes run before lowering: canonicalization of what the converter emits."""

from tinygen.passes.canonicalize import canonicalize

__all__ = ["canonicalize"]
