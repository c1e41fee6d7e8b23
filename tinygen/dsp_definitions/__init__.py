"""What each DSP block is: its parameters and the constants of its arithmetic.

One module per block holds the block's parameter dataclass (named and defaulted as in
Edge Impulse's parameters.json) and the constants and geometry that both sides use:
the float64 references in :mod:`tinygen.reference.dsp` and the C generators in
:mod:`tinygen.dsp`. Nothing here imports either of them, so imports run one way:
definitions <- references <- generators (tests/test_import_graph.py checks it).
"""
