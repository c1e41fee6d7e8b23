"""A generated model library loaded into this process, one operator at a time if asked."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinygen.compiler import CompiledModel
from tinygen.package.folder import library_files
from tinygen.verify.cbuild import build_shared


class CModel:
    """The generated C of ``model``, built with its debug entry points and the guard bytes
    around its arena (``NAME_ARENA_GUARD``), which every :meth:`invoke` checks.

    ``portable``: build with ``TG_PORTABLE``, the portable C loops that cores without SIMD
    run, instead of the host's SSE2 dot products (tg_simd_host.h)."""

    def __init__(self, model: CompiledModel, workdir: Path, portable: bool = False) -> None:
        self.model = model
        name = model.name
        for rel, text in library_files(model).items():
            path = workdir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        cdef = f"""
            int {name}_invoke(void);
            void {name}_reset(void);
            void *{name}_input(int index);
            const void *{name}_output(int index);
            int {name}_debug_step(int index);
            const uint8_t *{name}_debug_arena(void);
            int {name}_debug_guards_intact(void);
        """
        sources = sorted((workdir / "src").glob("*.c"))
        self.ffi, self.lib = build_shared(
            sources,
            [workdir / "include", workdir / "src"],
            cdef,
            workdir=workdir,
            defines=[f"{name.upper()}_DEBUG_STEPS", f"{name.upper()}_ARENA_GUARD",
                     *(["TG_PORTABLE"] if portable else [])],
        )
        self._fn = {
            key: getattr(self.lib, f"{name}_{key}")
            for key in ("invoke", "reset", "input", "output", "debug_step", "debug_arena",
                        "debug_guards_intact")
        }

    def set_inputs(self, inputs: list[np.ndarray]) -> None:
        graph = self.model.graph
        for i, (t, data) in enumerate(zip(graph.inputs, inputs, strict=True)):
            raw = np.ascontiguousarray(data, dtype=graph.tensors[t].dtype).tobytes()
            self.ffi.memmove(self._fn["input"](i), raw, len(raw))

    def outputs(self) -> list[np.ndarray]:
        graph = self.model.graph
        result = []
        for i, t in enumerate(graph.outputs):
            tensor = graph.tensors[t]
            raw = bytes(self.ffi.buffer(self._fn["output"](i), tensor.nbytes))
            result.append(np.frombuffer(raw, tensor.dtype).reshape(tensor.shape).copy())
        return result

    def invoke(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        self.set_inputs(inputs)
        status = self._fn["invoke"]()
        if status != 0:
            raise RuntimeError(f"{self.model.name}_invoke returned {status}")
        if not self.guards_intact():
            raise RuntimeError(f"{self.model.name}_invoke wrote outside its arena (a tinygen bug)")
        return self.outputs()

    def guards_intact(self) -> bool:
        """Whether the guard bytes around the arena are unchanged."""
        return bool(self._fn["debug_guards_intact"]())

    def reset(self) -> None:
        """NAME_reset(): the recurrent layers' state as at start-up."""
        self._fn["reset"]()

    def step(self, index: int) -> None:
        self._fn["debug_step"](index)

    def tensor(self, index: int) -> np.ndarray:
        """Current value of an arena tensor (valid while it is live)."""
        tensor = self.model.graph.tensors[index]
        offset = self.model.plan.offsets[index]
        arena = self.ffi.buffer(self._fn["debug_arena"](), self.model.plan.arena_bytes)
        raw = bytes(arena[offset : offset + tensor.nbytes])
        return np.frombuffer(raw, tensor.dtype).reshape(tensor.shape).copy()
