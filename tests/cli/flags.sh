#!/bin/sh
# Flags beside the outcome: a respondent held by a debt who is in danger now
# is a possible victim AND in immediate danger. Both reach what a user
# reads: the saved line, record show (text and JSON), the CSV and JSON Lines
# exports, and the CTDC file, which takes possible and likely victims.
. "$(dirname "$0")/../lib.sh"
export INTAKE_FORMS="$(cd "$(dirname "$0")/../.." && pwd)/forms"

V=$T/vault
P=$(passfile p "flags supervisor pass")
AUTH="--vault $V --user ana --passphrase-file $P"
run "$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$P" </dev/null
expect "vault created" 0

cat >"$T/danger.json" <<'EOF'
{"danger_now":"yes","urgent_medical":"no","consent_interview":"yes","consent_referral":"yes",
 "consent_statistics":"yes","age_band":"age_27_29","sector":["agriculture"],
 "job_different":"no","could_quit":"yes","documents_held_by":"myself","debt_work_off":"yes",
 "physical_violence":"no","threats":["none"],"sex_with_clients":"no","needs_now":["legal"]}
EOF
run "$INTAKE" record add --form screening_short --answers "$T/danger.json" $AUTH </dev/null
expect "debt bondage and danger now: saved as a possible victim with the flag" 0 \
    "(final, outcome possible_victim, flag immediate_danger)"
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)

run "$INTAKE" record show "$code" $AUTH </dev/null
expect "record show names the flag" 0 "FLAG: Immediate danger: act now"
expect "record show keeps the finding beside it" 0 "Outcome: Possible victim: further assessment"
expect "record show gives the flag's advice" 0 "Before acting on the outcome, put the respondent's safety first."
check "the flag comes before the outcome" sh -c \
    "grep -n -e '^FLAG: ' -e '^Outcome: ' '$T/out' | head -1 | grep -q FLAG"
check "the flag's emergency contacts are listed" sh -c \
    "sed -n '/^FLAG: /,/^Outcome: /p' '$T/out' | grep -q '^  Referral: .*191'"

run "$INTAKE" record show "$code" --format json $AUTH </dev/null
expect "record JSON" 0
check "record JSON keeps the outcome" sh -c "grep -q '\"outcome\":{\"id\":\"possible_victim\"' '$T/out'"
check "record JSON keeps the flag" sh -c "grep -q '\"flags\":\\[{\"id\":\"immediate_danger\"' '$T/out'"

run "$INTAKE" export --format csv --out "$T/x.csv" $AUTH </dev/null
expect "CSV export" 0 "Exported 1 record "
check "CSV has a _flags column beside the outcome" \
    grep -q '^_case,_record_id,_form,_form_version,_lang,_interviewer,_started,_ended,_status,_ended_reason,_outcome,_outcome.label,_flags,_indicators,' "$T/x.csv"
check "CSV row: outcome, label, flag" \
    grep -q ',possible_victim,Possible victim: further assessment,immediate_danger,' "$T/x.csv"

run "$INTAKE" export --format jsonl --out "$T/x.jsonl" --lang zh $AUTH </dev/null
expect "JSON Lines export" 0 "Exported 1 record "
check "JSON Lines carries the flag" grep -q '"flags":\[{"id":"immediate_danger"' "$T/x.jsonl"
check "JSON Lines labels the flag in the chosen language" grep -q '"flags":\["紧急危险：立即行动"\]' "$T/x.jsonl"

# The CTDC file counts possible and likely victims: one in danger now was
# left out while danger replaced the finding.
run "$INTAKE" export --format ctdc --out "$T/ctdc.csv" $AUTH </dev/null
expect "a possible victim in danger is in the CTDC file" 0 "Exported 1 person "
check "the CTDC file keeps the standard's columns only" sh -c \
    "! head -1 '$T/ctdc.csv' | grep -qi -e flag -e danger"

# A record taken before its form had flags, when immediate danger was an
# outcome: it still shows and exports as it was taken, with no flag.
mkdir "$T/forms"
cp "$INTAKE_FORMS/referrals.yaml" "$T/forms/"
cat >"$T/forms/old_screen.yaml" <<'EOF2'
id: old_screen
version: "1.0"
languages:
  - {code: en, name: English, status: reviewed}
  - {code: lo, name: Lao, status: draft}
  - {code: th, name: Thai, status: draft}
  - {code: zh, name: Chinese, status: draft}
referrals: referrals.yaml
sections:
  - id: s
    title: {en: "Screen"}
    questions:
      - id: consent_interview
        type: yes_no
        consent: interview
        label: {en: "Do you agree to answer?"}
      - id: danger_now
        type: yes_no
        label: {en: "Are you in danger now?"}
indicators:
  - id: in_danger_now
    level: strong
    label: {en: "In danger now"}
    when: "${danger_now} = 'yes'"
outcomes:
  - id: immediate_danger
    label: {en: "Immediate danger: act now"}
    when: "indicator('in_danger_now')"
    referrals: [th_police_191]
  - id: no_indicators
    label: {en: "No indicators"}
    when: "true()"
EOF2
printf '{"consent_interview":"yes","danger_now":"yes"}\n' >"$T/old.json"
INTAKE_FORMS="$T/forms" run "$INTAKE" record add --form old_screen --answers "$T/old.json" $AUTH </dev/null
expect "a form without flags still saves its outcome" 0 "(final, outcome immediate_danger)."
old=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)
INTAKE_FORMS="$T/forms" run "$INTAKE" record show "$old" $AUTH </dev/null
expect "the old record shows its outcome" 0 "Outcome: Immediate danger: act now"
check "the old record shows no flag" sh -c "! grep -q '^FLAG' '$T/out'"
INTAKE_FORMS="$T/forms" run "$INTAKE" export --format csv --out "$T/both.csv" $AUTH </dev/null
expect "both records export" 0 "Exported 2 records"
check "the old record exports its outcome and an empty _flags" \
    grep -q ',immediate_danger,Immediate danger: act now,,in_danger_now,' "$T/both.csv"
