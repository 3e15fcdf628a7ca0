#!/usr/bin/env bash
# opushunt replay on fuzz inputs. An OHS1 pipeline script (its header is the
# caller: misuse model, rate, sizes) replays with every call reported: the
# reference model clean, a defective one faulting at its record under ASan
# and guard pages. --target runs a fuzz target on the bytes as the fuzzer
# does: the same crash kind, the faulting record "unknown" rather than
# invented; the differential oracle is an oracle finding. The in-process
# corpus runner (fuzz-replay-pipeline) agrees on the same bytes. Refusals
# give exit 2 and one line. The scripts are generated here from the
# committed replay inputs (mkscript).
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "jq is needed (scripts/bootstrap installs it)"; exit 77; }
C="$SRC/corpus/replay"
BIN="$(dirname "$OH")"
RUNNERS="$BIN/runners"
for lib in system asan; do
  if [ ! -x "$RUNNERS/oh-runner-$lib" ]; then
    [ "${OPUSHUNT_REQUIRE_RUNNERS:-0}" = 1 ] && { echo "not ok - oh-runner-$lib not built"; exit 1; }
    echo "skip: oh-runner-$lib not built"; exit 77
  fi
done

# mkscript FAMILY FLAGS PIPELINE_FLAGS PCM_CAPACITY FRAME_SIZE RATE BODY: an
# OHS1 pipeline script on stdout (stereo, 5 extra bytes), body appended.
byte() { printf "\\x$(printf %02x $(($1 & 255)))"; }
mkscript() {
  local fam=$1 flags=$2 pf=$3 cap=$4 frame=$5 rate=$6 body=$7
  printf 'OHS1'; byte 5; byte "$flags"; byte 2; byte 0; byte 0; byte "$fam"
  byte $((rate >> 24)); byte $((rate >> 16)); byte $((rate >> 8)); byte "$rate"
  byte $((frame >> 8)); byte "$frame"; byte 0; byte 0; byte 0; byte 5
  byte $((cap >> 24)); byte $((cap >> 16)); byte $((cap >> 8)); byte "$cap"; byte "$pf"
  cat "$body"
}
FLOAT=2 DIFF=2
mkscript 1 0 $FLOAT 0 0 48000 "$C/stereo-20ms.lp16be" >"$T/reference.ohs"
mkscript 2 0 $FLOAT 0 0 48000 "$C/stereo-20ms.lp16be" >"$T/pcm-per-channel.ohs"
mkscript 7 0 $FLOAT 0 0 48000 "$C/stereo-20ms-truncated-tail.lp16be" >"$T/length-trusted.ohs"
mkscript 9 $DIFF $FLOAT 0 0 48000 "$C/stereo-20ms-160k.lp16be" >"$T/length-truncated-diff.ohs"
mkscript 200 0 $FLOAT 0 0 48000 "$C/stereo-20ms.lp16be" >"$T/family-200.ohs"
mkscript 1 0 $FLOAT 0 0 44100 "$C/stereo-20ms.lp16be" >"$T/rate-44100.ohs"
if [ "$(head -c 4 "$T/reference.ohs")" = OHS1 ] && [ "$(wc -c <"$T/reference.ohs")" = \
     $(($(wc -c <"$C/stereo-20ms.lp16be") + 25)) ]; then ok "mkscript: magic and 25-byte header"
else not_ok "mkscript writes a 25-byte header"; fi

# replay_json WHAT WANT_RC ARGS...: replay --json into $T/r.json, check the exit.
replay_json() {
  local what=$1 want=$2
  shift 2
  "$OH" replay --timeout 120 --json "$@" >"$T/r.json" 2>"$T/err"
  local rc=$?
  if [ "$rc" = "$want" ]; then ok "$what: exit $rc"; else
    not_ok "$what: exit $rc, wanted $want"; sed 's/^/    | /' "$T/err" | head -5
  fi
}
# expect_json WHAT JQ WANT: one jq expression over the last replay's JSON.
expect_json() {
  local got
  got=$(jq -r "$2" "$T/r.json" 2>/dev/null)
  if [ "$got" = "$3" ]; then ok "$1: $3"; else not_ok "$1: got '$got', wanted '$3'"; fi
}
ROW='.runs[0] | [.verdict, (.fault.index|tostring), (.finding.kind//"-"), (.finding.access//"-"),
     (.finding.buffer.name//"-")] | join(" ")'

# A script replays as the pipeline its header sets up, calls reported.
replay_json "reference script under guard" 0 --under guard "$T/reference.ohs"
expect_json "reference script under guard" "$ROW" "clean null - - -"
expect_json "the script runs the pipeline" '[.input.target, .runs[0].calls_reported,
  .runs[0].session.model, .runs[0].end.calls] | map(tostring) | join(" ")' "pipeline true reference 30"
replay_json "reference script under asan" 0 --under asan "$T/reference.ohs"
expect_json "reference script under asan" "$ROW" "clean null - - -"

replay_json "pcm-per-channel script under asan" 1 --under asan "$T/pcm-per-channel.ohs"
expect_json "pcm-per-channel script under asan" "$ROW" "sanitizer 0 heap-buffer-overflow WRITE pcm"
expect_json "its call and rule" '.runs[0].fault | [.call.frame_size, .rules[0].rule] | map(tostring) |
  join(" ")' "960 pcm-capacity"
replay_json "pcm-per-channel script under guard" 1 --under guard "$T/pcm-per-channel.ohs"
expect_json "pcm-per-channel script under guard" "$ROW" "crash 0 buffer-overflow WRITE pcm"
expect_json "offsets are script offsets" '.runs[0].fault.packet.offset' 25

