"""tinygen's int8 quantization against TensorFlow's converter, on held-out samples.

Usage: python bench/quantize.py [--shared DIR] [--models NAME ...]

For the Keras test models (tests/quantize_harness.py) and the shared float models
(vww_96_float, pretrainedResnet, ad01_fp32), both quantize the same float model with the
same 100 calibration samples; each int8 model's dequantized output on 100 held-out
samples is compared with the float model's: SQNR in dB and top-1 agreement (the share of
samples whose largest output is the float model's). tinygen runs with each range choice
(minmax, percentile 99.99, mse); TensorFlow has one. "per tensor" is tinygen's default
FULLY_CONNECTED weights against TensorFlow's with per-tensor dense layers; "per channel"
is tinygen's --per-channel-fc against TensorFlow 2.21's default (per-channel dense).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from quantize_harness import (  # noqa: E402
    KERAS_MODELS,
    Fidelity,
    FloatModel,
    keras_model,
    measure,
    outputs,
    shared_model,
    tf_quantize,
    tf_quantize_tflite,
)

from tinygen.frontend.tflite import parse_tflite  # noqa: E402
from tinygen.quantize import QuantizeOptions, quantize_graph  # noqa: E402

SHARED = ("vww_96_float", "pretrainedResnet", "ad01_fp32")
METHODS = ("minmax", "percentile", "mse")


def _tensorflow(fm: FloatModel, per_channel: bool) -> bytes:
    if fm.keras is not None:
        return tf_quantize(fm.keras, fm.calibration, per_channel_dense=per_channel)
    return tf_quantize_tflite(fm.model, fm.calibration, per_channel_dense=per_channel)


def rows(fm: FloatModel, folder: Path) -> list[str]:
    reference = outputs(fm.model, fm.held_out)
    calibration = folder / f"{fm.name}.npy"
    np.save(calibration, fm.calibration)
    tf = {pc: measure(reference, outputs(_tensorflow(fm, pc), fm.held_out)) for pc in (0, 1)}
    lines = []
    for method in METHODS:
        ours: dict[int, Fidelity] = {}
        for pc in (0, 1):
            options = QuantizeOptions(ranges=method, per_channel_fc=bool(pc))
            model = quantize_graph(parse_tflite(fm.model), calibration, options).model
            ours[pc] = measure(reference, outputs(model, fm.held_out))
        cells = [fm.name, method]
        for pc in (0, 1):
            cells += [
                f"{ours[pc].sqnr_db:.2f}",
                f"{tf[pc].sqnr_db:.2f}",
                f"{ours[pc].sqnr_db - tf[pc].sqnr_db:+.2f}",
                f"{ours[pc].top1:.2f} / {tf[pc].top1:.2f}",
            ]
        lines.append("| " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--models", nargs="*", default=[*KERAS_MODELS, *SHARED])
    args = parser.parse_args()
    header = (
        "| model | ranges | per tensor: tinygen dB | TF dB | Δ dB | top-1 tinygen / TF "
        "| per channel: tinygen dB | TF dB | Δ dB | top-1 tinygen / TF |"
    )
    print(header)
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="tinygen-bench-") as tmp:
        for name in args.models:
            if name in KERAS_MODELS:
                fm = keras_model(name)
            elif (args.shared / "models" / f"{name}.tflite").is_file():
                fm = shared_model(args.shared, name)
            else:
                print(f"| {name} | (not found in {args.shared}/models) |", flush=True)
                continue
            rows(fm, Path(tmp))


if __name__ == "__main__":
    main()
