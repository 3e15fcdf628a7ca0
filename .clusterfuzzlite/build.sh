#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script of opushunt (the builder image runs
# it as $SRC/build.sh). It builds a static libopus from source with the
# builder's compiler and flags, then every fuzz target listed in
# harness/fuzzers/TARGETS through the project's own CMake (engine libfuzzer:
# the same sources, flags and structure-aware custom mutator as
# `scripts/build-fuzzers libfuzzer`), and ships per target into $OUT:
#   <t>                  the fuzz binary (fuzz-<t> of the CMake build)
#   <t>_seed_corpus.zip  corpus/<t>/ plus corpus/regressions/<t>/
#   <t>.dict             mutators/dict/<t>.dict
#   <t>.options          harness/fuzzers/options/<t>.options ([libfuzzer] flags)
#
# Inputs: the builder's variables $CC, $CFLAGS, $LIB_FUZZING_ENGINE, $SRC,
# $OUT, $SANITIZER (only reported) and $WORK (scratch; a temporary folder
# when unset). $CXX/$CXXFLAGS are not needed: everything is C. Two paths have
# defaults that match .clusterfuzzlite/Dockerfile:
#   OPUSHUNT_DIR     the opushunt checkout       (default $SRC/opushunt)
#   OPUS_SOURCE_DIR  a libopus source tree       (default $SRC/opus)
# The libopus tree is copied into $WORK and built there; it is never modified.
# harness/tests/clusterfuzzlite_build.sh runs this script locally the way the
# builder does (libFuzzer + ASan) and checks what lands in $OUT.
set -euo pipefail

: "${CC:?}" "${CFLAGS:?}" "${LIB_FUZZING_ENGINE:?}" "${SRC:?}" "${OUT:?}"
OPUSHUNT_DIR=${OPUSHUNT_DIR:-$SRC/opushunt}
OPUS_SOURCE_DIR=${OPUS_SOURCE_DIR:-$SRC/opus}
JOBS=$(nproc)

