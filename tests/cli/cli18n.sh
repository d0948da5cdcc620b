#!/bin/sh
# The command line speaks the interface language: `intake audit` (headings,
# kinds of entry, count), `intake verify`'s summary and a statistics
# release made now (printed again as made) in the language of
# INTAKE_LANG, or else in the one the acting user saved on the case list
# (^T), as the screens do; in English when the terminal's locale is not
# UTF-8, or when INTAKE_LANG says so. Machine-readable output
# (`audit head`) stays English.
. "$(dirname "$0")/../lib.sh"

V=$T/vault
SUP=$(passfile sup "demo passphrase")
AS="--vault $V --as ana --passphrase-file $SUP"

printf 'demo passphrase\n' | "$INTAKE" init --vault "$V" --user ana --passphrase-fd 0 \
    $KDF >/dev/null

# --- INTAKE_LANG ---
LANG=C.UTF-8 INTAKE_LANG=lo run "$INTAKE" audit $AS </dev/null
expect "audit under INTAKE_LANG=lo succeeds" 0
check "its headings are in Lao" grep -qF "ຜູ້ໃຊ້" "$T/out"
check "the kinds of entry are in Lao" grep -qF "ສ້າງຄັງຂໍ້ມູນ" "$T/out"
check "the count is in Lao" grep -qE "^[0-9]+ ລາຍການ$" "$T/out"
check "no English heading is left" sh -c "! grep -qE 'ENTRY|DETAILS|vault create' '$T/out'"
# The columns line up by display width: the time starts after the entry
# number's column in the heading as in the entries.
check "the user's name, data, stays as recorded" grep -qF " ana " "$T/out"

LANG=C.UTF-8 INTAKE_LANG=lo run "$INTAKE" verify $AS </dev/null
expect "verify under INTAKE_LANG=lo succeeds" 0 "ກວດແລ້ວ: ຜູ້ໃຊ້ 1,"
check "its summary has no English" sh -c "! grep -qF 'Checked' '$T/out'"

LANG=C.UTF-8 INTAKE_LANG=th run "$INTAKE" verify $AS </dev/null
expect "verify in Thai" 0 "ตรวจแล้ว: ผู้ใช้ 1,"
LANG=C.UTF-8 INTAKE_LANG=zh run "$INTAKE" audit $AS </dev/null
expect "audit in Chinese" 0 "创建保险库"

LANG=C.UTF-8 INTAKE_LANG=lo run "$INTAKE" audit head $AS </dev/null
expect "audit head is the same text in Lao" 0
check "audit head is an entry number and a hash" grep -qE '^[0-9]+:[0-9a-f]{64}$' "$T/out"

# --- English stays as it was ---
LANG=C.UTF-8 INTAKE_LANG=en run "$INTAKE" audit $AS </dev/null
expect "audit in English" 0
printf '%-6s %-19s  %-12s %-14s %s\n' ENTRY "TIME (UTC)" USER ACTION DETAILS >"$T/head.en"
check "the English heading, byte for byte" sh -c "head -1 '$T/out' | cmp -s - '$T/head.en'"
check "the English count" grep -qE '^[0-9]+ entries$' "$T/out"
LANG=C.UTF-8 INTAKE_LANG=en run "$INTAKE" verify $AS </dev/null
expect "verify in English" 0 "Checked 1 user, "

# --- the words around an entry's details ---
BAD=$(passfile bad "not the passphrase")
for i in 1 2; do
	"$INTAKE" audit --vault "$V" --as ana --passphrase-file "$BAD" </dev/null >/dev/null 2>&1
done
LANG=C.UTF-8 INTAKE_LANG=lo run "$INTAKE" audit $AS </dev/null
expect "audit in Lao after failed unlocks" 0
check "the failed unlocks are counted in Lao" grep -qF "ປົດລັອກບໍ່ສຳເລັດ 2 ຄັ້ງ ນັບແຕ່ " "$T/out"
check "the role is in Lao, the name as recorded" grep -qF "ana (ຫົວໜ້າ)" "$T/out"
check "no English words around the details" \
    sh -c "! grep -qE 'failed unlocks since|\\(supervisor\\)' '$T/out'"
