#!/usr/bin/env bash
# oh-nightly-report (the nightly job's report generator), without fuzzing:
# two synthetic earlier nights and tonight, plus a summary of another schema
# and a later night that the history must ignore. Checks that index.html is
# self-contained (no script, no http(s) or protocol-relative src/href, no
# stylesheet link), holds the three SVG plots with a point per night, shows
# the comparison with the right deltas (coverage in points, exec/s in
# percent, new and fixed? buckets, a changed target list), HTML-escapes
# hostile strings and links only inside the report folder; that
# summary.json round-trips (everything
# kept, buckets.fixed and comparison added, a second run byte-identical);
# that summary.md says the same; and the empty-history and error paths.
. "$(dirname "$0")/lib.sh"

REPORT="$(dirname "$OH")/oh-nightly-report"
[ -x "$REPORT" ] || { echo "not ok - $REPORT is not built"; exit 1; }

# night DIR DATE STARTED LINES BRANCHES STREAM_RATE PACKET_RATE NEW KNOWN
# writes DIR/summary.json; NEW and KNOWN are JSON arrays of buckets.
night() {
  mkdir -p "$1"
  jq -n --arg date "$2" --arg started "$3" --argjson l "$4" --argjson b "$5" \
    --argjson sr "$6" --argjson pr "$7" --argjson new "$8" --argjson known "$9" '
    {schema: "opushunt-nightly/1", date: $date, started: $started, wall_s: 1000,
     budget: "15m", budget_s: 900, seed: 20261101, opus_version: "libopus 1.3.1-3",
     host: {cores: 2, shared: false, note: "No other session."}, targets: ["stream", "packet"],
     plan: {note: "34 of 34 campaigns of 34 s each."},
     campaigns: [
       {target: "stream", engine: "libfuzzer", build: "asan", seconds: 34, execs: ($sr * 34),
        exec_per_sec: $sr, cov: 2200, ft: 13000, corpus_count: 800, crashes: 0, hangs: 0,
        status: "ran", note: null},
       {target: "packet", engine: "libfuzzer", build: "asan", seconds: 34, execs: ($pr * 34),
        exec_per_sec: $pr, cov: 9000, ft: 10000, corpus_count: 900, crashes: 1, hangs: 0,
        status: "ran", note: null}],
     replays: [{name: "valgrind", under: "valgrind", lib: "system", what: "committed corpus",
                files: 10, total: 401, failures: 0, errors: 0, seconds: 20, note: null}],
     corpus: [{target: "stream", before_files: 43, before_bytes: 17000, after_files: 120,
               after_bytes: 60000, status: "merged", note: null}],
     coverage: {status: "ok", lines: {count: 8000, covered: 0, percent: $l},
                branches: {count: 4000, covered: 0, percent: $b},
                files: [{file: "celt/bands.c", lines: {count: 100, covered: 75, percent: 75},
                         branches: {count: 10, covered: 5, percent: 50}}],
                html: "coverage/html/index.html", files_json: "coverage/files.json"},
     triage: {status: "ran"},
     buckets: {new: $new, known: $known, suppressed: []},
     reproducibility: {tools: ["asan", "valgrind"],
                       per_tool: [{tool: "asan", same: 1, other: 0, clean: 0, skipped: 0, error: 0}]},
     tools: {run: [{name: "fuzz stream asan", what: "ok"}],
             skipped: [{name: "fuzz msan", reason: "not built <b>"}]}}' >"$1/summary.json"
}

bucket() { # ID SUBCLASS ATTRIBUTION TARGET REPRODUCER
  jq -nc --arg id "$1" --arg s "$2" --arg a "$3" --arg t "$4" --arg r "$5" \
    '{id: $id, class: "EXPLOITABLE", subclass: $s, attribution: $a, rule: null, target: $t,
      reproducibility: "3/3", first_seen: "2026-11-01T00:00:00Z", reproducer: $r,
      info: "triage/buckets/\($id)/info.txt",
      matrix: [{tool: "asan", outcome: "same", verdict: "sanitizer", reason: null},
               {tool: "valgrind", outcome: "skipped", verdict: null, reason: "not built"}]}'
}

A=$(bucket aaaaaaaaaaaaaaaa "heap-buffer-overflow(write) in pcm" api-misuse pipeline \
  triage/buckets/aaaaaaaaaaaaaaaa/reproducer.ohs)
B=$(bucket bbbbbbbbbbbbbbbb "SEGV(read)" library-bug stream triage/buckets/bbbbbbbbbbbbbbbb/reproducer.ohs)
C=$(bucket cccccccccccccccc '<script>alert(1)</script> & "q"' '"><img src=x onerror=alert(1)>' \
  'packet' 'javascript:alert(1)')
