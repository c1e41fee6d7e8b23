"""An impulse's float model quantized on the way (``generate-library impulse.json
--calibration CAL``, ``tinygen quantize impulse.json --calibration CAL``).

CAL is a folder of the impulse's own files (WAV, CSV or images; each goes through the
DSP block's reference, :mod:`tinygen.impulse.calibration`) or a ``.npy``/``.npz`` of
model inputs, as ``tinygen quantize`` takes. The int8 model has int8 inputs and outputs;
the DSP block then writes float features that the glue quantizes into its input.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tinygen.dsp.blocks import read_config
from tinygen.errors import EXIT_USAGE, TinygenError
from tinygen.frontend.tflite import read_tflite
from tinygen.impulse.calibration import folder_features
from tinygen.impulse.config import ImpulseConfig, dsp_document, parse_config
from tinygen.impulse.dsp_parameters import block_parameters
from tinygen.ir import Graph
from tinygen.quantize.calibrate import check_samples
from tinygen.quantize.pipeline import Quantized, QuantizeOptions, quantize_graph, write_quantized


def float_dsp_document(config: ImpulseConfig, graph: Graph) -> dict[str, Any]:
    """The DSP document of the impulse in front of its float model (float features)."""
    tensor = graph.tensors[graph.inputs[0]]
    if tensor.dtype != "float32":
        raise TinygenError(
            f"{config.path}: --calibration quantizes a float model, but the model "
            f"{config.model.name}'s input {tensor.name!r} is {tensor.dtype}: it is "
            "quantized already; leave --calibration out", EXIT_USAGE)
    return dsp_document(config, block_parameters(config, tensor))


def quantize_impulse_model(
    config: ImpulseConfig,
    graph: Graph,
    calibration: Path,
    document: dict[str, Any],
    options: QuantizeOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> Quantized:
    """The float ``graph`` of the impulse's model quantized with ``calibration``."""
    options = options or QuantizeOptions()
    if options.io != "int8":
        raise TinygenError("an impulse's model is quantized with int8 inputs and outputs",
                           EXIT_USAGE)
    if calibration.is_dir():
        def samples(canonical: Graph) -> list[np.ndarray]:
            rows = folder_features(calibration, config, document, progress)
            shape = canonical.tensors[canonical.inputs[0]].shape
            if rows.shape[1] != int(np.prod(shape)):
                raise TinygenError(
                    f"{calibration}: the {config.block} block makes {rows.shape[1]:,} features "
                    f"per file but the model's input takes {int(np.prod(shape)):,} values "
                    f"(shape {list(shape)})", EXIT_USAGE)
            return check_samples([rows.reshape((rows.shape[0], *shape))], canonical,
                                 str(calibration))
        return quantize_graph(graph, samples, options)
    if not calibration.exists():
        raise TinygenError(f"{calibration}: no such calibration file or folder", EXIT_USAGE)
    return quantize_graph(graph, calibration, options)


def quantize_impulse_file(
    path: Path,
    calibration: Path,
    output: Path,
    options: QuantizeOptions,
    report: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Quantized:
    """``tinygen quantize impulse.json``: the impulse's float model quantized into
    ``output`` (and its report), calibrated through the impulse's DSP block."""
    config = parse_config(read_config(path), path)

    def quantize() -> Quantized:
        graph = read_tflite(config.model)
        document = float_dsp_document(config, graph)
        return quantize_impulse_model(config, graph, calibration, document, options, progress)

    return write_quantized(config.model, output, report, quantize)
