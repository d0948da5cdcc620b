#!/bin/sh
# Text that would drive the supervisor's terminal: ESC sequences, C1
# controls, DEL, bidirectional overrides and isolates, line and paragraph
# separators. Answers, forms, scenarios and referral directories that carry
# them are refused (forms with file:line:col); what is still data (a name
# under which unlocks failed, a file name) is printed with those characters
# made visible. No output of any command below may hold one raw.
. "$(dirname "$0")/../lib.sh"

V=$T/vault
SUP=$(passfile sup "correct horse battery")
INT=$(passfile int "interviewer passphrase")
BAD=$(passfile bad "not the passphrase")
ANA="--vault $V --user ana --passphrase-file $SUP"
BO="--vault $V --user bo --passphrase-file $INT"
MINI=$(cd "$(dirname "$0")/../forms/valid" && pwd)/mini.yaml
FORMS=$(cd "$(dirname "$0")/../../forms" && pwd)
ESC=$(printf '\033')
# Records of the test form are read with the referrals beside it.
INTAKE_FORMS=$(dirname "$MINI")
export INTAKE_FORMS

# raw_free FILE [CR]: FILE holds no byte a terminal acts on: no C0 control
# but tab and line feed (and CR when a second argument is given), no DEL,
# no C1 (UTF-8 C2 80..9F), no bidi control or separator (E2 80 A8..AE,
# E2 81 A6..A9).
raw_free() {
	if [ -n "${2:-}" ]; then c0=$(printf '[\001-\010\013\014\016-\037\177]')
	else c0=$(printf '[\001-\010\013-\037\177]'); fi
	! LC_ALL=C grep -q "$c0" "$1" &&
	! LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$1" &&
	! LC_ALL=C grep -q "$(printf '\342\200[\250-\256]')" "$1" &&
	! LC_ALL=C grep -q "$(printf '\342\201[\246-\251]')" "$1"
}
# outputs_clean NAME: the last run's stdout and stderr hold nothing raw.
outputs_clean() {
	if raw_free "$T/out" && raw_free "$T/err"; then ok "$1: no raw control bytes"
	else notok "$1: no raw control bytes" "stdout: $(od -c "$T/out" | head -5)" \
	    "stderr: $(od -c "$T/err" | head -5)"; fi
}

"$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$SUP" </dev/null >/dev/null
"$INTAKE" user add bo --role interviewer $ANA --new-passphrase-file "$INT" </dev/null >/dev/null

# --- answers ---------------------------------------------------------------
base='"gender":"female","consent_interview":"yes","age":30,"job":"farm","job_promised":"yes","debt":"no","consent_referral":"yes","consent_statistics":"yes"'
for pair in 'ESC:\u001b[2J\u001b]0;owned\u0007' 'C1 CSI:\u009b31m' 'DEL:x\u007f' \
    'RLO:abc\u202edcba' 'LRI:a\u2066b\u2069' 'LS:a\u2028b' 'PS:a\u2029b' 'CR:a\rb'; do
	what=${pair%%:*} text=${pair#*:}
	printf '{%s,"promised_what":"%s"}\n' "$base" "$text" >"$T/answers.json"
	run "$INTAKE" record add --form "$MINI" --answers "$T/answers.json" $BO </dev/null
	expect "an answer holding $what is refused" 6 "control character"
	outputs_clean "record add refusing $what"
done
printf '{%s,"promised_what":"line one\\nOutcome: forged\\n\\tend"}\n' "$base" >"$T/answers.json"
run "$INTAKE" record add --form "$MINI" --answers "$T/answers.json" $BO </dev/null
expect "a multi-line answer is kept" 0 "Saved case"
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)
run "$INTAKE" record add --form "$MINI" --answers "$T/answers.json" $BO </dev/null

# --- what the supervisor reads ---------------------------------------------
run "$INTAKE" record show "$code" $ANA </dev/null
expect "record show" 0 "line one"
outputs_clean "record show"
check "no answer line can start where the report's lines start" \
    grep -q '^    Outcome: forged$' "$T/out"
check "the report's own outcome line is still the only one at column 0" \
    test "$(grep -c '^Outcome: ' "$T/out")" -le 1
run "$INTAKE" record show "$code" --format json $ANA </dev/null
expect "record show --format json" 0 '"promised_what"'
outputs_clean "record show --format json"
run "$INTAKE" record history "$code" $ANA </dev/null
expect "record history" 0 "Version 1 of 1"
outputs_clean "record history"
check "history indents multi-line answers too" grep -q '^    Outcome: forged$' "$T/out"