D=$(bucket dddddddddddddddd "stack-overflow é" library-bug '<b>bold</b>' 'http://evil.example/x')
H=$T/hist
night "$H/2026-11-01" 2026-11-01 2026-11-01T02:00:00Z 70.00 58.00 80 150 "[]" "[$A]"
night "$H/2026-11-02" 2026-11-02 2026-11-02T02:00:00Z 71.25 60.00 100 200 "[$B]" "[$A]"
night "$H/2026-11-03" 2026-11-03 2026-11-03T02:00:00Z 73.75 59.50 150 100 "[$C, $D]" "[$A]"
night "$H/2026-11-05" 2026-11-05 2026-11-05T02:00:00Z 99.00 99.00 1 1 "[]" "[]" # later: ignored
mkdir -p "$H/junk" && echo '{"schema": "something-else/1"}' >"$H/junk/summary.json"
cp "$H/2026-11-03/summary.json" "$T/tonight-in.json"

expect_rc 0 "report for the third night" -- "$REPORT" --history "$H" "$H/2026-11-03/summary.json"
expect_grep "$T/err" "junk/summary.json.*schema" "a summary of another schema is skipped with a warning"
html=$H/2026-11-03/index.html
for f in index.html summary.md summary.json; do
  [ -s "$H/2026-11-03/$f" ] && ok "$f written" || not_ok "$f written"
done

# ---- self-contained ---------------------------------------------------------
if grep -Eiq '<script|<link|<iframe|<object|<embed|@import|url\(' "$html"; then
  not_ok "no script, stylesheet link, frame or CSS url()"; grep -Eio '.{30}(<script|<link|url\().{30}' "$html" | head -3
else ok "no script, stylesheet link, frame or CSS url()"; fi
if grep -Eiq '(src|href|xlink:href)[[:space:]]*=[[:space:]]*["'"'"']?[[:space:]]*(https?:|//|javascript:|data:)' "$html"; then
  not_ok "no external or script src/href"; grep -Eio '(src|href)=.{40}' "$html" | head -3
else ok "no external or script src/href"; fi
grep -Eo 'href="[^"]*"' "$html" | grep -Ev 'href="([A-Za-z0-9_./#-]|%[0-9A-F]{2})+"' >"$T/badlinks"
[ -s "$T/badlinks" ] && { not_ok "links are plain relative paths"; head -3 "$T/badlinks"; } ||
  ok "links are plain relative paths"

# ---- plots ------------------------------------------------------------------
for p in plot-coverage plot-execs plot-buckets; do
  expect_grep "$html" "<svg id=\"$p\"" "plot $p present"
done
points=$(sed -n 's/.*<svg id="plot-coverage"\(.*\)<\/svg>.*/\1/p' "$html" | grep -o '<circle' | wc -l)
[ "$points" = 6 ] && ok "coverage plot: 3 nights x 2 series" || not_ok "coverage plot has $points points, wanted 6"
sed -n 's/.*<svg id="plot-execs"\(.*\)<\/svg>.*/\1/p' "$html" >"$T/execs.svg"
expect_grep "$T/execs.svg" "2026-11-01.*2026-11-02.*2026-11-03" "nights in order on the x axis"
if grep -q '2026-11-05' "$html"; then not_ok "a later night stays out"; else ok "a later night stays out"; fi
expect_grep "$html" '<svg id="chart-exec-rate"' "exec/s bar chart"

# ---- comparison ---------------------------------------------------------------
sed -n '/<section id="comparison">/,/<\/section>/p' "$html" >"$T/cmp.html"
expect_grep "$T/cmp.html" "Previous night: 2026-11-02" "compared with the night before"
expect_grep "$T/cmp.html" 'id="delta-lines"><span class="up">\+2\.50 pp<' "line coverage +2.50 pp"
expect_grep "$T/cmp.html" 'id="delta-branches"><span class="down">-0\.50 pp<' "branch coverage -0.50 pp"
expect_grep "$T/cmp.html" 'stream libfuzzer asan</td>.*>\+50\.0 %<' "stream exec/s +50.0 %"
expect_grep "$T/cmp.html" 'packet libfuzzer asan</td>.*>-50\.0 %<' "packet exec/s -50.0 %"
expect_grep "$T/cmp.html" 'id="cmp-new">.*cccccccccccccccc.*dddddddddddddddd' "new buckets listed"
expect_grep "$T/cmp.html" 'id="cmp-fixed">.*bbbbbbbbbbbbbbbb' "fixed? bucket listed"
if grep -q 'id="cmp-fixed">.*aaaaaaaaaaaaaaaa' "$T/cmp.html"; then not_ok "a bucket seen again is not fixed"
else ok "a bucket seen again is not fixed"; fi
if grep -q 'cmp-targets' "$T/cmp.html"; then not_ok "same targets: no warning"; else ok "same targets: no warning"; fi

