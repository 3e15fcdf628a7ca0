#!/usr/bin/env bash
# opushunt triage end to end.
#  1. A mixed crash set (real libFuzzer output of the pipeline target under
#     four defective misuse models, harness/tests/data/triage/): one bucket
#     per defect, where the defect of each file is what `opushunt replay`
#     says on its own (verdict and broken rule) -- pure and complete; API
#     misuse attributed with the right rule; minimised reproducers that show
#     the same crash state; SARIF whose rule indexes are consistent; the
#     input files untouched.
#  2. Inputs that are not crashes, through fake runners: empty, garbage,
#     non-crashing, hanging and flaky inputs reported as such, nothing lost.
#  3. Logs (sanitizer text, Valgrind XML) as report-only buckets.
#  4. Memory: the database marks a second run known, --fail-on new passes,
#     a suppression holds until it expires, --promote copies a reproducer.
#  5. Real libopus defects (corpus/known-bugs/custom, six of them, shown
#     with OPUSHUNT_CUSTOM_KNOWN_BUGS=1): six buckets, all library bugs.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }
RUNNERS="$(dirname "$OH")/runners"
DATA="$SRC/harness/tests/data/triage"
if [ ! -x "$RUNNERS/oh-runner-asan" ]; then
  echo "skip: $RUNNERS/oh-runner-asan not built (scripts/build-libopus asan)"
  exit 77
fi

