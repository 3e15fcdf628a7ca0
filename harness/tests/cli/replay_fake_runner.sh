#!/usr/bin/env bash
# opushunt replay against fake runners (shell scripts speaking the event
# protocol), so the parent's side is tested without libopus: a guard-page
# crash at record 12 reported with its buffer and rules, JSON that parses,
# and a reproducer that survives a runner that hangs, one that eats memory,
# one that kills itself with each signal, one that refuses, and one that
# writes garbage events.
. "$(dirname "$0")/lib.sh"
S="$SRC/corpus/replay/stereo-20ms-packet12-60ms.lp16be"
R="$T/runners"
mkdir -p "$R"
cat >"$R/oh-runner-system" <<'RUNNER'
#!/usr/bin/env bash
fd=2
while [ $# -gt 0 ]; do [ "$1" = --events-fd ] && fd=$2; shift; done
e() { echo "$*" >&"$fd"; }
if [ "${FAKE_MODE:-}" = garbage ]; then head -c 20000 /dev/urandom >&"$fd"; exit 0; fi
e "start lib=system opus=fake model=caller rate=48000 channels=2 sample=float frame_size=5760 pcm_capacity=1920"
e "buffer name=pcm addr=0x7f0000100000 size=7680 how=guard"
for i in $(seq 0 11); do
  e "contract index=$i rule=pcm-capacity fault=0 detail=frame_size%205760%20x%202"
  e "call index=$i offset=0 len=100 kind=packet api=opus_decode_float frame_size=5760 thread=0"
  e "ret index=$i ret=960 range=0 thread=0"
done
e "contract index=12 rule=pcm-capacity fault=1 detail=frame_size%205760%20x%202"
e "call index=12 offset=1596 len=362 kind=packet api=opus_decode_float frame_size=5760 thread=0"
case "${FAKE_MODE:-}" in
  guard)
    e "guard-fault addr=0x7f0000101e00 access=WRITE buffer=pcm offset=7680 size=7680 relation=after-end by=0 signal=SIGSEGV"
    kill -SEGV $$ ;;
  hang) exec sleep 600 ;;
  hog) s=$(head -c 1048576 /dev/zero | tr '\0' x); a=(); while :; do a+=("$s"); sleep 0.01; done ;;
  signal) exec /bin/sh -c "kill -$FAKE_SIGNAL \$\$; sleep 5" ;; # bash ignores SIGQUIT
  refuse) echo "oh-runner: --frame-size takes a number" >&2; exit 3 ;;
esac
exit 0
RUNNER
chmod +x "$R/oh-runner-system"
A=(--format lp16be --rate 48000 --channels 2 --frame-size 5760 --pcm-capacity 1920 --runner-dir "$R")

FAKE_MODE=guard expect_rc 1 "guard crash is a finding" -- "$OH" replay "${A[@]}" "$S"
expect_grep "$T/out" "^verdict: crash \(SIGSEGV\)" "verdict crash (SIGSEGV)"
expect_grep "$T/out" "^first faulting packet: #12 at byte offset 1596, 362 bytes" "packet 12, offset and length"
expect_grep "$T/out" "60 ms" "TOC summary: the 60 ms packet"
expect_grep "$T/out" "^call: opus_decode_float\(st, data, 362, pcm, 5760, 0\)" "the call with its arguments"
expect_grep "$T/out" "buffer: 0 bytes after the end of 7680-byte buffer pcm" "WRITE out of pcm"
expect_grep "$T/out" "broken rule at this call: pcm-capacity \(expected to fault\)" "the broken rule"
expect_grep "$T/out" "first latent at record #0" "latent violation from record 0"
expect_grep "$T/out" "first fault-expected at record #12" "fault-expected at 12"

FAKE_MODE=guard expect_rc 1 "--json" -- "$OH" replay "${A[@]}" --json "$S"
if command -v python3 >/dev/null; then
  if python3 - "$T/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["runs"][0]
assert d["schema"] == "opushunt-replay/1" and d["verdict"] == "crash"
assert r["fault"]["index"] == 12 and r["fault"]["packet"]["offset"] == 1596
assert r["fault"]["packet"]["duration_ms"] == 60
assert r["finding"]["access"] == "WRITE" and r["finding"]["buffer"]["name"] == "pcm"
assert r["contract"]["first_latent"]["index"] == 0
assert r["contract"]["first_fault_expected"]["index"] == 12
assert r["fault"]["rules"][0]["rule"] == "pcm-capacity"
PY
  then ok "JSON parses and carries the finding"; else not_ok "JSON parses and carries the finding"; fi
else
  echo "# python3 missing: JSON not parsed"
fi
FAKE_MODE=guard expect_rc 1 "--json-out" -- "$OH" replay "${A[@]}" --json-out "$T/r.json" "$S"
expect_grep "$T/r.json" '"schema": "opushunt-replay/1"' "--json-out writes the file"
expect_grep "$T/out" "^verdict: crash" "--json-out keeps the human report on stdout"

FAKE_MODE=guard expect_rc 1 "--keep-logs" -- "$OH" replay "${A[@]}" --keep-logs "$T/logs" "$S"
expect_grep "$T/logs/guard-system.events" "^call index=12 " "events kept"
expect_grep "$T/logs/guard-system.cmd" "oh-runner-system .*--guard" "command line kept"

start=$(date +%s)
FAKE_MODE=hang expect_rc 1 "a hanging runner is a finding" -- "$OH" replay "${A[@]}" --timeout 1 "$S"
expect_grep "$T/out" "^verdict: timeout" "verdict timeout"
expect_grep "$T/out" "^first faulting packet: #12" "the timeout names the call in flight"
[ $(( $(date +%s) - start )) -lt 20 ] && ok "timeout is prompt" || not_ok "timeout took too long"

FAKE_MODE=hog expect_rc 1 "a memory hog is a finding" -- "$OH" replay "${A[@]}" --memory 64 --timeout 60 "$S"
expect_grep "$T/out" "^verdict: oom" "verdict oom"

for sig in SEGV BUS FPE ILL ABRT TRAP SYS KILL TERM HUP INT QUIT USR1 USR2 ALRM PIPE; do
  FAKE_MODE=signal FAKE_SIGNAL=$sig expect_rc 1 "runner killed by SIG$sig" -- "$OH" replay "${A[@]}" "$S"
  expect_grep "$T/out" "^verdict: crash \(SIG$sig\)" "SIG$sig named"
done

FAKE_MODE=refuse expect_rc 2 "a runner's refusal exits 2" -- "$OH" replay "${A[@]}" "$S"
expect_grep "$T/err" "runner refused: oh-runner: --frame-size takes a number" "the runner's reason is passed on"

FAKE_MODE=garbage expect_rc 0 "garbage events do not hurt the parent" -- "$OH" replay "${A[@]}" "$S"

FAKE_MODE=guard expect_rc 1 "--under all over the fake runner" -- "$OH" replay "${A[@]}" --under all "$S"
expect_grep "$T/out" "^guard +system +crash +12 +buffer-overflow +WRITE +pcm after-end" "matrix row for guard"
expect_grep "$T/out" "^asan +asan +skipped: runner for lib 'asan' not built" "matrix says what was skipped"

finish