LANG=C.UTF-8 INTAKE_LANG=zh run "$INTAKE" audit $AS </dev/null
expect "audit in Chinese after failed unlocks" 0 "2 次解锁失败，自 "
LANG=C.UTF-8 INTAKE_LANG=en run "$INTAKE" audit $AS </dev/null
expect "the English details as before" 0 "2 failed unlocks since "
check "the English role as before" grep -qF "ana (supervisor)" "$T/out"

# --- the training report ---
TV=$T/train
"$INTAKE" init --training --vault "$TV" --user ana $KDF --passphrase-file "$SUP" >/dev/null
cp "$(dirname "$0")/../forms/answers/bride_china_rapid.json" "$T/perfect.json"
# --- a record: its status and referrals are for the interviewer ---
# A record taken in Lao: under the English interface `record show` names
# the referrals in English and says "final"; under the Lao interface, in
# Lao. What the record holds is the same either way.
"$INTAKE" record add --form screening_short --answers "$T/perfect.json" --lang lo \
    --vault "$V" --user ana --passphrase-file "$SUP" >"$T/added" 2>&1
rcode=$(grep -oE '[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]' "$T/added" | head -1)
LANG=C.UTF-8 INTAKE_LANG=en run "$INTAKE" record show "$rcode" $AS </dev/null
expect "record show in English" 0 "Case $rcode  final  form screening_short"
check "a Lao record's referrals are named in English for an English interviewer" \
    grep -qF "Referral: Shelter for survivors of trafficking, Laos (example)" "$T/out"
check "and not in Lao" sh -c "! grep -qF 'ສູນພັກເຊົາສຳລັບຜູ້ຖືກເຄາະຮ້າຍ' '$T/out'"
LANG=C.UTF-8 INTAKE_LANG=th run "$INTAKE" record show "$rcode" $AS </dev/null
expect "record show under the Thai interface" 0 "สถานคุ้มครองผู้เสียหายจากการค้ามนุษย์ ประเทศลาว"
check "the status word in Thai" grep -qF " สมบูรณ์ " "$T/out"
check "no English status word" sh -c "! head -1 '$T/out' | grep -qw final"
LANG=C.UTF-8 INTAKE_LANG=en run "$INTAKE" record show "$rcode" --format json $AS </dev/null
cp "$T/out" "$T/rec.en.json"
LANG=C.UTF-8 INTAKE_LANG=th run "$INTAKE" record show "$rcode" --format json $AS </dev/null
check "the record's JSON is the same under either interface" cmp -s "$T/out" "$T/rec.en.json"

run "$INTAKE" training score bride_china_rapid --answers "$T/perfect.json" \
    --vault "$TV" --user ana --passphrase-file "$SUP" </dev/null
expect "a training session is scored" 0 "Score: 100/100"
LANG=C.UTF-8 INTAKE_LANG=lo run "$INTAKE" training report --vault "$TV" --user ana \
    --passphrase-file "$SUP" </dev/null
expect "the training report in Lao" 0 "ລາຍງານການຝຶກອົບຮົມ, $TV"
check "its column headings" grep -qF "ຜູ້ຝຶກ" "$T/out"
check "the outcome's word" grep -qE "^ana .* 100  [0-9]+/[0-9]+ +ຖືກ +[0-9]+:[0-9]{2}$" "$T/out"
check "the trainee's total" grep -qF "ana: 1 ຄັ້ງ, ຄະແນນສະເລ່ຍ 100" "$T/out"
check "no English heading is left" sh -c "! grep -qE 'TRAINEE|SCENARIO|sessions?\\b|right' '$T/out'"
LANG=C.UTF-8 INTAKE_LANG=en run "$INTAKE" training report --vault "$TV" --user ana \
    --passphrase-file "$SUP" </dev/null
printf '%-14s %-16s %-22s %5s  %-10s %-7s %s\n' TRAINEE "DATE (UTC)" SCENARIO SCORE \
    INDICATORS OUTCOME TIME >"$T/head.en"
check "the English report's headings, byte for byte" sh -c "sed -n 3p '$T/out' | cmp -s - '$T/head.en'"
check "the English report's total" grep -qxF "1 session" "$T/out"

