#!/usr/bin/env bash
# The main job on the bundled example, keyword spotting: generate the impulse library
# (MFCC + a small int8 CNN, labels noise/no/unknown/yes) from
# examples/keyword_spotting/impulse.json into out/kws, build it with CMake, classify the
# example's own samples and, where ../shared (or $TINYGEN_SHARED) is present, four real
# recordings, then print the RAM/flash report.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

step "[1/5] setting up .venv (tinygen and its dependencies; the first time takes a few minutes)"
scripts/setup.sh

step "[2/5] tinygen generate-library examples/keyword_spotting/impulse.json -o out/kws"
.venv/bin/tinygen generate-library examples/keyword_spotting/impulse.json -o out/kws

step "[3/5] building out/kws with CMake"
cmake -S out/kws -B out/kws/build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build out/kws/build -j 2 > /dev/null
echo "built out/kws/build/kws_classify"

step "[4/5] classifying the example's synthesized samples"
for wav in examples/keyword_spotting/samples/*.wav; do
    printf '\n%s (%s):\n' "$wav" "$(basename "$wav" .wav)"
    out/kws/build/kws_classify "$wav"
done

shared="${TINYGEN_SHARED:-../shared}"
if [ -d "$shared/testdata" ]; then
    step "      and the real recordings in $shared/testdata (never seen in training)"
    for word in yes no noise silence; do
        wav="$shared/testdata/${word}_1000ms.wav"
        [ -f "$wav" ] || continue
        printf '\n%s:\n' "$wav"
        out/kws/build/kws_classify "$wav"
    done
else
    echo "(no $shared/testdata here: the real recordings are skipped)"
fi

step "[5/5] memory (out/kws/REPORT.md)"
awk '/^## Device estimate/ {on = 1; next} on && /^```/ {fence++; if (fence == 2) exit; next}
     on && fence == 1' out/kws/REPORT.md
echo
echo "More: out/kws/REPORT.md, out/kws/report.json; out/kws is also an Arduino library and a"
echo "bare-metal Cortex-M4 project (README: Impulses)."
