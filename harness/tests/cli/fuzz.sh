#!/usr/bin/env bash
# opushunt fuzz: refusals (exit 2, one line, nothing made), a libFuzzer
# campaign that finds the planted crash (exit 1, collected with a sidecar,
# summary.json says so), one that finds the hang, fork mode, a clean run
# (exit 0, every summary field), a missing binary built by
# scripts/build-fuzzers, AFL++ when it is installed, and the committed
# corpus untouched by all of it. Fuzz binaries are built here from
# tests/data/fuzz/toy_target.c; every run is bounded by --runs and --seed.
. "$(dirname "$0")/lib.sh"
TOY="$SRC/harness/tests/data/fuzz/toy_target.c"
CC=clang-14
command -v "$CC" >/dev/null || { echo "skip: $CC not installed"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }
"$CC" -g -O1 -fsanitize=address,fuzzer "$TOY" -o "$T/toy" 2>"$T/cc.err" ||
  { echo "skip: $CC cannot build a libFuzzer binary:"; cat "$T/cc.err"; exit 77; }
"$CC" -g -O1 -fsanitize=address,fuzzer -DOH_TOY_NO_BUGS "$TOY" -o "$T/toy-clean" || exit 1

# A source tree of our own: one target, committed seeds, regression
# inputs and a dictionary, all of which fuzzing may only read.
S="$T/src"
mkdir -p "$S/harness/fuzzers" "$S/corpus/toy" "$S/corpus/regressions/toy" "$S/mutators/dict"
printf '# test targets\n\ntoy\nother\n' >"$S/harness/fuzzers/TARGETS"
printf 'CRASX' >"$S/corpus/toy/a_near_miss.bin"
printf 'hello' >"$S/corpus/toy/b_hello.bin"
printf 'CRASX' >"$S/corpus/regressions/toy/a_near_miss.bin" # same name, same bytes: one copy
printf 'ABCDE' >"$S/corpus/regressions/toy/r_old_bug.bin"
printf 'kw="CRASH"\n' >"$S/mutators/dict/toy.dict"
sum_corpus() { (cd "$S" && find corpus mutators -type f | sort | xargs sha256sum; find corpus | sort); }
BEFORE=$(sum_corpus)
export OPUSHUNT_SOURCE_DIR="$S"
unset CI

# json FILE PYTHON-EXPR DESCRIPTION: the expression over d (the parsed file) is true.
json() {
  if python3 -c "import json,sys,os; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" \
    2>"$T/py.err"; then ok "$3"; else not_ok "$3 ($2)"; sed 's/^/    | /' "$T/py.err" | head -3; fi
}

# refuse DESCRIPTION REGEX -- args...: exit 2, one stderr line, no stdout, no campaign folder.
refuse() {
  local what=$1 re=$2
  shift 3
  expect_rc 2 "$what: exit 2" -- "$OH" fuzz "$@"
  expect_lines "$T/err" 1 "$what: one line"
  expect_grep "$T/err" "$re" "$what: says why"
  if [ -s "$T/out" ]; then not_ok "$what: nothing on stdout"; else ok "$what: nothing on stdout"; fi
}
B=(--binary "$T/toy")
refuse "unknown target" "^opushunt fuzz: unknown target 'nosuch': toy, other" -- nosuch "${B[@]}"
refuse "unknown engine" "--engine takes libfuzzer or afl, not 'honggfuzz'" -- toy --engine honggfuzz
refuse "unknown sanitizer" "--sanitizer takes none, asan, ubsan or msan" -- toy --sanitizer tsan
refuse "msan under afl" "msan works with --engine libfuzzer only" -- toy --engine afl --sanitizer msan
refuse "zero time" "--time takes SECONDS, Nm or Nh" -- toy --time 0
refuse "bad time unit" "--time takes SECONDS, Nm or Nh" -- toy --time 5d
refuse "zero runs" "--runs takes a number 1\.\." -- toy --runs 0
refuse "zero jobs" "--jobs takes a number 1\.\.64" -- toy --jobs 0
refuse "bad seed" "--seed takes a number" -- toy --seed x
refuse "quiet and verbose" "pick one" -- toy -q -v
refuse "missing target" "missing TARGET" --
refuse "two targets" "one TARGET only" -- toy other
refuse "missing corpus folder" "--corpus $T/nosuch: not a folder" -- toy --corpus "$T/nosuch"
refuse "missing dictionary" "--dict $T/nosuch.dict: no such file" -- toy --dict "$T/nosuch.dict"
refuse "missing binary" "--binary $T/nosuch: not an executable" -- toy --binary "$T/nosuch"
refuse "unknown option" "unknown option" -- toy --frobnicate
mkdir -p "$T/used" && touch "$T/used/x"
refuse "used --out folder" "--out $T/used is not empty" -- toy "${B[@]}" --out "$T/used"
refuse "afl custom mutator missing" "custom mutator library .*libohmutate-afl.so not found" \
  -- toy --engine afl "${B[@]}"
