#!/usr/bin/env bash
# The misuse models end to end: each model replayed on its committed input
# (corpus/replay/) under every tool that should see it, checking the verdict,
# the first faulting record, and the finding's kind, access and buffer. This
# is the expectation table of the README; rows whose runner is not built are
# skipped and counted, unless OPUSHUNT_REQUIRE_RUNNERS=1 (scripts/test sets
# it), which makes a missing runner a failure.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "jq is needed (scripts/bootstrap installs it)"; exit 77; }
R="$SRC/corpus/replay"
RUNNERS="$(dirname "$OH")/runners"
skipped=0

# model | input | extra options | tool | lib | verdict | record | kind | access | buffer
# ("*" = not checked: e.g. which record a race shows up on depends on timing)
TABLE='
reference|stereo-20ms-packet12-60ms||guard|system|clean|null|-|-|-
reference|stereo-20ms-packet12-60ms||valgrind|system|clean|null|-|-|-
reference|stereo-20ms-packet12-60ms||asan|asan|clean|null|-|-|-
reference|stereo-20ms-packet12-60ms||ubsan|ubsan|clean|null|-|-|-
reference|stereo-20ms-packet12-60ms||msan|msan|clean|null|-|-|-
reference|stereo-20ms-packet12-60ms||tsan|tsan|clean|null|-|-|-
reference|stereo-20ms-packet12-60ms||helgrind|system|clean|null|-|-|-
caller|stereo-20ms-packet12-60ms|--frame-size 5760 --pcm-capacity 1920|guard|system|crash|12|buffer-overflow|WRITE|pcm
caller|stereo-20ms-packet12-60ms|--frame-size 5760 --pcm-capacity 1920|asan|asan|sanitizer|12|heap-buffer-overflow|WRITE|pcm
caller|stereo-20ms-packet12-60ms|--frame-size 5760 --pcm-capacity 1920|valgrind|system|sanitizer|12|invalid-write|WRITE|pcm
pcm-per-channel|stereo-20ms||guard|system|crash|0|buffer-overflow|WRITE|pcm
pcm-per-channel|stereo-20ms||asan|asan|sanitizer|0|heap-buffer-overflow|WRITE|pcm
pcm-per-channel|stereo-20ms||valgrind|system|sanitizer|0|invalid-write|WRITE|pcm
frame-size-overstated|stereo-20ms-packet12-60ms||guard|system|crash|12|buffer-overflow|WRITE|pcm
frame-size-overstated|stereo-20ms-packet12-60ms||asan|asan|sanitizer|12|heap-buffer-overflow|WRITE|pcm
frame-size-overstated|stereo-20ms-packet12-60ms||valgrind|system|sanitizer|12|invalid-write|WRITE|pcm
state-undersized|stereo-20ms||guard|system|crash|null|buffer-overflow|WRITE|state
state-undersized|stereo-20ms||asan|asan|sanitizer|null|heap-buffer-overflow|WRITE|state
state-undersized|stereo-20ms||valgrind|system|sanitizer|null|invalid-write|WRITE|state
destroy-foreign-state|stereo-20ms||guard|system|crash|null|invalid-free|*|*
destroy-foreign-state|stereo-20ms||asan|asan|sanitizer|null|bad-free|*|state
destroy-foreign-state|stereo-20ms||valgrind|system|sanitizer|null|invalid-free|*|state
packet-freed-early|stereo-20ms||guard|system|crash|0|use-after-free|READ|packet
packet-freed-early|stereo-20ms||asan|asan|sanitizer|0|heap-use-after-free|READ|packet
packet-freed-early|stereo-20ms||valgrind|system|sanitizer|0|invalid-read|READ|packet
packet-freed-early|stereo-20ms||tsan|tsan|sanitizer|*|heap-use-after-free|READ|packet
length-trusted|stereo-20ms-truncated-tail||guard|system|crash|10|buffer-overflow|READ|input
length-trusted|stereo-20ms-truncated-tail||asan|asan|sanitizer|10|heap-buffer-overflow|READ|input
length-trusted|stereo-20ms-truncated-tail||valgrind|system|sanitizer|10|invalid-read|READ|input
shared-decoder-race|stereo-20ms||tsan|tsan|sanitizer|*|data-race|*|state
shared-decoder-race|stereo-20ms||helgrind|system|sanitizer|*|data-race|*|state
length-truncated|stereo-20ms-160k||guard|system|divergence|0|-|-|-
length-truncated|stereo-20ms-160k||asan|asan|divergence|0|-|-|-
length-truncated|stereo-20ms-160k||valgrind|system|divergence|0|-|-|-
double-destroy|stereo-20ms-invalid-packet7||guard|system|crash|7|*|*|*
double-destroy|stereo-20ms-invalid-packet7||asan|asan|sanitizer|7|double-free|*|state
double-destroy|stereo-20ms-invalid-packet7||valgrind|system|sanitizer|7|invalid-free|*|state
pcm-read-past-samples|stereo-20ms||valgrind|system|sanitizer|0|use-of-uninitialized-value|*|*
pcm-read-past-samples|stereo-20ms||msan|msan|sanitizer|0|use-of-uninitialized-value|*|*
pcm-read-past-samples|stereo-20ms||guard|system|clean|null|-|-|-
pcm-read-past-samples|stereo-20ms||asan|asan|clean|null|-|-|-
'

