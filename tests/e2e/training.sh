#!/bin/sh
# A mock screening in the training vault, from its creation on first use to
# the debrief; the training banner must be on every screen on the way.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

TV=$T/training
P=$(passfile p "trainer passphrase")
BANNER="TRAINING - fictional cases only"
banner_everywhere=0
screens=0

# step TEXT: waits for TEXT and notes whether the banner is on that screen.
step() {
	if twait s1 "$1" 10; then
		screens=$((screens + 1))
		grep -qF "$BANNER" "$T/screen" || { banner_everywhere=1; echo "# no banner on: $1"; }
		return 0
	fi
	notok "screen shows: $1"
	sed 's/^/#   | /' "$T/screen"
	return 1
}

tstart s1 80 24 "$INTAKE --training --vault $TV --user tina --passphrase-file $P --kdf-ops 1 --kdf-mem 8"
step "Unlock the vault" && ok "the training vault is created on first use and asks to unlock"
tkeys s1 -l "trainer passphrase"
tkeys s1 Enter
step "Start a mock screening" && ok "training case list offers a mock screening"
tkeys s1 Enter
step "Choose the scenario" && ok "scenarios are listed"
check "the answer key is not shown before the debrief" sh -c "! grep -qi 'likely_victim\|expected' '$T/screen'"
tkeys s1 Enter                          # Mai, rapid screen
step "The respondent's language" && ok "language for the mock screening"
check "draft translations are marked, as before a real interview" grep -qF "(draft translation)" "$T/screen"
tkeys s1 Enter                          # English
step "Are you afraid" && ok "the interview runs on the scenario's form"
tkeys s1 Down Enter
step "Are you hurt or ill"
tkeys s1 Down Enter
step "Do you agree to answer"
tkeys s1 1 Enter 1 Enter 1 Enter
step "age ranges"
tkeys s1 Down Down Enter
step "may be under 18"
tkeys s1 Down Enter
step "When this began"
tkeys s1 Down Enter
step "What work did you actually do"
tkeys s1 End Up Space Enter             # marriage
step "different from the work"
tkeys s1 C-r
step "review the answers" && ok "review in training"
tkeys s1 End Enter
step "What help do you need now" && ok "finish goes to a required question left unanswered"
check "and says why" grep -q "An answer is needed" "$T/screen"
tkeys s1 Space Enter                    # medical care
step "review the answers"
tkeys s1 End Enter
step "Outcome:" && ok "outcome in training"
check "the banner is on every screen of the mock screening ($screens screens)" test "$banner_everywhere" -eq 0
# The trainee turns their screens Lao (^Y) before saving: the debrief is
# theirs to read, so its headings follow, while the scenario's title stays
# in the language the screening was taken in.
tkeys s1 C-y
on_lao=$(twait s1 "^T ພາສາ" 10 && echo 1)
check "^Y on the outcome screen turns the screens Lao" test "$on_lao" = 1
tkeys s1 Enter
expect_screen "saving a mock screening opens its debrief, headed in Lao" s1 "ການທົບທວນຫຼັງການຝຶກ: Mai"
expect_screen "the debrief gives a score" s1 "/100"
expect_screen "the debrief names missed indicators in Lao" s1 "ຕົວຊີ້ວັດທີ່ພາດ"
check "no English heading left" sh -c "! grep -qE 'Indicators missed|Debrief:' '$T/screen'"
check "the banner is on the debrief too" grep -qF "$BANNER" "$T/screen"
# On a phone the score's line wraps: its last part (the answers' points)
# stays on the screen.
tresize s1 40 20
expect_screen "at 40x20 the whole score shows, wrapped" s1 "/20)" 5
tresize s1 80 24
tsettle s1
tkeys s1 Escape
expect_screen "back on the case list, in Lao" s1 "ເລີ່ມການຄັດກອງຈຳລອງ"
tkeys s1 C-c
tgone s1

run "$INTAKE" training report --vault "$TV" --user tina --passphrase-file "$P"
expect "training report lists the session and its score" 0 "tina"
run "$INTAKE" record list --vault "$TV" --user tina --passphrase-file "$P"
check "the mock screening is a record of the training vault" grep -q "screening_short" "$T/out"
