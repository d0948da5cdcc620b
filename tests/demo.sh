#!/bin/sh
# make demo: a throwaway training vault in the build tree, a demo user, a
# scenario ready to play, and the TUI. Fictional cases only: the vault is
# made again on every run and holds nothing real.
set -eu
build=$1
intake="$build/intake"
vault="$build/demo-training"
pass="demo passphrase"
card="$build/demo-card.txt"

rm -rf "$vault"
printf '%s\n' "$pass" | "$intake" init --training --vault "$vault" --user demo \
    --passphrase-fd 0 --kdf-ops 2 --kdf-mem 16 >/dev/null
"$intake" training card bride_china_rapid --lang en >"$card"
cat <<MSG

  Intake demo, in a throwaway TRAINING vault: $vault
  (fictional cases only; a real vault is made with \`intake init\`)

    user:        demo
    passphrase:  $pass

  A scenario is ready: "Mai: a marriage across the border". Her role-player
  card is in $card (read it in another terminal,
  or play both parts yourself). In Intake: Start a mock screening, choose
  Mai, pick a language, interview, and read the debrief at the end.

  Keys: Enter accept, ^D declined, ^N don't know, ^T language, ^E emergency
  contacts, ^X end the interview, ^Q hide and lock, ^G help, ^C quit.

  Press Enter to open Intake.
MSG
read -r _ || true
exec "$intake" --training --vault "$vault" --user demo
