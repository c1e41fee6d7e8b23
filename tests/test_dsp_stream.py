"""Continuous mode of the audio blocks: ``NAME_run_slice_i16`` against ``NAME_run_i16``.

A block placed in an impulse with ``slice_samples`` computes, slice by slice, the frames
each slice completes and writes the features of the last window of whole frames. The
one-shot call on that window must give the same floats, bit for bit, wherever the two
read the same samples: its pre-emphasis wraps around the window where the stream reads
the samples before it, so the streams here repeat with the window's period (and start
after the window's last samples, which are zero like the history after a reset). The
cases cover overlapping frames, strides longer than a frame (samples are skipped),
slices shorter than a frame, slices that are no multiple of the stride, and pre_shift 3.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tinygen.dsp.blocks import generate_block
from tinygen.dsp.sources import Placement, dsp_files
from tinygen.reference.dsp.audio import frame_geometry
from tinygen.verify.cbuild import build_shared

#: (block, sampling_freq, window samples, parameters, slices)
CASES = {
    "mfcc_overlapping": ("mfcc", 8000, 4000,
                         {"frame_length": 0.032, "frame_stride": 0.016, "num_filters": 20}, 4),
    "mfcc_shift3_no_norm": ("mfcc", 8000, 2000,
                            {"frame_length": 0.025, "frame_stride": 0.01, "num_filters": 16,
                             "pre_shift": 3, "win_size": 0}, 10),
    "mfcc_skipping": ("mfcc", 8000, 4000,
                      {"frame_length": 0.01, "frame_stride": 0.025, "num_filters": 8,
                       "num_cepstral": 6, "fft_length": 128}, 50),
    "mfe_short_slices": ("mfe", 8000, 2000,
                         {"frame_length": 0.032, "frame_stride": 0.016, "num_filters": 24}, 20),
    "spectrogram": ("spectrogram", 16000, 8000,
                    {"frame_length": 0.02, "frame_stride": 0.01, "fft_length": 256}, 5),
}


def _placed(block: str, rate: int, samples: int, params: dict, slices: int, name: str):
    doc = {"block": block, "sampling_freq": rate, "input_length": samples,
           "parameters": params}
    alone = generate_block(doc, name, None)
    offsets, at = {}, 0
    for key, floats in alone.buffers:
        offsets[key] = at
        at += 4 * floats
    return generate_block(doc, name, Placement(f"{name}_base", offsets, samples // slices)), at


def _build(case: str, workdir: Path) -> tuple[object, object, object]:
    block, rate, samples, params, slices = CASES[case]
    name = f"s_{case}"
    dsp, arena = _placed(block, rate, samples, params, slices, name)
    workdir.mkdir(parents=True, exist_ok=True)
    files = dsp_files(dsp)
    files["base.c"] = (
        "#include <stdint.h>\n"
        f"uint8_t *{name}_base(void);\n"
        f"static float arena[{arena // 4 + 1}];\n"
        f"uint8_t *{name}_base(void) {{ return (uint8_t *)arena; }}\n"
    )
    for file, text in files.items():
        (workdir / file).write_text(text)
    cdef = (f"int {name}_run_i16(const int16_t *input, float *output);\n"
            f"int {name}_run_slice_i16(const int16_t *slice, float *output);\n"
            f"void {name}_reset(void);\n")
    ffi, lib = build_shared([workdir / f for f in files if f.endswith(".c")], [workdir], cdef,
                            workdir=workdir)
    return dsp, ffi, lib


def _periodic_stream(rng: np.random.Generator, samples: int, shift: int, periods: int):
    """``periods`` copies of one random window whose last ``shift`` samples are zero."""
    t = np.arange(samples)
    one = rng.normal(0, 2000, samples) * (1 + np.sin(2 * np.pi * t / samples * 3))
    one += 3000 * np.sin(2 * np.pi * t * 0.05)
    one[samples - shift :] = 0
    return np.tile(np.clip(one, -32768, 32767).astype(np.int16), periods)


@pytest.mark.parametrize("case", sorted(CASES))
def test_slices_give_the_one_shot_features(case: str, tmp_path: Path) -> None:
    _, rate, samples, params, slices = CASES[case]
    dsp, ffi, lib = _build(case, tmp_path)
    name = f"s_{case}"
    run_slice, run_once = getattr(lib, f"{name}_run_slice_i16"), getattr(lib, f"{name}_run_i16")
    shift = params.get("pre_shift", 1)
    frames, length, stride = frame_geometry(samples, rate, params["frame_length"],
                                            params["frame_stride"])
    stream = _periodic_stream(np.random.default_rng(len(case)), samples, shift, 4)
    slice_length = samples // slices
    n = dsp.output_length
    output, alone = np.zeros(n, np.float32), np.zeros(n, np.float32)
    for _attempt in range(2):  # the second pass after a reset gives the same
        getattr(lib, f"{name}_reset")()
        ready = []
        for end in range(slice_length, stream.size + 1, slice_length):
            piece = np.ascontiguousarray(stream[end - slice_length : end])
            output[:] = -7.0
            status = run_slice(ffi.from_buffer("int16_t[]", piece),
                               ffi.from_buffer("float[]", output))
            seen = (end - length) // stride + 1 if end >= length else 0
            if seen < frames:
                assert status == 5, (end, status)  # WAITING: output untouched
                assert np.all(output == -7.0)
                continue
            assert status == 0, (end, status)
            start = (seen - frames) * stride
            if start + samples > stream.size:
                continue
            window = np.ascontiguousarray(stream[start : start + samples])
            assert run_once(ffi.from_buffer("int16_t[]", window),
                            ffi.from_buffer("float[]", alone)) == 0
            np.testing.assert_array_equal(output, alone, err_msg=f"window at {start}")
            ready.append(start)
        assert len(ready) >= 2 * slices, ready
    assert run_slice(ffi.NULL, ffi.from_buffer("float[]", output)) == 1
    header = dsp.header
    assert f"#define {name.upper()}_SLICE_LENGTH {slice_length}\n" in header
    assert dsp.state_bytes == 2 * (2 * (shift + length) - 1) + 4 * n + 16
