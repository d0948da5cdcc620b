#!/bin/sh
# Golden screens: each kind of screen, captured whole in tmux and compared
# with the file committed under tests/e2e/golden/ (diff -u shown on any
# difference). Kinds: unlock, case list, a question of each kind (text,
# single choice, multiple choice), review, outcome, record view, emergency
# contacts, help; each with the interview in English and in Lao, at 80x24,
# and at 40x20, the smallest size the screens are laid out for (a phone);
# once, below that, the screen that asks for a larger window. Then the
# program's own screens in Lao and in Thai (INTAKE_LANG): the unlock screen
# and the case list, at 80x24; and under the Lao interface, an interview in
# Chinese at 80x24: a question, the same with ^P (the Lao question and
# choices beneath), the review and the outcome (^P still on); the same walk
# with the interview in Lao under the Thai interface.
#
# Reproducible by construction: the test clock (INTAKE_TEST_NOW, set by
# tests/tmux.sh), a fixed user and passphrase, a fresh vault per language.
# What differs from run to run is masked with sed before comparing: the
# case code (XXXX-XXXX-X) and the temporary directory of the vault ($T).
#
# GOLDEN_UPDATE=1 rewrites the files from what the program shows now:
# review the diff before committing it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

GOLD="$(cd "$(dirname "$0")" && pwd)/golden"
TFORMS="$(cd "$(dirname "$0")" && pwd)/forms"
mkdir -p "$GOLD"

mask() {
	sed -E -e "s|$T|\$T|g" \
	    -e 's/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]([^0-9A-Z]|$)/XXXX-XXXX-X\1/g'
}

# golden1 SESSION NAME: compares the screen with golden/NAME.txt. After a
# resize the pane first shows the old screen cut to the new size until the
# program repaints, and a slow build (the sanitizers) may take longer than
# any fixed pause; so the screen is polled until it matches, for up to five
# seconds, and only a screen that never matched is a failure.
golden1() {
	if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then
		sleep 1
		tscreen "$1" | mask >"$T/got"
		cp "$T/got" "$GOLD/$2.txt"
		ok "golden $2 (rewritten)"
		return
	fi
	if [ ! -f "$GOLD/$2.txt" ]; then
		notok "golden $2" "no file golden/$2.txt: run with GOLDEN_UPDATE=1"
		return
	fi
	k=0
	while :; do
		tscreen "$1" | mask >"$T/got"
		cmp -s "$GOLD/$2.txt" "$T/got" && break
		[ "$k" -ge 100 ] && break
		sleep 0.05
		k=$((k + 1))
	done
	if diff -u "$GOLD/$2.txt" "$T/got" >"$T/diff"; then
		ok "golden $2"
	else
		notok "golden $2" "the screen differs from golden/$2.txt"
		sed 's/^/#   /' "$T/diff"
	fi
}

# golden SESSION LANG KIND: the screen at 80x24, then at 40x20, then back.
golden() {
	tsettle "$1"
	golden1 "$1" "$2-$3.80x24"
	tresize "$1" 40 20
	tsettle "$1"
	golden1 "$1" "$2-$3.40x20"
	tresize "$1" 80 24
	tsettle "$1"
}

on() { twait "$1" "$2" 5; }

