"""DSP blocks: parameters parsed from an impulse's JSON, tables computed here, C emitted."""
