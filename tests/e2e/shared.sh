#!/bin/sh
# One vault, as on a shelter server: two interviewers (bo, cy) screen two
# respondents at the same time in two terminals, answer by answer in turn;
# bo quick-hides in the middle and resumes. Then a supervisor (ana) sees both
# records in the case list and opens one, and the audit trail holds all of
# it: both creations, bo's quick-hide, ana's view.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
SUP=$(passfile sup "demo passphrase")
for u in bo cy; do
	"$INTAKE" user add "$u" --role interviewer --vault "$V" --user ana --passphrase-file "$SUP" \
	    --new-passphrase-file "$(passfile "$u" "$u passphrase 123")" </dev/null >/dev/null
done
START="$INTAKE --vault $V"

tstart bo 80 24 "$START"
tstart cy 80 24 "$START"
tunlock bo bo "bo passphrase 123"
tunlock cy cy "cy passphrase 123"
expect_screen "bo reaches the case list" bo "Start a new interview"
expect_screen "cy reaches the case list" cy "Start a new interview"

# Each step: send keys to a session, then wait for what must follow.
step() {
	s=$1 want=$2; shift 2
	tkeys "$s" "$@"
	twait "$s" "$want" 10 || notok "$s: after $* the screen never showed: $want"
}

for s in bo cy; do step "$s" "Trafficking rapid screen" Enter; done
for s in bo cy; do step "$s" "ພາສາລາວ" Enter; done
for s in bo cy; do step "$s" "Are you afraid" Enter; done
for s in bo cy; do step "$s" "Are you hurt or ill" Down Enter; done
for s in bo cy; do step "$s" "Do you agree to answer" Down Enter; done
for s in bo cy; do step "$s" "age ranges" 1 Enter 1 Enter 1 Enter; done

# bo hides in the middle; cy goes on meanwhile; bo comes back to the draft.
tkeys bo C-q
expect_screen "bo's quick-hide locks bo's screen" bo "Hidden and locked"
tscreen cy >"$T/cy"
check "cy's screen is not affected" grep -q "age ranges" "$T/cy"
step cy "may be under 18" Down Down Enter
step cy "When this began" Down Enter
step cy "What work did you actually do" Down Enter
tunlock bo bo "bo passphrase 123"
expect_screen "bo is offered the draft" bo "Resume the interrupted interview?"
step bo "age ranges" Enter
step bo "may be under 18" Down Down Enter
step bo "When this began" Down Enter
step bo "What work did you actually do" Down Enter

for s in bo cy; do step "$s" "different from the work" Down Down Down Space Enter; done
for s in bo cy; do step "$s" "stop working" 1 Enter; done
for s in bo cy; do step "$s" "passport or ID card" C-d; done
for s in bo cy; do step "$s" "debt" C-n; done
for s in bo cy; do step "$s" "Did the employer" 1 Enter; done
for s in bo cy; do step "$s" "threaten" Down Enter; done
for s in bo cy; do step "$s" "Were you made to have sex" End Space Enter; done
for s in bo cy; do step "$s" "What help do you need now" Down Enter; done
for s in bo cy; do step "$s" "review the answers" Space Enter; done
for s in bo cy; do step "$s" "Outcome:" End Enter; done
tkeys bo Enter
tkeys cy Enter
expect_screen "bo's record is saved" bo "Saved case"
code_bo=$(grep -o 'Saved case [0-9A-Z-]*' "$T/screen" | cut -d' ' -f3)
expect_screen "cy's record is saved" cy "Saved case"
code_cy=$(grep -o 'Saved case [0-9A-Z-]*' "$T/screen" | cut -d' ' -f3)
check "two different case codes" test -n "$code_bo" -a -n "$code_cy" -a "$code_bo" != "$code_cy"
tkeys bo C-c
tkeys cy C-c
tgone bo
tgone cy

# Each interviewer sees only their own record.
tstart cy2 80 24 "$START"
tunlock cy2 cy "cy passphrase 123"
expect_screen "cy sees cy's record" cy2 "$code_cy"
check "cy does not see bo's record" sh -c "! grep -q '$code_bo' '$T/screen'"
tkeys cy2 C-c
tgone cy2

# The supervisor sees both, and opens bo's.
tstart ana 80 24 "$START"
tunlock ana ana "demo passphrase"
expect_screen "the supervisor sees bo's record" ana "$code_bo"
expect_screen "the supervisor sees cy's record" ana "$code_cy"
check "both interviewers are named in the list" sh -c "grep -q ' bo ' '$T/screen' && grep -q ' cy ' '$T/screen'"
line=$(grep -n "$code_bo" "$T/screen" | cut -d: -f1)
first=$(grep -n -E '[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]' "$T/screen" | head -1 | cut -d: -f1)
tkeys ana Down
[ "$line" -gt "$first" ] && tkeys ana Down
tkeys ana Enter
expect_screen "the supervisor opens bo's record" ana "case $code_bo (read only)"
tkeys ana C-c
tgone ana

run "$INTAKE" audit --vault "$V" --as ana --passphrase-file "$SUP"
expect "the trail lists bo's record" 0 "record create  $code_bo"
check "the trail lists cy's record" grep -q "cy *record create *$code_cy" "$T/out"
check "the trail lists bo's quick-hide" grep -q "bo *quick-hide" "$T/out"
check "the trail lists the supervisor's view" grep -q "ana *record view *$code_bo" "$T/out"
run "$INTAKE" verify --vault "$V" --user ana --passphrase-file "$SUP"
expect "the vault verifies after two interviewers at once" 0 "0 problems"
