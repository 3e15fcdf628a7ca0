#!/usr/bin/env bash
# opushunt corpus from the command line. generate: two runs give identical
# bytes; every packet seed decodes as a raw packet and all 32 configs x
# mono/stereo x codes 0-3 are there with the TOC their names claim; scripts
# start with OHS1; a differing file is kept without --force and replaced
# with it; regressions/ and a user's own files are never touched; the
# corpus stays small. merge: argument errors, a fake engine that checks the
# arguments and resumes after a timeout, --replace with a backup, and real
# libFuzzer and afl-cmin runs on tiny targets compiled here (skipped, with a
# note, when the compilers are missing). Bad options: one line, exit 2.
. "$(dirname "$0")/lib.sh"

# ---- generate -------------------------------------------------------------
expect_rc 0 "generate into a new folder" -- "$OH" corpus generate --out "$T/a"
expect_grep "$T/out" "^total +[0-9]+ seeds .*: [0-9]+ written, 0 unchanged, 0 skipped" "summary line"
expect_rc 0 "generate again elsewhere" -- "$OH" corpus generate --out "$T/b" -q
if diff -r "$T/a" "$T/b" >/dev/null; then ok "two runs give identical bytes"; else not_ok "two runs give identical bytes"; fi
expect_rc 0 "a third run over the first" -- "$OH" corpus generate --out "$T/a"
expect_grep "$T/out" "^total .*: 0 written, [0-9]+ unchanged, 0 skipped" "identical files are left alone"

for t in packet stream multistream projection custom repacketizer pipeline readers; do
  n=$(find "$T/a/$t" -type f | wc -l)
  if [ "$n" -ge 8 ]; then ok "$t: $n seeds"; else not_ok "$t: only $n seeds"; fi
done
files=$(find "$T/a" -type f | wc -l)
bytes=$(du -sb "$T/a" | cut -f1)
if [ "$files" -le 400 ] && [ "$bytes" -le $((2 * 1024 * 1024)) ]; then ok "small: $files files, $bytes bytes"
else not_ok "corpus too big: $files files, $bytes bytes"; fi

