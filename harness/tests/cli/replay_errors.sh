#!/usr/bin/env bash
# opushunt replay's refusals: garbage input, a missing runner folder or
# runner, and option combinations that cannot work each give exit 2 and
# one line that says what to do, print nothing on stdout and run no child.
# Also: --extract writes a .bit file that extracts back to itself.
. "$(dirname "$0")/lib.sh"
S="$SRC/corpus/samples/tone-20ms-stereo-32k.lp16be"
NORUN="$T/no-runners"
export OPUSHUNT_RUNNER_DIR="$NORUN"

# refuse DESCRIPTION REGEX -- args...: exit 2, one stderr line matching
# REGEX, empty stdout.
refuse() {
  local what=$1 re=$2
  shift 3
  expect_rc 2 "$what: exit 2" -- "$OH" replay "$@"
  expect_lines "$T/err" 1 "$what: one line"
  expect_grep "$T/err" "$re" "$what: says why"
  if [ -s "$T/out" ]; then not_ok "$what: nothing on stdout"; else ok "$what: nothing on stdout"; fi
}

head -c 3000 /dev/urandom >"$T/garbage.bin"
refuse "garbage input" "^opushunt replay: $T/garbage.bin: offset 0: " -- "$T/garbage.bin"
printf '\377\377\001\002' >"$T/bad.lp16be"
refuse "lp16be prefix past the end" "bad.lp16be: offset 0: .*" -- --format lp16be "$T/bad.lp16be"
refuse "missing input file" "nosuch.bit" -- "$T/nosuch.bit"
refuse "missing runner folder" "runner directory '$NORUN' does not exist" -- "$S"
mkdir -p "$T/empty"
refuse "runner not built" "runner for lib 'asan' not built: run scripts/build-libopus asan and rebuild" \
  -- --under asan --runner-dir "$T/empty" "$S"
refuse "system runner not built" "runner for lib 'system' not built: install" \
  -- --runner-dir "$T/empty" "$S"

refuse "asan over the system lib" \
  "ASan sees nothing inside the uninstrumented system libopus: use --lib asan .*--under guard/valgrind" \
  -- --under asan --lib system "$S"
refuse "valgrind over an asan build" "Valgrind cannot run a runner built with ASan" \
  -- --under valgrind --lib asan "$S"
refuse "tsan over ubsan" "needs a libopus built with TSan" -- --under tsan --lib ubsan "$S"
refuse "--under all with --lib" "--under all runs each tool with its own library" \
  -- --under all --lib asan "$S"
refuse "unknown tool" "--under takes plain, guard, " -- --under gdb "$S"
refuse "unknown lib" "unknown lib 'opus2'" -- --lib opus2 "$S"
refuse "unknown model" "unknown model 'oops': caller, reference" -- --model oops "$S"
refuse "bad pcm capacity" "--pcm-capacity takes samples" -- --pcm-capacity 12x "$S"
refuse "bad frame size" "--frame-size takes a number" -- --frame-size -5 "$S"
refuse "zero timeout" "--timeout takes a number 1..86400" -- --timeout 0 "$S"
refuse "bad sample" "--sample takes float or s16" -- --sample double "$S"
refuse "--extract without --out" "--extract needs --out" -- --extract 0..2 "$S"
refuse "--out without --extract" "--out goes with --extract" -- --out "$T/x.bit" "$S"
refuse "empty range" "the range is empty" -- --extract 5..2 --out "$T/x.bit" "$S"
refuse "bad range" "--extract takes record indices" -- --extract a..b --out "$T/x.bit" "$S"
refuse "range past the end" "record 400 is past the end" -- --extract 0..400 --out "$T/x.bit" "$S"
refuse "--json and --json-out" "pick one" -- --json --json-out "$T/j.json" "$S"
refuse "no input" "missing INPUT" --
refuse "two inputs" "one INPUT only" -- "$S" "$S"
refuse "unknown option" "unknown option" -- --frobnicate "$S"
if [ -e "$T/x.bit" ]; then not_ok "no .bit written by refused extracts"; else ok "no .bit written by refused extracts"; fi

expect_rc 0 "--help" -- "$OH" replay --help
expect_grep "$T/out" "^usage: opushunt replay" "--help prints the usage"

# --extract: the .bit file holds the records and extracts back to itself.
expect_rc 0 "extract 3..7" -- "$OH" replay --extract 3..7 --out "$T/a.bit" "$S"
expect_grep "$T/out" "records 3..7 .* -> $T/a.bit" "extract says what it wrote"
expect_rc 0 "extract the extract" -- "$OH" replay --format bit --extract 0..4 --out "$T/b.bit" "$T/a.bit"
if cmp -s "$T/a.bit" "$T/b.bit"; then ok "extract of the extract is identical"; else not_ok "extract of the extract differs"; fi
# lp16 carries no final range: the .bit says 0 (unknown), so decode must not check it
expect_rc 0 "the extract decodes" -- "$OH" decode --format bit --no-range-check "$T/a.bit"
expect_grep "$T/out" "records: 5 " "the extract holds 5 records"
refuse "extract refuses to overwrite its input" "refusing to overwrite the input" \
  -- --format bit --extract 0..1 --out "$T/a.bit" "$T/a.bit"

finish
