#!/bin/sh
# make demo: a throwaway vault in the build tree, a demo user, and the TUI.
# The vault holds nothing real: it is recreated on every run.
set -eu
build=$1
intake="$build/intake"
vault="$build/demo-vault"
pass="demo passphrase"

rm -rf "$vault"
printf '%s\n' "$pass" | "$intake" init --vault "$vault" --user demo \
    --passphrase-fd 0 --kdf-ops 2 --kdf-mem 16 >/dev/null
cat <<MSG

  Intake demo. A fresh, throwaway vault: $vault

    user:        demo
    passphrase:  $pass

  Start a new interview from the case list, pick a form and a language.
  Keys: Enter accept, ^D declined, ^N don't know, ^T language, ^E emergency
  contacts, ^X end the interview, ^Q hide and lock, ^G help, ^C quit.

  Press Enter to open Intake.
MSG
read -r _ || true
exec "$intake" --vault "$vault" --user demo