# ---- escaping -----------------------------------------------------------------
expect_grep "$html" '&lt;script&gt;alert\(1\)&lt;/script&gt; &amp; &quot;q&quot;' "hostile subclass escaped"
expect_grep "$html" '&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;' "hostile attribution escaped"
expect_grep "$html" '&lt;b&gt;bold&lt;/b&gt;' "hostile target escaped"
expect_grep "$html" 'stack-overflow é' "UTF-8 kept"
if grep -Eq '<img|<b>bold' "$html"; then not_ok "no markup from the data"; else ok "no markup from the data"; fi
if grep -q 'evil.example' "$html"; then not_ok "an absolute link is not linked"; else ok "an absolute link is not linked"; fi
expect_grep "$html" 'href="triage/buckets/aaaaaaaaaaaaaaaa/reproducer.ohs"' "reproducer linked relative"

# ---- summary.json -------------------------------------------------------------
out=$H/2026-11-03/summary.json
if jq -e . "$out" >/dev/null; then ok "summary.json parses"; else not_ok "summary.json parses"; fi
jq -S 'del(.comparison) | .buckets |= del(.fixed)' "$out" >"$T/a.json"
jq -S '.buckets |= del(.fixed)' "$T/tonight-in.json" >"$T/b.json"
if cmp -s "$T/a.json" "$T/b.json"; then ok "summary.json keeps every value"; else
  not_ok "summary.json keeps every value"; diff "$T/a.json" "$T/b.json" | head -5; fi
[ "$(jq -c '[.comparison.previous_date, .comparison.coverage_lines_delta_pp, .comparison.coverage_branches_delta_pp, .comparison.fixed_buckets, .comparison.nights_in_history]' "$out")" = \
  '["2026-11-02",2.5,-0.5,["bbbbbbbbbbbbbbbb"],2]' ] && ok "comparison in summary.json" ||
  { not_ok "comparison in summary.json"; jq -c .comparison "$out"; }
[ "$(jq -c '[.buckets.fixed[].id, .buckets.fixed[0].last_seen, .buckets.fixed[0].note]' "$out")" = '["bbbbbbbbbbbbbbbb","2026-11-02",null]' ] &&
  ok "buckets.fixed in summary.json" || { not_ok "buckets.fixed in summary.json"; jq -c .buckets.fixed "$out"; }
[ "$(jq -c '[.comparison.exec_per_sec[] | .change_percent]' "$out")" = '[50,-50]' ] &&
  ok "exec/s changes in summary.json" || { not_ok "exec/s changes"; jq -c .comparison.exec_per_sec "$out"; }
cp "$out" "$T/first.json"
expect_rc 0 "report again from its own output" -- "$REPORT" --history "$H" "$out"
if cmp -s "$out" "$T/first.json"; then ok "a second run is byte-identical"; else
  not_ok "a second run is byte-identical"; diff "$out" "$T/first.json" | head -5; fi

# ---- summary.md ---------------------------------------------------------------
md=$H/2026-11-03/summary.md
expect_grep "$md" '^\*\*2 new crash buckets, 1 known, 0 suppressed, 1 fixed\?\*\*' "summary.md headline"
expect_grep "$md" 'FIXED\? `bbbbbbbbbbbbbbbb`' "summary.md lists the fixed? bucket"
if grep -q '<script' "$md"; then not_ok "summary.md escapes"; else ok "summary.md escapes"; fi

# ---- first night, errors ------------------------------------------------------------
night "$T/first" 2026-11-01 2026-11-01T02:00:00Z 70 58 80 150 "[]" "[]"
expect_rc 0 "a night without history" -- "$REPORT" --history "$T/none" "$T/first/summary.json"
mkdir -p "$T/other" && jq '.targets = ["readers"] | .date = "2026-11-04" | .started = "2026-11-04T02:00:00Z"' \
  "$T/tonight-in.json" >"$T/other/summary.json"
expect_rc 0 "a night with other targets" -- "$REPORT" --history "$H" "$T/other/summary.json"
expect_grep "$T/other/index.html" 'id="cmp-targets"' "other targets: the comparison says so"
[ "$(jq .comparison.targets_changed "$T/other/summary.json")" = true ] && ok "targets_changed in summary.json" ||
  not_ok "targets_changed in summary.json"
expect_grep "$T/first/index.html" "No earlier night in the history" "no comparison without history"
[ "$(jq -c '.comparison.previous_date, .buckets.fixed' "$T/first/summary.json" | tr '\n' ' ')" = 'null [] ' ] &&
  ok "comparison null without history" || not_ok "comparison null without history"
expect_rc 2 "no argument is a usage error" -- "$REPORT"
expect_rc 2 "a missing summary" -- "$REPORT" "$T/missing.json"
echo '{"schema": "opushunt-nightly/1", "date": ' >"$T/broken.json"
expect_rc 2 "a broken summary" -- "$REPORT" "$T/broken.json"
expect_grep "$T/err" "broken.json" "the error names the file"

finish
