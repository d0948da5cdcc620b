#!/bin/sh
# A long answer in the respondent's own words is a wrapped field of several
# rows, not one line scrolling sideways: all of it stays in sight, Up/Down
# move between its rows, Home/End go to the start/end of a row, and Lao and
# Thai clusters move and delete whole on every row. Enter still accepts.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
export INTAKE_FORMS="$(cd "$(dirname "$0")" && pwd)/forms"
tstart s1 80 24 "INTAKE_FORMS=$INTAKE_FORMS $INTAKE --vault $V --user ana"
twait s1 "Unlock the vault" 10
tkeys s1 -l "demo passphrase"
tkeys s1 Enter
twait s1 "Start a new interview" 10
tkeys s1 Enter
twait s1 "Typing test" 5
tkeys s1 Enter
twait s1 "ພາສາລາວ" 5
tkeys s1 Enter
twait s1 "Do you agree?" 5
tkeys s1 1 Enter
twait s1 "Where did you work?" 5
tkeys s1 -l "Vientiane"
tkeys s1 Enter
expect_screen "a long text question (no length set: 2000 characters)" s1 "What happened?"

# Three rows of Lao and Thai: row 1 Lao, rows 2 and 3 Thai.
LAO="ຂ້ອຍໄປເຮັດວຽກຢູ່ໂຮງງານ ແລະ ເຂົາເຈົ້າເອົາໜັງສືຜ່ານແດນຂອງຂ້ອຍໄປ ບໍ່ໃຫ້ເງິນເດືອນ ເຮັດວຽກທຸກມື້"
TH1="ที่โรงงานในกรุงเทพ นายจ้างยึดหนังสือเดินทาง ไม่จ่ายค่าจ้าง ทำงานทุกวัน ไม่มีวันหยุด"
TH2="ห้ามออกไปข้างนอก"
tkeys s1 -l "$LAO $TH1 $TH2"
tsettle s1
check "the start of the answer stays in sight" grep -qF "> ຂ້ອຍໄປເຮັດວຽກ" "$T/screen"
check "and its end, on a row below" grep -qF "$TH2" "$T/screen"
check "the first row ends at a space, not inside a word" \
    grep -qF "ເຮັດວຽກທຸກມື້" "$T/screen"
check "no sideways-scroll marker" sh -c "! grep -q '^   <' '$T/screen'"
check "the hint says Enter accepts" grep -qF "Enter accepts, Shift-Tab goes back." "$T/screen"

# Up then Home: the start of the second row (Thai ที่), not of the text.
tkeys s1 Up Home
tkeys s1 -l "X"
expect_screen "Up, Home, X: X starts the row above" s1 "    Xที่โรงงาน"
check "the first row is unchanged" grep -qF "> ຂ້ອຍໄປເຮັດວຽກ" "$T/screen"
# Backspace takes the X; Delete the Thai cluster ที่ whole (base, vowel,
# tone mark).
tkeys s1 BSpace DC
expect_screen "Delete removes ที่ whole, leaving no stray mark" s1 "    โรงงานในกรุงเทพ"
# Up from the second row; End goes to the end of the first row.
tkeys s1 Up End
tkeys s1 -l "!"
expect_screen "End on row one: the row's end, after its last Lao cluster" s1 "ເຮັດວຽກທຸກມື້!"
tkeys s1 BSpace
# Down twice and End: the end of the text.
tkeys s1 Down Down End
tkeys s1 -l "Z"
expect_screen "Down, Down, End: the end of the text" s1 "${TH2}Z"
tkeys s1 BSpace
tkeys s1 Enter
expect_screen "Enter accepts the whole answer" s1 "Hours a day?"
tkeys s1 BTab
expect_screen "back on the long question" s1 "What happened?"
check "the answer comes back wrapped, start" grep -qF "> ຂ້ອຍໄປເຮັດວຽກ" "$T/screen"
check "the answer comes back wrapped, Thai row" grep -qF "    โรงงานในกรุงเทพ" "$T/screen"
check "the answer comes back wrapped, end" grep -qF "$TH2" "$T/screen"
tkeys s1 C-r
expect_screen "review" s1 "review the answers"
check "the review reads the answer back" grep -qF "ຂ້ອຍໄປເຮັດວຽກ" "$T/screen"

# A short text question (max_length 40) keeps its one-line field.
tkeys s1 Home Down Enter
expect_screen "the short text question" s1 "Where did you work?"
check "short question: one line with its usual hint" grep -qF "Enter accepts, Shift-Tab goes back." "$T/screen"

# The help, generated from the key table, says what Up/Down and Home/End
# do in a wrapped answer.
tkeys s1 C-g
expect_screen "help" s1 "Intake - help"
cp "$T/screen" "$T/help"
i=0
while [ "$i" -lt 40 ] && ! grep -q 'End of the text (of the row' "$T/screen"; do
	tkeys s1 Down; tsettle s1; cat "$T/screen" >>"$T/help"; i=$((i + 1))
done
check "help: Up in a wrapped answer" grep -qF "Move up; in a wrapped answer, a row up" "$T/help"
check "help: Home in a wrapped answer" grep -qF "Start of the text (of the row if it wraps)" "$T/help"
tkeys s1 Escape
tkeys s1 C-c
tgone s1
