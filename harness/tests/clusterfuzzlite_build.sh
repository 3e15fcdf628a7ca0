#!/usr/bin/env bash
# Local test of the ClusterFuzzLite / OSS-Fuzz build (.clusterfuzzlite/build.sh)
# without Docker: sets the variables the OSS-Fuzz builder sets for libFuzzer +
# ASan (clang-14 standing in for the image's clang), lays out a scratch $SRC
# as the Dockerfile does ($SRC/opushunt -> this checkout, $SRC/opus -> the
# libopus tree scripts/build-libopus unpacked, $SRC/build.sh), runs the build
# script as the builder does (bash -eux, from $SRC/opushunt), then checks
# $OUT: per target of harness/fuzzers/TARGETS an executable, a .dict equal to
# mutators/dict/<t>.dict, a .options file that parses as INI with a
# [libfuzzer] section whose keys libFuzzer knows, and a non-empty seed corpus
# zip holding every seed; each binary, run with its options as ClusterFuzz
# passes them, loads its unzipped seeds (-runs=0), then runs 200 inputs
# (-runs=200 -seed=1; pipeline is built pinned to its reference model), exiting 0 both
# times; the libopus tree is unchanged.
#
# Usage: harness/tests/clusterfuzzlite_build.sh   (ctest: cfl.build, label slow)
# Exit 0 all passed, 1 a check failed, 77 skipped (clang-14, python3 or the
# libopus tree missing; the reason is printed). OPUS_SOURCE_DIR=/path tests
# another libopus tree. OH_CFL_KEEP=1 keeps the scratch folder.
set -u

