#!/bin/sh
# The interview screens as a new interviewer meets them, in tmux at 80x24:
# no answer is ever recorded that nobody chose (a stray Enter on a list,
# the highlight alone); what is typed or ticked survives every overlay and
# a stray Esc; refusing consent asks first and says so in words; the
# outcome can be left to change answers; the keys do what the help says,
# on xterm, PuTTY and the Linux console alike.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
START="$INTAKE --vault $V --user ana"
PASSF=$(passfile p 'demo passphrase')

# open_form NAME N: unlock, start a new interview on the Nth form offered
# (1-based), in the form's default language.
open_form() {
	twait "$1" "Unlock the vault" 10
	tkeys "$1" -l "demo passphrase"
	tkeys "$1" Enter
	twait "$1" "Start a new interview" 10
	tkeys "$1" Enter
	twait "$1" "Choose the questionnaire" 5
	j=1
	while [ "$j" -lt "$2" ]; do tkeys "$1" Down; j=$((j + 1)); done
	tkeys "$1" Enter
	twait "$1" "The respondent's language" 5
	tkeys "$1" Enter
}

# on NAME TEXT: the screen shows TEXT now (after the paint settles).
on() { twait "$1" "$2" 5; }

# ---- 1. choices: nothing is recorded that nobody chose ----
tstart s1 80 24 "$START"
open_form s1 1
expect_screen "the rapid screen opens on the danger question" s1 "Are you afraid"
# ---- 12. at 80 columns the key bar keeps ^R and Shift-Tab ----
check "the key bar shows ^R Review at 80 columns" grep -q '\^R Review' "$T/screen"
check "the key bar shows Shift-Tab Back at 80 columns" grep -q 'Shift-Tab Back' "$T/screen"
check "and every safety key still" sh -c "grep -q '\^X End' '$T/screen' && grep -q '\^E Emergency' '$T/screen' && grep -q '\^Q Hide' '$T/screen'"
check "progress says which question of about how many" grep -q "Question 1 of about" "$T/screen"
tkeys s1 Enter
sleep 0.3
twait s1 "Nothing is chosen" 5
check "a stray Enter on an untouched single choice records nothing and stays" \
    sh -c "grep -q 'Are you afraid' '$T/screen' && ! grep -q 'needs a doctor' '$T/screen'"
check "it says how to choose" grep -q "Nothing is chosen: choose with Up/Down or the number" "$T/screen"
check "no choice is marked by the highlight alone" sh -c "! grep -q '(\*)' '$T/screen'"
tkeys s1 2
on s1 "(*) No"
check "a digit chooses the Nth choice and marks it" grep -q '> (\*) No' "$T/screen"
check "a digit does not move on by itself" grep -q "Are you afraid" "$T/screen"
tkeys s1 Up
on s1 "(*) Yes"
check "on a single choice the mark follows the arrows" sh -c "! grep -q '(\*) No' '$T/screen'"
tkeys s1 Down Enter
expect_screen "Enter accepts what is marked" s1 "needs a doctor now"
tkeys s1 2 Enter                       # urgent medical care: no
on s1 "Do you agree to answer"

# ---- 4. refusing consent asks first, in words, and can be taken back ----
tkeys s1 C-n
expect_screen "^N on the interview consent asks to confirm first" s1 "End the interview now?"
check "the confirmation says it in words" grep -q "does not agree to the interview" "$T/screen"
check "no raw code is shown" sh -c "! grep -q 'consent_refused' '$T/screen'"
tkeys s1 Escape
expect_screen "Esc goes back to the consent question" s1 "Do you agree to answer"
check "nothing ended: no outcome screen" sh -c "! grep -q 'ended early' '$T/screen'"
tkeys s1 C-d
expect_screen "^D on the consent asks to confirm too" s1 "End the interview now?"
tkeys s1 Escape
on s1 "Do you agree to answer"
tkeys s1 1 Enter
on s1 "share your information"
tkeys s1 1 Enter
twait s1 "statistics" 5
tkeys s1 1 Enter
expect_screen "age question" s1 "age ranges"
tkeys s1 Down
on s1 "(*) 9 to 17"                    # the mark followed the arrow
tkeys s1 Enter
expect_screen "multiple choice question" s1 "What work did you actually do"

