"""numpy reference of every kernel: the readable definition of the arithmetic."""
