#!/bin/sh
# `intake record list` and `record show`: who sees which cases (a trainer
# has a supervisor's rights in a training vault, an interviewer sees their
# own), newest first, and a damaged summary refused with exit status 5
# before anything is listed.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
INTAKE_FORMS=$ROOT/forms
export INTAKE_FORMS
P=$(passfile p "demo passphrase")
cat >"$T/a.json" <<'JSON'
{"danger_now": "no", "urgent_medical": "no", "consent_interview": "yes", "consent_referral": "yes",
 "consent_statistics": "no", "age_band": "age_18_20", "sector": ["factory"],
 "job_different": "yes", "could_quit": {"special": "declined"},
 "documents_held_by": "employer", "debt_work_off": "yes",
 "physical_violence": "no", "threats": ["none"], "sex_with_clients": "no",
 "needs_now": ["medical"]}
JSON
as() { u=$1; shift; run "$INTAKE" "$@" --user "$u" --passphrase-file "$P" </dev/null; }

# --- a training vault: the trainer reads the trainees' mock cases ----------
TV=$T/train
"$INTAKE" init --training --vault "$TV" --user ana $KDF --passphrase-file "$P" >/dev/null
for u in bo:interviewer cy:interviewer tia:trainer; do
	"$INTAKE" user add "${u%%:*}" --role "${u#*:}" --vault "$TV" --user ana \
	    --passphrase-file "$P" --new-passphrase-file "$P" >/dev/null </dev/null
done
as bo --training record add --form screening_short --answers "$T/a.json" --vault "$TV"
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)
check "setup: a trainee saved a mock case" test -n "$code"

as tia --training record list --vault "$TV"
expect "a trainer lists the trainees' cases in a training vault" 0 "$code"
check "the trainer's list counts it" grep -qx "1 record" "$T/out"
as tia --training record show "$code" --vault "$TV"
expect "a trainer shows a trainee's case in a training vault" 0 "Case $code"
as cy --training record list --vault "$TV"
expect "an interviewer lists only their own cases" 0 "0 records"
as cy --training record show "$code" --vault "$TV"
expect "an interviewer cannot show another's case" 7 "belongs to another interviewer"
check "and sees nothing of it" test ! -s "$T/out"
as bo --training record list --vault "$TV"
expect "the trainee lists their own case" 0 "$code"

# --- a real vault: newest first; a trainer sees nothing ---------------------
V=$T/real
"$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$P" >/dev/null
"$INTAKE" user add tia --role trainer --vault "$V" --user ana --passphrase-file "$P" \
    --new-passphrase-file "$P" >/dev/null </dev/null
for i in 1 2 3; do
	as ana record add --form screening_short --answers "$T/a.json" --vault "$V"
done
as ana record list --vault "$V"
expect "a supervisor lists every case" 0 "3 records"
check "the list has its header" grep -q '^CASE  *DATE  *INTERVIEWER  *FORM  *LANG  *STATUS  *OUTCOME$' "$T/out"
check "newest first" sh -c "sed -n '2,4p' '$T/out' | cut -c14-23 | sort -c -r"
as tia record list --vault "$V"
expect "a trainer lists nothing in a real vault" 7 "trainers work only in the training vault"
as tia record add --form screening_short --answers "$T/a.json" --vault "$V"
expect "a trainer saves nothing in a real vault" 7 "a trainer works only in the training vault"

# --- a damaged summary: exit 5, named, nothing listed -----------------------
# One byte of a sealed summary flipped, and a chunk of the listing too (the
# listing keeps its own sealed copy of each summary).
flip_first() {
	mdb_dump -s "$1" "$V" >"$T/dump" || return 1
	awk 'BEGIN { k = 0 } /^HEADER=END$/ { print; body = 1; next }
	    body && /^ / { n++; if (n == 2) { c = substr($0, 41, 1);
	        $0 = substr($0, 1, 40) (c == "0" ? "1" : "0") substr($0, 42) } }
	    { print }' "$T/dump" >"$T/dump2"
	mdb_load -s "$1" -f "$T/dump2" "$V" 2>/dev/null
}
flip_first summaries && flip_first listing
check "setup: a summary and the listing altered on disk" test $? -eq 0
as ana record list --vault "$V"
expect "a damaged summary fails the list with exit status 5" 5 "failed its integrity check"
check "the message names the case" grep -q "summary of case [0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]" "$T/err"
check "nothing is listed" test ! -s "$T/out"
