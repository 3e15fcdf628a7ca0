#!/usr/bin/env bash
# Regenerates the mixed crash set the triage tests and benchmark use: real
# libFuzzer output of the pipeline fuzz target with one defective misuse
# model forced per campaign (OPUSHUNT_PIPELINE_MODEL), one campaign per
# seed. Each campaign starts from the committed pipeline seeds that do NOT
# crash under that model, so every crash is a mutation the fuzzer made: it
# sits in a different packet of a different stream (rates, channel counts,
# packet sizes and framing vary). Duplicate files are dropped.
# Byte 9 of each crash file (the script's model) is patched to the forced
# model, as harness/fuzzers/pipeline.c says, so the file replays as is.
#
#   harness/tests/data/triage/regenerate.sh [SEEDS]   (default 24 per model)
#
# Needs the libFuzzer+ASan fuzzers: scripts/build-fuzzers libfuzzer asan.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../../.." && pwd)
seeds=${1:-24}
fuzzer="$src/build/fuzz/libfuzzer-asan/bin/fuzz-pipeline"
[ -x "$fuzzer" ] || { echo "regenerate: $fuzzer missing: scripts/build-fuzzers libfuzzer asan" >&2; exit 2; }
# model name and number (harness/runner/runner.h order)
models="pcm-per-channel:2 state-undersized:4 packet-freed-early:6 length-trusted:7"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for entry in $models; do
  model=${entry%%:*} number=${entry##*:}
  out="$here/$model"
  rm -rf "$out" "$work/seeds"
  mkdir -p "$out" "$work/seeds"
  for s in "$src"/corpus/pipeline/*.ohs; do
    OPUSHUNT_PIPELINE_MODEL=$model ASAN_OPTIONS=detect_leaks=0:symbolize=0 "$fuzzer" "$s" \
      >/dev/null 2>&1 && cp "$s" "$work/seeds/"
  done
  for seed in $(seq 1 "$seeds"); do
    rm -rf "$work/corpus" "$work"/crash-*
    mkdir -p "$work/corpus"
    OPUSHUNT_PIPELINE_MODEL=$model ASAN_OPTIONS=detect_leaks=0:symbolize=0 \
      "$fuzzer" -seed="$seed" -runs=200000 -max_total_time=60 -print_final_stats=0 \
      -artifact_prefix="$work/" "$work/corpus" "$work/seeds" >"$work/log" 2>&1 || true
    crash=$(ls "$work"/crash-* 2>/dev/null | head -1 || true)
    [ -n "$crash" ] || { echo "regenerate: $model seed $seed found nothing" >&2; continue; }
    name="$out/seed$(printf %02d "$seed").ohs"
    cp "$crash" "$name"
    printf "\\x$(printf %02x "$number")" | dd of="$name" bs=1 seek=9 conv=notrunc status=none
    for other in "$out"/*.ohs; do
      [ "$other" != "$name" ] && cmp -s "$other" "$name" && { rm -f "$name"; break; }
    done
  done
  echo "$model: $(ls "$out" | wc -l) crash files"
done