say() { printf 'opushunt build.sh: %s\n' "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}

# The fuzz binaries define LLVMFuzzerCustomMutator, a libFuzzer interface,
# and harness/fuzzers/CMakeLists.txt links them with -fsanitize=fuzzer.
[[ $LIB_FUZZING_ENGINE == -fsanitize=fuzzer ]] ||
	die "LIB_FUZZING_ENGINE='$LIB_FUZZING_ENGINE': only libFuzzer (-fsanitize=fuzzer) is supported"
[[ -f $OPUSHUNT_DIR/harness/fuzzers/TARGETS ]] ||
	die "OPUSHUNT_DIR=$OPUSHUNT_DIR is not an opushunt checkout"
[[ -f $OPUS_SOURCE_DIR/configure || -f $OPUS_SOURCE_DIR/configure.ac ]] ||
	die "OPUS_SOURCE_DIR=$OPUS_SOURCE_DIR has neither configure nor configure.ac: not a libopus tree"
# set_source_files_properties(TARGET_DIRECTORY) in harness/fuzzers needs 3.18;
# base-builder's own CMake (/usr/local/bin, ahead of apt's) is newer.
cmake_version=$(cmake --version | sed -n '1s/^cmake version //p')
[[ $(printf '%s\n3.18\n' "$cmake_version" | sort -V | head -n1) == 3.18 ]] ||
	die "CMake $cmake_version is too old: 3.18 or newer needed"

mapfile -t targets < <(grep -E '^[a-z]' "$OPUSHUNT_DIR/harness/fuzzers/TARGETS" | tr -d ' \t\r')
((${#targets[@]})) || die "harness/fuzzers/TARGETS lists no target"
WORK=${WORK:-$(mktemp -d)}
say "sanitizer ${SANITIZER:-?}, ${#targets[@]} targets: ${targets[*]}"

# ------------------------------------------------------------------ libopus --
# Configured as scripts/build-libopus configures its fuzzing variants (and as
# Debian does: custom modes; assertions as OSS-Fuzz builds it), static.
# -D_FORTIFY_SOURCE=0: libopus's configure otherwise adds =2, and glibc's
# fortified string functions bypass the sanitizer interceptors.
opus_copy=$WORK/opus-src
opus_obj=$WORK/opus-obj
# The layout harness/fuzzers/CMakeLists.txt expects of a libopus variant:
# $OPUSHUNT_LIBOPUS_ROOT/<variant>/{include/opus,lib/libopus.a,opushunt-build.txt}.
opus_root=$WORK/libopus
opus_prefix=$opus_root/clusterfuzzlite
rm -rf "$opus_copy" "$opus_obj" "$opus_root"
mkdir -p "$opus_copy" "$opus_obj"
say "libopus: copying $OPUS_SOURCE_DIR"
tar -C "$OPUS_SOURCE_DIR" --exclude=.git -cf - . | tar -C "$opus_copy" -xf -
if [[ -f $opus_copy/config.status ]]; then
	make -C "$opus_copy" distclean >/dev/null 2>&1 || true # VPATH builds refuse a configured tree
fi
if [[ ! -f $opus_copy/configure ]]; then
	say "libopus: no configure (a git checkout?): autoreconf -fi"
	sed -i 's/AM_CONFIG_HEADER/AC_CONFIG_HEADERS/' "$opus_copy/configure.ac"
	mkdir -p "$opus_copy/m4"
	(cd "$opus_copy" && autoreconf -fi)
fi
opus_args=(--disable-shared --enable-static --disable-doc --disable-extra-programs
	--enable-custom-modes --enable-assertions)
# libopus 1.5+: the neural features would need model files; keep them off.
for opt in dred deep-plc osce; do
	if grep -qsE "enable-$opt" "$opus_copy/configure"; then opus_args+=("--disable-$opt"); fi
done
opus_cflags="$CFLAGS -D_FORTIFY_SOURCE=0"
say "libopus: configure ${opus_args[*]}"
(cd "$opus_obj" && "$opus_copy/configure" --prefix="$opus_prefix" CC="$CC" \
	CFLAGS="$opus_cflags" "${opus_args[@]}")
make -C "$opus_obj" -j "$JOBS"
make -C "$opus_obj" install
[[ -f $opus_prefix/lib/libopus.a && -f $opus_prefix/include/opus/opus.h ]] ||
	die "libopus install produced no lib/libopus.a or include/opus/opus.h"
# harness/fuzzers/CMakeLists.txt adds the variant's ldflags to every compile of
# the fuzz build and, with fuzzer-no-link turned into fuzzer, to the link of
# the fuzz binaries only: this is how $LIB_FUZZING_ENGINE reaches exactly the
# binaries. (CMAKE_EXE_LINKER_FLAGS would also reach CMake's own link checks,
# whose test programs cannot link against libFuzzer's main.) The sanitizer
# flags themselves come with $CFLAGS, which CMake uses to compile and link.
{
	echo "variant=clusterfuzzlite"
	echo "source=$OPUS_SOURCE_DIR"
	echo "build_system=configure"
	echo "cc=$CC"
	echo "cc_version=$("$CC" --version | head -n1)"
	echo "cflags=$opus_cflags"
	echo "ldflags=-fsanitize=fuzzer-no-link"
	echo "configure_flags=${opus_args[*]}"
	echo "built_by=.clusterfuzzlite/build.sh (SANITIZER=${SANITIZER:-})"
} >"$opus_prefix/opushunt-build.txt"

# ------------------------------------------------------------- fuzz targets --
# CMAKE_BUILD_TYPE=None: no -O2/-DNDEBUG of RelWithDebInfo on top of $CFLAGS.
# The CMake file adds -O1 -g and turns the coverage instrumentation off for
# the custom mutator's sources, as in every libFuzzer build of the project.
build=$WORK/opushunt-fuzz
rm -rf "$build"
say "fuzz targets: cmake (OPUSHUNT_FUZZ_ENGINE=libfuzzer)"
# -DOH_PIPELINE_PIN=1: the pipeline target runs the reference caller, so
# continuous fuzzing hunts libopus through the service's pipeline instead of
# re-reporting the misuse models planted on purpose (harness/fuzzers/pipeline.c).
cmake -S "$OPUSHUNT_DIR" -B "$build" -DCMAKE_C_COMPILER="$CC" \
	-DCMAKE_C_FLAGS="$CFLAGS -DOH_PIPELINE_PIN=1" \
	-DCMAKE_BUILD_TYPE=None -DOPUSHUNT_FUZZ_ENGINE=libfuzzer \
	-DOPUSHUNT_LIBOPUS_ROOT="$opus_root" -DOPUSHUNT_LIBOPUS_VARIANT=clusterfuzzlite
cmake --build "$build" -j "$JOBS" --target "${targets[@]/#/fuzz-}"

# -------------------------------------------------------------------- $OUT --
# Writes ZIP holding every file of the given folders, flat; a name an earlier
# folder took gets the parent folder's name as prefix (regressions-NAME).
# zip when installed, else python3's zipfile; an empty archive when there is
# nothing to add.
make_zip() {
	local zip=$1 stage=$WORK/seeds.$$ dir f name
	shift
	rm -rf "$stage" "$zip"
	mkdir -p "$stage"
	for dir in "$@"; do
		[[ -d $dir ]] || continue
		for f in "$dir"/*; do
			[[ -f $f ]] || continue
			name=$(basename "$f")
			[[ ! -e $stage/$name ]] || name="$(basename "$(dirname "$dir")")-$name"
			cp "$f" "$stage/$name"
		done
	done
	if [[ -z $(ls -A "$stage") ]]; then
		printf 'PK\005\006%018d' 0 | tr 0 '\000' >"$zip" # end-of-archive record only
	elif command -v zip >/dev/null; then
		(cd "$stage" && zip -q -X -r "$zip" .)
	else
		python3 - "$stage" "$zip" <<'EOF'
import os, sys, zipfile
stage, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(stage)):
        z.write(os.path.join(stage, name), name)
EOF
	fi
	rm -rf "$stage"
}

mkdir -p "$OUT"
for t in "${targets[@]}"; do
	dict=$OPUSHUNT_DIR/mutators/dict/$t.dict
	opts=$OPUSHUNT_DIR/harness/fuzzers/options/$t.options
	[[ -f $dict ]] || die "$t: no dictionary $dict (mutators/gen-dicts writes them)"
	[[ -f $opts ]] || die "$t: no options file $opts"
	cp "$build/bin/fuzz-$t" "$OUT/$t"
	cp "$dict" "$OUT/$t.dict"
	cp "$opts" "$OUT/$t.options"
	make_zip "$OUT/${t}_seed_corpus.zip" "$OPUSHUNT_DIR/corpus/$t" \
		"$OPUSHUNT_DIR/corpus/regressions/$t"
	say "$t: $OUT/$t, .dict, .options, seed corpus $(stat -c %s "$OUT/${t}_seed_corpus.zip") bytes"
done
