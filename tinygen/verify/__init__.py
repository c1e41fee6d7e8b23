"""Verification: build the generated C, run it beside the reference and TFLite Micro."""
