#!/bin/sh
# A screening on the rapid form in the real binary, in tmux at 80x24: from
# unlock to a saved record, then a restart that lists and decrypts it; an
# interrupted interview resumed where it stopped; wrong passphrase,
# quick-hide, idle lock, a too-small window, NO_COLOR.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
START="$INTAKE --vault $V"

# --- wrong passphrase, then the real one ---
tstart s1 80 24 "$START"
expect_screen "unlock screen comes first" s1 "Unlock the vault"
check "nothing of the vault shows before unlock" sh -c "! grep -q 'Start a new interview' '$T/screen'"
tunlock s1 ana "not the passphrase"
expect_screen "wrong passphrase says so" s1 "wrong passphrase"
check "the passphrase is never echoed" sh -c "! grep -q 'not the passphrase' '$T/screen'"
tkeys s1 -l "demo passphrase"
tkeys s1 Enter
expect_screen "case list after unlock" s1 "Start a new interview"

# --- a full rapid screening ---
tkeys s1 Enter
expect_screen "form chooser" s1 "Trafficking rapid screen"
tkeys s1 Enter
expect_screen "language chooser" s1 "ພາສາລາວ"
tkeys s1 Enter
expect_screen "first question, with its section and progress" s1 "Are you afraid"
check "required question is marked with *" grep -q '^\* Are you afraid' "$T/screen"
check "quick-hide is on the key bar" grep -q '\^Q Hide' "$T/screen"
tkeys s1 Down Enter                     # danger_now: no
expect_screen "urgent medical need" s1 "Are you hurt or ill"
tkeys s1 Down Enter                     # urgent_medical: no
expect_screen "consent question" s1 "Do you agree to answer"
tkeys s1 1 Enter 1 Enter 1 Enter        # three consents: yes
expect_screen "profile" s1 "age ranges"
tkeys s1 Down Down Enter                # 18 to 20
expect_screen "a stated age of 18 to 20 asks the interviewer's view" s1 "may be under 18"
tkeys s1 Down Enter                     # presumed_minor: no
expect_screen "age when it began" s1 "When this began"
tkeys s1 Down Enter                     # age_at_start: 18 or older
expect_screen "select_multiple" s1 "What work did you actually do"
tkeys s1 Down Down Down Space Enter     # factory
expect_screen "yes/no on work" s1 "different from the work you were promised"
tkeys s1 1 Enter                        # job_different: yes -> deception
expect_screen "could quit" s1 "stop working"
tkeys s1 C-d                            # declined
expect_screen "documents" s1 "passport or ID card"
tkeys s1 C-n                            # don't know
expect_screen "debt" s1 "debt"
tkeys s1 1 Enter                        # debt_work_off: yes -> debt bondage
expect_screen "violence" s1 "Did the employer"
tkeys s1 Down Enter                     # no
expect_screen "threats" s1 "threaten"
tkeys s1 End Space Enter                # none
expect_screen "sexual exploitation question" s1 "Were you made to have sex"
tkeys s1 Down Enter
expect_screen "needs (no marriage question for factory work)" s1 "What help do you need now"
tkeys s1 Space Enter                    # medical care
expect_screen "review lists the answers" s1 "review the answers"
# Long questions wrap over several rows: move down to the declined one.
tkeys s1 Down Down Down Down Down Down Down Down Down Down
twait s1 "Declined" 5
check "a declined answer shows as declined" grep -q 'Declined' "$T/screen"
tkeys s1 End Enter
expect_screen "outcome screen" s1 "Outcome:"
tkeys s1 Enter
expect_screen "saved with a case code" s1 "Saved case"
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/screen" | cut -d' ' -f3)
check "case code looks like XXXX-XXXX-X" sh -c "echo '$code' | grep -Eq '^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$'"
tkeys s1 C-c
tgone s1
check "the program exits on ^C" test $? -eq 0
check "the screen is cleared on exit" sh -c "! $TMUX_CMD capture-pane -p -t s1 | grep -q 'Saved case'"

run "$INTAKE" record show "$code" --vault "$V" --user ana --passphrase-file "$(passfile p 'demo passphrase')"
expect "the saved record shows deception with the answer that fired it" 0 "from: job_different"
check "the declined answer is kept as declined" grep -q "\[Declined\]" "$T/out"

# --- restart: the case is listed and decrypts in the record view ---
tstart s2 80 24 "$START"
tunlock s2 ana "demo passphrase"
expect_screen "restart lists the saved case" s2 "$code"
tkeys s2 Down Enter
expect_screen "record view decrypts it" s2 "case $code (read only)"
tkeys s2 PageDown
expect_screen "record view scrolls to later answers" s2 "18 to 20"
tkeys s2 Escape
expect_screen "back to the list" s2 "Start a new interview"

# --- an interview killed in the middle resumes at the same question ---
tkeys s2 Enter
twait s2 "Trafficking rapid screen" 5
tkeys s2 Enter
twait s2 "ພາສາລາວ" 5
tkeys s2 Down Enter                     # Lao
expect_screen "interview in Lao" s2 "ທ່ານຢ້ານວ່າທ່ານ"
tkeys s2 Down Enter Down Enter 1 Enter 1 Enter 1 Enter # danger no, medical no, three consents yes
sleep 0.3
tkeys s2 Down Down Down Enter           # age band 21 to 23
sleep 0.3
tscreen s2 >"$T/before"
$TMUX_CMD kill-session -t s2
tstart s3 80 24 "$START"
tunlock s3 ana "demo passphrase"
expect_screen "offers to resume the interrupted interview" s3 "Resume the interrupted interview?"
check "resume shows progress" grep -q "6 of" "$T/screen"
tkeys s3 Enter
twait s3 "Question 7 of about" 1
expect_screen "resumed at the same question, in Lao" s3 "$(sed -n 5p "$T/before" | sed 's/^[* ]*//; s/ *$//')"
check "progress kept" sh -c "grep -q 'Question 7 of about' '$T/screen'"
tkeys s3 BTab
expect_screen "going back shows the earlier answer kept" s3 "(*)"

# --- quick-hide blanks and locks at once ---
tkeys s3 C-q
expect_screen "quick-hide shows only the unlock screen" s3 "Hidden and locked"
check "no question text after quick-hide" sh -c "! grep -q 'ຄວາມ' '$T/screen'"
tunlock s3 ana "demo passphrase"
expect_screen "unlock after hide offers the draft" s3 "Resume the interrupted interview?"
tkeys s3 C-c
tgone s3

# --- idle lock ---
tstart s4 80 24 "env INTAKE_IDLE_SECONDS=1 $START"
tunlock s4 ana "demo passphrase"
expect_screen "idle lock: unlocked first" s4 "Resume the interrupted interview?"
expect_screen "idle lock: locks by itself" s4 "Locked after a time without a key" 5
tkeys s4 C-c
tgone s4

# --- too small, then back; NO_COLOR ---
tstart s5 80 24 "env NO_COLOR=1 $START"
tunlock s5 ana "demo passphrase"
twait s5 "Resume" 5
tkeys s5 Enter
expect_screen "NO_COLOR: question shown" s5 "/"
check "NO_COLOR: selection marked with a character" grep -q '^  > [[(]' "$T/screen"
tresize s5 60 19
expect_screen "below 40x20 asks to enlarge" s5 "Enlarge the window to 40x20"
check "nothing else shows when too small" sh -c "! grep -q 'Hide' '$T/screen'"
tresize s5 80 24
expect_screen "back at 80x24 the question returns" s5 "^Q Hide"
tkeys s5 C-c
tgone s5