replay_json "length-trusted script under asan" 1 --under asan "$T/length-trusted.ohs"
expect_json "length-trusted script under asan" "$ROW" "sanitizer 10 heap-buffer-overflow READ input"
replay_json "length-trusted script under guard" 1 --under guard "$T/length-trusted.ohs"
expect_json "length-trusted script under guard" "$ROW" "crash 10 buffer-overflow READ input"
expect_json "the cut-off record, at its script offset" '.runs[0].fault.packet |
  [.cut_off, .offset] | map(tostring) | join(" ")' "true 1160"

# --target pipeline: the fuzz target itself, same crash kind, record unknown.
replay_json "--target pipeline, pcm-per-channel, asan" 1 --target pipeline --under asan \
  "$T/pcm-per-channel.ohs"
expect_json "--target pipeline, pcm-per-channel, asan" "$ROW" "sanitizer null heap-buffer-overflow WRITE -"
expect_json "the target reports no calls" '[.runs[0].target, .runs[0].calls_reported,
  (.runs[0].fault.packet|tostring)] | map(tostring) | join(" ")' "pipeline false null"
"$OH" replay --target pipeline --under asan "$T/pcm-per-channel.ohs" >"$T/out" 2>/dev/null
expect_grep "$T/out" "^first faulting packet: unknown \(fuzz target pipeline reports no calls\)" \
  "the text report says unknown"
replay_json "--target pipeline, reference, asan" 0 --target pipeline --under asan "$T/reference.ohs"
expect_json "--target pipeline, reference, asan" "$ROW" "clean null - - -"

# The differential flag: a divergence for the pipeline, an oracle failure for the target.
replay_json "length-truncated, differential" 1 --under guard "$T/length-truncated-diff.ohs"
expect_json "length-truncated, differential" '.runs[0] | [.verdict, .divergence.index] |
  map(tostring) | join(" ")' "divergence 0"
replay_json "length-truncated, --target pipeline" 1 --target pipeline --under plain \
  "$T/length-truncated-diff.ohs"
expect_json "length-truncated, --target pipeline" '.runs[0] | [.verdict, .finding.source,
  .finding.kind, .finding.signal] | join(" ")' "crash oracle oracle-divergence SIGABRT"

# Other targets: a raw packet for `packet`, unreadable bytes for `readers`.
head -c 110 "$C/stereo-20ms.lp16be" | tail -c 108 >"$T/first.opus"
replay_json "--target packet on a raw packet" 0 --target packet --format raw --under asan "$T/first.opus"
expect_json "--target packet on a raw packet" '.runs[0] | [.verdict, .target, (.fault.index|tostring),
  .calls_reported] | map(tostring) | join(" ")' "clean packet null false"
printf '\377\377\001\002' >"$T/garbage.bin"
replay_json "--target readers on bytes no reader takes" 0 --target readers --under asan "$T/garbage.bin"
expect_json "noted, not refused" '[.runs[0].verdict, (.input.not_a_stream != null)] | map(tostring) |
  join(" ")' "clean true"

# Refusals: exit 2, one line, no child.
refuse() {
  local what=$1 re=$2
  shift 3
  expect_rc 2 "$what: exit 2" -- "$OH" replay "$@"
  expect_lines "$T/err" 1 "$what: one line"
  expect_grep "$T/err" "$re" "$what: says why"
}
refuse "unknown target" "unknown target 'nosuch': auto, packet, stream" -- --target nosuch "$T/reference.ohs"
refuse "a caller option with a script" "OHS1 pipeline script, whose header describes the caller: drop --model" \
  -- --model reference "$T/reference.ohs"
refuse "a caller option with a target" "--target packet reads its configuration from the input: drop --rate" \
  -- --target packet --rate 16000 "$T/first.opus"
refuse "--check-only with a target" "--check-only needs the runner's pipeline" \
  -- --target stream --check-only "$T/reference.ohs"
expect_rc 2 "a script family naming no model: error" -- "$OH" replay "$T/family-200.ohs"
expect_grep "$T/err" "family 200 names no misuse model" "the runner says which family"
expect_rc 2 "a script rate libopus refuses: error" -- "$OH" replay "$T/rate-44100.ohs"
expect_grep "$T/err" "rate 44100" "the runner says which rate"

# The runner by hand.
expect_rc 3 "oh-runner --target nosuch" -- "$RUNNERS/oh-runner-system" --target nosuch "$T/reference.ohs"
expect_rc 1 "oh-runner-asan --target pipeline: ASan's exit code" -- \
  "$RUNNERS/oh-runner-asan" --target pipeline "$T/pcm-per-channel.ohs"
expect_grep "$T/err" "ERROR: AddressSanitizer: heap-buffer-overflow" "ASan's report"
expect_grep "$T/err" "^WRITE of size" "a WRITE"

# The in-process corpus runner of the same target, on the same bytes.
FR="$BIN/fuzz-replay-pipeline"
if [ -x "$FR" ]; then
  expect_rc 0 "fuzz-replay-pipeline: reference clean" -- "$FR" "$T/reference.ohs"
  expect_rc 1 "fuzz-replay-pipeline: the oracle fails length-truncated" -- "$FR" "$T/length-truncated-diff.ohs"
  expect_grep "$T/err" "opushunt-oracle: pipeline: model length-truncated: record #0" "the oracle's line"
  if grep -q __asan_init "$FR"; then
    # --one: in this very process, the whole report on stderr
    expect_rc 1 "fuzz-replay-pipeline (ASan): pcm-per-channel fails" -- \
      "$FR" --one "$T/pcm-per-channel.ohs"
    expect_grep "$T/err" "ERROR: AddressSanitizer: heap-buffer-overflow" "the same kind as replay's"
    expect_grep "$T/err" "^WRITE of size" "a WRITE, as replay's"
  fi
else
  echo "skip - fuzz-replay-pipeline not built"
fi
finish
