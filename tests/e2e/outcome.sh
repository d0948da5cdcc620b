#!/bin/sh
# The outcome screen at 80x24: what to do next (save, or go back to the
# answers) is in sight without scrolling however long the referral list;
# the indicators come before the referrals; a phone number is never broken
# across two lines.
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
