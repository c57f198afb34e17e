#!/bin/sh
# Regenerates the small test recordings in tests/data/audio/ (run from anywhere).
#
# Tools: sox, espeak-ng (-v ru), ffmpeg (ogg/opus), and Debian's asterisk-core-sounds-ru-wav.
# Why two sources of speech: Whisper base does not recognise espeak-ng's Russian once it is
# band-limited to 8 kHz (measured: empty or garbled output, for every espeak voice tried),
# so recordings whose *words* a test checks use the real human speaker of the Asterisk
# prompts (8 kHz telephone audio); espeak-ng speech is used where only timing and channels
# matter.  Long silences are written as FLAC, where 40 s of silence costs a few bytes.
set -eu
OUT="$(cd "$(dirname "$0")" && pwd)/audio"
SND=/usr/share/asterisk/sounds/ru
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"
R8="-r 8000 -c 1 -b 16"

silence() { sox -n $R8 "$2" trim 0 "$1"; }                 # silence SECONDS FILE
at() { sox "$2" $R8 "$3" pad "$1"; }                         # at START_SECONDS IN OUT (delay)
mix() { out="$1"; shift; sox -m "$@" "$out" ; }              # mix OUT IN... (lengths padded by sox)
fit() { sox "$2" "$3" pad 0 "$1" trim 0 "$1"; }              # fit SECONDS IN OUT (pad/trim to length)

# --- mono, real speech: «Здравствуйте! Введите пароль и нажмите решетку.»
silence 0.5 "$TMP/lead.wav"
sox "$TMP/lead.wav" "$SND/hello.wav" "$TMP/lead.wav" "$SND/agent-pass.wav" "$TMP/lead.wav" $R8 "$OUT/mono_8k.wav"
sox "$OUT/mono_8k.wav" -r 16000 "$OUT/mono_16k.flac"
sox "$OUT/mono_8k.wav" -e u-law "$OUT/mono_8k_ulaw.wav"
sox "$OUT/mono_8k.wav" -e a-law "$OUT/mono_8k_alaw.wav"
ffmpeg -loglevel error -y -i "$OUT/mono_8k.wav" -c:a libopus -b:a 16k "$OUT/mono_8k.ogg"

# --- espeak-ng, 16 kHz stereo: timing and channels only (agent left, customer right)
espeak-ng -v ru -s 150 -w "$TMP/e1.wav" "Авиакомпания Северный Ветер, здравствуйте, меня зовут Анна."
espeak-ng -v ru+m3 -s 160 -w "$TMP/e2.wav" "Здравствуйте, я хочу вернуть билет."
sox "$TMP/e1.wav" -r 16000 -c 1 "$TMP/e1-16.wav" pad 0.3
sox "$TMP/e2.wav" -r 16000 -c 1 "$TMP/e2-16.wav"
E1="$(soxi -D "$TMP/e1-16.wav")"
sox "$TMP/e2-16.wav" "$TMP/e2-at.wav" pad "$(echo "$E1 + 0.8" | bc)"
TOTAL="$(echo "$E1 + 0.8 + $(soxi -D "$TMP/e2-16.wav") + 0.5" | bc)"
fit "$TOTAL" "$TMP/e1-16.wav" "$TMP/l.wav"
fit "$TOTAL" "$TMP/e2-at.wav" "$TMP/r.wav"
sox -M "$TMP/l.wav" "$TMP/r.wav" "$OUT/espeak_stereo_16k.flac"

# --- silence only (a recorder that captured nothing)
sox -n $R8 "$OUT/silence_8k.wav" trim 0 3

# --- stereo 8 kHz call: greeting, overtalk (customer talks over the agent), a 40 s hold, thanks
# agent (ch 0): 0.3 hello; 1.6 queue-periodic-announce (7.5 s, to 9.1); 49.5 queue-thankyou
# customer (ch 1): 5.0 agent-pass (2.2 s, over the agent's announcement); 51.5 auth-thankyou
at 0.3 "$SND/hello.wav" "$TMP/a1.wav"
at 1.6 "$SND/queue-periodic-announce.wav" "$TMP/a2.wav"
at 49.5 "$SND/queue-thankyou.wav" "$TMP/a3.wav"
at 5.0 "$SND/agent-pass.wav" "$TMP/c1.wav"
at 51.5 "$SND/auth-thankyou.wav" "$TMP/c2.wav"
silence 53 "$TMP/base.wav"
mix "$TMP/agent.wav" -v 1 "$TMP/base.wav" -v 1 "$TMP/a1.wav" -v 1 "$TMP/a2.wav" -v 1 "$TMP/a3.wav"
mix "$TMP/customer.wav" -v 1 "$TMP/base.wav" -v 1 "$TMP/c1.wav" -v 1 "$TMP/c2.wav"
sox -M "$TMP/agent.wav" "$TMP/customer.wav" "$OUT/call_stereo_8k.flac" trim 0 53

# --- the same kind of call with the channel map swapped: the company greeting is on channel 1
sox "$SND/basic-pbx-ivr-main.wav" "$TMP/greet.wav" trim 0 4.6
sox "$TMP/lead.wav" "$SND/hello.wav" "$TMP/lead.wav" "$TMP/greet.wav" $R8 "$TMP/operator.wav"
OP="$(soxi -D "$TMP/operator.wav")"
at "$(echo "$OP + 0.6" | bc)" "$SND/vm-reachoper.wav" "$TMP/caller.wav"
TOTAL="$(echo "$OP + 0.6 + 2.5 + 0.5" | bc)"
fit "$TOTAL" "$TMP/caller.wav" "$TMP/ch0.wav"
fit "$TOTAL" "$TMP/operator.wav" "$TMP/ch1.wav"
sox -M "$TMP/ch0.wav" "$TMP/ch1.wav" "$OUT/call_swapped_8k.flac"

# --- the customer dictates a (test, Luhn-valid) card number digit by digit: must be redacted
CARD=2200123456789019
set --
for d in $(echo "$CARD" | sed 's/./& /g'); do
  silence 0.15 "$TMP/g$#.wav"
  set -- "$@" "$SND/digits/$d.wav" "$TMP/g$#.wav"
done
sox "$@" $R8 "$TMP/digits.wav"
at 2.0 "$TMP/digits.wav" "$TMP/dict.wav"
D="$(soxi -D "$TMP/dict.wav")"
fit "$(echo "$D + 0.5" | bc)" "$TMP/dict.wav" "$TMP/cust.wav"
at 0.3 "$SND/hello.wav" "$TMP/ag.wav"
fit "$(echo "$D + 0.5" | bc)" "$TMP/ag.wav" "$TMP/ag2.wav"
sox -M "$TMP/ag2.wav" "$TMP/cust.wav" "$OUT/card_dictation_8k.flac"

# --- files that are not recordings
: > "$OUT/empty.wav"
printf 'RIFF\044\000\000\000WAVEfmt this is not a wave file at all' > "$OUT/corrupt.wav"
printf 'ID3 definitely not an mp3 stream\n' > "$OUT/not_audio.mp3"
# header of a valid wav, zero samples
sox -n $R8 "$OUT/zero_length.wav" trim 0 0

ls -l "$OUT"