if [ -e "$S/reports" ] || [ -e "$S/build" ]; then not_ok "refusals made no folders"; else ok "refusals made no folders"; fi
(unset OPUSHUNT_SOURCE_DIR
 refuse "unknown target in the real tree" "^opushunt fuzz: unknown target 'nosuch': packet, " -- nosuch)

expect_rc 0 "--help" -- "$OH" fuzz --help
expect_grep "$T/out" "^usage: opushunt fuzz" "--help prints the usage"

# The crash: found from the near miss, collected with a sidecar, exit 1.
C="$T/crash"
expect_rc 1 "libFuzzer crash run: exit 1" -- "$OH" fuzz toy "${B[@]}" --runs 200000 --seed 1 --out "$C"
expect_grep "$T/out" "crashes=1 hangs=0" "summary says crashes=1"
expect_grep "$T/out" "reproduce +.* replay --target toy --format auto $C/crashes/crash-" "summary gives the replay command"
crash=$(ls "$C"/crashes/crash-* 2>/dev/null | grep -v '\.json$' | head -1)
if [ -n "$crash" ] && [ "$(head -c 5 "$crash")" = CRASH ]; then ok "crash input collected"; else not_ok "crash input collected ($crash)"; fi
json "$crash.json" "d['target']=='toy' and d['engine']=='libfuzzer' and d['sanitizer']=='asan' and d['instance']=='libfuzzer' and d['kind']=='crash' and d['build']=='libfuzzer-asan'" "sidecar: target, engine, sanitizer, instance, kind, build"
json "$crash.json" "'heap-buffer-overflow' in d['report'] and d['report_source']=='engine' and 'heap-buffer-overflow' in d['summary'] and d['original_path']==sys.argv[1][:-5]" "sidecar: the engine's report and the original path"
json "$C/summary.json" "d['crash_count']==1 and d['hang_count']==0 and d['exit_reason']=='first-finding' and d['crashes'][0]['path']==sys.argv[1].rsplit('/',1)[0]+'/crashes/'+os.path.basename(d['crashes'][0]['path']) and os.path.exists(d['crashes'][0]['path'])" "summary.json lists the crash"
json "$C/summary.json" "d['dict'].endswith('/mutators/dict/toy.dict') and d['seeds']==3 and d['seed']==1" "the target's dictionary and 3 distinct seeds were used"
for f in a_near_miss.bin b_hello.bin r_old_bug.bin; do
  if [ -f "$C/corpus/$f" ]; then ok "seed $f copied into the working corpus"; else not_ok "seed $f copied into the working corpus"; fi
done
if [ -e "$C/tmp" ]; then not_ok "engine scratch folder removed"; else ok "engine scratch folder removed"; fi

# A --crashes folder with older findings: they stay, and are not counted.
mkdir -p "$T/shared" && printf 'old' >"$T/shared/crash-0000old"
expect_rc 1 "crash run into a used --crashes folder" -- "$OH" fuzz toy "${B[@]}" --runs 200000 --seed 1 \
  --crashes "$T/shared" --out "$T/crash2"
json "$T/crash2/summary.json" "d['crash_count']==1 and d['crash_dir']==os.path.realpath(sys.argv[1]+'/../../shared') and not any('0000old' in c['path'] for c in d['crashes'])" "only this campaign's crash is counted"
if [ "$(cat "$T/shared/crash-0000old")" = old ] && [ ! -e "$T/shared/crash-0000old.json" ]; then
  ok "the older finding is left alone"; else not_ok "the older finding is left alone"; fi

