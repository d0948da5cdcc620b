#!/bin/sh
# Text at 80 columns is wrapped, never cut: the review's questions and
# answers (a multiple choice with many ticks), the indicators of the
# outcome, the record view's header. Changing an answer from the review
# comes back to that row, not the top.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
START="$INTAKE --vault $V --user ana"

on() { twait "$1" "$2" 5; }

# words NAME TEXT: every word of TEXT is on the screen (in order, any
# line), so nothing of it was cut.
words() {
	tr -s ' \n' '  ' <"$T/screen" >"$T/flat"
	for w in $2; do grep -qF -- "$w" "$T/flat" || return 1; done
}

tstart w1 80 24 "$START"
twait w1 "Unlock the vault" 10
tkeys w1 -l "demo passphrase"
tkeys w1 Enter
on w1 "Start a new interview"
tkeys w1 Enter
on w1 "Choose the questionnaire"
tkeys w1 Enter
on w1 "The respondent's language"
tkeys w1 Enter
on w1 "Are you afraid"
tkeys w1 2 Enter
on w1 "needs a doctor now"
tkeys w1 2 Enter
on w1 "Do you agree to answer"
tkeys w1 1 Enter
on w1 "share your information"
tkeys w1 1 Enter
twait w1 "statistics" 5
tkeys w1 1 Enter
on w1 "age ranges"
tkeys w1 2 Enter
on w1 "What work did you actually do"
tkeys w1 1 2 3 4 5
on w1 "[x]"
tkeys w1 Down Down Down Down Down Down Down Down Down Down Space
on w1 "[x] Marriage"
tkeys w1 Enter
on w1 "different from the work you were promised"
tkeys w1 C-r
expect_screen "the review" w1 "review the answers"
check "a long question wraps in the review, every word kept" \
    words w1 "Are you afraid that you or your family will be hurt if you leave here today?"
check "a long answer wraps too" \
    words w1 "Do you agree that some of your answers, without your name or anything that could identify you, are counted in statistics that help prevent trafficking?"
tkeys w1 End Enter
on w1 "What help do you need now"
tkeys w1 BTab
on w1 "married"
tkeys w1 1 Enter
on w1 "What help do you need now"
tkeys w1 2 Enter
on w1 "review the answers"
# Change the last answer from the review: the review comes back to it.
tkeys w1 End Up Enter
on w1 "What help do you need now"
tkeys w1 3 Enter
expect_screen "the review after a changed answer" w1 "review the answers"
check "it shows the row that was changed, highlighted" \
    grep -q "> What help do you need now" "$T/screen"
check "the answer of several ticks is whole, wrapped" \
    words w1 "A safe place to stay; Legal advice or help with documents"
tkeys w1 End Enter
on w1 "Outcome:"
tkeys w1 Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down
twait w1 "from: Has anyone given you money" 5
check "an indicator's question is whole on the outcome" \
    words w1 "from: Has anyone given you money, presents, food or a place to stay for sexual things, or taken money from someone else for sexual things with you?"
tkeys w1 Enter
on w1 "Saved case"
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/screen" | cut -d' ' -f3)
tkeys w1 -l "$code"
twait w1 "1 of 1" 5
tkeys w1 Down Enter
expect_screen "the record view" w1 "(read only)"
check "its header is whole, wrapped: nothing after the interviewer is cut" \
    words w1 "Trafficking rapid screen (Mekong, first contact) - English - final - interviewer ana"
tkeys w1 C-c
tgone w1

# A long choice wraps on the question screen (the full screening's first
# question), and the highlight and the mark still go with it.
tstart w2 80 24 "$START"
twait w2 "Unlock the vault" 10
tkeys w2 -l "demo passphrase"
tkeys w2 Enter
on w2 "Start a new interview"
tkeys w2 Enter
on w2 "Choose the questionnaire"
tkeys w2 Down Enter
on w2 "The respondent's language"
tkeys w2 Enter
expect_screen "a question with a long choice" w2 "who else can see or hear"
check "the long choice is whole, wrapped" \
    words w2 "Only a trusted interpreter, support worker, or a guardian or caseworker the respondent chose"
check "and the choices after it are shown" grep -q "Someone else (staff, officials, strangers)" "$T/screen"
tkeys w2 2
on w2 "(*) Only a trusted"
check "the digit marks the wrapped choice" grep -q "> (\*) Only a trusted interpreter" "$T/screen"
tkeys w2 C-c
tgone w2