# ---- 2. ticks survive emergency contacts, help and the language switch ----
tkeys s1 3
on s1 "[x]"
tkeys s1 C-e
on s1 "emergency contacts"
tkeys s1 Escape
on s1 "What work did you actually do"
check "a tick not yet accepted survives ^E" grep -q '\[x\]' "$T/screen"
tkeys s1 C-g
on s1 "Intake - help"
tkeys s1 Escape
on s1 "What work did you actually do"
check "a tick not yet accepted survives ^G" grep -q '\[x\]' "$T/screen"
tkeys s1 C-t
on s1 "Show the questions in"
tkeys s1 Escape
on s1 "What work did you actually do"
check "a tick not yet accepted survives ^T" grep -q '\[x\]' "$T/screen"
check "the highlight stays on the ticked choice" grep -q '> \[x\]' "$T/screen"
tkeys s1 Enter
expect_screen "yes/no after the ticked answer" s1 "different from the work you were promised"

# ---- 6. PgDn / PgUp change the question on a choice list ----
tkeys s1 PageDown
expect_screen "PgDn on a choice list goes to the next question" s1 "stop working"
tkeys s1 PageUp
expect_screen "PgUp on a choice list goes back a question" s1 "different from the work you were promised"
check "going forward and back recorded nothing" sh -c "! grep -q '(\*)' '$T/screen'"
# The Linux console's Shift-Tab is ESC TAB.
tkeys s1 Tab
on s1 "stop working"
thex s1 1b 09
expect_screen "ESC TAB (Linux console Shift-Tab) goes back" s1 "different from the work you were promised"
tkeys s1 Tab Tab Tab Tab Tab
expect_screen "the threats question" s1 "Did anyone threaten you"
tkeys s1 Enter
expect_screen "Enter on an optional multiple choice with no tick moves on" s1 "made to have sex with customers"
# Questions made irrelevant on the way (the adult's age questions by a
# child's age band, forced marriage by work that was not marriage) do not
# make the count jump back: it only grows.
check "the progress count only grows" grep -q "of about 18" "$T/screen"
tkeys s1 Tab
on s1 "money, presents"
tkeys s1 Tab
expect_screen "a required multiple choice" s1 "What help do you need now"
tkeys s1 Enter
sleep 0.3
twait s1 "Nothing is ticked" 5
check "Enter with nothing ticked asks for a tick and stays" \
    sh -c "grep -q 'What help do you need now' '$T/screen' && ! grep -q 'review the answers' '$T/screen'"
check "no choice was ticked for the respondent" sh -c "! grep -q '\[x\]' '$T/screen'"
tkeys s1 2 Enter
expect_screen "review after the needs" s1 "review the answers"

# ---- 5. the outcome is not a dead end ----
tkeys s1 End Enter
expect_screen "outcome screen" s1 "Outcome:"
twait s1 "Shift-Tab or ^R goes back" 5
check "the outcome says how to go back" grep -q "Shift-Tab or \^R goes back" "$T/screen"
tkeys s1 BTab
expect_screen "Shift-Tab on the outcome goes back to the answers" s1 "review the answers"
tkeys s1 End Enter
on s1 "Outcome:"
tkeys s1 C-r
expect_screen "^R on the outcome goes back to the answers" s1 "review the answers"
tkeys s1 Home Enter
expect_screen "an answer can still be changed" s1 "Are you afraid"
tkeys s1 1 Enter
on s1 "needs a doctor now"
tkeys s1 C-r
on s1 "review the answers"
tkeys s1 End Enter
on s1 "Outcome:"
tkeys s1 Enter
expect_screen "then Enter saves" s1 "Saved case"
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/screen" | cut -d' ' -f3)
run "$INTAKE" record show "$code" --format json --vault "$V" --user ana --passphrase-file "$PASSF"
expect "the record is final" 0 '"status":"final"'
check "the changed answer is the one saved" grep -q '"danger_now":"yes"' "$T/out"
check "the untouched optional multiple choice has no answer" sh -c "! grep -q '\"threats\"' '$T/out'"
check "the untouched optional yes/no has no answer" sh -c "! grep -q '\"could_quit\"' '$T/out'"
check "the ticked choice was kept across the overlays" grep -q '"sector"' "$T/out"