field() { # compare one field; "*" matches anything
  local name=$1 want=$2 got=$3 what=$4
  if [ "$want" = "*" ] || [ "$want" = "$got" ]; then return 0; fi
  not_ok "$what: $name is '$got', expected '$want'"
  return 1
}

while IFS='|' read -r model input extra tool lib verdict record kind access buffer; do
  [ -n "$model" ] || continue
  what="$model under $tool ($lib)"
  if [ ! -x "$RUNNERS/oh-runner-$lib" ]; then
    if [ "${OPUSHUNT_REQUIRE_RUNNERS:-0}" = 1 ]; then not_ok "$what: runner oh-runner-$lib not built"
    else skipped=$((skipped + 1)); echo "skip - $what: runner oh-runner-$lib not built"; fi
    continue
  fi
  # shellcheck disable=SC2086
  "$OH" replay --format lp16be --model "$model" $extra --under "$tool" --lib "$lib" \
    --timeout 120 --json "$R/$input.lp16be" >"$T/r.json" 2>"$T/err"
  rc=$?
  want_rc=1
  [ "$verdict" = clean ] && want_rc=0
  if [ "$rc" != "$want_rc" ]; then
    not_ok "$what: exit $rc, wanted $want_rc"; sed 's/^/    | /' "$T/err" | head -5; continue
  fi
  got=$(jq -r '.runs[0] | [.verdict, (.fault.index|tostring), (.finding.kind//"-"),
        (.finding.access//"-"), (.finding.buffer.name//"-")] | join("|")' "$T/r.json")
  IFS='|' read -r gv gr gk ga gb <<<"$got"
  field verdict "$verdict" "$gv" "$what" && field record "$record" "$gr" "$what" &&
    field kind "$kind" "$gk" "$what" && field access "$access" "$ga" "$what" &&
    field buffer "$buffer" "$gb" "$what" && ok "$what: $gv at record $gr ($gk $ga $gb)"
done <<<"$TABLE"

# The incident's report keeps the latent violation apart from the fault.
if [ -x "$RUNNERS/oh-runner-system" ]; then
  "$OH" replay --format lp16be --rate 48000 --channels 2 --frame-size 5760 --pcm-capacity 1920 \
    --under guard --lib system --json "$R/stereo-20ms-packet12-60ms.lp16be" >"$T/i.json" 2>/dev/null
  got=$(jq -r '.runs[0].contract | [(.first_latent.index|tostring), .first_latent.rule,
        (.first_fault_expected.index|tostring), .first_fault_expected.rule] | join(" ")' "$T/i.json")
  [ "$got" = "0 pcm-capacity 12 pcm-capacity" ] && ok "latent violation at 0, fault at 12" ||
    not_ok "latent/fault split: got '$got'"
  # --extract writes a .bit that replays the same way and decodes bit-exactly.
  "$OH" replay --format lp16be --extract 0..12 --out "$T/x.bit" "$R/stereo-20ms-packet12-60ms.lp16be" >/dev/null 2>&1
  expect_rc 1 "extracted reproducer still crashes" -- "$OH" replay --channels 2 --frame-size 5760 \
    --pcm-capacity 1920 --under guard --json "$T/x.bit"
  [ "$(jq -r '.runs[0].fault.index' "$T/out")" = 12 ] && ok "extract faults at record 12" ||
    not_ok "extract faults at record 12"
  expect_rc 0 "extract decodes with 0 final-range mismatches" -- "$OH" decode "$T/x.bit"
fi
echo "# skipped rows (runner not built): $skipped"
finish
