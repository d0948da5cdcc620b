#!/bin/sh
# Typing answers in Lao, Thai and Chinese through the real terminal path:
# combining marks stay with their base, double-width text aligns, PuTTY's
# F1 and Home bytes work, an unknown escape sequence never reaches an answer.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
export INTAKE_FORMS="$(cd "$(dirname "$0")" && pwd)/forms"
tstart s1 80 24 "INTAKE_FORMS=$INTAKE_FORMS $INTAKE --vault $V"
tunlock s1 ana "demo passphrase"
twait s1 "Start a new interview" 10
tkeys s1 Enter
twait s1 "Typing test" 5
tkeys s1 Enter
twait s1 "ພາສາລາວ" 5
tkeys s1 Enter
expect_screen "typing form opens" s1 "Do you agree?"
tkeys s1 1 Enter
expect_screen "a text question" s1 "Where did you work?"

# Lao with stacked marks: ຜູ້ is one cluster; Backspace removes it whole.
tkeys s1 -l "ບ້ານຜູ້"
expect_screen "Lao text shows as typed" s1 "> ບ້ານຜູ້"
tkeys s1 BSpace
twaitgone s1 "ຜູ້" 5
check "Backspace removes a base with its marks, leaving no stray mark" \
    grep -q '^  > ບ້ານ *$' "$T/screen"

# PuTTY's Home (ESC [ 1 ~) moves to the start; the next letter goes there.
thex s1 1b 5b 31 7e
tkeys s1 -l "ເມືອງ"
expect_screen "PuTTY Home moves to the start of the text" s1 "> ເມືອງບ້ານ"

# An unknown escape sequence is dropped whole, never typed.
thex s1 1b 5b 39 39 3b 39 39 7a
tkeys s1 End
tkeys s1 -l "x"
expect_screen "text after an unknown sequence" s1 "> ເມືອງບ້ານx"
check "no byte of the unknown sequence reached the answer" sh -c "! grep -q '99z' '$T/screen'"
tkeys s1 BSpace Enter
expect_screen "next question" s1 "What happened?"

# Thai and Chinese; the answer is stored as typed (NFC).
tkeys s1 -l "ที่โรงงาน 在工厂"
tkeys s1 Enter
expect_screen "integer question" s1 "Hours a day?"
tkeys s1 -l "abc"
tkeys s1 Enter
expect_screen "a non-number is refused with a message" s1 "!"
tkeys s1 C-u
tkeys s1 -l "30"
tkeys s1 Enter
expect_screen "the form's constraint message" s1 "Between 0 and 24"
tkeys s1 C-u
tkeys s1 -l "14"
tkeys s1 Enter
expect_screen "date question" s1 "When did you leave?"
tkeys s1 -l "2026-02-30"
tkeys s1 Enter
expect_screen "a date that does not exist is refused" s1 "!"
tkeys s1 C-u
tkeys s1 -l "2026-02-28"
tkeys s1 Enter
expect_screen "review" s1 "review the answers"
check "Lao answer read back" grep -q "ເມືອງບ້ານ" "$T/screen"
check "Thai and Chinese answer read back" grep -q "ที่โรงงาน 在工厂" "$T/screen"
# Alignment: every answer starts at column 40, whatever the script.
line=$(grep "ที่โรงงาน" "$T/screen")
prefix=${line%%ที่โรงงาน*}
check "answers align at column 40 (display width)" test "$(printf '%s' "$prefix" | wc -L)" -eq 40

# PuTTY's F1 (ESC [ 11 ~) opens help; Esc-1 does too (phone clients).
thex s1 1b 5b 31 31 7e
expect_screen "PuTTY F1 opens help" s1 "Intake - help"
tkeys s1 Escape
twait s1 "review the answers" 5
tkeys s1 Escape 1
expect_screen "Esc then 1 opens help too" s1 "Intake - help"
tkeys s1 Escape
tkeys s1 C-c
tgone s1
