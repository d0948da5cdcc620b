#!/bin/sh
# A phone's terminal, 40x20: a whole screening on the rapid form is
# answered, reviewed and saved; quick-hide and help stay on the key bar of
# every screen met on the way; the case list shows each case's outcome
# and every key; a choice is kept across a resize; a draft is resumed or
# discarded from a phone; below 40x20 only "enlarge the window" shows.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
tstart s1 40 20 "$INTAKE --vault $V --user ana"
expect_screen "unlock at 40x20" s1 "Unlock the vault"
check "unlock: quit and language on the two-row key bar" \
    sh -c "grep -q '\\^C Quit' '$T/screen' && grep -q '\\^T Language' '$T/screen'"
tkeys s1 -l "demo passphrase"
tkeys s1 Enter
expect_screen "case list at 40x20" s1 "Start a new interview"
check "case list: quick-hide on the key bar" grep -q '\^Q Hide' "$T/screen"
tkeys s1 Enter
expect_screen "form chooser" s1 "Choose the questionnaire"
check "form chooser: a long title takes a second row, not cut" grep -q 'first contact)' "$T/screen"
tkeys s1 Enter
expect_screen "language chooser" s1 "The respondent's language"
tkeys s1 Enter
expect_screen "first question at 40x20" s1 "Are you afraid"
check "question: quick-hide on the key bar" grep -q '\^Q Hide' "$T/screen"
check "question: emergency on the key bar" grep -q '\^E Emergency' "$T/screen"
check "question: help on the key bar" grep -q '\^G Help' "$T/screen"
check "question: y and n on the key bar" grep -q 'y/n Yes/No' "$T/screen"
check "question: the progress counter" grep -q '1 of about' "$T/screen"
tkeys s1 n
expect_screen "n answers at 40x20" s1 "Are you hurt or ill"
tkeys s1 n
expect_screen "consent" s1 "Do you agree to answer"
tkeys s1 y
twaitgone s1 "Do you agree to answer" 5
tkeys s1 y y
expect_screen "age" s1 "age ranges"
tkeys s1 Down Down Enter
expect_screen "presumed minor" s1 "may be under"
tkeys s1 n
expect_screen "age at start" s1 "When this began"
tkeys s1 Down Enter
expect_screen "multiple choice at 40x20" s1 "What work did you actually do"
check "multiple choice: its hint wraps, not cut" grep -q 'Shift-Tab goes back' "$T/screen"
tkeys s1 4 Enter
expect_screen "next" s1 "different from the work"
tkeys s1 y
twaitgone s1 "different from the work" 5

# Help at 40 columns: every key with what it does, nothing cut.
tkeys s1 C-g
expect_screen "help at 40x20" s1 "Show the keys and what they do"
check "help: the text under its key, not cut" grep -q '      Accept the answer or the' "$T/screen"
tkeys s1 Escape
twaitgone s1 "Show the keys and what they do" 5

tkeys s1 C-r
expect_screen "review at 40x20" s1 "review the answers"
check "review: quick-hide on the key bar" grep -q '\^Q Hide' "$T/screen"
check "review: its first line wraps, not cut" grep -q 'shows the outcome' "$T/screen"
tkeys s1 End Enter
twait s1 "Are you" 5
tkeys s1 C-d
twaitgone s1 "Question" 2
i=0
while [ "$i" -lt 40 ] && ! grep -q 'Intake - outcome\|^ outcome' "$T/screen"; do
	tkeys s1 C-d
	sleep 0.2
	tscreen s1 >"$T/screen"
	if grep -q 'review the answers' "$T/screen"; then tkeys s1 End Enter; sleep 0.3; fi
	tscreen s1 >"$T/screen"
	i=$((i + 1))
done
expect_screen "outcome at 40x20" s1 "Enter saves this as a final,"
check "outcome: quick-hide on the key bar" grep -q '\^Q Hide' "$T/screen"
check "outcome: the outcome's name wraps, not cut" grep -q 'Outcome:' "$T/screen"
tkeys s1 Enter
expect_screen "saved at 40x20" s1 "Saved case"
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/screen" | cut -d' ' -f3)
twait s1 "Start a new interview" 5
# A phone sees how each case ended, and the case list's every key.
check "case list at 40x20: the saved case's status shows in its row" \
    grep -Eq "^  $code 2026-[0-9-]+ (ended|[a-z_]+victim|[a-z_]+indicators)" "$T/screen"
check "case list at 40x20: language and quit on the key bar" \
    sh -c "grep -q '\\^T Language' '$T/screen' && grep -q '\\^C Quit' '$T/screen'"

# Below 40x20: only the request to enlarge; back up: the screen returns.
tresize s1 39 20
expect_screen "below 40 columns asks to enlarge" s1 "Enlarge the window to 40x20"
check "nothing else shows" sh -c "! grep -q 'Hide' '$T/screen'"
tresize s1 40 19
expect_screen "below 20 rows asks too" s1 "Enlarge the window to 40x20"
tresize s1 40 20
expect_screen "at 40x20 the case list returns" s1 "Start a new interview"

# A choice made at 40x20 survives a resize to 80x24 (the 80x24 layout,
# two key-bar rows) and back.
tkeys s1 Enter
twait s1 "Choose the questionnaire" 5
tkeys s1 Enter
twait s1 "The respondent's language" 5
tkeys s1 Enter
twait s1 "1 of about" 5
tkeys s1 Down
twait s1 "(*) No" 5
tresize s1 80 24
expect_screen "80x24 again: the wide layout" s1 "Question 1 of about"
check "the choice is kept across the resize" grep -q '(\*) No' "$T/screen"
check "the wide key bar is back" grep -q '\^T Language \^G Help' "$T/screen"

# The interview left as a draft, seen from a phone: the resume question
# whole, the draft's row, and a discard whose reason has a row of its own.
tresize s1 40 20
tkeys s1 C-q
expect_screen "quick-hide locks" s1 "Unlock the vault"
tkeys s1 -l "demo passphrase"
tkeys s1 Enter
expect_screen "resume at 40x20" s1 "Resume the interrupted"
check "resume: the question is not cut" grep -q 'interview?' "$T/screen"
tkeys s1 Escape
expect_screen "the draft in the case list" s1 "(draft)"
check "the draft's row: the day and time it was saved" \
    grep -Eq '^  \(draft\) +2026-[0-9-]+ [0-9]{2}:[0-9]{2}' "$T/screen"
tkeys s1 Down C-o
expect_screen "discard asks why" s1 "Discard this draft? Reason:"
tkeys s1 -l "she left"
twait s1 "she left" 5
check "the reason is typed on its own row, below the question" \
    sh -c "grep -A1 'Discard this draft? Reason:' '$T/screen' | grep -q '^  she left'"
tkeys s1 Enter
twaitgone s1 "(draft)" 5 && ok "the draft is discarded" || notok "the draft is discarded"
tkeys s1 C-c
tgone s1