# run_lang LANG DOWNS: the whole walk with the interview in the language
# offered DOWNS places below the form's default.
run_lang() {
	L=$1 downs=$2 s=g$1
	V=$T/vault-$L
	new_vault "$V"
	tstart "$s" 80 24 "$INTAKE --vault $V --user ana"
	on "$s" "Unlock the vault"
	golden "$s" "$L" unlock
	tresize "$s" 39 20
	twait "$s" "Enlarge" 5
	golden1 "$s" "$L-enlarge.39x20"
	tresize "$s" 80 24
	twaitgone "$s" "Enlarge" 5
	tkeys "$s" -l "demo passphrase"
	tkeys "$s" Enter
	on "$s" "Start a new interview"
	golden "$s" "$L" cases
	tkeys "$s" Enter
	on "$s" "Choose the questionnaire"
	tkeys "$s" Enter
	on "$s" "The respondent's language"
	i=0
	while [ "$i" -lt "$downs" ]; do tkeys "$s" Down; i=$((i + 1)); done
	tkeys "$s" Enter
	on "$s" "Question 1 of about"
	golden "$s" "$L" question-choice
	tkeys "$s" C-g
	on "$s" "Intake - help"
	golden "$s" "$L" help
	tkeys "$s" Escape
	on "$s" "Question 1 of about"
	tkeys "$s" C-e
	on "$s" "Intake - emergency contacts"
	golden "$s" "$L" emergency
	tkeys "$s" Escape
	on "$s" "Question 1 of about"
	tkeys "$s" 2 Enter
	on "$s" "Question 2 of about"
	tkeys "$s" 2 Enter
	on "$s" "Question 3 of about"
	tkeys "$s" 1 Enter
	on "$s" "Question 4 of about"
	tkeys "$s" 1 Enter
	on "$s" "Question 5 of about"
	tkeys "$s" 1 Enter
	on "$s" "Question 6 of about"
	tkeys "$s" 7 Enter                 # 30 to 38
	on "$s" "Question 7 of about"
	tkeys "$s" 2 Enter                 # 18 or older when it began
	on "$s" "Question 8 of about"
	tkeys "$s" 3
	on "$s" "[x]"
	golden "$s" "$L" question-multi
	tkeys "$s" Enter
	on "$s" "Question 9 of about"
	tkeys "$s" 1 Enter
	on "$s" "Question 10 of about"
	tkeys "$s" C-r
	on "$s" "review the answers"
	golden "$s" "$L" review
	tkeys "$s" End Enter
	on "$s" "Question"
	tkeys "$s" 2 Enter
	on "$s" "review the answers"
	tkeys "$s" End Enter
	on "$s" "Intake - outcome"
	golden "$s" "$L" outcome
	tkeys "$s" Enter
	on "$s" "Saved case"
	code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/screen" | cut -d' ' -f3)
	tkeys "$s" -l "$code"
	on "$s" "1 of 1"
	tkeys "$s" Down Enter
	on "$s" "(read only)"
	golden "$s" "$L" record
	tkeys "$s" C-c
	tgone "$s"

	# A text question, from the small form of the terminal tests.
	tstart "t$L" 80 24 "INTAKE_FORMS=$TFORMS $INTAKE --vault $V --user ana"
	on "t$L" "Unlock the vault"
	tkeys "t$L" -l "demo passphrase"
	tkeys "t$L" Enter
	on "t$L" "Start a new interview"
	tkeys "t$L" Enter
	on "t$L" "Choose the questionnaire"
	tkeys "t$L" Enter
	on "t$L" "The respondent's language"
	i=0
	while [ "$i" -lt "$downs" ]; do tkeys "t$L" Down; i=$((i + 1)); done
	tkeys "t$L" Enter
	on "t$L" "Question 1 of about"
	tkeys "t$L" 1 Enter
	on "t$L" "Question 2 of about"
	golden "t$L" "$L" question-text
	tkeys "t$L" C-c
	tgone "t$L"
}

run_lang en 0
run_lang lo 1

# run_ui LANG UNLOCK START: the unlock screen and the case list with the
# program's own screens in LANG; UNLOCK and START are its words for
# "Unlock the vault" and "Start a new interview".
run_ui() {
	s=u$1
	V=$T/vault-ui-$1
	new_vault "$V"
	tstart "$s" 80 24 "INTAKE_LANG=$1 $INTAKE --vault $V --user ana"
	on "$s" "$2"
	tsettle "$s"
	golden1 "$s" "ui-$1-unlock.80x24"
	tkeys "$s" -l "demo passphrase"
	tkeys "$s" Enter
	on "$s" "$3"
	tsettle "$s"
	golden1 "$s" "ui-$1-cases.80x24"
	tkeys "$s" C-c
	tgone "$s"
}

