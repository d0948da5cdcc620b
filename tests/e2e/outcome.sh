#!/bin/sh
# The outcome screen at 80x24: what to do next (save, or go back to the
# answers) is in sight without scrolling however long the referral list;
# the indicators come before the referrals; a phone number is never broken
# across two lines. Immediate danger shows as a flag above the outcome it
# stands beside, both in sight at once, with its emergency contacts.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
START="$INTAKE --vault $V --user ana"

on() { twait "$1" "$2" 5; }

# A rapid screen whose outcome ("likely victim") lists every referral.
tstart o1 80 24 "$START"
twait o1 "Unlock the vault" 10
tkeys o1 -l "demo passphrase"
tkeys o1 Enter
on o1 "Start a new interview"
tkeys o1 Enter
on o1 "Choose the questionnaire"
tkeys o1 Enter
on o1 "The respondent's language"
tkeys o1 Enter
on o1 "Are you afraid"
tkeys o1 2 Enter
on o1 "needs a doctor now"
tkeys o1 2 Enter
on o1 "Do you agree to answer"
tkeys o1 1 Enter
on o1 "share your information"
tkeys o1 1 Enter
twait o1 "statistics" 5
tkeys o1 1 Enter
on o1 "age ranges"
tkeys o1 2 Enter                       # 9 to 17: a child
on o1 "What work did you actually do"
tkeys o1 Down Down Down Down Down Down Down Down Down Down Space
on o1 "[x] Marriage"
tkeys o1 Enter
on o1 "different from the work you were promised"
tkeys o1 C-r
on o1 "review the answers"
tkeys o1 End Enter
on o1 "What help do you need now"
tkeys o1 BTab
on o1 "married"
tkeys o1 1 Enter
on o1 "What help do you need now"
tkeys o1 2 Enter
on o1 "review the answers"
tkeys o1 End Enter
expect_screen "the outcome of a likely victim" o1 "Outcome:"
check "Enter saves: said without scrolling" grep -q "Enter saves this as a final" "$T/screen"
check "Shift-Tab or ^R goes back: said without scrolling" \
    grep -q "Shift-Tab or ^R goes back to the answers" "$T/screen"
# The whole outcome, page by page.
cp "$T/screen" "$T/all"
i=0
while [ "$i" -lt 12 ]; do
	tkeys o1 PageDown Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down
	sleep 0.3
	tscreen o1 >>"$T/all"
	i=$((i + 1))
done
ind=$(grep -n "Indicators" "$T/all" | head -1 | cut -d: -f1)
ref=$(grep -n "+856\|+66\|+86" "$T/all" | head -1 | cut -d: -f1)
check "the indicators come before the referrals" test "${ind:-999999}" -lt "${ref:-0}"
check "no phone number is broken across lines" \
    sh -c "! grep -Eq '(\+[0-9]+|[0-9]{2,} [0-9]+) *$' '$T/all'"
tkeys o1 C-c
tgone o1

# In danger now: the finding stays (a possible victim) and the danger flag
# stands above it, both on the first screen; its contacts follow. A vault
# of its own: the first session left its interview to resume.
new_vault "$T/vault2"
tstart o2 80 24 "$INTAKE --vault $T/vault2 --user ana"
twait o2 "Unlock the vault" 10
tkeys o2 -l "demo passphrase"
tkeys o2 Enter
on o2 "Start a new interview"
tkeys o2 Enter
on o2 "Choose the questionnaire"
tkeys o2 Enter
on o2 "The respondent's language"
tkeys o2 Enter
on o2 "Are you afraid"
tkeys o2 1 Enter                       # yes: in danger now
on o2 "needs a doctor now"
tkeys o2 2 Enter
on o2 "Do you agree to answer"
tkeys o2 1 Enter
on o2 "share your information"
tkeys o2 1 Enter
twait o2 "statistics" 5
tkeys o2 1 Enter
on o2 "age ranges"
tkeys o2 5 Enter
on o2 "When this began"
tkeys o2 C-r
on o2 "review the answers"
tkeys o2 End Enter
on o2 "What help do you need now"
tkeys o2 2 Enter
on o2 "review the answers"
tkeys o2 End Enter
expect_screen "danger now: the flag on the outcome screen" o2 "!! Immediate danger: act now"
check "the finding stays beside the flag, in sight" \
    grep -q "Outcome: Possible victim: further assessment" "$T/screen"
flag=$(grep -n "!! Immediate danger" "$T/screen" | head -1 | cut -d: -f1)
out=$(grep -n "Outcome: " "$T/screen" | head -1 | cut -d: -f1)
check "the flag stands above the outcome" test "${flag:-99}" -lt "${out:-0}"
check "the flag says what to do first" \
    grep -q "Before acting on the outcome, put the respondent's safety first" "$T/screen"
tscreen o2 >"$T/all2"
i=0
while [ "$i" -lt 4 ]; do
	tkeys o2 Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down
	sleep 0.3
	tscreen o2 >>"$T/all2"
	i=$((i + 1))
done
check "the flag's emergency contacts are listed" \
    sh -c "grep -A3 '!! Contacts for: Immediate danger' '$T/all2' | grep -q '191'"
tkeys o2 C-c
tgone o2
