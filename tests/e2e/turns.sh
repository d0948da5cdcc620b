#!/bin/sh
# Paced unlocks on the unlock screen: after failed unlocks in a user's name
# the screen counts down to the turn it was given and unlocks when it comes;
# Esc gives the turn up and quit still quits, while the wait runs.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
BAD=$(passfile bad "not the passphrase")
START="$INTAKE --vault $V"

fail3() {
	for i in 1 2 3; do
		"$INTAKE" record list --vault "$V" --user ana --passphrase-file "$BAD" \
		    </dev/null >/dev/null 2>&1
	done
}

# --- the turn comes and is taken ---
fail3
tstart s1 80 24 "$START"
tunlock s1 ana "demo passphrase"
expect_screen "the unlock screen shows the wait" s1 "Yours comes in"
check "it says why" grep -q "failed several times" "$T/screen"
expect_screen "the turn is taken when it comes" s1 "Start a new interview" 10
$TMUX_CMD kill-session -t s1

# --- Esc gives the turn up ---
fail3
tstart s2 80 24 "$START"
tunlock s2 ana "demo passphrase"
expect_screen "waiting again" s2 "Yours comes in"
tkeys s2 Escape
expect_screen "Esc gives the turn up" s2 "given up"
sleep 1.5
tscreen s2 >"$T/screen"
check "nothing was unlocked meanwhile" sh -c "! grep -q 'Start a new interview' '$T/screen'"
check "the unlock screen stays" grep -q "Unlock the vault" "$T/screen"

# --- quit works during the wait (the streak goes on: no new failures needed) ---
# s3 starts before s2 is killed: killing a server's last session makes it
# exit, and a session started at that moment can find it exiting.
tstart s3 80 24 "$START"
$TMUX_CMD kill-session -t s2
tunlock s3 ana "demo passphrase"
expect_screen "waiting once more" s3 "Yours comes in"
tkeys s3 C-c
if tgone s3; then ok "quit works while waiting"; else notok "quit works while waiting"; fi