# --- record add: its answer errors are the interviewer's, not the respondent's ---
FORMS="$(cd "$(dirname "$0")/../.." && pwd)/forms"
printf '{"danger_now": "no", "urgent_medical": "no", "consent_interview": "yes"}' >"$T/part.json"
LANG=C.UTF-8 INTAKE_LANG=en INTAKE_FORMS=$FORMS run "$INTAKE" record add --form screening_short \
    --lang lo --answers "$T/part.json" $AS </dev/null
expect "a Lao interview's missing answer, under the English interface" 6 "An answer is needed."
LANG=C.UTF-8 INTAKE_LANG=th INTAKE_FORMS=$FORMS run "$INTAKE" record add --form screening_short \
    --lang en --answers "$T/part.json" $AS </dev/null
expect "an English interview's, under the Thai interface" 6 "consent_referral: "
check "said in Thai" sh -c "! grep -q 'An answer is needed' '$T/err'"

# --- a statistics release: made in the interface language, kept as made ---
LANG=C.UTF-8 INTAKE_LANG=lo run "$INTAKE" stats 2020-Q1 $AS </dev/null
expect "a release made under INTAKE_LANG=lo" 0 "ການເຜີຍແຜ່ 2020-Q1: ການສຳພາດທີ່ເລີ່ມແຕ່ 2020-01-01"
check "its text in Lao" grep -qF "ສະຖິຕິແບບບໍ່ລະບຸຕົວຕົນ (k = 11)" "$T/out"
check "a figure below k in Lao" grep -qF "ໜ້ອຍກວ່າ 11" "$T/out"
check "no English sentence left" sh -c "! grep -qE 'Release|Anonymous|Counted|Excluded|published' '$T/out'"
cp "$T/out" "$T/release.lo"
LANG=C.UTF-8 INTAKE_LANG=en run "$INTAKE" stats 2020-Q1 $AS </dev/null
expect "asked again in English" 0
check "the release is printed as it was made, byte for byte" cmp -s "$T/out" "$T/release.lo"
LANG=C.UTF-8 INTAKE_LANG=lo run "$INTAKE" stats 2020-Q1 --format csv $AS </dev/null
check "its CSV is for programs: English codes, header alone below k" \
    sh -c "[ \"\$(tr -d '\r' <'$T/out')\" = 'variable,value,variable2,value2,count' ]"
LANG=C.UTF-8 INTAKE_LANG=en run "$INTAKE" audit $AS </dev/null
check "the audit trail records the release's k and cross-tables" \
    grep -qF "release 2020-Q1 (made now), k 11, cross-tables (none), table to standard output" "$T/out"

# --- the saved preference (set on the case list, as an interviewer does) ---
if command -v tmux >/dev/null 2>&1; then
	. "$(dirname "$0")/../tmux.sh"
	tstart a 80 24 "INTAKE_LANG= $INTAKE --vault $V --user ana"
	twait a "Unlock the vault" 10
	tkeys a -l "demo passphrase"
	tkeys a Enter
	twait a "Start a new interview" 10
	tkeys a C-t
	twait a "ພາສາລາວ" 5
	tkeys a Down Enter
	expect_screen "Lao chosen on the case list" a "ເລີ່ມການສຳພາດໃໝ່"
	tkeys a C-c
	tgone a

	LANG=C.UTF-8 run env -u INTAKE_LANG -u LC_ALL -u LANGUAGE "$INTAKE" audit $AS </dev/null
	expect "audit after Lao was saved" 0
	check "follows the saved language" grep -qF "ສ້າງຄັງຂໍ້ມູນ" "$T/out"
	LANG=C.UTF-8 run env -u INTAKE_LANG -u LC_ALL -u LANGUAGE "$INTAKE" verify $AS </dev/null
	expect "verify follows the saved language" 0 "ກວດແລ້ວ:"

	LANG=C run env -u INTAKE_LANG -u LC_ALL -u LANGUAGE "$INTAKE" verify $AS </dev/null
	expect "a terminal that is not UTF-8 gets English" 0 "Checked 1 user, "
	LANG=C run env -u INTAKE_LANG -u LC_ALL -u LANGUAGE "$INTAKE" audit $AS </dev/null
	check "audit too" grep -qF "vault create" "$T/out"

	LANG=C.UTF-8 INTAKE_LANG=en run env -u LC_ALL "$INTAKE" verify $AS </dev/null
	expect "INTAKE_LANG comes before the saved language" 0 "Checked 1 user, "
fi