# The hang: a seed that loops, a one-second timeout.
mkdir -p "$T/hangseed" && printf 'HANG' >"$T/hangseed/h"
H="$T/hang"
expect_rc 1 "libFuzzer hang run: exit 1" -- "$OH" fuzz toy "${B[@]}" --runs 100 --seed 1 --timeout 1 --corpus "$T/hangseed" --out "$H"
expect_grep "$T/out" "crashes=0 hangs=1" "summary says hangs=1"
hang=$(ls "$H"/crashes/timeout-* 2>/dev/null | grep -v '\.json$' | head -1)
json "$hang.json" "d['kind']=='timeout' and 'libFuzzer: timeout' in d['report'] and d['summary']=='libFuzzer: timeout'" "hang sidecar holds the timeout report"
json "$H/summary.json" "d['hang_count']==1 and len(d['hangs'])==1 and d['crashes']==[]" "summary.json lists the hang"

# Fork mode keeps going after the crash; reports come from a re-run.
F="$T/fork"
refuse "fork mode with --runs alone" "--runs with --jobs > 1 needs --time too" -- toy "${B[@]}" --jobs 2 --runs 100
expect_rc 1 "libFuzzer --jobs 2: exit 1" -- "$OH" fuzz toy "${B[@]}" --jobs 2 --runs 20000 --time 5 --timeout 2 --seed 1 --out "$F"
json "$F/summary.json" "d['crash_count']>=1 and d['jobs']==2 and d['exit_reason'] in ('run-limit','time-limit') and '-fork=2' in d['command']" "fork mode ran to its limit and kept the crash"
json "$(ls "$F"/crashes/crash-*.json | head -1)" "d['report_source']=='rerun' and 'heap-buffer-overflow' in d['report']" "fork-mode crash report from a re-run"

# A clean run: exit 0 and every field of summary.json.
N="$T/clean"
expect_rc 0 "clean run: exit 0" -- "$OH" fuzz toy --binary "$T/toy-clean" --runs 3000 --seed 7 --out "$N"
expect_grep "$T/out" "crashes=0 hangs=0" "clean summary says no findings"
json "$N/summary.json" "all(k in d for k in ['target','engine','sanitizer','fixed','custom_mutator','seed','jobs','time_s','runs','execs','exec_per_sec','cov','ft','corpus_count','crashes','hangs','exit_reason','crash_dir','reproduce'])" "summary.json has every field"
json "$N/summary.json" "d['exit_reason']=='run-limit' and d['execs']>=3000 and d['runs']==3000 and d['time_s'] is None and d['cov']>0 and d['corpus_count']>0 and d['crash_count']==0 and d['reproduce'] is None and d['custom_mutator'] is None" "clean summary: run limit reached, coverage counted"
json "$N/summary.json" "d['instances'][0]['exit_code']==0 and os.path.isfile(d['instances'][0]['log'])" "the engine's log is kept"

# CI=true: no progress at all, unless --verbose asks for plain lines.
CI=true expect_rc 0 "CI run" -- "$OH" fuzz toy --binary "$T/toy-clean" --runs 500 --seed 7 --out "$T/ci1"
expect_lines "$T/err" 1 "CI: only the banner on stderr"
CI=true expect_rc 0 "CI run, --verbose" -- "$OH" fuzz toy --binary "$T/toy-clean" --runs 500 --seed 7 -v --out "$T/ci2"
expect_grep "$T/err" "^\[ +[0-9]+s\] execs [0-9]+ \([0-9.k]+/s\) \| cov [0-9]+ ft [0-9]+ \| corpus [0-9]+ \| crashes 0 hangs 0$" "CI --verbose: plain progress lines"
if grep -q $'\r' "$T/err"; then not_ok "CI --verbose: no carriage returns"; else ok "CI --verbose: no carriage returns"; fi

# Default folder: reports/fuzz/<target>-<engine>-<sanitizer>-<UTC time> of the tree.
expect_rc 0 "default --out" -- "$OH" fuzz toy --binary "$T/toy-clean" --runs 500 --seed 7 -q
d=$(ls -d "$S"/reports/fuzz/toy-libfuzzer-asan-2*Z 2>/dev/null | head -1)
if [ -n "$d" ] && [ -f "$d/summary.json" ]; then ok "default campaign folder under reports/fuzz"; else not_ok "default campaign folder under reports/fuzz"; fi

