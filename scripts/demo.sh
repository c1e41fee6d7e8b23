#!/usr/bin/env bash
# The main job on the bundled example: train the sine model, generate its C
# library into out/sine, verify it byte for byte against TFLite Micro, and print
# its memory report (picture in out/sine-plan.svg).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/python examples/sine/train.py examples/sine/build/sine.tflite
.venv/bin/tinygen generate-library examples/sine/build/sine.tflite -o out/sine
.venv/bin/tinygen verify examples/sine/build/sine.tflite --runs 50
.venv/bin/tinygen report examples/sine/build/sine.tflite --target nano33ble --picture out/sine-plan.svg
