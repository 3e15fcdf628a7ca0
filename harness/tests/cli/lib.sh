# Shared helpers for the command-line tests: each test script sources this,
# gets the opushunt binary as $1, and uses a private temporary folder.
set -u
OH="${1:?usage: $0 path/to/opushunt}"
SRC="${OH_SOURCE_DIR:?OH_SOURCE_DIR must be set (run through ctest)}"
T=$(mktemp -d /tmp/opushunt-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
passes=0

ok() { passes=$((passes + 1)); echo "ok - $*"; }
not_ok() { fails=$((fails + 1)); echo "not ok - $*"; }

# expect_rc WANT DESCRIPTION -- command...: runs the command, output to $T/out
# and $T/err, and checks its exit code.
expect_rc() {
  local want=$1 what=$2
  shift 3
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  if [ "$rc" = "$want" ]; then ok "$what"; else
    not_ok "$what (exit $rc, wanted $want)"
    sed 's/^/    | /' "$T/err" | head -5
  fi
}

# expect_grep FILE REGEX DESCRIPTION
expect_grep() {
  if grep -Eq -- "$2" "$1"; then ok "$3"; else
    not_ok "$3 (no /$2/ in $(basename "$1"))"
    sed 's/^/    | /' "$1" | head -5
  fi
}

# expect_lines FILE N DESCRIPTION: exactly N lines
expect_lines() {
  local n
  n=$(wc -l <"$1")
  if [ "$n" = "$2" ]; then ok "$3"; else not_ok "$3 ($n lines, wanted $2)"; sed 's/^/    | /' "$1" | head -5; fi
}

finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" = 0 ]
  exit $?
}