# ---- 4. a confirmed refusal ends and is saved as ended, in words ----
tkeys s1 Enter
on s1 "Choose the questionnaire"
tkeys s1 Enter
twait s1 "The respondent's language" 5
tkeys s1 Enter
on s1 "Are you afraid"
tkeys s1 2 Enter
on s1 "needs a doctor now"
tkeys s1 2 Enter
on s1 "Do you agree to answer"
tkeys s1 2 Enter
expect_screen "No on the consent asks to confirm" s1 "End the interview now?"
tkeys s1 Enter
expect_screen "confirmed, the interview ends and is saved" s1 "did not agree to it"
check "no raw code" sh -c "! grep -q 'consent_refused' '$T/screen'"
ecode=$(grep -o 'Case [0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]' "$T/screen" | cut -d' ' -f2)
run "$INTAKE" record show "$ecode" --format json --vault "$V" --user ana --passphrase-file "$PASSF"
expect "the saved record is ended for refused consent" 0 '"consent_refused"'
run "$INTAKE" record list --vault "$V" --user ana --passphrase-file "$PASSF"
check "no draft is left that says otherwise" sh -c "! grep -qi 'draft' '$T/out'"
tkeys s1 -l "$ecode"
twait s1 "1 of 2" 5
tkeys s1 Down Enter
twait s1 "case $ecode (read only)" 5
check "the record view gives the reason in words" grep -q "did not agree to the interview" "$T/screen"
tkeys s1 C-c
tgone s1

# ---- 8. "from:" names only the answers that made an indicator true ----
tstart s3 80 24 "$START"
open_form s3 1
on s3 "Are you afraid"
tkeys s3 2 Enter
on s3 "needs a doctor now"
tkeys s3 2 Enter
on s3 "Do you agree to answer"
tkeys s3 1 Enter
on s3 "share your information"
tkeys s3 1 Enter
twait s3 "statistics" 5
tkeys s3 1 Enter
on s3 "age ranges"
tkeys s3 7 Enter                       # 30 to 38: an adult
on s3 "When this began"
tkeys s3 2 Enter                       # and 18 or older when it began
on s3 "What work did you actually do"
# Marriage (the 11th choice) among the work, so that the question on
# marriage is asked at all.
tkeys s3 Down Down Down Down Down Down Down Down Down Down Space
on s3 "[x] Marriage"
tkeys s3 Enter
on s3 "different from the work you were promised"
tkeys s3 2 Enter
on s3 "stop working"
tkeys s3 C-r
on s3 "review the answers"
tkeys s3 End Enter
on s3 "What help do you need now"
tkeys s3 BTab
on s3 "married"
tkeys s3 1 Enter                       # forced marriage: yes
on s3 "What help do you need now"
tkeys s3 2 Enter
on s3 "review the answers"
tkeys s3 End Enter
on s3 "Outcome:"
tkeys s3 Enter
expect_screen "saved" s3 "Saved case"
mcode=$(grep -o 'Saved case [0-9A-Z-]*' "$T/screen" | cut -d' ' -f3)
run "$INTAKE" record show "$mcode" --vault "$V" --user ana --passphrase-file "$PASSF"
sed -n '/Forced marriage/,/^ *\[/p' "$T/out" >"$T/fired"
check "forced marriage fired, from the answer that made it true" grep -q "from: marriage_forced" "$T/fired"
check "not from an answer that did not (an adult age range)" sh -c "! grep -q 'from: age_band' '$T/fired'"
check "nor from the work done" sh -c "! grep -q 'from: sector' '$T/fired'"
tkeys s3 C-c
tgone s3

