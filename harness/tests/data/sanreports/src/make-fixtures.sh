#!/bin/sh
# Regenerates the sanitizer and Valgrind report fixtures one level up from
# the small buggy programs in this folder. Each program's stem names its
# fixture(s): asan-double-free.c -> asan-double-free.txt; the valgrind-* and
# helgrind-* programs give a text report (.txt) and an XML one (.xml). A few
# programs serve twice: helgrind-race.c also gives drd-race.txt,
# ubsan-null-member-access.c also ubsan-null-member-access-recover.txt, and
# lock-order-inversion.c gives tsan-lock-order-inversion.txt and
# helgrind-lock-order.{txt,xml}. The *-truncated fixtures are cut from
# others, and garbage.bin is seeded noise.
# Reports hold pids, addresses and build ids, so a rerun changes every
# fixture a little; the tests only assert what stays put (kinds, sizes,
# relations, functions, files, lines). Needs clang-14, clang++-14 and
# valgrind. Usage: make-fixtures.sh [name...] where a name is a stem above,
# "lock-order-inversion", "truncated" or "garbage" (default: all).
set -u
src=$(cd "$(dirname "$0")" && pwd)
out=$(dirname "$src")
work=${OH_FIXTURE_WORK:-/tmp/oh-sanreport-fixtures}
CC=${CC:-clang-14}
CXX=${CXX:-clang++-14}
mkdir -p "$work"
cd "$work" || exit 1

# Sources are compiled from this folder by relative name, so UBSan names
# them "<stem>.c" and debug info "/src/<stem>.c" wherever the checkout is.
BASE="-g -O0 -fno-omit-frame-pointer -fdebug-compilation-dir=/src"
ASAN="-fsanitize=address"
UBSAN_ALL="-fsanitize=undefined,integer-divide-by-zero,float-cast-overflow,pointer-overflow"
export ASAN_OPTIONS=${ASAN_OPTIONS:-}
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer)}
VG="valgrind --num-callers=30"

# build STEM OUT FLAGS... : compiles src/STEM.c (or .cc) into ./OUT
build_as() {
  stem=$1 bin=$2; shift 2
  if [ -f "$src/$stem.cc" ]; then
    (cd "$src" && $CXX $BASE "$@" "$stem.cc" -o "$work/$bin") || exit 1
  else
    (cd "$src" && $CC $BASE "$@" "$stem.c" -o "$work/$bin" -lpthread) || exit 1
  fi
}
build() { b=$1; build_as "$b" "$@"; }

# capture FIXTURE CMD... : runs CMD, keeping stderr only
capture() {
  f=$1; shift
  "$@" >/dev/null 2>"$out/$f"
  echo "$f: exit $?"
}

# capture_all FIXTURE CMD... : stdout and stderr interleaved
capture_all() {
  f=$1; shift
  "$@" >"$out/$f" 2>&1
  echo "$f: exit $?"
}

selected() {
  [ -z "$ONLY" ] && return 0
  case " $ONLY " in *" $1 "*) return 0 ;; esac
  return 1
}
ONLY="$*"

for stem in asan-heap-buffer-overflow-write asan-heap-buffer-underflow-read \
            asan-heap-use-after-free asan-double-free asan-bad-free \
            asan-segv-write asan-segv-null-read asan-stack-buffer-overflow \
            asan-stack-overflow asan-global-buffer-overflow \
            asan-stack-use-after-scope asan-alloc-dealloc-mismatch \
            lsan-memory-leak; do
  selected $stem || continue
  build $stem $ASAN
  capture $stem.txt ./$stem
done

if selected asan-heap-buffer-overflow-read; then
  build asan-heap-buffer-overflow-read $ASAN
  capture_all asan-heap-buffer-overflow-read.txt ./asan-heap-buffer-overflow-read
fi

if selected asan-stack-use-after-return; then
  build asan-stack-use-after-return $ASAN
  capture asan-stack-use-after-return.txt \
    env ASAN_OPTIONS=detect_stack_use_after_return=1 ./asan-stack-use-after-return
fi

# UBSan, stopping at the first error and printing a stack.
for stem in ubsan-signed-integer-overflow ubsan-shift-exponent ubsan-shift-base \
            ubsan-integer-divide-by-zero ubsan-pointer-overflow ubsan-misaligned \
            ubsan-null-member-access; do
  selected $stem || continue
  build $stem $UBSAN_ALL -fno-sanitize-recover=all
  capture $stem.txt env UBSAN_OPTIONS=print_stacktrace=1 ./$stem
done

