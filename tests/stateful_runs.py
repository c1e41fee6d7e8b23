"""Run a one-input, one-output model through both interpreters on inputs in a row, the
recurrent state carried from one invoke to the next (as both keep variable tensors)."""

from __future__ import annotations

import warnings

import numpy as np


def tflm_runs(model: bytes, xs: list[np.ndarray]) -> list[np.ndarray]:
    """TFLite Micro's output after each input in turn."""
    from tflite_micro.python.tflite_micro import runtime

    interpreter = runtime.Interpreter.from_bytes(model)
    outs = []
    for x in xs:
        interpreter.set_input(x, 0)
        interpreter.invoke()
        outs.append(interpreter.get_output(0).copy())
    return outs


def tflite_runs(model: bytes, xs: list[np.ndarray]) -> list[np.ndarray]:
    """TensorFlow Lite's (reference kernels) output after each input in turn."""
    import tensorflow as tf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interpreter = tf.lite.Interpreter(
            model_content=model,
            experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF,
        )
    interpreter.allocate_tensors()
    source = interpreter.get_input_details()[0]["index"]
    sink = interpreter.get_output_details()[0]["index"]
    outs = []
    for x in xs:
        interpreter.set_tensor(source, x)
        interpreter.invoke()
        outs.append(interpreter.get_tensor(sink).copy())
    return outs
