#!/usr/bin/env bash
# Regenerates the committed inputs made by this folder's generators:
# corpus/samples/tone-* and corpus/replay/*.lp16be. Needs a configured build
# (scripts/test or scripts/hunt make one in build/).
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake --build build --target oh-make-tone-samples oh-make-replay-inputs >/dev/null
build/bin/oh-make-tone-samples corpus/samples
build/bin/oh-make-replay-inputs corpus/replay
echo "regenerated corpus/samples/tone-* and corpus/replay/"