# ---- 2, 3, 6: text fields ----
export INTAKE_FORMS="$(cd "$(dirname "$0")" && pwd)/forms"
tstart s2 80 24 "INTAKE_FORMS=$INTAKE_FORMS $START"
open_form s2 1
on s2 "Do you agree?"
tkeys s2 1 Enter
expect_screen "a text question" s2 "Where did you work?"
tkeys s2 -l "one two"
on s2 "> one two"
tkeys s2 C-g
on s2 "Intake - help"
cp "$T/screen" "$T/help"
tkeys s2 PageDown
sleep 0.3
tscreen s2 >>"$T/help"
tkeys s2 PageDown
sleep 0.3
tscreen s2 >>"$T/help"
check "help lists the keys of a choice list, digits included" \
    grep -q "1 2 3 4 5 6 7 8 9 *Choose" "$T/help"
sed -n '/In the choices of a question/,/In text fields/p' "$T/help" >"$T/choicehelp"
check "help for choices: Space ticks, Home/End, and PgDn is not taken from Next" \
    sh -c "grep -q 'Space *Select' '$T/choicehelp' && ! grep -q 'Pg' '$T/choicehelp'"
tkeys s2 Escape
on s2 "Where did you work?"
check "typed text survives ^G" grep -q "> one two" "$T/screen"
tkeys s2 C-e
on s2 "emergency contacts"
tkeys s2 Escape
on s2 "Where did you work?"
check "typed text survives ^E" grep -q "> one two" "$T/screen"
tkeys s2 C-t
on s2 "Show the questions in"
tkeys s2 Down Enter
on s2 "ທ່ານເຮັດວຽກຢູ່ໃສ"
check "typed text survives a language switch" grep -q "> one two" "$T/screen"
tkeys s2 C-t
on s2 "Show the questions in"
tkeys s2 Up Enter
on s2 "Where did you work?"
# PuTTY's Ctrl-Left is ESC O D: one word left, not one character.
thex s2 1b 4f 44
tkeys s2 -l "X"
expect_screen "ESC O D (PuTTY Ctrl-Left) moves a word left" s2 "> one Xtwo"
tkeys s2 Escape
sleep 0.3
twait s2 "Esc undid" 5
check "Esc in a text field does not leave the interview" grep -q "Where did you work?" "$T/screen"
check "Esc undoes the field's edit" sh -c "! grep -q 'one Xtwo' '$T/screen'"
tkeys s2 Escape
sleep 0.3
twait s2 "Esc does not leave a question" 5
check "a second Esc says how to leave, and stays" grep -q "Where did you work?" "$T/screen"
tkeys s2 -l "a farm"
tkeys s2 Enter
on s2 "What happened?"
tkeys s2 BTab
expect_screen "an accepted answer is kept" s2 "> a farm"
tkeys s2 -l " and more"
tkeys s2 Escape
on s2 "Esc undid"
check "Esc puts back the accepted answer" grep -q "> a farm *$" "$T/screen"

# ---- 10. Lao and Thai digits are numbers ----
tkeys s2 Enter
on s2 "What happened?"
tkeys s2 Tab
expect_screen "a number question" s2 "Hours a day?"
tkeys s2 -l "໑໒"
tkeys s2 Enter
expect_screen "Lao digits are read as a number" s2 "When did you leave?"
tkeys s2 BTab
on s2 "Hours a day?"
check "and kept as the number 12" grep -q "> 12 *$" "$T/screen"
tkeys s2 C-u
tkeys s2 -l "๘"
tkeys s2 Enter
expect_screen "Thai digits are read as a number" s2 "When did you leave?"
tkeys s2 BTab
on s2 "Hours a day?"
check "and kept as the number 8" grep -q "> 8 *$" "$T/screen"
tkeys s2 C-c
tgone s2
