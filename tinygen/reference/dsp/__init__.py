"""float64 numpy references of the DSP blocks, following Edge Impulse's processing blocks."""
