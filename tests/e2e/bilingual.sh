#!/bin/sh
# An interviewer who reads Lao screening in Chinese: the program's own
# lines, the answer errors and the form's texts for the interviewer (hints,
# indicators) come in the interface language (INTAKE_LANG=lo); the question
# and its choices in the interview's (Chinese). ^P shows the Lao question
# and choices beneath the Chinese on the question, review and outcome
# screens, and hides them again. `record show` from the command line puts
# its headings in the interface language too.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

TFORMS="$(cd "$(dirname "$0")" && pwd)/forms"
V=$T/vault
new_vault "$V"

on() { twait "$1" "$2" 5; }
shows() { grep -qF -- "$1" "$T/screen"; }
# beneath A B: the line after the first one holding A holds B.
beneath() { grep -A1 -F -- "$1" "$T/screen" | sed -n 2p | grep -qF -- "$2"; }

# The rapid screen, in Chinese (fourth of the respondent's languages).
tstart b 80 24 "INTAKE_LANG=lo $INTAKE --vault $V --user ana"
on b "ປົດລັອກບ່ອນເກັບຂໍ້ມູນ"
tkeys b -l "demo passphrase"
tkeys b Enter
on b "ເລີ່ມການສຳພາດໃໝ່"
tkeys b Enter
on b "ເລືອກແບບສອບຖາມ"
tkeys b Enter
on b "ພາສາຂອງຜູ້ໃຫ້ສຳພາດ"
tkeys b Down Down Down Enter
expect_screen "a Chinese interview under a Lao interface: the question in Chinese" b \
    "你是否害怕今天离开这里后"
check "the progress in Lao" shows "ຄຳຖາມທີ 1 ຈາກປະມານ"
check "the title names the form in Lao" shows "Intake - ແບບຄັດກອງການຄ້າມະນຸດແບບດ່ວນ"
check "the key bar in Lao" shows "^R ທົບທວນ"
check "its second row too" shows "^D ປະຕິເສດ ^N ບໍ່ຮູ້"
check "the hint, for the interviewer, in Lao" shows "ຖາມສະເພາະໃນບ່ອນທີ່ບໍ່ມີໃຜເຫັນ"
check "the input hint in Lao" shows "y ຫຼື n ຕອບແລ້ວໄປຕໍ່"
check "the choices in Chinese" shows "( ) 是"
check "the Lao question is not shown before ^P" sh -c "! grep -qF 'ທ່ານຢ້ານວ່າທ່ານ' '$T/screen'"
check "^P is on the key bar" shows "^P ສອງພາສາ"

tkeys b C-p
expect_screen "^P shows the question in Lao" b "ທ່ານຢ້ານວ່າທ່ານ"
check "beneath the Chinese question" beneath "你是否害怕今天离开这里后" "ທ່ານຢ້ານວ່າທ່ານ ຫຼື ຄອບຄົວຂອງທ່ານ"
check "each choice in Lao beneath the Chinese" beneath "( ) 是" "ແມ່ນ"
check "and the second too" beneath "( ) 否" "ບໍ່"
check "^P says what it did, in Lao" shows "ແຕ່ລະຄຳຖາມສະແດງເປັນພາສາຂອງທ່ານນຳ"
tkeys b C-p
on b "ຄຳຖາມເປັນພາສາຂອງການສຳພາດເທົ່ານັ້ນ"
check "^P again hides the Lao question" sh -c "! grep -qF 'ທ່ານຢ້ານວ່າທ່ານ' '$T/screen'"
check "and the Lao choices" sh -c "! grep -qxF '        ແມ່ນ' '$T/screen'"
tkeys b C-p
on b "ທ່ານຢ້ານວ່າທ່ານ"

# The walk of the golden screens: it fires an indicator.
n=1
for k in 2 2 1 1 1 7 2; do
	tkeys b "$k" Enter
	n=$((n + 1))
	on b "ຄຳຖາມທີ $n ຈາກ"