# Every packet seed decodes as one raw packet that breaks no RFC 6716 rule.
bad=0
for f in "$T/a"/packet/*.raw; do
  if ! "$OH" decode --format raw -q "$f" >/dev/null 2>"$T/err"; then
    bad=$((bad + 1)); echo "    | $(basename "$f"): $(head -1 "$T/err")"
  fi
done
[ "$bad" = 0 ] && ok "every packet seed decodes as a raw packet" || not_ok "$bad packet seeds do not decode"
"$OH" decode --format raw "$T/a/packet/celt-fb-2.5ms-mono-code3-48frames-cbr.raw" >"$T/out" 2>&1
expect_grep "$T/out" "breaking RFC 6716 rules: 0" "the 48-frame packet is valid"

# The TOC byte of every <mode>-<bw>-<dur>-<ch>-code<N> seed is the one its
# name claims, and all 256 TOC bytes occur.
declare -A base=([silk-nb]=0 [silk-mb]=4 [silk-wb]=8 [hybrid-swb]=12 [hybrid-fb]=14
                 [celt-nb]=16 [celt-wb]=20 [celt-swb]=24 [celt-fb]=28)
declare -A step=([silk-10ms]=0 [silk-20ms]=1 [silk-40ms]=2 [silk-60ms]=3 [hybrid-10ms]=0
                 [hybrid-20ms]=1 [celt-2.5ms]=0 [celt-5ms]=1 [celt-10ms]=2 [celt-20ms]=3)
named=0 wrong=0
for f in "$T/a"/packet/*.raw; do
  n=$(basename "$f")
  [[ $n =~ ^(silk|hybrid|celt)-([a-z]+)-([0-9.]+ms)-(mono|stereo)-code([0-3])(-cbr|-vbr)?(-pad)?\.raw$ ]] || continue
  mode=${BASH_REMATCH[1]} dur=${BASH_REMATCH[3]} code=${BASH_REMATCH[5]}
  s=0; [ "${BASH_REMATCH[4]}" = stereo ] && s=1
  idx=${step[$mode-$dur]}
  want=$(( ((${base[$mode-${BASH_REMATCH[2]}]} + idx) << 3) | (s << 2) | code ))
  got=$(od -An -tu1 -N1 "$f" | tr -d ' ')
  named=$((named + 1))
  if [ "$got" != "$want" ]; then wrong=$((wrong + 1)); echo "    | $n: TOC $got, name says $want"; fi
done
[ "$named" = 256 ] && ok "256 named config/stereo/code seeds" || not_ok "$named named config/stereo/code seeds, wanted 256"
[ "$wrong" = 0 ] && ok "every named seed has the TOC its name claims" || not_ok "$wrong seeds with the wrong TOC"
tocs=$(for f in "$T/a"/packet/*.raw; do od -An -tu1 -N1 "$f"; done | sort -u | wc -l)
[ "$tocs" = 256 ] && ok "all 256 TOC bytes occur" || not_ok "$tocs distinct TOC bytes, wanted 256"

# Scripts: the OHS1 magic, and the stream reader accepts them.
nomagic=0
for f in "$T/a"/{stream,multistream,projection,custom,repacketizer,pipeline}/* "$T/a"/readers/*.ohs; do
  [ "$(head -c 4 "$f")" = OHS1 ] || { nomagic=$((nomagic + 1)); echo "    | $f"; }
done
[ "$nomagic" = 0 ] && ok "every script starts with OHS1" || not_ok "$nomagic scripts without OHS1"
expect_rc 0 "a stream seed decodes as a script" -- "$OH" decode "$T/a/stream/silk-wb-20ms-mono-48k-fec-loss-every3.ohs"
expect_grep "$T/out" "recovered by FEC" "the FEC seed's summary"
for f in "$T/a"/readers/*; do
  "$OH" decode -q "$f" >/dev/null 2>"$T/err" || { not_ok "readers seed $(basename "$f") decodes"; head -2 "$T/err"; }
done
ok "every readers seed decodes with format detection"

# A differing file is kept without --force; regressions/ and extra files stay.
f="$T/a/packet/celt-fb-20ms-stereo-code0.raw"
printf 'x' >>"$f"
sum=$(md5sum <"$f")
mkdir -p "$T/a/regressions/packet"
printf 'crash' >"$T/a/regressions/packet/crash-1"
printf 'mine' >"$T/a/packet/my-own-seed.raw"
expect_rc 1 "a differing file without --force exits 1" -- "$OH" corpus generate --out "$T/a" --target packet
expect_grep "$T/out" "^packet .*: 0 written, [0-9]+ unchanged, 1 skipped" "counted as skipped"
expect_grep "$T/err" "kept .*celt-fb-20ms-stereo-code0.raw: it differs" "the kept file is named"
[ "$(md5sum <"$f")" = "$sum" ] && ok "the differing file is untouched" || not_ok "the differing file was changed"
expect_rc 0 "--force replaces it" -- "$OH" corpus generate --out "$T/a" --target packet --force
expect_grep "$T/out" "^packet .*: 1 written" "one file written"
cmp -s "$f" "$T/b/packet/celt-fb-20ms-stereo-code0.raw" && ok "the seed is back" || not_ok "the seed is back"
[ "$(cat "$T/a/regressions/packet/crash-1")" = crash ] && ok "regressions/ untouched" || not_ok "regressions/ untouched"
[ "$(cat "$T/a/packet/my-own-seed.raw")" = mine ] && ok "a user's own seed is untouched" || not_ok "a user's own seed is untouched"
ls "$T/a/packet" | grep -q '\.tmp\.' && not_ok "no temporary files left" || ok "no temporary files left"

expect_rc 0 "--target picks targets" -- "$OH" corpus generate --out "$T/c" --target custom --target readers -q
[ "$(ls "$T/c")" = "$(printf 'custom\nreaders')" ] && ok "only the chosen folders" || not_ok "only the chosen folders ($(ls "$T/c" | tr '\n' ' '))"

# Bad options: one line, exit 2.
bad_usage() { # DESCRIPTION -- command...
  local what=$1
  shift
  expect_rc 2 "$what" "$@"
  expect_lines "$T/err" 1 "$what: one error line"
}
bad_usage "unknown generate option" -- "$OH" corpus generate --bogus
bad_usage "unknown target" -- "$OH" corpus generate --target nope --out "$T/x"
bad_usage "--out without a value" -- "$OH" corpus generate --out
bad_usage "stray argument" -- "$OH" corpus generate extra
bad_usage "missing vector folder" -- "$OH" corpus generate --testvectors "$T/novectors" --out "$T/x"
bad_usage "no subcommand" -- "$OH" corpus
bad_usage "unknown subcommand" -- "$OH" corpus frobnicate
[ -e "$T/x" ] && not_ok "nothing written on bad usage" || ok "nothing written on bad usage"
expect_rc 0 "help" -- "$OH" corpus generate --help
expect_grep "$T/out" "usage: opushunt corpus generate" "help text"

# ---- merge ----------------------------------------------------------------
bad_usage "merge without a target" -- "$OH" corpus merge
bad_usage "merge of an unknown target" -- "$OH" corpus merge nosuch
bad_usage "unknown engine" -- "$OH" corpus merge stream --engine honggfuzz
bad_usage "bad --timeout" -- "$OH" corpus merge stream --timeout soon
bad_usage "unknown merge option" -- "$OH" corpus merge stream --bogus
bad_usage "missing fuzz binary" -- "$OH" corpus merge stream --corpus "$T/a/stream" --binary "$T/no-such-fuzzer"
expect_grep "$T/err" "no-such-fuzzer not found" "the missing binary is named"
bad_usage "--replace on regressions" -- "$OH" corpus merge packet --corpus "$T/a/regressions/packet" --replace

# A fake engine: logs its arguments, copies two inputs of each folder, or
# writes its control file and hangs (FAKE_MODE=hang).
FAKE="$T/fake-fuzz"
cat >"$FAKE" <<'EOF'
#!/usr/bin/env bash
echo "$@" >>"$FAKE_LOG"
ctl= dirs=()
for a in "$@"; do
  case $a in -merge_control_file=*) ctl=${a#*=} ;; -*) ;; *) dirs+=("$a") ;; esac
done
[ "${FAKE_MODE:-}" = hang ] && { echo "MERGE_OUTER" >"$ctl"; sleep 60; }
for d in "${dirs[@]:1}"; do ls "$d" | head -2 | while read -r f; do cp "$d/$f" "${dirs[0]}/"; done; done
EOF
chmod +x "$FAKE"
export FAKE_LOG="$T/fake.log"
bad_usage "afl-cmin takes one folder" -- "$OH" corpus merge stream --engine afl --binary "$FAKE" --corpus "$T/a/stream" "$T/a/custom"
bad_usage "missing corpus folder" -- "$OH" corpus merge stream --binary "$FAKE" --corpus "$T/none"
sum=$(cd "$T/a/stream" && cat * | md5sum)
expect_rc 0 "merge with the fake engine" -- "$OH" corpus merge stream --binary "$FAKE" --corpus "$T/a/stream" --into "$T/m1"
expect_grep "$T/out" "^before: 43 files" "before count"
expect_grep "$T/out" "^after:  2 files" "after count"
expect_grep "$FAKE_LOG" "^-merge=1 -merge_control_file=$T/m1.merge-control -timeout=10 $T/m1 $T/a/stream$" "libFuzzer arguments"
[ -e "$T/m1.merge-control" ] && not_ok "control file removed after success" || ok "control file removed after success"
[ "$(cd "$T/a/stream" && cat * | md5sum)" = "$sum" ] && ok "the original corpus is unchanged" || not_ok "the original corpus changed"
bad_usage "an existing non-merge --into is refused" -- "$OH" corpus merge stream --binary "$FAKE" --corpus "$T/a/stream" --into "$T/m1"

FAKE_MODE=hang expect_rc 2 "a merge that times out exits 2" -- "$OH" corpus merge stream --binary "$FAKE" --corpus "$T/a/stream" --into "$T/m2" --timeout 1
expect_grep "$T/err" "timeout.*run the same command again to resume" "says how to resume"
[ -e "$T/m2.merge-control" ] && ok "the control file stays for resuming" || not_ok "the control file stays for resuming"
expect_rc 0 "the same command resumes" -- "$OH" corpus merge stream --binary "$FAKE" --corpus "$T/a/stream" --into "$T/m2"
expect_grep "$T/out" "resumed an interrupted merge" "reported as resumed"

mkdir -p "$T/r" && cp -r "$T/a/custom" "$T/r/custom"
expect_rc 0 "--replace" -- "$OH" corpus merge custom --binary "$FAKE" --corpus "$T/r/custom" --into "$T/r/merged" --replace
bak=$(ls -d "$T"/r/custom.bak-* 2>/dev/null | head -1)
[ -n "$bak" ] && [ "$(ls "$bak" | wc -l)" = "$(ls "$T/a/custom" | wc -l)" ] && ok "the original moved to a backup" || not_ok "the original moved to a backup"
[ "$(ls "$T/r/custom" | wc -l)" = 2 ] && ok "the merged corpus took its place" || not_ok "the merged corpus took its place"
(cd "$T/r" && mkdir -p d && cp -r "$T/a/custom" d/custom && "$OH" corpus merge custom --binary "$FAKE" --corpus d/custom -q) \
  && ls -d "$T/r/d/custom.merged-"[0-9]* >/dev/null 2>&1 && ok "default --into is <corpus>.merged-<date>" || not_ok "default --into"

# Real engines on a tiny target compiled here.
cat >"$T/tiny.c" <<'EOF'
#include <stdint.h>
#include <stddef.h>
#include <string.h>
static volatile int sink;
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) {
  if (n >= 5 && memcmp(d, "OHS1", 4) == 0) sink = d[4] == 0 ? 1 : d[4] == 1 ? 2 : 3;
  return 0;
}
EOF
if clang-14 -fsanitize=fuzzer -O1 "$T/tiny.c" -o "$T/tiny-libfuzzer" 2>/dev/null; then
  expect_rc 0 "libFuzzer -merge=1 on a real binary" -- "$OH" corpus merge stream --binary "$T/tiny-libfuzzer" \
    --corpus "$T/a/stream" --into "$T/lf" "$T/a/multistream" "$T/a/packet"
  n=$(ls "$T/lf" | wc -l)
  [ "$n" -ge 2 ] && [ "$n" -le 10 ] && ok "libFuzzer kept $n inputs" || not_ok "libFuzzer kept $n inputs"
else
  echo "# skipping the real libFuzzer merge: clang-14 -fsanitize=fuzzer unavailable"
fi
if command -v afl-clang-fast >/dev/null && command -v afl-cmin >/dev/null &&
   AFL_QUIET=1 afl-clang-fast -fsanitize=fuzzer -O1 "$T/tiny.c" -o "$T/tiny-afl" >/dev/null 2>&1; then
  AFL_ALLOW_TMP=1 AFL_CUSTOM_MUTATOR_LIBRARY=/nonexistent.so expect_rc 0 "afl-cmin on a real binary" -- \
    "$OH" corpus merge stream --engine afl --binary "$T/tiny-afl" --corpus "$T/a/stream" --into "$T/afl"
  n=$(ls "$T/afl" | wc -l)
  [ "$n" -ge 1 ] && [ "$n" -le 5 ] && ok "afl-cmin kept $n inputs" || not_ok "afl-cmin kept $n inputs"
else
  echo "# skipping the real afl-cmin merge: afl-clang-fast or afl-cmin unavailable"
fi
finish
