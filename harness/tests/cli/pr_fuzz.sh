#!/usr/bin/env bash
# ci/pr-fuzz end to end, against the libFuzzer fuzz builds already made
# (skips when they are missing), bounded: --runs 2000 --seed 1 on the
# pipeline and packet targets, so four short campaigns each time.
#  a. Clean: exit 0; junit.xml well-formed with one passing testcase per
#     campaign; summary.md with the campaign table; an empty triage.sarif.
#  b. A planted crash (--plant pcm-per-channel): exit 1; the new bucket
#     (pcm-capacity, EXPLOITABLE heap-buffer-overflow(write) in pcm) is a
#     SARIF result, is in summary.md (in changed code, per
#     --changed-files), and fails the pipeline ASan testcase alone.
#  c. The same plant with that bucket suppressed: exit 0.
# Plus refusals (exit 2, no report folder), and the committed database and
# suppression file untouched by all of it.
. "$(dirname "$0")/lib.sh"
PR="$SRC/ci/pr-fuzz"
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }
# ASan is required; UBSan joins when its fuzz build and runner exist
# (scripts/test builds only the ASan fuzzers, the nightly builds both).
for f in build/fuzz/libfuzzer-asan/bin/fuzz-pipeline build/fuzz/libfuzzer-asan/bin/fuzz-packet; do
  [ -x "$SRC/$f" ] || { echo "skip: $f not built (scripts/build-fuzzers libfuzzer asan)"; exit 77; }
done
[ -x "$(dirname "$OH")/runners/oh-runner-asan" ] ||
  { echo "skip: oh-runner-asan not built (scripts/build-libopus asan)"; exit 77; }
SANS="asan"
if [ -x "$SRC/build/fuzz/libfuzzer-ubsan/bin/fuzz-pipeline" ] &&
   [ -x "$SRC/build/fuzz/libfuzzer-ubsan/bin/fuzz-packet" ] &&
   [ -x "$(dirname "$OH")/runners/oh-runner-ubsan" ]; then
  SANS="asan ubsan"
fi
NCASES=$(( 2 * $(wc -w <<<"$SANS") ))
echo "# sanitizers: $SANS"
COMMITTED=$(cd "$SRC/ci/triage" && sha256sum known.db suppressions.txt)
RUN=(--no-build --opushunt "$OH" --runs 2000 --seed 1 --targets "pipeline packet" --sanitizers "$SANS")
HAVE_XMLLINT=0
command -v xmllint >/dev/null && HAVE_XMLLINT=1

# xml_count FILE XPATH-COUNT GREP-FALLBACK: a count from xmllint, else grep.
xml_count() {
  if [ "$HAVE_XMLLINT" = 1 ]; then xmllint --xpath "count($2)" "$1"; else grep -c -- "$3" "$1"; fi
}
# The <failure> element of one testcase, as text.
failure_of() {
  if [ "$HAVE_XMLLINT" = 1 ]; then
    xmllint --xpath "string(//testcase[@name='$2']/failure/@message)" "$1"; echo
    xmllint --xpath "string(//testcase[@name='$2']/failure)" "$1"
  else
    awk -v tc="name=\"$2\"" 'index($0, tc) { on = 1 } on && /<failure/ { f = 1 } f { print }
      f && /<\/failure>/ { exit } on && /<\/testcase>/ { exit }' "$1"
  fi
}
check_junit() { # DIR FAILURES DESCRIPTION
  local j="$1/junit.xml"
  if [ "$HAVE_XMLLINT" = 1 ]; then
    xmllint --noout "$j" 2>"$T/xml.err" && ok "$3: junit.xml is well-formed" ||
      { not_ok "$3: junit.xml is well-formed"; sed 's/^/    | /' "$T/xml.err" | head -5; }
  else
    [ "$(head -c 5 "$j")" = "<?xml" ] &&
      [ "$(grep -c '<testcase ' "$j")" = "$(grep -c '</testcase>' "$j")" ] &&
      [ "$(tail -n 1 "$j")" = "</testsuites>" ] && ok "$3: junit.xml has its structure" ||
      not_ok "$3: junit.xml has its structure"
  fi
  expect_grep "$j" "<testsuite name=\"opushunt-pr-fuzz\" tests=\"$NCASES\" " "$3: testsuite opushunt-pr-fuzz, $NCASES tests"
  n=$(xml_count "$j" "//testsuite[@name='opushunt-pr-fuzz']/testcase" '<testcase ')
  [ "$n" = "$NCASES" ] && ok "$3: one testcase per campaign" || not_ok "$3: $n testcases, wanted $NCASES"
  n=$(xml_count "$j" "//testcase/failure" '<failure ')
  [ "$n" = "$2" ] && ok "$3: $2 failing testcases" || not_ok "$3: $n failing testcases, wanted $2"
  n=$(xml_count "$j" "//testcase/error" '<error ')
  [ "$n" = 0 ] && ok "$3: no campaign in error" || not_ok "$3: $n campaigns in error"
}

# ---- Refusals: exit 2, nothing made.
expect_rc 2 "unknown target: exit 2" -- "$PR" "${RUN[@]}" --targets nosuch --out "$T/r1"
expect_grep "$T/err" "unknown target 'nosuch'" "unknown target: says so"
expect_rc 2 "--plant without the pipeline target: exit 2" -- \
  "$PR" "${RUN[@]}" --targets packet --plant pcm-per-channel --out "$T/r2"
expect_rc 2 "--plant of no model: exit 2" -- "$PR" "${RUN[@]}" --plant nosuch --out "$T/r3"
[ ! -e "$T/r1" ] && [ ! -e "$T/r2" ] && [ ! -e "$T/r3" ] && ok "refusals made no report folder" ||
  not_ok "refusals made no report folder"