# UBSan with recovery, no stacks: one line per error.
if selected ubsan-null-member-access-recover; then
  build_as ubsan-null-member-access ubsan-null-member-access-recover $UBSAN_ALL
  capture ubsan-null-member-access-recover.txt ./ubsan-null-member-access-recover
fi
if selected ubsan-many; then
  build ubsan-many $UBSAN_ALL
  capture ubsan-many.txt ./ubsan-many
fi

if selected msan-use-of-uninitialized-value; then
  build msan-use-of-uninitialized-value -fsanitize=memory -fsanitize-memory-track-origins=2
  capture msan-use-of-uninitialized-value.txt ./msan-use-of-uninitialized-value
fi

for stem in tsan-data-race tsan-heap-data-race; do
  selected $stem || continue
  build $stem -fsanitize=thread
  # TSan in LLVM 14 cannot map its shadow under full ASLR on newer kernels.
  capture $stem.txt setarch "$(uname -m)" -R ./$stem
done

if selected lock-order-inversion; then
  build_as lock-order-inversion tsan-lock-order-inversion -fsanitize=thread
  capture tsan-lock-order-inversion.txt setarch "$(uname -m)" -R ./tsan-lock-order-inversion
  build lock-order-inversion -gdwarf-4
  capture helgrind-lock-order.txt $VG --tool=helgrind ./lock-order-inversion
  capture helgrind-lock-order.xml $VG --tool=helgrind --xml=yes --xml-fd=2 \
    --log-file=/dev/null ./lock-order-inversion
fi

# Memcheck: text and XML from the same program. Valgrind 3.19 cannot read
# clang-14's default DWARF 5, hence -gdwarf-4.
for stem in valgrind-invalid-write valgrind-invalid-read valgrind-uninit-cond \
            valgrind-invalid-free valgrind-leak valgrind-null-read \
            valgrind-uninit-syscall; do
  selected $stem || continue
  build $stem -gdwarf-4
  capture $stem.txt $VG --leak-check=full --track-origins=yes ./$stem
  capture $stem.xml $VG --leak-check=full --track-origins=yes --xml=yes \
    --xml-fd=2 --log-file=/dev/null ./$stem
done

if selected helgrind-race; then
  build helgrind-race -gdwarf-4
  capture helgrind-race.txt $VG --tool=helgrind ./helgrind-race
  capture helgrind-race.xml $VG --tool=helgrind --xml=yes --xml-fd=2 \
    --log-file=/dev/null ./helgrind-race
  capture drd-race.txt $VG --tool=drd ./helgrind-race
fi

# libFuzzer targets fuzz from a one-file seed corpus that fails at once, so
# the log has libFuzzer's own lines (MS:, Test unit written to ...).
fuzz() {
  stem=$1 input=$2; shift 2
  build $stem -fsanitize=fuzzer,address
  rm -rf $stem.corpus && mkdir $stem.corpus
  printf '%s' "$input" > $stem.corpus/seed
  capture $stem.txt ./$stem "$@" -seed=1 -artifact_prefix=./ $stem.corpus
}
selected libfuzzer-heap-buffer-overflow && fuzz libfuzzer-heap-buffer-overflow O
selected libfuzzer-deadly-signal && fuzz libfuzzer-deadly-signal z
selected libfuzzer-timeout && fuzz libfuzzer-timeout T -timeout=1
selected libfuzzer-out-of-memory && fuzz libfuzzer-out-of-memory M -malloc_limit_mb=64

for stem in assert-glibc assert-celt-fatal; do
  selected $stem || continue
  build $stem
  capture $stem.txt ./$stem
done

# Cut short on purpose: the use-after-free report in the middle of its free
# stack (half a frame line, no newline), and the XML one inside a <frame>.
if selected truncated; then
  awk '/freed by thread/ { cut = 1; print; next }
       cut == 1 { print; cut = 2; next }
       cut == 2 { printf "%s", substr($0, 1, 30); exit }
       { print }' "$out/asan-heap-use-after-free.txt" > "$out/asan-heap-use-after-free-truncated.txt"
  awk '{ print } /<fn>drop_state<\/fn>/ { exit }' "$out/valgrind-invalid-read.xml" |
    head -c -1 > "$out/valgrind-invalid-read-truncated.xml"
  echo "truncated fixtures: done"
fi

# Bytes that are no report at all (awk's seeded generator: reproducible).
if selected garbage; then
  awk 'BEGIN { srand(7); for (i = 0; i < 4096; i++) printf "%c", int(rand() * 255) + 1 }' \
    > "$out/garbage.bin"
  echo "garbage.bin: done"
fi
