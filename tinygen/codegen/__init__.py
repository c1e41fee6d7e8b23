"""C code generation: IR + lowered calls + memory plan → C source text."""
