#!/bin/sh
# The respondent's safety keys on the interview screen (end the interview,
# emergency contacts), and the terminal left clean whatever happens: a
# dropped link (SIGHUP), a crash, a locale that is not UTF-8.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
START="$INTAKE --vault $V --user ana"

start_interview() {
	twait "$1" "Unlock the vault" 10
	tkeys "$1" -l "demo passphrase"
	tkeys "$1" Enter
	twait "$1" "Start a new interview" 10
	tkeys "$1" Enter
	twait "$1" "Trafficking rapid screen" 5
	tkeys "$1" Enter
	twait "$1" "ພາສາລາວ" 5
	tkeys "$1" Enter
	twait "$1" "Are you afraid" 5
}

tstart s1 80 24 "$START"
start_interview s1
tkeys s1 C-e
expect_screen "^E shows emergency contacts from the directory" s1 "emergency contacts"
check "emergency contacts list a hotline" grep -qi "hotline" "$T/screen"
tkeys s1 Escape
expect_screen "Esc returns to the same question" s1 "Are you afraid"
tkeys s1 Down Enter Down Enter 1 Enter # danger no, medical no, consent to interview yes
twait s1 "share your information" 5
tkeys s1 C-x
expect_screen "^X asks why the interview ends" s1 "Why does it end?"
tkeys s1 Escape
expect_screen "Esc goes back to the interview" s1 "share your information"
tkeys s1 C-x
twait s1 "Why does it end?" 5
tkeys s1 Enter                          # the respondent asked to stop
expect_screen "ending saves a record that says so" s1 "The interview ended; case"
code=$(grep -o 'case [0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]' "$T/screen" | cut -d' ' -f2)
run "$INTAKE" record show "$code" --format json --vault "$V" --user ana \
    --passphrase-file "$(passfile p 'demo passphrase')"
expect "the record is marked as ended by the respondent" 0 '"respondent_stopped"'
check "answers given under consent are kept" grep -q '"danger_now"' "$T/out"

# A dropped link: SIGHUP ends the program at once, without spinning.
tkeys s1 Enter
twait s1 "Trafficking rapid screen" 5
tkeys s1 Enter
twait s1 "ພາສາລາວ" 5
tkeys s1 Enter
twait s1 "Are you afraid" 5
kill -HUP "$($TMUX_CMD display-message -p -t s1 '#{pane_pid}')"
tgone s1
check "SIGHUP ends the program (no spinning on a dead terminal)" test $? -eq 0
tstart s2 80 24 "$START"
twait s2 "Unlock the vault" 10
tkeys s2 -l "demo passphrase"
tkeys s2 Enter
expect_screen "after a hang-up the draft is offered" s2 "Resume the interrupted interview?"
tkeys s2 Escape
twait s2 "Start a new interview" 5

# A crash restores the terminal before dying.
check "the program uses the alternate screen" test "$($TMUX_CMD display-message -p -t s2 '#{alternate_on}')" = 1
kill -SEGV "$($TMUX_CMD display-message -p -t s2 '#{pane_pid}')"
tgone s2
check "a crash leaves the alternate screen" test "$($TMUX_CMD display-message -p -t s2 '#{alternate_on}')" = 0

# A locale that is not UTF-8 is switched to C.UTF-8, not shown as blanks.
tstart s3 80 24 "env LANG=C LC_ALL=C $START"
twait s3 "Unlock the vault" 10
tkeys s3 -l "demo passphrase"
tkeys s3 Enter
twait s3 "Resume the interrupted interview?" 10
tkeys s3 Escape
twait s3 "Start a new interview" 5
tkeys s3 Enter
twait s3 "Trafficking rapid screen" 5
tkeys s3 Enter
expect_screen "under LANG=C, Lao text still renders (switched to C.UTF-8)" s3 "ພາສາລາວ"
tkeys s3 C-c
tgone s3