# ---- 1. The mixed crash set: 6 files per campaign, 24 in all.
mkdir -p "$T/set"
for d in "$DATA"/*/; do
  for f in $(ls "$d" | head -6); do cp "$d/$f" "$T/set/$(basename "$d")-$f"; done
done
(cd "$T/set" && sha256sum * >"$T/set.sha")
# The label of each file, from replay alone.
: >"$T/labels"
for f in "$T"/set/*; do
  "$OH" replay --under asan --json "$f" 2>/dev/null |
    jq -r --arg f "$f" '"\($f)\t\(.runs[0].verdict):\(.runs[0].fault.rules[0].rule // "none")"' >>"$T/labels"
done
want=$(cut -f2 "$T/labels" | sort -u | wc -l)
expect_rc 1 "triage of the mixed set finds crashes" -- \
  "$OH" triage --out "$T/mix" --repeat 2 --jobs 2 --min-tests 150 --quiet "$T/set"
J="$T/mix/triage.json"
got=$(jq '.buckets | length' "$J")
[ "$got" = "$want" ] && ok "one bucket per defect ($got)" || not_ok "buckets: $got, defects: $want"
# Purity: every bucket's inputs share one label; completeness: each label
# lands in one bucket.
jq -r '.inputs[] | "\(.path)\t\(.bucket)"' "$J" | sort >"$T/assigned"
sort "$T/labels" | join -t $'\t' - "$T/assigned" >"$T/joined"
impure=$(awk -F'\t' '{print $3"\t"$2}' "$T/joined" | sort -u | cut -f1 | uniq -d | wc -l)
split=$(awk -F'\t' '{print $2"\t"$3}' "$T/joined" | sort -u | cut -f1 | uniq -d | wc -l)
[ "$impure" = 0 ] && ok "every bucket is pure" || not_ok "$impure buckets mix defects"
[ "$split" = 0 ] && ok "no defect split over buckets" || not_ok "$split defects split"
[ "$(wc -l <"$T/joined")" = 24 ] && ok "all 24 inputs accounted for" || not_ok "inputs lost"
expect_grep <(jq -r '.buckets[] | .attribution' "$J" | sort -u) '^api-misuse$' \
  "the misuse models are attributed to the caller"
jq -r '.buckets[] | select(.rule == "pcm-capacity") | "\(.class) \(.subclass)"' "$J" >"$T/pcm"
expect_grep "$T/pcm" '^EXPLOITABLE heap-buffer-overflow\(write\) in pcm$' \
  "pcm-capacity: EXPLOITABLE heap-buffer-overflow(write) in pcm"
jq -r '.buckets[] | select(.rule == "packet-freed") | "\(.class) \(.subclass)"' "$J" >"$T/uaf"
expect_grep "$T/uaf" '^PROBABLY_EXPLOITABLE heap-use-after-free\(read\) in packet$' \
  "packet-freed: PROBABLY_EXPLOITABLE heap-use-after-free(read) in packet"
jq -r '.buckets[] | select(.rule == "state-size") | .subclass' "$J" >"$T/state"
expect_grep "$T/state" 'in decoder-state$' "state-size: an overflow of the decoder state"
(cd "$T/set" && sha256sum -c --quiet "$T/set.sha") && ok "input files untouched" ||
  not_ok "an input file changed"
# Every minimised reproducer shows its bucket's crash state again.
mkdir -p "$T/repro"
jq -r '.buckets[] | select(.minimised.ok) | "\(.id) \(.minimised.path) \(.state)"' "$J" |
  while read -r id path state; do cp "$path" "$T/repro/$id.ohs"; echo "$id $state"; done >"$T/mstates"
nmin=$(wc -l <"$T/mstates")
[ "$nmin" -ge 1 ] && ok "$nmin buckets minimised" || not_ok "nothing minimised"
"$OH" triage --out "$T/out-min" --repeat 1 --no-matrix --no-minimise --quiet "$T/repro" >/dev/null 2>&1
same=0
while read -r id state; do
  s=$(jq -r --arg p "$T/repro/$id.ohs" '.inputs[] | select(.path == $p) | .state' "$T/out-min/triage.json")
  [ "$s" = "$state" ] && same=$((same + 1))
done <"$T/mstates"
[ "$same" = "$nmin" ] && ok "every reproducer keeps its crash state" || not_ok "$same of $nmin keep it"
shrunk=$(jq '[.buckets[] | select(.minimised.ok and .minimised.bytes_after < .minimised.bytes_before)] | length' "$J")
[ "$shrunk" = "$nmin" ] && ok "every reproducer is smaller" || not_ok "$shrunk of $nmin smaller"
# SARIF: consistent rule indexes, fingerprints, locations with lines.
S="$T/mix/triage.sarif"
expect_grep <(jq -r '.version' "$S") '^2\.1\.0$' "SARIF version 2.1.0"
bad=$(jq '[.runs[0] as $r | $r.results[] | select(.ruleId != $r.tool.driver.rules[.ruleIndex].id)] | length' "$S")
[ "$bad" = 0 ] && ok "every ruleId matches rules[ruleIndex]" || not_ok "$bad results mismatched"
nres=$(jq '.runs[0].results | length' "$S")
[ "$nres" = "$got" ] && ok "one SARIF result per bucket" || not_ok "$nres results"
nfp=$(jq '[.runs[0].results[] | select(.partialFingerprints["opushuntCrashState/v1"])] | length' "$S")
[ "$nfp" = "$nres" ] && ok "crash state in partialFingerprints" || not_ok "$nfp fingerprints"
zero=$(jq '[.. | objects | select(has("startLine")) | select(.startLine < 1)] | length' "$S")
[ "$zero" = 0 ] && ok "no region with startLine < 1" || not_ok "$zero bad regions"
for f in triage.md triage.html; do [ -s "$T/mix/$f" ] && ok "$f written" || not_ok "$f missing"; done

# ---- 2. Not crashes: fake runners decide by the input's content.
R="$T/runners"
mkdir -p "$R" "$T/odd"
cat >"$R/oh-runner-asan" <<'RUNNER'
#!/usr/bin/env bash
for a in "$@"; do f=$a; done
case "$(head -c 5 "$f")" in
  HANG*) sleep 60 ;;
  FLAKY)
    n=$(cat "$FAKE_STATE" 2>/dev/null || echo 0); echo $((n + 1)) >"$FAKE_STATE"
    [ $((n % 2)) = 0 ] && exit 0 ;&
  CRASH)
    cat >&2 <<'REPORT'
==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000014 at pc 0x1 bp 0x2 sp 0x3
WRITE of size 4 at 0x602000000014 thread T0
    #0 0x1 in quant_band /b/tree/celt/bands.c:1146:7
    #1 0x2 in quant_all_bands /b/tree/celt/bands.c:1500:9
    #2 0x3 in celt_decode_with_ec /b/tree/celt/celt_decoder.c:1080:5
    #3 0x4 in main /h/harness/runner/runner_main.c:10:1
0x602000000014 is located 0 bytes after 4-byte region [0x602000000010,0x602000000014)
SUMMARY: AddressSanitizer: heap-buffer-overflow /b/tree/celt/bands.c:1146:7 in quant_band
REPORT
    exit 1 ;;
esac
exit 0
RUNNER
chmod +x "$R/oh-runner-asan"
printf 'CRASH one' >"$T/odd/crash"
printf 'FLAKY' >"$T/odd/flaky"
printf 'HANG' >"$T/odd/hang"
printf 'fine' >"$T/odd/clean"
: >"$T/odd/empty"
export FAKE_STATE="$T/flaky-count"
expect_rc 1 "odd inputs: the crash still fails the run" -- \
  "$OH" triage --runner-dir "$R" --target readers --out "$T/out-odd" --repeat 4 --jobs 1 \
  --timeout 2 --no-matrix --no-minimise --quiet "$T/odd"
O="$T/out-odd/triage.json"
st() { jq -r --arg p "$T/odd/$1" '.inputs[] | select(.path == $p) | .status' "$O"; }
[ "$(st crash)" = reliable ] && ok "a crash is reliable" || not_ok "crash: $(st crash)"
[ "$(st flaky)" = flaky ] && ok "a flaky crash is flaky" || not_ok "flaky: $(st flaky)"
[ "$(st clean)" = not-reproducible ] && ok "a clean input is not reproducible" || not_ok "clean: $(st clean)"
[ "$(st empty)" = empty ] && ok "an empty file is empty" || not_ok "empty: $(st empty)"
kind=$(jq -r --arg p "$T/odd/hang" '.buckets[.inputs[] | select(.path == $p) | .bucket].kind' "$O")
[ "$kind" = timeout ] && ok "a hang is a timeout bucket" || not_ok "hang: $kind"
rate=$(jq -r --arg p "$T/odd/flaky" '.inputs[] | select(.path == $p) | "\(.crashes)/\(.runs)"' "$O")
[ "$rate" = 2/4 ] && ok "flaky rate 2/4" || not_ok "flaky rate $rate"
lib=$(jq -r '.buckets[] | select(.kind == "heap-buffer-overflow") | .attribution' "$O")
[ "$lib" = library-bug ] && ok "a libopus frame with no rule broken is a library bug" || not_ok "$lib"
[ "$(jq '.inputs | length' "$O")" = 5 ] && ok "no input lost" || not_ok "inputs lost"
printf 'certainly not an opus stream\n' >"$T/garbage.txt"
expect_rc 2 "a garbage stream exits 2" -- \
  "$OH" triage --runner-dir "$R" --out "$T/out-g" --quiet "$T/garbage.txt"
expect_grep "$T/err" "garbage.txt: offset [0-9]+: " "garbage named with file and offset"
[ "$(jq -r '.inputs[0].status' "$T/out-g/triage.json")" = garbage ] && ok "reported as garbage" ||
  not_ok "garbage status"
expect_rc 2 "a missing input exits 2" -- "$OH" triage --out "$T/out-x" "$T/nonexistent"

# ---- 3. Logs.
L="$SRC/harness/tests/data/sanreports"
expect_rc 1 "logs triage" -- "$OH" triage --runner-dir "$R" --out "$T/out-log" --quiet \
  "$L/asan-heap-use-after-free.txt" "$L/helgrind-race.xml" "$L/tsan-data-race.txt"
LJ="$T/out-log/triage.json"
[ "$(jq '[.inputs[] | select(.status == "report-only")] | length' "$LJ")" -ge 3 ] &&
  ok "logs are report-only items" || not_ok "log items"
expect_grep <(jq -r '.buckets[].kind' "$LJ") '^heap-use-after-free$' "the ASan log's kind"
expect_grep <(jq -r '.buckets[].kind' "$LJ") '^data-race$' "the race logs' kind"

# ---- 4. Database, suppressions, promotion.
DB="$T/known.db"
"$OH" triage --runner-dir "$R" --target readers --out "$T/db1" --db "$DB" --no-matrix --quiet \
  --repeat 1 --now 2026-01-01T00:00:00Z "$T/odd/crash" >/dev/null 2>&1
[ "$(jq -r '.buckets[0].known' "$T/db1/triage.json")" = new ] && ok "first run: new" || not_ok "not new"
expect_rc 0 "second run with --fail-on new passes" -- \
  "$OH" triage --runner-dir "$R" --target readers --out "$T/db2" --db "$DB" --no-matrix --quiet \
  --repeat 1 --fail-on new --now 2026-01-02T00:00:00Z "$T/odd/crash"
J2="$T/db2/triage.json"
[ "$(jq -r '.buckets[0].known' "$J2")" = known ] && ok "second run: known" || not_ok "not known"
[ "$(jq -r '.buckets[0].first_seen' "$J2")" = 2026-01-01T00:00:00Z ] && ok "first seen kept" ||
  not_ok "first seen $(jq -r '.buckets[0].first_seen' "$J2")"
id=$(jq -r '.buckets[0].id' "$J2")
printf '# why\n%s 2026-06-30 fixed upstream, waiting for the Debian package\n' "$id" >"$T/sup"
expect_rc 0 "a suppressed bucket does not fail the run" -- \
  "$OH" triage --runner-dir "$R" --target readers --out "$T/s1" --suppressions "$T/sup" \
  --no-matrix --quiet --repeat 1 --now 2026-03-01T00:00:00Z "$T/odd/crash"
expect_rc 1 "an expired suppression fails it again" -- \
  "$OH" triage --runner-dir "$R" --target readers --out "$T/s2" --suppressions "$T/sup" \
  --no-matrix --quiet --repeat 1 --now 2026-07-01T00:00:00Z "$T/odd/crash"
expect_grep <(jq -r '.notes[]' "$T/s2/triage.json") "expired on 2026-06-30" "the expiry is noted"
printf 'not-an-id sometime\n' >"$T/badsup"
expect_rc 2 "a malformed suppression file exits 2" -- \
  "$OH" triage --runner-dir "$R" --out "$T/s3" --suppressions "$T/badsup" "$T/odd/crash"
expect_grep "$T/err" "line 1" "the error names the line"
pid=$(jq -r '.buckets[] | select(.rule == "pcm-capacity") | .id' "$J")
mkdir -p "$T/corpus/regressions"
expect_rc 0 "--promote copies a reproducer" -- \
  "$OH" triage --promote "$pid" --out "$T/mix" --corpus "$T/corpus"
p=$(ls "$T/corpus/regressions/"*/* 2>/dev/null | head -1)
case "$p" in *heap-buffer-overflow-write*pcm-capacity*) ok "promoted with a descriptive name" ;;
  *) not_ok "promoted as '$p'" ;; esac
expect_rc 2 "--promote never overwrites" -- \
  "$OH" triage --promote "$pid" --out "$T/mix" --corpus "$T/corpus"
# ---- 5. The six known libopus 1.3.1 defects of the custom API.
OPUSHUNT_CUSTOM_KNOWN_BUGS=1 "$OH" triage --out "$T/kb" --repeat 1 --no-matrix --no-minimise \
  --quiet "$SRC/corpus/known-bugs/custom" >/dev/null 2>&1
KB="$T/kb/triage.json"
[ "$(jq '.buckets | length' "$KB")" = 6 ] && ok "six known libopus defects, six buckets" ||
  not_ok "known defects: $(jq '.buckets | length' "$KB") buckets"
[ "$(jq -r '[.buckets[].attribution] | unique | join(",")' "$KB")" = library-bug ] &&
  ok "all attributed to libopus" || not_ok "attributions: $(jq -c '[.buckets[].attribution]' "$KB")"
expect_grep <(jq -r '.buckets[].subclass' "$KB") '^dynamic-stack-buffer-overflow\(write\)' \
  "the quant_band stack overflow is a write"
finish