done
check "^P holds from question to question" shows "ທ່ານໄດ້ເຮັດວຽກຫຍັງແທ້?"
tkeys b 3
on b "[x]"
tkeys b Enter
on b "ຄຳຖາມທີ 9 ຈາກ"
tkeys b 1 Enter
on b "ຄຳຖາມທີ 10 ຈາກ"
tkeys b C-r
expect_screen "the review's title in Lao" b "Intake - ທົບທວນຄຳຕອບ"
check "the review shows the Chinese question" shows "你是否害怕今天离开这里后"
check "and the Lao one beneath it" shows "ທ່ານຢ້ານວ່າທ່ານ ຫຼື ຄອບຄົວຂອງທ່ານ"
check "the answer in Lao beneath the Chinese" beneath "你是否害怕今天离开这里后" " ບໍ່"
check "the section heading in Lao" shows "ຄວາມປອດໄພ"
tkeys b End Enter
on b "ຄຳຖາມທີ"
tkeys b 2 Enter
on b "Intake - ທົບທວນຄຳຕອບ"
tkeys b End Enter
expect_screen "the outcome's title in Lao" b "Intake - ຜົນ"
check "its first line in Lao" shows "Enter ບັນທຶກເປັນບັນທຶກສຸດທ້າຍທີ່ເຂົ້າລະຫັດ"
check "the indicator and its level in Lao" shows "[ປານກາງ] ການຫຼອກລວງ"
check "the question that fired it in Chinese" shows "你实际做的工作"
check "and beneath it in Lao (^P)" shows "ວຽກທີ່ທ່ານໄດ້ເຮັດແທ້"
tkeys b C-p
on b "ຄຳຖາມເປັນພາສາຂອງການສຳພາດເທົ່ານັ້ນ"
check "^P on the outcome hides the Lao question" sh -c "! grep -qF 'ວຽກທີ່ທ່ານໄດ້ເຮັດແທ້' '$T/screen'"
tkeys b C-c
tgone b

# Answer errors: the engine's words and the form's constraint message in
# Lao, for a Chinese interview; ^T changes the questions, not the rest.
tstart e 80 24 "INTAKE_LANG=lo INTAKE_FORMS=$TFORMS $INTAKE --vault $V --user ana"
on e "ປົດລັອກບ່ອນເກັບຂໍ້ມູນ"
tkeys e -l "demo passphrase"
tkeys e Enter
on e "ເລີ່ມການສຳພາດໃໝ່"
tkeys e Enter
on e "ເລືອກແບບສອບຖາມ"
tkeys e Enter
on e "ພາສາຂອງຜູ້ໃຫ້ສຳພາດ"
tkeys e Down Down Down Enter
on e "你同意吗？"
tkeys e 1 Enter
on e "你在哪里工作？"
tkeys e Enter
on e "发生了什么？"
tkeys e Enter
on e "每天几个小时？"
tkeys e x Enter
expect_screen "a word for a number: the error in Lao" e "ກະລຸນາໃສ່ຕົວເລກຖ້ວນ, ເຊັ່ນ 25."
check "not in Chinese" sh -c "! grep -qF '请输入整数' '$T/screen'"
tkeys e C-u 30 Enter
expect_screen "a number out of range: the form's message in Lao" e "ລະຫວ່າງ 0 ແລະ 24"
check "its input hint in Lao" shows "ຈຳນວນເຕັມ. Enter ຮັບ, Shift-Tab ກັບຄືນ."
tkeys e C-d
on e "你什么时候离开的？"
tkeys e BTab
expect_screen "declined, in Lao" e "ຄຳຕອບ: [ປະຕິເສດ]"
tkeys e C-t
on e "中文"
tkeys e Up Enter
expect_screen "^T: the question in Thai" e "วันละกี่ชั่วโมง"
check "the screen still in Lao" shows "ຄຳຕອບ: [ປະຕິເສດ]"
tkeys e C-c
tgone e

# `record show` from the command line: its headings in the interface
# language; the form's texts in the record's language (Chinese here).
cat >"$T/a.json" <<'JSON'
{"danger_now": "no", "urgent_medical": "no", "consent_interview": "yes", "consent_referral": "yes",
 "consent_statistics": "no", "age_band": "age_18_20", "sector": ["factory"],
 "job_different": "yes", "could_quit": {"special": "declined"},
 "documents_held_by": "employer", "debt_work_off": "yes",
 "physical_violence": "no", "threats": ["none"], "sex_with_clients": "no",
 "needs_now": ["medical"]}
JSON
P=$(passfile p "demo passphrase")
run "$INTAKE" record add --form screening_short --answers "$T/a.json" --lang zh --vault "$V" \
    --user ana --passphrase-file "$P"
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)
INTAKE_LANG=lo run "$INTAKE" record show "$code" --vault "$V" --user ana --passphrase-file "$P"
expect "record show under INTAKE_LANG=lo: the case heading in Lao" 0 "ກໍລະນີ $code"
check "the indicators' heading in Lao" grep -qx "ຕົວຊີ້ບອກ" "$T/out"
check "the consent line in Lao" grep -q "^ການຍິນຍອມ: ສຳພາດ ແມ່ນ, ສົ່ງຕໍ່ ແມ່ນ, ສະຖິຕິ ບໍ່$" "$T/out"
check "the outcome's lead in Lao" grep -q "^ຜົນ: " "$T/out"
check "the question as the record has it, in Chinese" grep -qF "你实际做的工作" "$T/out"
LANG=C.UTF-8 LC_ALL=C.UTF-8 INTAKE_LANG= run "$INTAKE" record show "$code" --vault "$V" \
    --user ana --passphrase-file "$P"
expect "and in English without it" 0 "Consent: interview yes, referral yes, statistics no"
