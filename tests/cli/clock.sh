#!/bin/sh
# The clock: the program as installed dates records by the system clock
# whatever its environment says; only the test build (INTAKE_TEST) lets
# INTAKE_TEST_NOW fix the time.
. "$(dirname "$0")/../lib.sh"

V=$T/vault
SUP=$(passfile sup "correct horse battery")
ANA="--vault $V --user ana --passphrase-file $SUP"
cat >"$T/answers.json" <<'JSON'
{"danger_now": "no", "urgent_medical": "no", "consent_interview": "yes", "consent_referral": "yes",
 "consent_statistics": "yes", "age_band": "age_18_20", "sector": ["factory"],
 "job_different": "yes", "could_quit": {"special": "declined"},
 "documents_held_by": {"special": "dont_know"}, "debt_work_off": "yes",
 "physical_violence": "no", "threats": ["none"], "sex_with_clients": "no",
 "needs_now": ["medical"]}
JSON

# 1000000000 is 2001-09-09T01:46:40Z.
before=$(date -u +%Y-%m-%d)
env INTAKE_TEST_NOW=1000000000 "$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$SUP" \
    </dev/null >/dev/null
run env INTAKE_TEST_NOW=1000000000 "$INTAKE" record add --form screening_short \
    --answers "$T/answers.json" $ANA </dev/null
expect "the installed program saves a record with INTAKE_TEST_NOW set" 0 "Saved case"
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)
run "$INTAKE" record show "$code" $ANA </dev/null
after=$(date -u +%Y-%m-%d)
started=$(sed -n 's/^Started \([0-9-]*\) .*/\1/p' "$T/out")
check "the record's start is today, not the date INTAKE_TEST_NOW asked for" \
    sh -c "[ '$started' = '$before' ] || [ '$started' = '$after' ]"
run "$INTAKE" audit --vault "$V" --as ana --passphrase-file "$SUP" </dev/null
check "the audit trail is dated today too" sh -c "grep -q ' $before \| $after ' '$T/out' && \
    ! grep -q '2001-09-09' '$T/out'"
check "the installed program does not know the variable at all" \
    sh -c "! grep -q INTAKE_TEST_NOW '$INTAKE'"

# The test build, and only it, honours the fixed clock.
run env INTAKE_TEST_NOW=1000000000 "$INTAKE_TEST" record add --form screening_short \
    --answers "$T/answers.json" $ANA </dev/null
expect "the test build saves a record" 0 "Saved case"
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)
run "$INTAKE" record show "$code" --format json $ANA </dev/null
expect "the test build dated it by INTAKE_TEST_NOW" 0 '"started":"2001-09-09T01:46:40Z"'
