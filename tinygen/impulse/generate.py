"""An impulse compiled: its model, its DSP block placed in the model's arena, the checks.

The model is compiled as ``NAME_model`` and the block generated as ``NAME_dsp``; the
block is generated twice, once standalone to learn its buffers and feature count, then
with its buffers at the offsets :mod:`tinygen.impulse.memory` chose. When the DSP needs
more than the model's arena, the arena grows (the plan's offsets stay).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinygen.codegen.model_source import generate_sources
from tinygen.compiler import CompiledModel, compile_graph
from tinygen.dsp.blocks import generate_block, read_config
from tinygen.dsp.image import INPUT_FORMATS
from tinygen.dsp.sources import DspSources, Placement
from tinygen.errors import TinygenError
from tinygen.frontend.tflite import parse_tflite, read_tflite
from tinygen.impulse.config import (
    ImpulseConfig,
    dsp_document,
    fail,
    parse_config,
    slice_samples,
)
from tinygen.impulse.dsp_parameters import block_parameters
from tinygen.impulse.memory import Layout, Region, impulse_usage, plan_layout
from tinygen.impulse.quantized_model import float_dsp_document, quantize_impulse_model
from tinygen.ir import Graph, Tensor
from tinygen.memory.budget import Usage
from tinygen.quantize.pipeline import Quantized, QuantizeOptions

#: The tensor types an impulse's model may take and give.
IO_TYPES = ("int8", "float32")


@dataclass(frozen=True)
class Impulse:
    config: ImpulseConfig
    model: CompiledModel  # its arena is the shared one
    dsp: DspSources  # placed in the arena
    dsp_document: dict[str, Any]  # what generate-dsp would take for the same block
    layout: Layout
    usage: Usage
    slice_length: int = 0  # samples of one slice of continuous mode; 0 without it
    quantization: Quantized | None = None  # the float model quantized on the way

    @property
    def name(self) -> str:
        return self.config.name

    def model_tensor(self, output: bool = False) -> Tensor:
        graph = self.model.graph
        return graph.tensors[(graph.outputs if output else graph.inputs)[0]]

    @property
    def float_features(self) -> bool:
        """Whether the DSP writes floats (else the model input's own values)."""
        return self.dsp_document["parameters"].get("output_type") != "int8"


def _model_io(config: ImpulseConfig, model: CompiledModel) -> tuple[Tensor, Tensor]:
    graph = model.graph
    if len(graph.inputs) != 1 or len(graph.outputs) != 1:
        fail(config.path, f"the model {config.model.name} has {len(graph.inputs)} inputs and "
             f"{len(graph.outputs)} outputs; an impulse's model has one of each")
    tensor_in, tensor_out = graph.tensors[graph.inputs[0]], graph.tensors[graph.outputs[0]]
    for what, tensor in (("input", tensor_in), ("output", tensor_out)):
        if tensor.dtype not in IO_TYPES:
            fail(config.path, f"the model's {what} {tensor.name!r} is {tensor.dtype}; an "
                 f"impulse takes {' or '.join(IO_TYPES)}")
    if tensor_out.size != len(config.labels):
        fail(config.path, f"labels lists {len(config.labels)} labels but the model's output "
             f"{tensor_out.name!r} has {tensor_out.size} values (shape {list(tensor_out.shape)})")
    return tensor_in, tensor_out


def _dsp(config: ImpulseConfig, doc: dict, name: str, placement: Placement | None) -> DspSources:
    try:
        return generate_block(doc, name, placement)
    except TinygenError as error:
        raise TinygenError(f"{config.path}: dsp: {error.message}", error.exit_code) from error


def _check_features(config: ImpulseConfig, block: DspSources, tensor: Tensor) -> None:
    if block.output_length == tensor.size:
        return
    if config.kind == "image":
        window = f"the {config.width}x{config.height} {config.image_format} frame"
    else:
        axes = f" x {len(config.axes)} axes" if config.axes else ""
        window = (f"the {config.signal_length:,}-value window ({config.samples} samples{axes} "
                  f"at {config.sampling_freq:g} Hz)")
    fail(config.path, f"the DSP block {config.block} makes {block.output_length:,} features "
         f"from {window} but the model's input {tensor.name!r} takes {tensor.size:,} values "
         f"(shape {list(tensor.shape)}); change dsp.parameters or the window to match")


def _grown(model: CompiledModel, arena_bytes: int) -> CompiledModel:
    """``model`` with an arena of ``arena_bytes`` (offsets unchanged)."""
    if arena_bytes <= model.plan.arena_bytes:
        return model
    plan = dataclasses.replace(model.plan, arena_bytes=arena_bytes)
    sources = generate_sources(model.name, model.graph, model.calls, plan)
    return dataclasses.replace(model, plan=plan, sources=sources)


def build_impulse(
    path: Path,
    name: str | None = None,
    compile_model: Callable[[Graph, str], CompiledModel] | None = None,
    slices: int | None = None,
    calibration: Path | None = None,
    quantize_options: QuantizeOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> Impulse:
    """The impulse ``path`` (impulse.json) describes; ``name`` overrides its name.

    ``compile_model(graph, library_name)`` compiles its model (default:
    :func:`tinygen.compiler.compile_graph` with its defaults). An audio impulse's
    continuous mode cuts the window into ``slices`` (see
    :func:`~tinygen.impulse.config.slice_samples`). With ``calibration`` the model is a
    float one, quantized first (:mod:`tinygen.impulse.quantized_model`).
    """
    config = parse_config(read_config(path), path, name)
    slice_length = slice_samples(config, slices)
    graph = read_tflite(config.model)
    quantization = None
    if calibration is not None:
        document = float_dsp_document(config, graph)
        quantization = quantize_impulse_model(config, graph, calibration, document,
                                              quantize_options, progress)
        graph = parse_tflite(quantization.model, f"{config.model.name}, quantized")
    model = (compile_model or compile_graph)(graph, f"{config.name}_model")
    tensor_in, _ = _model_io(config, model)
    parameters = block_parameters(config, tensor_in)
    doc = dsp_document(config, parameters)
    dsp_name = f"{config.name}_dsp"
    standalone = _dsp(config, doc, dsp_name, None)
    _check_features(config, standalone, tensor_in)
    buffers = {key: 4 * floats for key, floats in standalone.buffers}
    if config.kind == "image":
        buffers["pixels"] = config.signal_length * INPUT_FORMATS[config.image_format]
    input_offset = model.plan.offsets[model.graph.inputs[0]]
    float_features = parameters.get("output_type") != "int8"
    layout = plan_layout(
        model_arena=model.plan.arena_bytes,
        input_region=Region(tensor_in.name, input_offset, tensor_in.nbytes),
        feature_count=tensor_in.size,
        float_features=float_features,
        quantized=tensor_in.dtype == "int8",
        buffers=buffers,
        alignment=model.plan.alignment,
    )
    if float_features and tensor_in.dtype == "float32" and layout.features.offset % 4:
        # The planner aligns float tensors: this would be a tinygen bug.
        raise RuntimeError(f"the model's float input lies at offset {layout.features.offset}")
    model = _grown(model, layout.arena_bytes)
    dsp = standalone
    if standalone.buffers:
        offsets = {key: layout.offset_of(key) for key, _ in standalone.buffers}
        placement = Placement(f"{config.name}_arena", offsets, slice_length)
        dsp = _dsp(config, doc, dsp_name, placement)
    usage = impulse_usage(layout, model, dsp, config.labels)
    return Impulse(config, model, dsp, doc, layout, usage, slice_length, quantization)
