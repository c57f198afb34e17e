#!/bin/sh
# Regenerates the small test recordings in tests/data/audio/ (run from anywhere).
#
# Tools: Festival's `text2wave` with Debian's festvox-ru (voice msu_ru_nsh_clunits), sox,
# espeak-ng (-v ru), ffmpeg (ogg/opus).
# Why two sources of speech: Whisper base recognises Festival's Russian voice (a real speaker's
# recorded units) at 8 kHz almost word for word, so recordings whose *words* a test checks are
# spoken by Festival, as the simulator's calls are (qa_service/simulator/audio.py); espeak-ng's
# Russian at 8 kHz is unrecognisable to Whisper, and is kept only where garbled audio is the
# point (the quality gate must flag it).  Each phrase is stretched with sox `tempo` to a fixed
# length so the layout below (and the times the tests check) does not depend on the voice.
# `sox -D -R`: no random dither, so every run writes the same samples.
# Long silences are written as FLAC, where 40 s of silence costs a few bytes.
set -eu
OUT="$(cd "$(dirname "$0")" && pwd)/audio"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"
R8="-r 8000 -c 1 -b 16"
SOX="sox -D -R"

silence() { $SOX -n $R8 "$2" trim 0 "$1"; }                   # silence SECONDS FILE
at() { $SOX "$2" $R8 "$3" pad "$1"; }                          # at START_SECONDS IN OUT (delay)
mix() { out="$1"; shift; $SOX -m "$@" "$out" ; }               # mix OUT IN... (lengths padded by sox)
fit() { $SOX "$2" "$3" pad 0 "$1" trim 0 "$1"; }               # fit SECONDS IN OUT (pad/trim to length)

# say VOICE SECONDS OUT TEXT: Festival speaks TEXT, lead and tail silence cut, stretched to SECONDS
# (0 keeps its own length).  VOICE agent keeps the recorded voice; customer is a tone lower, as in
# the simulator, so the two speakers differ.
n=0
say() {
  n=$((n + 1))
  printf '%s\n' "$4" > "$TMP/say$n.txt"
  text2wave -eval '(voice_msu_ru_nsh_clunits)' -o "$TMP/say$n-raw.wav" "$TMP/say$n.txt"
  pitch=""; [ "$1" = customer ] && pitch="pitch -200"
  $SOX "$TMP/say$n-raw.wav" $R8 "$TMP/say$n-cut.wav" $pitch vol 0.9 \
    silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse
  if [ "$2" = 0 ]; then
    cp "$TMP/say$n-cut.wav" "$3"
  else
    factor="$(echo "scale=4; $(soxi -D "$TMP/say$n-cut.wav") / $2" | bc)"
    $SOX "$TMP/say$n-cut.wav" "$TMP/say$n-tempo.wav" tempo -s "$factor"
    fit "$2" "$TMP/say$n-tempo.wav" "$3"
  fi
}

# --- mono, intelligible speech: «Здравствуйте! Введите пароль, затем нажмите решётку.» (4.6 s)
silence 0.5 "$TMP/lead.wav"
say agent 0.88 "$TMP/hello.wav" "Здравствуйте!"
say customer 2.24 "$TMP/pass.wav" "Введите пароль, затем нажмите решётку."
$SOX "$TMP/lead.wav" "$TMP/hello.wav" "$TMP/lead.wav" "$TMP/pass.wav" "$TMP/lead.wav" $R8 "$OUT/mono_8k.wav"
$SOX "$OUT/mono_8k.wav" -r 16000 "$OUT/mono_16k.flac"
$SOX "$OUT/mono_8k.wav" -e u-law "$OUT/mono_8k_ulaw.wav"
$SOX "$OUT/mono_8k.wav" -e a-law "$OUT/mono_8k_alaw.wav"
ffmpeg -loglevel error -y -i "$OUT/mono_8k.wav" -c:a libopus -b:a 16k -bitexact "$OUT/mono_8k.ogg"

# --- espeak-ng, 16 kHz stereo: garbled on purpose, timing and channels only (agent left, customer right)
espeak-ng -v ru -s 150 -w "$TMP/e1.wav" "Авиакомпания Северный Ветер, здравствуйте, меня зовут Анна."
espeak-ng -v ru+m3 -s 160 -w "$TMP/e2.wav" "Здравствуйте, я хочу вернуть билет."
$SOX "$TMP/e1.wav" -r 16000 -c 1 "$TMP/e1-16.wav" pad 0.3
$SOX "$TMP/e2.wav" -r 16000 -c 1 "$TMP/e2-16.wav"
E1="$(soxi -D "$TMP/e1-16.wav")"
$SOX "$TMP/e2-16.wav" "$TMP/e2-at.wav" pad "$(echo "$E1 + 0.8" | bc)"
TOTAL="$(echo "$E1 + 0.8 + $(soxi -D "$TMP/e2-16.wav") + 0.5" | bc)"
fit "$TOTAL" "$TMP/e1-16.wav" "$TMP/l.wav"
fit "$TOTAL" "$TMP/e2-at.wav" "$TMP/r.wav"
$SOX -M "$TMP/l.wav" "$TMP/r.wav" "$OUT/espeak_stereo_16k.flac"

