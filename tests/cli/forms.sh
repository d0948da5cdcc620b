#!/bin/sh
# Forms and records from the command line: every bundled form passes the
# check, broken forms are reported with file:line:col, and records typed from
# paper go through the same validation as the screen.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

for f in "$ROOT"/forms/*.yaml; do
	run "$INTAKE" forms check "$f"
	expect "forms check passes $(basename "$f")" 0 ": ok"
done
run "$INTAKE" forms check "$ROOT"/forms/screening.yaml
check "draft translations are warnings, not errors" grep -q "warning: language lo is a draft" "$T/err"

for f in "$ROOT"/tests/forms/bad/*.yaml; do
	run "$INTAKE" forms check "$f"
	if [ "$rc" -eq 6 ] && grep -Eq "^$f:[0-9]+:[0-9]+: error: " "$T/err"; then
		ok "broken form $(basename "$f") refused with file:line:col"
	else
		notok "broken form $(basename "$f") refused with file:line:col" "rc=$rc" "$(head -3 "$T/err")"
	fi
done
run "$INTAKE" forms check "$ROOT"/forms/screening.yaml "$ROOT"/tests/forms/bad/tabs.yaml
expect "one bad file among good ones fails the whole check" 6 "tabs.yaml"

run "$INTAKE" forms list
expect "forms list shows the rapid screen by id" 0 "screening_short"

V=$T/vault
P=$(passfile p "demo passphrase")
"$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$P" >/dev/null
AUTH="--vault $V --user ana --passphrase-file $P"

cat >"$T/answers.json" <<'JSON'
{"danger_now": "no", "urgent_medical": "no", "consent_interview": "yes", "consent_referral": "yes",
 "consent_statistics": "no", "age_band": "age_18_20", "sector": ["factory"],
 "job_different": "yes", "could_quit": {"special": "declined"},
 "documents_held_by": "employer", "debt_work_off": "yes",
 "physical_violence": "no", "threats": ["none"], "sex_with_clients": "no",
 "needs_now": ["medical"]}
JSON
run "$INTAKE" record add --form screening_short --lang en --answers "$T/answers.json" $AUTH
expect "record add saves a final record and prints its case code" 0 "Saved case"
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)
check "record add computes the outcome" grep -q "outcome likely_victim" "$T/out"

run "$INTAKE" record list $AUTH
expect "record list shows the case" 0 "$code"
run "$INTAKE" record show "$code" --lang lo $AUTH
expect "record show in Lao" 0 "ຜູ້ໃຫ້"
run "$INTAKE" record show "$(echo "$code" | tr 'A-Z' 'a-z' | tr -d -)" $AUTH
expect "case codes are case- and dash-insensitive" 0 "Retention of identity documents"
run "$INTAKE" record show "$code" --format json $AUTH
expect "record show --format json" 0 '"documents_held_by"'

sed 's/"age_18_20"/"eighteen"/' "$T/answers.json" >"$T/bad1.json"
run "$INTAKE" record add --form screening_short --answers "$T/bad1.json" $AUTH
expect "a choice not in the list is refused with the question id" 6 "age_band:"
sed 's/"danger_now": "no"/"danger_now": "maybe"/' "$T/answers.json" >"$T/bad2.json"
run "$INTAKE" record add --form screening_short --answers "$T/bad2.json" $AUTH
expect "yes/no answers are checked" 6 "danger_now:"
printf '{"nonsense": "x"}' >"$T/bad3.json"
run "$INTAKE" record add --form screening_short --answers "$T/bad3.json" $AUTH
expect "an unknown question id is refused" 6 "nonsense"
printf '{"danger_now": ' >"$T/bad4.json"
run "$INTAKE" record add --form screening_short --answers "$T/bad4.json" $AUTH
expect "malformed JSON is refused with its position" 6 "bad4.json:1:"
run "$INTAKE" record list $AUTH
check "nothing was saved by the refused adds" test "$(grep -c '^[0-9A-Z]\{4\}-' "$T/out")" -eq 1

printf '{"danger_now": "yes", "consent_interview": "no", "age_band": "age_18_20"}' >"$T/late.json"
run "$INTAKE" record add --form screening_short --answers "$T/late.json" $AUTH
expect "answers after a refused consent are refused, not silently dropped" 6 "age_band:"
printf '{"danger_now": "yes", "consent_interview": "no"}' >"$T/refused.json"
run "$INTAKE" record add --form screening_short --answers "$T/refused.json" $AUTH
expect "consent refused: saved as ended" 0 "ended"
rcode=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)
run "$INTAKE" record show "$rcode" --format json $AUTH
check "consent refused keeps the consent answer" grep -q '"consent_interview"' "$T/out"
check "consent refused keeps nothing the form does not allow" sh -c "! grep -q danger_now '$T/out'"

# One id and version name one text: the installed rapid screen is in the
# vault now, so a changed copy under the same id and version is refused
# (its records would read as records of the other), and nothing is saved.
sed 's/Are you afraid that you or your family/Are you scared that you or your family/' \
    "$ROOT/forms/screening-short.yaml" >"$T/short-edited.yaml"
cp "$ROOT/forms/referrals.yaml" "$T/referrals.yaml"
check "the edited copy keeps the id and version" grep -q '^version: "2.1"' "$T/short-edited.yaml"
run "$INTAKE" record list $AUTH
before=$(grep -c . "$T/out")
run "$INTAKE" record add --form "$T/short-edited.yaml" --lang en --answers "$T/answers.json" $AUTH
expect "a changed form under a stored id and version is refused" 6 "differs from the form of that id and version"
run "$INTAKE" record list $AUTH
check "nothing was saved with it" test "$(grep -c . "$T/out")" -eq "$before"

# What a file is comes from its YAML, not from how its lines start: a
# referral directory whose key is written in quotes is still one, and is
# checked through the form beside it.
mkdir "$T/quoted"
cp "$ROOT/forms/screening-short.yaml" "$T/quoted/"
sed 's/^referrals:/"referrals":/' "$ROOT/forms/referrals.yaml" >"$T/quoted/referrals.yaml"
check "the copy writes its key in quotes" grep -q '^"referrals":' "$T/quoted/referrals.yaml"
run "$INTAKE" forms check "$T/quoted/referrals.yaml"
expect "a quoted referrals: key is still a referral directory" 0 \
    "ok: referral directory, used by 1 form beside it"
