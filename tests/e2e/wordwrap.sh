#!/bin/sh
# Lao and Thai are written without spaces between words: a question wraps
# between two words (ICU's line breaking), filling the line, not only at
# the spaces that separate phrases, and never inside a word. The consent
# to statistics question at 80 columns: its last phrase is one unspaced
# run that fits on no line's remainder, so it breaks between "prevent" and
# "trafficking" (ປ້ອງກັນ | ການຄ້າມະນຸດ; ป้องกัน | การค้ามนุษย์).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

on() { twait "$1" "$2" 5; }

# to_statistics NAME DOWNS: a new interview in the language DOWNS places
# below English, answered up to the consent to statistics (question 5),
# in a vault of its own (no draft to resume).
to_statistics() {
	new_vault "$T/vault-$1"
	tstart "$1" 80 24 "$INTAKE --vault $T/vault-$1 --user ana"
	on "$1" "Unlock the vault"
	tkeys "$1" -l "demo passphrase"
	tkeys "$1" Enter
	on "$1" "Start a new interview"
	tkeys "$1" Enter
	on "$1" "Choose the questionnaire"
	tkeys "$1" Enter
	on "$1" "The respondent's language"
	i=0
	while [ "$i" -lt "$2" ]; do tkeys "$1" Down; i=$((i + 1)); done
	tkeys "$1" Enter
	for q in 1 2 3 4; do
		on "$1" "Question $q of about"
		case $q in 1|2) tkeys "$1" 2 Enter ;; *) tkeys "$1" 1 Enter ;; esac
	done
	on "$1" "Question 5 of about"
}

# line_is TEXT: a screen line holds exactly TEXT (after its indent).
line_is() { sed 's/^ *//; s/ *$//' "$T/screen" | grep -qxF -- "$1"; }
# line_ends TEXT: a screen line ends with TEXT.
line_ends() { sed 's/ *$//' "$T/screen" | grep -qF -- "$1" && sed 's/ *$//' "$T/screen" |
    grep -q -- "$1\$"; }

to_statistics lo 1
check "Lao: the question's first line is filled up to a word boundary" \
    line_ends "ເຂົ້າໃນສະຖິຕິທີ່ຊ່ວຍປ້ອງກັນ"
check "Lao: the next line starts with the next word, whole" \
    line_is "ການຄ້າມະນຸດບໍ?"
tkeys lo C-c
tgone lo

to_statistics th 2
check "Thai: the question's first line is filled up to a word boundary" \
    line_ends "ไปนับรวมในสถิติที่ช่วย"
check "Thai: the next line starts with the next word, whole" \
    line_is "ป้องกันการค้ามนุษย์หรือไม่"
tkeys th C-c
tgone th
