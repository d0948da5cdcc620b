#!/bin/sh
# The interviewer's choices outlive the session, kept in the vault for
# them alone: the language of the screens chosen with ^T on the case list
# comes back after the next unlock (the unlock screen itself stays in the
# locale's language, no one being known there yet), unless INTAKE_LANG or
# --lang says otherwise; ^P (the question in the interviewer's language too)
# turned on in one session is on in the next interview.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
START="INTAKE_LANG= $INTAKE --vault $V --user ana"

on() { twait "$1" "$2" 5; }
shows() { grep -qF -- "$1" "$T/screen"; }
# beneath A B: the line after the first one holding A holds B.
beneath() { grep -A1 -F -- "$1" "$T/screen" | sed -n 2p | grep -qF -- "$2"; }

# Session 1: English (C.UTF-8), then Lao chosen on the case list.
tstart a 80 24 "$START"
on a "Unlock the vault"
tkeys a -l "demo passphrase"
tkeys a Enter
expect_screen "the case list in the locale's language at first" a "Start a new interview"
tkeys a C-t
on a "ພາສາລາວ"
tkeys a Down Enter
expect_screen "^T on the case list: Lao" a "ເລີ່ມການສຳພາດໃໝ່"
tkeys a C-c
tgone a

# Session 2: the same locale, no INTAKE_LANG.
tstart b 80 24 "$START"
expect_screen "the next start: the unlock screen in the locale's language" b "Unlock the vault"
tkeys b -l "demo passphrase"
tkeys b Enter
expect_screen "after unlock the case list is in the Lao chosen before" b "ເລີ່ມການສຳພາດໃໝ່"
check "its search line too" shows "ຊອກຫາ:"
# A Chinese interview under the Lao interface; ^P on.
tkeys b Enter
on b "ເລືອກແບບສອບຖາມ"
tkeys b Enter
on b "ພາສາຂອງຜູ້ໃຫ້ສຳພາດ"
tkeys b Down Down Down Enter
on b "你是否害怕今天离开这里后"
check "^P is off before it is pressed" sh -c "! grep -qF 'ທ່ານຢ້ານວ່າທ່ານ' '$T/screen'"
tkeys b C-p
expect_screen "^P shows the question in Lao" b "ທ່ານຢ້ານວ່າທ່ານ"
tkeys b C-c
tgone b

# Session 3: the next interview shows both languages without ^P.
tstart c 80 24 "$START"
on c "Unlock the vault"
tkeys c -l "demo passphrase"
tkeys c Enter
on c "ສືບຕໍ່ການສຳພາດທີ່ຖືກຂັດຈັງຫວະບໍ?"
tkeys c Escape
on c "ເລີ່ມການສຳພາດໃໝ່"
tkeys c Enter
on c "ເລືອກແບບສອບຖາມ"
tkeys c Enter
on c "ພາສາຂອງຜູ້ໃຫ້ສຳພາດ"
tkeys c Down Down Down Enter
expect_screen "a new interview in the next session: the Chinese question" c "你是否害怕今天离开这里后"
check "with the Lao beneath it, ^P still on" beneath "你是否害怕今天离开这里后" "ທ່ານຢ້ານວ່າທ່ານ"
tkeys c C-p
on c "ຄຳຖາມເປັນພາສາຂອງການສຳພາດເທົ່ານັ້ນ"
tkeys c C-c
tgone c

# Session 4: ^P turned off is off next time.
tstart d 80 24 "$START"
on d "Unlock the vault"
tkeys d -l "demo passphrase"
tkeys d Enter
on d "ສືບຕໍ່ການສຳພາດທີ່ຖືກຂັດຈັງຫວະບໍ?"
tkeys d Enter
expect_screen "the interrupted interview resumed" d "你是否害怕今天离开这里后"
check "^P turned off stays off" sh -c "! grep -qF 'ທ່ານຢ້ານວ່າທ່ານ' '$T/screen'"
tkeys d C-c
tgone d

# INTAKE_LANG and --lang come before the saved language.
tstart e 80 24 "INTAKE_LANG=th $INTAKE --vault $V --user ana"
on e "ปลดล็อกคลังข้อมูล"
tkeys e -l "demo passphrase"
tkeys e Enter
on e "ที่ถูกขัดจังหวะต่อหรือไม่"
tkeys e Escape
expect_screen "INTAKE_LANG=th: the case list in Thai, not the saved Lao" e "เริ่มการสัมภาษณ์ใหม่"
tkeys e C-c
tgone e
tstart f 80 24 "$START --lang zh"
on f "解锁保险库"
tkeys f -l "demo passphrase"
tkeys f Enter
on f "继续"
tkeys f Escape
expect_screen "--lang zh: the case list in Chinese" f "开始新的访谈"
tkeys f C-c
tgone f
