#!/usr/bin/env bash
# The reference model is clean everywhere: every bundled sample, every
# replay input and every official test vector (when OPUS_TESTVECTORS has
# them), replayed with `--model reference --under all`, must give a clean
# verdict under every tool (guard pages, ASan, UBSan, MSan, TSan, Valgrind,
# Helgrind). A finding here is either a libopus bug or a harness bug. With
# OPUSHUNT_REQUIRE_RUNNERS=1 a tool skipped for want of a runner fails.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "jq is needed (scripts/bootstrap installs it)"; exit 77; }
V="${OPUS_TESTVECTORS:-}"

files=()
for f in "$SRC"/corpus/samples/* "$SRC"/corpus/replay/*; do
  case "$f" in *.sh|*.md|*.txt) continue ;; esac
  files+=("$f")
done
if [ -d "$V" ]; then
  for f in "$V"/testvector*.bit; do files+=("$f"); done
else
  echo "# no test vectors at OPUS_TESTVECTORS=$V: bundled inputs only"
fi

for f in "${files[@]}"; do
  name=$(basename "$f")
  "$OH" replay --model reference --under all --timeout 300 --json "$f" >"$T/r.json" 2>"$T/err"
  rc=$?
  if [ "$rc" != 0 ]; then
    not_ok "$name: exit $rc"
    jq -r '.runs[] | select(.verdict != "clean") | "    | \(.tool)/\(.lib): \(.verdict) \(.summary // "")"' \
      "$T/r.json" 2>/dev/null | head -5
    sed 's/^/    | /' "$T/err" | head -3
    continue
  fi
  tools=$(jq -r '[.runs[] | .tool] | join(",")' "$T/r.json")
  skipped=$(jq -r '[.skipped[]? | .tool] | join(",")' "$T/r.json")
  if [ -n "$skipped" ] && [ "${OPUSHUNT_REQUIRE_RUNNERS:-0}" = 1 ]; then
    not_ok "$name: tools skipped: $skipped"
  else
    ok "$name: clean under $tools${skipped:+ (skipped: $skipped)}"
  fi
done
finish