REPO=${OH_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
fails=0
passes=0
ok() { passes=$((passes + 1)); echo "ok - $*"; }
not_ok() { fails=$((fails + 1)); echo "not ok - $*"; }
skip() {
	echo "skip - $*"
	exit 77
}
finish() {
	echo "$passes passed, $fails failed"
	[ "$fails" = 0 ]
	exit $?
}
# check DESCRIPTION LOG -- command...: runs it (output to LOG), ok when it
# exits 0, else not ok with LOG's last lines.
check() {
	local what=$1 log=$2 rc
	shift 3
	"$@" >"$log" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then ok "$what"; else
		not_ok "$what (exit $rc; log $log)"
		tail -n 15 "$log" | sed 's/^/    | /'
	fi
	return "$rc"
}

command -v clang-14 >/dev/null || skip "clang-14 not found (the builder's compiler stand-in)"
command -v clang++-14 >/dev/null || skip "clang++-14 not found"
command -v python3 >/dev/null || skip "python3 not found (parses the .options files, unzips)"
command -v cmake >/dev/null || skip "cmake not found"
if [ -n "${OPUS_SOURCE_DIR:-}" ]; then
	tree=$OPUS_SOURCE_DIR
else
	tree=$(find "$REPO/build/libopus/src" -mindepth 2 -maxdepth 2 -name tree -type d 2>/dev/null | sort | head -n1)
fi
if [ -z "$tree" ] || { [ ! -f "$tree/configure" ] && [ ! -f "$tree/configure.ac" ]; }; then
	skip "no libopus source tree (${tree:-$REPO/build/libopus/src/*/tree}): run scripts/build-libopus first, or set OPUS_SOURCE_DIR"
fi
unset OPUS_SOURCE_DIR OPUSHUNT_DIR # build.sh must find both through its defaults

T=$(mktemp -d /tmp/opushunt-cfl.XXXXXX)
if [ "${OH_CFL_KEEP:-0}" = 1 ]; then echo "# scratch: $T (kept)"; else trap 'rm -rf "$T"' EXIT; fi
mkdir -p "$T/src" "$T/out" "$T/work" "$T/run"
ln -s "$REPO" "$T/src/opushunt"
ln -s "$tree" "$T/src/opus"
cp "$REPO/.clusterfuzzlite/build.sh" "$T/src/build.sh"
touch "$T/before-build"
sleep 1 # mtime granularity: anything build.sh writes into the tree is newer

# What the OSS-Fuzz builder exports for libFuzzer + ASan (its compile step).
flags="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
t0=$(date +%s)
check "build.sh builds (libFuzzer + ASan, clang-14; $tree)" "$T/build.log" -- \
	env -C "$T/src/opushunt" CC=clang-14 CXX=clang++-14 CFLAGS="$flags" CXXFLAGS="$flags" \
	LIB_FUZZING_ENGINE=-fsanitize=fuzzer SANITIZER=address FUZZING_ENGINE=libfuzzer \
	FUZZING_LANGUAGE=c ARCHITECTURE=x86_64 SRC="$T/src" OUT="$T/out" WORK="$T/work" \
	bash -eux "$T/src/build.sh" || finish
echo "# build took $(($(date +%s) - t0)) s"

changed=$(find -L "$tree" -newer "$T/before-build" -print -quit 2>/dev/null)
if [ -z "$changed" ]; then ok "libopus tree untouched"; else not_ok "build.sh wrote into the libopus tree ($changed)"; fi

# Prints the options file's [libfuzzer] section as -key=value lines (the way
# ClusterFuzz passes them, the dict made absolute), or fails with a reason.
options_args() {
	python3 - "$1" "$2" <<'EOF'
import configparser, os, sys
path, target = sys.argv[1], sys.argv[2]
cp = configparser.ConfigParser()
try:
    if not cp.read(path):
        sys.exit("cannot read " + path)
except configparser.Error as e:
    sys.exit("not INI: %s" % e)
if not cp.has_section("libfuzzer"):
    sys.exit("no [libfuzzer] section")
opts = dict(cp.items("libfuzzer"))
if opts.get("dict") != target + ".dict":
    sys.exit("dict is %r, not %s.dict" % (opts.get("dict"), target))
for key in ("max_len", "timeout", "rss_limit_mb"):
    if not opts.get(key, "").isdigit() or int(opts[key]) <= 0:
        sys.exit("%s is %r, not a positive number" % (key, opts.get(key)))
for key, value in opts.items():
    if key == "dict":
        value = os.path.join(os.path.dirname(os.path.abspath(path)), value)
    print("-%s=%s" % (key, value))
EOF
}

unzip_to() {
	python3 - "$1" "$2" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    if z.testzip() is not None:
        sys.exit("corrupt member")
    z.extractall(sys.argv[2])
    print(len(z.namelist()))
EOF
}

# ClusterFuzz's defaults that matter here; leaks fail as they would there.
export ASAN_OPTIONS=${ASAN_OPTIONS:-alloc_dealloc_mismatch=0:allocator_may_return_null=1:detect_leaks=1:detect_stack_use_after_return=1:symbolize=1}
mapfile -t targets < <(grep -E '^[a-z]' "$REPO/harness/fuzzers/TARGETS" | tr -d ' \t\r')
for t in "${targets[@]}"; do
	bin=$T/out/$t run=$T/run/$t
	mkdir -p "$run/seeds"
	if [ -f "$bin" ] && [ -x "$bin" ]; then ok "$t: executable \$OUT/$t"; else not_ok "$t: no executable \$OUT/$t"; continue; fi
	if cmp -s "$T/out/$t.dict" "$REPO/mutators/dict/$t.dict"; then ok "$t: \$OUT/$t.dict is mutators/dict/$t.dict"; else not_ok "$t: \$OUT/$t.dict missing or not mutators/dict/$t.dict"; fi
	args=()
	if lines=$(options_args "$T/out/$t.options" "$t" 2>"$run/options.err"); then
		mapfile -t args <<<"$lines"
		shown=${args[*]}
		ok "$t: \$OUT/$t.options parses (${shown//"$T/out/"/})"
	else
		not_ok "$t: \$OUT/$t.options: $(cat "$run/options.err")"
	fi
	"$bin" -help=1 >"$run/help" 2>&1
	unknown=""
	for a in "${args[@]}"; do
		key=${a%%=*}
		grep -Eq "^ ${key#-} " "$run/help" || unknown="$unknown ${key#-}"
	done
	if [ -z "$unknown" ]; then ok "$t: libFuzzer knows every option"; else not_ok "$t: options libFuzzer does not know:$unknown"; fi
	zip=$T/out/${t}_seed_corpus.zip
	want=$(find "$REPO/corpus/$t" "$REPO/corpus/regressions/$t" -maxdepth 1 -type f 2>/dev/null | wc -l)
	if [ -s "$zip" ] && n=$(unzip_to "$zip" "$run/seeds" 2>"$run/unzip.err") && [ "$n" -gt 0 ] && [ "$n" = "$want" ]; then
		ok "$t: seed corpus zip holds all $n seeds"
	else
		not_ok "$t: seed corpus zip missing, empty or not all $want seeds (${n:-?} entries: $(cat "$run/unzip.err" 2>/dev/null))"
		continue
	fi
	check "$t: loads its seeds (-runs=0)" "$run/runs0.log" -- \
		"$bin" "${args[@]}" -runs=0 -artifact_prefix="$run/" "$run/seeds"
	# pipeline is built pinned to its reference caller (OH_PIPELINE_PIN), so
	# the misuse defects planted on purpose must not show up here.
	check "$t: runs 200 inputs (-runs=200 -seed=1)" "$run/runs200.log" -- \
		"$bin" "${args[@]}" -runs=200 -seed=1 -artifact_prefix="$run/" "$run/seeds"
done
finish
