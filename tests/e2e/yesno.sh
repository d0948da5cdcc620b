#!/bin/sh
# A yes/no question takes one key: y or n answers and moves on, shown on the
# key bar and in the help; any other letter, and y or n on a question that
# is not yes/no, records nothing; a refused consent still asks first.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
tstart s1 80 24 "$INTAKE --vault $V --user ana"
twait s1 "Unlock the vault" 10
tkeys s1 -l "demo passphrase"
tkeys s1 Enter
twait s1 "Start a new interview" 10
tkeys s1 Enter
twait s1 "Trafficking rapid screen" 5
tkeys s1 Enter
twait s1 "ພາສາລາວ" 5
tkeys s1 Enter
expect_screen "a yes/no question" s1 "Are you afraid"
check "the key bar offers y and n" grep -q 'y/n Yes/No' "$T/screen"

# A letter that is neither y nor n does nothing: same question, no choice.
tkeys s1 x
sleep 0.3
tsettle s1
check "x stays on the question" grep -q 'Question 1 of about' "$T/screen"
check "x chooses nothing" sh -c "! grep -q '(\*)' '$T/screen'"

# n answers no and moves on, with no Enter.
tkeys s1 n
expect_screen "n moves on to the next question" s1 "Are you hurt or ill"
tkeys s1 BTab
expect_screen "back to the first question" s1 "Are you afraid"
check "n recorded No" grep -q '(\*) No' "$T/screen"
tkeys s1 Y
expect_screen "Y (caps) answers too" s1 "Are you hurt or ill"
tkeys s1 BTab
expect_screen "back again" s1 "Are you afraid"
check "Y recorded Yes" grep -q '(\*) Yes' "$T/screen"
tkeys s1 Tab
twait s1 "Are you hurt or ill" 5
tkeys s1 n
expect_screen "consent question" s1 "Do you agree to answer"

# n on the interview consent ends the interview, so it asks first.
tkeys s1 n
expect_screen "n on the consent asks before ending" s1 "End the interview now?"
tkeys s1 Escape
expect_screen "Esc goes back to the consent question" s1 "Do you agree to answer"
tkeys s1 y
twaitgone s1 "Do you agree to answer" 5
tkeys s1 y y
expect_screen "a question that is not yes/no" s1 "age ranges"
check "its key bar has no y/n" sh -c "! grep -q 'y/n' '$T/screen'"
tkeys s1 y
expect_screen "y there says what it does" s1 "y and n answer yes/no questions only"
check "y there chooses nothing" sh -c "! grep -q '(\*)' '$T/screen'"
check "y there stays on the question" grep -q 'age ranges' "$T/screen"

# The help, generated from the key table, lists y and n.
tkeys s1 C-g
expect_screen "help" s1 "Intake - help"
i=0
while [ "$i" -lt 30 ] && ! grep -q 'Answer no and go on' "$T/screen"; do
	tkeys s1 Down; tsettle s1; i=$((i + 1))
done
check "help lists y Y for yes" grep -q 'y Y  *Yes  *Answer yes and go on' "$T/screen"
check "help lists n N for no" grep -q 'n N  *No  *Answer no and go on' "$T/screen"
tkeys s1 Escape
tkeys s1 C-c
tgone s1
