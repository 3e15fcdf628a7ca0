#!/usr/bin/env bash
# opushunt decode from the command line: the official vector decodes
# bit-exactly to a valid WAV, every sample format is detected, traces have a
# line per call, and bad input gives one line naming file, offset and
# reason, exit 2, with outputs and the input left untouched.
. "$(dirname "$0")/lib.sh"
S="$SRC/corpus/samples"
V="${OPUS_TESTVECTORS:-}"

if [ -f "$V/testvector07.bit" ]; then
  expect_rc 0 "testvector07 decodes" -- "$OH" decode --format bit "$V/testvector07.bit" \
    --rate 48000 --channels 2 --out "$T/x.wav"
  expect_grep "$T/out" "final range: [0-9]+ checked, 0 mismatches" "testvector07: 0 final-range mismatches"
  head -c 12 "$T/x.wav" | od -An -c | tr -d ' \n' >"$T/magic"
  expect_grep "$T/magic" "^RIFF.*WAVE$" "testvector07: WAV has a RIFF/WAVE header"
  size=$(stat -c %s "$T/x.wav")
  riff=$(od -An -tu4 -j4 -N4 "$T/x.wav" | tr -d ' ')
  if [ $((riff + 8)) = "$size" ]; then ok "WAV RIFF size matches the file"; else not_ok "WAV RIFF size $riff vs file $size"; fi
else
  echo "# skipping vector checks: no vectors at OPUS_TESTVECTORS=$V"
fi

for f in tone-20ms-stereo-32k.bit:bit tone-20ms-stereo-32k.lp16be:lp16be sine-stereo-48k-20ms.opus:ogg \
         rtp-opus-ipv4-lo-ethernet.pcap:pcap rtp-opus-ipv4-lo.pcapng:pcap tone-20ms-stereo-32k-hex.log:log \
         tone-20ms-stereo-32k-b64.jsonl:log; do
  file=${f%%:*}
  fmt=${f##*:}
  expect_rc 0 "auto-detects $file" -- "$OH" decode "$S/$file"
  expect_grep "$T/out" "^input: .*\($fmt" "$file detected as $fmt"
done

expect_rc 0 "trace written" -- "$OH" decode "$S/tone-20ms-stereo-32k.bit" --trace "$T/t.jsonl" --quiet
expect_lines "$T/t.jsonl" 50 "trace has one line per call"
expect_grep "$T/t.jsonl" '"range_ok":true' "trace carries the final-range check"

expect_rc 0 "lost packet in a JSON log is concealed" -- "$OH" decode "$S/tone-20ms-stereo-32k-b64.jsonl"
expect_grep "$T/out" "1 lost: 1 concealed" "the null packet is a loss"

expect_rc 0 "Ogg 5.1 decodes through the multistream decoder" -- "$OH" decode "$S/surround-5.1-48k-20ms.opus" --out "$T/s.wav"
expect_grep "$T/out" "6 channels" "5.1 output has 6 channels"

# Garbage and broken inputs.
head -c 3000 /dev/urandom >"$T/garbage.bin"
expect_rc 2 "garbage input exits 2" -- "$OH" decode "$T/garbage.bin" --out "$T/g.wav"
expect_lines "$T/err" 1 "garbage input: one error line"
expect_grep "$T/err" "garbage.bin: offset 0: " "garbage input: names file and offset"
if [ -e "$T/g.wav" ]; then not_ok "no WAV written for unreadable input"; else ok "no WAV written for unreadable input"; fi

head -c 2000 "$S/tone-20ms-stereo-32k.bit" >"$T/cut.bit"
expect_rc 2 "truncated .bit exits 2" -- "$OH" decode --format bit "$T/cut.bit" --out "$T/cut.wav"
expect_grep "$T/err" "cut.bit: offset [0-9]+: " "truncated .bit: names where it stopped"
expect_grep "$T/err" "stopped after [0-9]+ records" "truncated .bit: says how far it got"
expect_grep "$T/out" "records: [1-9]" "truncated .bit: decodes what it can"
[ -s "$T/cut.wav" ] && ok "partial WAV written" || not_ok "partial WAV written"

cp "$S/tone-20ms-stereo-32k.bit" "$T/in.bit"
sum=$(md5sum <"$T/in.bit")
expect_rc 2 "refuses to write over its input" -- "$OH" decode "$T/in.bit" --out "$T/in.bit"
[ "$(md5sum <"$T/in.bit")" = "$sum" ] && ok "input untouched" || not_ok "input untouched"

expect_rc 2 "missing file" -- "$OH" decode "$T/nope.bit"
expect_grep "$T/err" "nope.bit: cannot open" "missing file named"
expect_rc 2 "bad rate" -- "$OH" decode --rate 44100 "$S/tone-20ms-stereo-32k.bit"
expect_grep "$T/err" "44100" "bad rate named"
expect_rc 2 "unknown format" -- "$OH" decode --format mp3 "$S/tone-20ms-stereo-32k.bit"
expect_rc 2 "no input" -- "$OH" decode
expect_rc 0 "help" -- "$OH" decode --help
expect_grep "$T/out" "usage: opushunt decode" "help text"
expect_rc 2 "unknown command" -- "$OH" frobnicate
finish