# A missing binary is built with scripts/build-fuzzers, whose failure is one line.
mkdir -p "$S/scripts"
refuse "no build script" "not built and $S/scripts/build-fuzzers is missing" -- toy --runs 10 --out "$T/b0"
printf '#!/bin/sh\necho "compiling..."\necho "fake build failure for $1 $2" >&2\nexit 3\n' >"$S/scripts/build-fuzzers"
chmod +x "$S/scripts/build-fuzzers"
expect_rc 2 "failing build: exit 2" -- "$OH" fuzz toy --runs 10 --seed 1 --out "$T/b1"
expect_grep "$T/err" "running scripts/build-fuzzers libfuzzer asan" "says it runs the build"
expect_grep "$T/err" "failed \(exit 3\): fake build failure for libfuzzer asan; log: " "build failure in one line with its log"
printf '#!/bin/sh\nset -e\nd=build/fuzz/$1-$2/bin\nmkdir -p "$d"\ncp "%s" "$d/fuzz-toy"\ncp "%s" "$d/fuzz-toy-bytes"\n' \
  "$T/toy-clean" "$T/toy-clean" >"$S/scripts/build-fuzzers"
expect_rc 0 "binary built on demand" -- "$OH" fuzz toy --runs 500 --seed 1 --out "$T/b2"
json "$T/b2/summary.json" "d['binary'].endswith('/src/build/fuzz/libfuzzer-asan/bin/fuzz-toy') and d['custom_mutator'] is True" "runs the built fuzz-toy with the custom mutator"
expect_rc 0 "byte-level twin" -- "$OH" fuzz toy --no-custom-mutator --runs 500 --seed 1 --out "$T/b3"
json "$T/b3/summary.json" "d['binary'].endswith('/fuzz-toy-bytes') and d['custom_mutator'] is False" "--no-custom-mutator runs fuzz-toy-bytes"

# AFL++, when installed: the same crash, found by afl-fuzz and copied out.
if command -v afl-clang-fast >/dev/null && command -v afl-fuzz >/dev/null &&
  AFL_QUIET=1 AFL_USE_ASAN=1 AFL_DONT_OPTIMIZE=1 afl-clang-fast -g -O1 -fsanitize=fuzzer "$TOY" \
    -o "$T/toy-afl" >"$T/afl-cc.log" 2>&1; then
  A="$T/afl"
  expect_rc 1 "AFL++ crash run: exit 1" -- "$OH" fuzz toy --engine afl --binary "$T/toy-afl" \
    --no-custom-mutator --runs 20000 --seed 1 --out "$A"
  expect_grep "$T/out" "crashes=[1-9][0-9]* hangs=0" "AFL++ summary counts the crash"
  acrash=$(ls "$A"/crashes/crash-main-id_* 2>/dev/null | grep -v '\.json$' | head -1)
  if [ -n "$acrash" ] && [ "$(head -c 5 "$acrash")" = CRASH ]; then ok "AFL++ crash copied out"; else not_ok "AFL++ crash copied out ($acrash)"; fi
  json "$acrash.json" "d['engine']=='afl' and d['instance']=='main' and d['original_path'].startswith(sys.argv[1].rsplit('/crashes/',1)[0]+'/afl/main/crashes/id:') and os.path.exists(d['original_path']) and 'heap-buffer-overflow' in d['report']" "AFL++ sidecar: instance, original kept, re-run report"
  json "$A/summary.json" "d['engine']=='afl' and d['edges_found']>0 and d['execs']>0 and d['custom_mutator'] is False and d['exit_reason']=='run-limit'" "AFL++ summary.json: edges and execs"
else
  echo "# AFL++ part skipped: afl-clang-fast or afl-fuzz missing"
fi

AFTER=$(sum_corpus)
if [ "$BEFORE" = "$AFTER" ]; then ok "committed corpus, regressions and dictionary unchanged"; else
  not_ok "committed corpus, regressions and dictionary unchanged"; diff <(echo "$BEFORE") <(echo "$AFTER") | head -5; fi
finish