# --- silence only (a recorder that captured nothing)
$SOX -n $R8 "$OUT/silence_8k.wav" trim 0 3

# --- stereo 8 kHz call: greeting, overtalk (customer talks over the agent), a 40 s hold, thanks
# agent (ch 0): 0.3 hello (0.88 s); 1.6 the queue announcement (7.5 s, to 9.1); 49.5 thanks (1.6 s)
# customer (ch 1): 5.0 the password line (2.2 s, over the agent's announcement); 51.5 «спасибо»
say agent 7.47 "$TMP/announce.wav" "Все операторы сейчас заняты. Пожалуйста, оставайтесь на линии. Спасибо за терпение."
say agent 1.59 "$TMP/waited.wav" "Спасибо за ожидание."
say customer 0 "$TMP/thanks.wav" "Спасибо."
at 0.3 "$TMP/hello.wav" "$TMP/a1.wav"
at 1.6 "$TMP/announce.wav" "$TMP/a2.wav"
at 49.5 "$TMP/waited.wav" "$TMP/a3.wav"
at 5.0 "$TMP/pass.wav" "$TMP/c1.wav"
at 51.5 "$TMP/thanks.wav" "$TMP/c2.wav"
silence 53 "$TMP/base.wav"
mix "$TMP/agent.wav" -v 1 "$TMP/base.wav" -v 1 "$TMP/a1.wav" -v 1 "$TMP/a2.wav" -v 1 "$TMP/a3.wav"
mix "$TMP/customer.wav" -v 1 "$TMP/base.wav" -v 1 "$TMP/c1.wav" -v 1 "$TMP/c2.wav"
$SOX -M "$TMP/agent.wav" "$TMP/customer.wav" "$OUT/call_stereo_8k.flac" trim 0 53

# --- the same kind of call with the channel map swapped: the company greeting is on channel 1
say agent 0 "$TMP/greet.wav" "Авиакомпания Северный Ветер, меня зовут Анна, чем могу помочь?"
$SOX "$TMP/lead.wav" "$TMP/hello.wav" "$TMP/lead.wav" "$TMP/greet.wav" $R8 "$TMP/operator.wav"
OP="$(soxi -D "$TMP/operator.wav")"
say customer 0 "$TMP/reach.wav" "Соедините меня с оператором, пожалуйста."
at "$(echo "$OP + 0.6" | bc)" "$TMP/reach.wav" "$TMP/caller.wav"
TOTAL="$(echo "$OP + 0.6 + $(soxi -D "$TMP/reach.wav") + 0.5" | bc)"
fit "$TOTAL" "$TMP/caller.wav" "$TMP/ch0.wav"
fit "$TOTAL" "$TMP/operator.wav" "$TMP/ch1.wav"
$SOX -M "$TMP/ch0.wav" "$TMP/ch1.wav" "$OUT/call_swapped_8k.flac"

# --- the customer dictates a (test, Luhn-valid) card number digit by digit: must be redacted.
# Each digit is a word of its own, as Festival says it, with 0.3 s between: from 2.0 s to about 12.4 s.
CARD=2200123456789019
# Festival's «ноль» lasts 0.2 s and Whisper hears «ноль, ноль» as one zero; at 0.35 s it hears both.
say customer 0.35 "$TMP/digit0.wav" "ноль"
set -- один два три четыре пять шесть семь восемь девять
for d in 1 2 3 4 5 6 7 8 9; do
  say customer 0 "$TMP/digit$d.wav" "$1"
  shift
done
set --
for d in $(echo "$CARD" | sed 's/./& /g'); do
  silence 0.3 "$TMP/g$#.wav"
  set -- "$@" "$TMP/digit$d.wav" "$TMP/g$#.wav"
done
$SOX "$@" $R8 "$TMP/digits.wav"
at 2.0 "$TMP/digits.wav" "$TMP/dict.wav"
D="$(soxi -D "$TMP/dict.wav")"
fit "$(echo "$D + 0.5" | bc)" "$TMP/dict.wav" "$TMP/cust.wav"
at 0.3 "$TMP/hello.wav" "$TMP/ag.wav"
fit "$(echo "$D + 0.5" | bc)" "$TMP/ag.wav" "$TMP/ag2.wav"
$SOX -M "$TMP/ag2.wav" "$TMP/cust.wav" "$OUT/card_dictation_8k.flac"

# --- files that are not recordings
: > "$OUT/empty.wav"
printf 'RIFF\044\000\000\000WAVEfmt this is not a wave file at all' > "$OUT/corrupt.wav"
printf 'ID3 definitely not an mp3 stream\n' > "$OUT/not_audio.mp3"
# header of a valid wav, zero samples
$SOX -n $R8 "$OUT/zero_length.wav" trim 0 0

ls -l "$OUT"
