#!/bin/sh
# Drafts in the case list of the real binary, in tmux at 80x24: a draft row
# shows the time it was last saved and how many questions are answered, and
# no outcome; an interview stopped and resumed twice is still one draft; an
# interviewer discards their own draft with a reason (^O), never another's;
# a supervisor discards an interviewer's; both discards are in `intake
# audit` with their reasons, and the vault still verifies.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
SUP=$(passfile sup "demo passphrase")
"$INTAKE" user add bo --role interviewer --vault "$V" --user ana --passphrase-file "$SUP" \
    --new-passphrase-file "$(passfile bo "bo passphrase 123")" </dev/null >/dev/null
START="$INTAKE --vault $V"
T1=1790000000 T2=1790003600 T3=1790007200      # 14:13, 15:13, 16:13 UTC
HM3=$(date -u -d @$T3 +%H:%M)
DAY3=$(date -u -d @$T3 +%Y-%m-%d)

# drafts: how many (draft) rows the list shows.
drafts() { grep -c '(draft)' "$T/screen"; }

# begin NAME: from the case list, a new rapid screening up to its first question.
begin() {
	tkeys "$1" Home Enter
	twait "$1" "Trafficking rapid screen" 5
	tkeys "$1" Enter
	twait "$1" "The respondent's language" 5
	tkeys "$1" Enter
	twait "$1" "Are you afraid" 5
}

# --- one interview, stopped and resumed twice, is one draft ---
tstart b1 80 24 "env INTAKE_TEST_NOW=$T1 $START"
tunlock b1 bo "bo passphrase 123"
twait b1 "Start a new interview" 10
begin b1
tkeys b1 Down Enter                     # danger_now: no
twait b1 "Are you hurt or ill" 5
tkeys b1 C-c
tgone b1
for when in $T2 $T3; do
	tstart "r$when" 80 24 "env INTAKE_TEST_NOW=$when $START"
	tunlock "r$when" bo "bo passphrase 123"
	twait "r$when" "Resume the interrupted interview?" 10
	tkeys "r$when" Enter
	twait "r$when" "Are you hurt or ill" 5
	[ "$when" = "$T2" ] && tkeys "r$when" Down Enter && twait "r$when" "Do you agree to answer" 5
	tkeys "r$when" C-c
	tgone "r$when"
done
tstart b2 80 24 "env INTAKE_TEST_NOW=$T3 $START"
tunlock b2 bo "bo passphrase 123"
twait b2 "Resume the interrupted interview?" 10
tkeys b2 Escape
expect_screen "the case list after declining to resume" b2 "Start a new interview"
check "stopping and resuming the same interview twice leaves one draft" test "$(drafts)" = 1
check "the draft row shows the time it was last saved and the questions answered" \
    grep -q "(draft) *$DAY3 bo  *screening_short *en  *saved $HM3, 2 answered" "$T/screen"
check "the draft row shows no outcome" sh -c "! grep '(draft)' '$T/screen' | grep -q 'victim\|no_indicators'"

# --- the supervisor's own draft, which bo never sees ---
tstart a1 80 24 "env INTAKE_TEST_NOW=$T1 $START"
tunlock a1 ana "demo passphrase"
twait a1 "Start a new interview" 10
begin a1
tkeys a1 C-c
tgone a1

# --- bo discards his own draft, with a reason ---
tkeys b2 C-c
tgone b2
tstart b3 80 24 "env INTAKE_TEST_NOW=$T3 $START"
tunlock b3 bo "bo passphrase 123"
twait b3 "Resume the interrupted interview?" 10
tkeys b3 Escape
twait b3 "Start a new interview" 10
check "an interviewer is not shown another's draft" test "$(drafts)" = 1
tkeys b3 C-o
expect_screen "^O off a draft row says what it is for" b3 "Only a draft can be discarded"
tkeys b3 Down
expect_screen "the key bar offers discarding on a draft row" b3 "^O Discard"
tkeys b3 C-o
expect_screen "^O asks for the reason" b3 "Discard this draft? Reason:"
tkeys b3 Enter
expect_screen "an empty reason is refused" b3 "the reason is empty"
check "nothing was discarded without a reason" test "$(drafts)" = 1
tkeys b3 -l "respondent left before consent"
tkeys b3 Enter
expect_screen "the draft is discarded" b3 "The draft was discarded"
check "the list has no draft left" test "$(drafts)" = 0
begin b3                                 # a second draft for the supervisor
tkeys b3 C-c
tgone b3

# --- ana sees bo's draft by owner only and discards it ---
tstart a2 80 24 "env INTAKE_TEST_NOW=$T3 $START"
tunlock a2 ana "demo passphrase"
twait a2 "Resume the interrupted interview?" 10
tkeys a2 Escape
expect_screen "the supervisor sees an interviewer's draft" a2 "another interviewer's draft"
check "her own draft and bo's are listed" test "$(drafts)" = 2
tkeys a2 Down Down Enter
expect_screen "another's draft cannot be opened" a2 "This is bo's draft"
tkeys a2 C-o
expect_screen "^O names whose draft goes" a2 "Discard bo's draft? Reason:"
tkeys a2 -l "abandoned, interviewer left the team"
tkeys a2 Enter
expect_screen "the supervisor discarded it" a2 "The draft was discarded"
check "only her own draft is left" test "$(drafts)" = 1
tkeys a2 C-c
tgone a2

# --- the trail and verify ---
run "$INTAKE" audit --vault "$V" --as ana --passphrase-file "$SUP" </dev/null
expect "intake audit runs" 0
check "bo's discard is in the trail with its reason" \
    grep -q "draft discard.*bo.*reason: respondent left before consent" "$T/out"
check "ana's discard of bo's draft is in the trail with its reason" \
    grep -q "ana.*draft discard.*bo.*reason: abandoned, interviewer left the team" "$T/out"
run "$INTAKE" verify --vault "$V" --user ana --passphrase-file "$SUP" </dev/null
expect "the vault verifies with draft discards in its trail" 0
