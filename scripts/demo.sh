#!/usr/bin/env bash
# The main job on the bundled example: train the sine model, generate its C
# library into out/sine, and verify it byte for byte against TFLite Micro.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/python examples/sine/train.py examples/sine/build/sine.tflite
.venv/bin/tinygen generate-library examples/sine/build/sine.tflite -o out/sine
.venv/bin/tinygen verify examples/sine/build/sine.tflite --runs 50
