#!/usr/bin/env bash
# Regenerates the committed inputs made by this folder's generators:
# corpus/samples/tone-* and corpus/replay/*.lp16be, and the fuzz targets'
# seed corpus corpus/<target>/ (`opushunt corpus generate`, harness/src/
# corpus_gen.c; never corpus/regressions/). Needs a configured build
# (scripts/test or scripts/hunt make one in build/). The seeds are encoder
# output: another libopus build or compiler may change their bytes (never
# their names), so review the diff before committing. No test vectors: their
# README keeps them out of the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake --build build --target oh-make-tone-samples oh-make-replay-inputs opushunt >/dev/null
build/bin/oh-make-tone-samples corpus/samples
build/bin/oh-make-replay-inputs corpus/replay
OPUSHUNT_TESTVECTORS= build/bin/opushunt corpus generate --out corpus --force -q
echo "regenerated corpus/samples/tone-*, corpus/replay/ and the seed corpus corpus/<target>/"
