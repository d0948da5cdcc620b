#!/bin/sh
# The language of the program's own screens (the interviewer's), apart
# from the interview's: taken from INTAKE_LANG, --lang or the locale (even
# one not installed here, as on a server with only C.UTF-8); changed with
# ^T on the unlock screen and the case list; the interview's language is
# still chosen per interview, and ^T in an interview changes only that.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
START="$INTAKE --vault $V --user ana"

on() { twait "$1" "$2" 5; }
shows() { grep -qF -- "$1" "$T/screen"; }

# The command line: an unknown interface language is refused, and the
# program's own errors come in the language asked for.
run "$INTAKE" --vault "$V" --lang xx
expect "--lang with a language not offered is refused" 2 "en, lo, th and zh"
INTAKE_LANG=lo run "$INTAKE" frobnicate
expect "an unknown command is said in Lao under INTAKE_LANG=lo" 2 "ບໍ່ຮູ້ຈັກຄຳສັ່ງ 'frobnicate'"
LANG=C.UTF-8 LC_ALL=C.UTF-8 INTAKE_LANG= run "$INTAKE" frobnicate
expect "and in English under C.UTF-8" 2 "unknown command 'frobnicate'"

tstart a 80 24 "INTAKE_LANG=lo $START"
expect_screen "INTAKE_LANG=lo: the unlock screen in Lao" a "ປົດລັອກບ່ອນເກັບຂໍ້ມູນ"
check "its key bar in Lao" shows "^T ພາສາ"
tkeys a C-t
expect_screen "^T on the unlock screen offers the screens' languages" a "ภาษาไทย"
check "each named in itself" shows "中文"
tkeys a Down Enter
expect_screen "choosing Thai turns the unlock screen Thai" a "ปลดล็อกคลังข้อมูล"
tkeys a -l "demo passphrase"
tkeys a Enter
expect_screen "the case list follows in Thai" a "เริ่มการสัมภาษณ์ใหม่"
tkeys a C-t
on a "Intake - ภาษาของหน้าจอ"
tkeys a Down Enter
expect_screen "^T on the case list: Chinese" a "开始新的访谈"
check "the search line too" shows "搜索："
# The interview keeps its own language: English questions under a
# Chinese interface, and ^T in the interview changes the questions only.
tkeys a Enter
on a "选择问卷："
check "the questionnaires named in the interface's language" shows "人口贩运快速筛查"
tkeys a Enter
on a "受访者的语言："
check "and the chosen one above its languages" shows "人口贩运快速筛查（湄公河地区，首次接触）"
tkeys a Enter
expect_screen "an English interview under the Chinese interface" a "Are you afraid"
tkeys a C-t
on a "Show the questions in"
tkeys a Down Enter
expect_screen "^T in the interview switches the questions to Lao" a "ທ່ານຢ້ານ"
tkeys a C-g
expect_screen "while the help stays in the interface's language" a "Intake - 帮助"
tkeys a Escape
tkeys a C-c
tgone a

# A locale not installed on this machine still sets the language.
tstart b 80 24 "LC_ALL=th_TH.UTF-8 $START"
expect_screen "LC_ALL=th_TH.UTF-8, not installed here: the screens in Thai" b "ปลดล็อกคลังข้อมูล"
tkeys b C-c
tgone b
tstart c 80 24 "$START --lang zh"
expect_screen "--lang zh: the screens in Chinese" c "解锁保险库"
tkeys c C-c
tgone c
tstart d 80 24 "LANGUAGE=lo $START"
expect_screen "LANGUAGE is not read under the C locale (as GNU gettext)" d "Unlock the vault"
tkeys d C-c
tgone d

# ^Y (F8) during an interview: the screens' language, the interviewer's,
# moves on to the next and is kept for the user's next session; the
# questions stay in the interview's language, and ^T there still changes
# only those.
V2=$T/vault2
new_vault "$V2"
tstart e 80 24 "$INTAKE --vault $V2 --user ana"
on e "Unlock the vault"
tkeys e -l "demo passphrase"
tkeys e Enter
on e "Start a new interview"
tkeys e Enter
on e "Choose the questionnaire:"
tkeys e Enter
on e "The respondent's language:"
tkeys e Enter
expect_screen "an English interview under the English interface" e "Are you afraid"
tkeys e C-y
expect_screen "^Y in the interview: the screens turn Lao" e "^T ພາສາ"
check "the question stays in the interview's language" shows "Are you afraid"
check "and the interviewer is told, in Lao" shows "ໜ້າຈໍຂອງທ່ານເປັນ ພາສາລາວ ແລ້ວ"
tkeys e F8
expect_screen "F8 does the same: the screens turn Thai" e "^T ภาษา"
check "the question still in English" shows "Are you afraid"
tkeys e C-t
expect_screen "^T in the interview still offers the questions' languages" e "แสดงคำถามเป็น:"
tkeys e Escape
on e "Are you afraid"
tkeys e C-r
expect_screen "the review screen in Thai, the interview unchanged" e "^T ภาษา"
tkeys e C-y
expect_screen "^Y on the review screen: Chinese" e "^T 语言"
tkeys e C-g
on e "Intake - 帮助"
tkeys e Down Down Down Down Down Down Down Down Down Down Down Down
expect_screen "the help lists ^Y and F8" e "^Y F8"
tkeys e Escape
tkeys e C-c
tgone e
tstart f 80 24 "$INTAKE --vault $V2 --user ana"
on f "Unlock the vault"
tkeys f -l "demo passphrase"
tkeys f Enter
expect_screen "the next session opens in the language chosen with ^Y" f "继续被中断的访谈"
tkeys f C-c
tgone f

# The record view is for the interviewer: under the Lao interface a record
# taken in English says its status in Lao.
V3=$T/vault3
new_vault "$V3"
cp "$(dirname "$0")/../forms/answers/bride_china_rapid.json" "$T/a.json"
printf 'demo passphrase\n' >"$T/pass3"
"$INTAKE" record add --form screening_short --answers "$T/a.json" --lang en --vault "$V3" \
    --user ana --passphrase-file "$T/pass3" >/dev/null 2>&1
tstart g 80 24 "INTAKE_LANG=lo $INTAKE --vault $V3 --user ana"
on g "ປົດລັອກ"
tkeys g -l "demo passphrase"
tkeys g Enter
on g "ເລີ່ມການສຳພາດໃໝ່"
tkeys g Down Enter
expect_screen "the record view under the Lao interface" g "(ອ່ານຢ່າງດຽວ)"
check "says the record's status in Lao" shows " - ສຳເລັດ - "
check "not in English" sh -c "! grep -qF ' - final - ' '$T/screen'"
tkeys g C-c
tgone g