# --- a name under which unlocks failed --------------------------------------
# The attempts table is plain and keyed by the name typed; one planted with
# LMDB's own tools reaches the audit trail at the next unlock.
run "$INTAKE" record list --vault "$V" --user bo --passphrase-file "$BAD" </dev/null
hostile=$(printf 'ev\033]0;pwned\007il\302\233\342\200\256x' | od -An -tx1 | tr -d ' \n')
mdb_dump -s attempts "$V" | sed '/^DATA=END$/,$d' >"$T/attempts"
printf ' %s\n 000000000000000200000000650000000000000000000000\nDATA=END\n' "$hostile" >>"$T/attempts"
mdb_load -s attempts -f "$T/attempts" "$V" 2>"$T/load.err"
check "the planted entry is in the attempts table" sh -c "mdb_dump -s attempts '$V' | grep -q '$hostile'"
run "$INTAKE" record list $ANA </dev/null
expect "record list" 0 "records"
outputs_clean "record list"
run "$INTAKE" audit --vault "$V" --as ana --passphrase-file "$SUP" </dev/null
# A name no user could have typed is not copied into the signed trail.
expect "the planted failures reach the trail, their name replaced" 0 '(invalid name)'
check "the planted name itself is not in the trail" sh -c "! grep -q 'pwned' '$T/out'"
outputs_clean "audit"
run "$INTAKE" stats $ANA </dev/null
outputs_clean "stats"
run "$INTAKE" export --format csv --out "$T/cases.csv" $ANA </dev/null
expect "export csv" 0 "Exported"
outputs_clean "export csv"
check "the CSV holds no raw control byte" raw_free "$T/cases.csv" cr
run "$INTAKE" verify $ANA </dev/null
outputs_clean "verify"

# --- forms, referral directories, scenarios ----------------------------------
F=$T/forms
mkdir -p "$F/training"
cp "$MINI" "$(dirname "$MINI")/referrals.yaml" "$FORMS/screening.yaml" "$F/"
sed 's/^title: {en: "Mini screening"/title: {en: "Mini \\e]0;x\\a screening"/' "$MINI" >"$F/esc-title.yaml"
run "$INTAKE" forms check "$F/esc-title.yaml"
expect "a form title holding ESC is refused at file:line:col" 6 "esc-title.yaml:7:"
outputs_clean "forms check, ESC in a title"
sed "s/label: {en: \"Gender\"/label: {en: \"Gen$(printf '\342\200\256')der\"/" "$MINI" >"$F/rlo-label.yaml"
run "$INTAKE" forms check "$F/rlo-label.yaml"
expect "a label holding U+202E is refused at its own line and column" 6 "rlo-label.yaml:46:"
check "the message names the character" grep -q "U+202E" "$T/err"
outputs_clean "forms check, RLO in a label"
sed 's/name: {en: "Police hotline (example)"/name: {en: "Police \\u2028hotline"/' \
    "$(dirname "$MINI")/referrals.yaml" >"$F/referrals.yaml"
check "the referral directory was changed" grep -q 'u2028' "$F/referrals.yaml"
run "$INTAKE" forms check "$F/referrals.yaml"
expect "a referral directory holding U+2028 is refused" 6 "referrals.yaml:"
outputs_clean "forms check, a referral directory"
cp "$(dirname "$MINI")/referrals.yaml" "$F/referrals.yaml"
scen=$FORMS/training/fair_migrant.yaml
sed 's/^  en: "Bounmy: going home for New Year"/  en: "Bounmy \\x9b going home"/' "$scen" >"$F/training/c1.yaml"
check "the scenario was changed" grep -q 'x9b' "$F/training/c1.yaml"
run "$INTAKE" training check "$F/training/c1.yaml"
expect "a scenario title holding a C1 control is refused at file:line:col" 6 "c1.yaml:26:"
outputs_clean "training check"
: >"$F/nasty$ESC[2J.yaml"
run env INTAKE_FORMS="$F" "$INTAKE" forms list
expect "forms list" 0 "mini"
outputs_clean "forms list (a file name holding ESC)"
run env INTAKE_FORMS="$F" "$INTAKE" training list
outputs_clean "training list"
run env INTAKE_FORMS="$FORMS" "$INTAKE" training card fair_migrant
expect "training card" 0 "Bounmy"
outputs_clean "training card"
