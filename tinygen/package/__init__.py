"""Packaging: lay a compiled model out as a library folder."""