mkdir -p "$T/used" && echo mine >"$T/used/keep"
expect_rc 2 "an existing --out: exit 2" -- "$PR" "${RUN[@]}" --out "$T/used"
[ "$(ls "$T/used")" = keep ] && [ "$(cat "$T/used/keep")" = mine ] && ok "the existing folder is untouched" ||
  not_ok "the existing folder is untouched"

# ---- a. Clean.
A="$T/a"
t0=$(date +%s)
expect_rc 0 "a. clean run: exit 0" -- "$PR" "${RUN[@]}" --out "$A"
for f in junit.xml summary.md triage.sarif known.db triage/triage.json; do
  [ -s "$A/$f" ] && ok "a. $f written" || not_ok "a. $f written"
done
check_junit "$A" 0 "a"
expect_grep "$A/summary.md" '^\| pipeline \| libfuzzer-asan \| clean \| [0-9]+ \| [0-9]+ \| [0-9]+ \| 0 \| 0 \| 0 \| [0-9.]+ s \|$' \
  "a. summary.md: the pipeline ASan row (execs, exec/s, coverage, buckets, duration)"
[ "$SANS" = asan ] ||
  expect_grep "$A/summary.md" '^\| packet \| libfuzzer-ubsan \| clean \|' "a. summary.md: the packet UBSan row"
expect_grep "$A/summary.md" 'No base given' "a. summary.md: no base given"
[ "$(jq -r '.version' "$A/triage.sarif")" = 2.1.0 ] && [ "$(jq '.runs[0].results | length' "$A/triage.sarif")" = 0 ] &&
  ok "a. SARIF 2.1.0 with no results" || not_ok "a. SARIF 2.1.0 with no results"
expect_grep "$T/out" "^reports: $A " "a. prints the report folder"
echo "# a. took $(($(date +%s) - t0)) s"

# ---- b. A planted crash.
B="$T/b"
printf 'harness/runner/pipeline.c\nREADME.md\n' >"$T/changed"
t0=$(date +%s)
expect_rc 1 "b. planted crash: exit 1" -- "$PR" "${RUN[@]}" --plant pcm-per-channel \
  --changed-files "$T/changed" --out "$B"
J="$B/triage/triage.json"
id=$(jq -r '[.buckets[] | select(.rule == "pcm-capacity")][0].id // empty' "$J" 2>/dev/null)
[ -n "$id" ] && ok "b. a pcm-capacity bucket ($id)" || not_ok "b. a pcm-capacity bucket"
[ "$(jq -r --arg id "$id" '.buckets[] | select(.id == $id) | "\(.known) \(.class) \(.subclass)"' "$J")" = \
  "new EXPLOITABLE heap-buffer-overflow(write) in pcm" ] &&
  ok "b. it is new: EXPLOITABLE heap-buffer-overflow(write) in pcm" || not_ok "b. bucket facts"
[ "$(jq '[.buckets[] | select(.known == "new")] | length' "$J")" = 1 ] && ok "b. the only new bucket" ||
  not_ok "b. the only new bucket"
r=$(jq -r --arg id "$id" '.runs[0].results[] | select(.properties.bucket == $id) | "\(.ruleId) \(.baselineState)"' \
  "$B/triage.sarif")
[ "$r" = "EXPLOITABLE/heap-buffer-overflow-write new" ] && ok "b. SARIF result for it, baseline new" ||
  not_ok "b. SARIF result: '$r'"
check_junit "$B" 1 "b"
failure_of "$B/junit.xml" "pipeline (libfuzzer-asan)" >"$T/failure"
for want in "$id" EXPLOITABLE 'heap-buffer-overflow\(write\) in pcm' 'api-misuse' 'opushunt replay '; do
  expect_grep "$T/failure" "$want" "b. the pipeline ASan failure names $want"
done
expect_grep "$B/summary.md" "^## opushunt PR fuzzing: 1 new crash bucket" "b. summary.md headline"
expect_grep "$B/summary.md" '^\| pipeline \| libfuzzer-asan \| \*\*1 new\*\* \|' "b. summary.md: pipeline ASan row"
expect_grep "$B/summary.md" "^- \`$id\` EXPLOITABLE .*\*\*in changed code\*\*: \`harness/runner/pipeline.c\`" \
  "b. summary.md: the bucket is in changed code"
expect_grep "$B/summary.md" "\`${id:0:8}\` \| \*\*new\*\*" "b. summary.md: the triage's table"
echo "# b. took $(($(date +%s) - t0)) s"

# ---- c. The same plant, suppressed.
C="$T/c"
printf '# planted by the test\n%s  never  planted by harness/tests/cli/pr_fuzz.sh\n' "$id" >"$T/sup"
t0=$(date +%s)
expect_rc 0 "c. planted crash, suppressed: exit 0" -- "$PR" "${RUN[@]}" --plant pcm-per-channel \
  --suppressions "$T/sup" --out "$C"
[ "$(jq -r --arg id "$id" '.buckets[] | select(.id == $id) | .known' "$C/triage/triage.json")" = suppressed ] &&
  ok "c. the bucket is suppressed" || not_ok "c. the bucket is suppressed"
check_junit "$C" 0 "c"
expect_grep "$C/summary.md" '^## opushunt PR fuzzing: no new crashes' "c. summary.md: no new crashes"
echo "# c. took $(($(date +%s) - t0)) s"

[ "$COMMITTED" = "$(cd "$SRC/ci/triage" && sha256sum known.db suppressions.txt)" ] &&
  ok "ci/triage/known.db and suppressions.txt untouched" || not_ok "committed triage files changed"
finish