run_ui lo "ປົດລັອກບ່ອນເກັບຂໍ້ມູນ" "ເລີ່ມການສຳພາດໃໝ່"
run_ui th "ปลดล็อกคลังข้อมูล" "เริ่มการสัมภาษณ์ใหม่"

# run_ui_interview UI IL DOWNS: an interview in language IL (DOWNS places
# below the form's default) under the interface in UI, along the walk of
# run_lang: the question, then with ^P (the question in UI beneath), the
# review and the outcome. The words the walk waits for, in UI, are set
# before: W_UNLOCK, W_START, W_FORM, W_LANG, W_Q ("Question"), W_OF
# ("of"), W_REVIEW, W_OUTCOME, and W_BOTH (the first question's opening
# words in UI).
run_ui_interview() {
	s=ui$1$2
	V=$T/vault-ui-$1-$2
	new_vault "$V"
	tstart "$s" 80 24 "INTAKE_LANG=$1 $INTAKE --vault $V --user ana"
	on "$s" "$W_UNLOCK"
	tkeys "$s" -l "demo passphrase"
	tkeys "$s" Enter
	on "$s" "$W_START"
	tkeys "$s" Enter
	on "$s" "$W_FORM"
	tkeys "$s" Enter
	on "$s" "$W_LANG"
	i=0
	while [ "$i" -lt "$3" ]; do tkeys "$s" Down; i=$((i + 1)); done
	tkeys "$s" Enter
	on "$s" "$W_Q 1 $W_OF"
	tsettle "$s"
	golden1 "$s" "ui-$1-$2-question-choice.80x24"
	tkeys "$s" C-p
	on "$s" "$W_BOTH"
	tsettle "$s"
	golden1 "$s" "ui-$1-$2-question-both.80x24"
	n=1
	for k in 2 2 1 1 1 7 2; do
		tkeys "$s" "$k" Enter
		n=$((n + 1))
		on "$s" "$W_Q $n $W_OF"
	done
	tkeys "$s" 3
	on "$s" "[x]"
	tkeys "$s" Enter
	on "$s" "$W_Q 9 $W_OF"
	tkeys "$s" 1 Enter
	on "$s" "$W_Q 10 $W_OF"
	tkeys "$s" C-r
	on "$s" "$W_REVIEW"
	tsettle "$s"
	golden1 "$s" "ui-$1-$2-review-both.80x24"
	tkeys "$s" End Enter
	on "$s" "$W_Q"
	tkeys "$s" 2 Enter
	on "$s" "$W_REVIEW"
	tkeys "$s" End Enter
	on "$s" "$W_OUTCOME"
	tsettle "$s"
	golden1 "$s" "ui-$1-$2-outcome-both.80x24"
	tkeys "$s" C-c
	tgone "$s"
}

# Chinese under the Lao interface.
W_UNLOCK="ປົດລັອກບ່ອນເກັບຂໍ້ມູນ" W_START="ເລີ່ມການສຳພາດໃໝ່" W_FORM="ເລືອກແບບສອບຖາມ"
W_LANG="ພາສາຂອງຜູ້ໃຫ້ສຳພາດ" W_Q="ຄຳຖາມທີ" W_OF="ຈາກ"
W_REVIEW="Intake - ທົບທວນຄຳຕອບ" W_OUTCOME="Intake - ຜົນ" W_BOTH="ທ່ານຢ້ານວ່າທ່ານ"
run_ui_interview lo zh 3

# Lao under the Thai interface.
W_UNLOCK="ปลดล็อกคลังข้อมูล" W_START="เริ่มการสัมภาษณ์ใหม่" W_FORM="เลือกแบบสอบถาม"
W_LANG="ภาษาของผู้ให้สัมภาษณ์" W_Q="คำถามที่" W_OF="จาก"
W_REVIEW="Intake - ทบทวนคำตอบ" W_OUTCOME="Intake - ผลลัพธ์" W_BOTH="คุณกลัวว่าคุณ"
run_ui_interview th lo 1
