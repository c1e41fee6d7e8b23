"""Build a generated DSP block with strict gcc flags and load it with cffi."""

from __future__ import annotations

from pathlib import Path

from tinygen.dsp.sources import DspSources, dsp_files
from tinygen.verify.cbuild import build_shared


def build_block(block: DspSources, workdir: Path, cdef: str) -> tuple[object, object]:
    """Write ``block``'s files to ``workdir``, compile them (warnings are errors), load them.

    ``cdef`` declares the entry point for cffi, e.g.
    ``"int kws_mfcc_run(const float *input, float *output);"``.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    files = dsp_files(block)
    for name, text in files.items():
        (workdir / name).write_text(text)
    sources = [workdir / n for n in files if n.endswith(".c")]
    return build_shared(sources, [workdir], cdef, workdir=workdir)
