#!/bin/sh
# XLSForm workbooks become forms: `intake forms import` writes a form that
# `intake forms check` accepts and `intake record add` walks (answers,
# calculate, relevance, indicators, outcome), and a workbook with what
# Intake cannot take is refused with every problem at its sheet!row:column.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
X=$ROOT/tests/forms/xlsx

run "$INTAKE" forms import "$X/labour.xlsx" --out "$T/labour.yaml"
expect "import writes the form to --out" 0 "labour.yaml: ok: imported"
check "the imported form is created 0644" test "$(stat -c %a "$T/labour.yaml")" = 644
check "ignored columns are noted at their first cell" grep -q "labour.xlsx:survey!9:L: warning: column appearance is ignored" "$T/err"
run "$INTAKE" forms check "$T/labour.yaml"
expect "the imported form passes forms check" 0 "ok: form 'labour_xls' version 3"
check "groups became sections, select_one of yes/no the yes_no type" \
	grep -q "type: yes_no" "$T/labour.yaml"

run "$INTAKE" forms import "$X/labour.xlsx" --out "$T/labour.yaml"
expect "import never replaces an existing file" 1 "File exists"
check "the existing form is left as it was" grep -q "labour_xls" "$T/labour.yaml"

run "$INTAKE" forms import "$X/labour.xlsx"
expect "without --out the form goes to stdout" 0 "id: \"labour_xls\""
check "stdout holds the same form as --out" cmp -s "$T/out" "$T/labour.yaml"

V=$T/vault
P=$(passfile p "demo passphrase")
"$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$P" >/dev/null
AUTH="--vault $V --user ana --passphrase-file $P"

# 12 hours a day, 7 days a week: 84 hours, documents kept, free to leave.
cat >"$T/a1.json" <<'JSON'
{"consent_ok": "yes", "age": 24, "sector": "fishing", "hours_day": 12,
 "days_week": 7, "control": ["documents", "wages"], "can_leave": "yes"}
JSON
run "$INTAKE" record add --form "$T/labour.yaml" --lang lo --answers "$T/a1.json" $AUTH
expect "record add walks the imported form" 0 "Saved case"
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)
run "$INTAKE" record show "$code" --format json $AUTH
expect "record show --format json" 0 '"labour_xls"'
cp "$T/out" "$T/r1.json"
check "the calculate is stored among the answers, as text" \
	test "$(jq -r '.answers.weekly_hours' "$T/r1.json")" = "84"
check "the outcome follows the indicators" \
	test "$(jq -r '.outcome.id' "$T/r1.json")" = "likely_victim"
check "the indicators fired are the ones the answers give" \
	test "$(jq -r '[.indicators[].id] | join(",")' "$T/r1.json")" = "documents_kept,long_hours"
check "select_multiple answers are kept in list order" \
	test "$(jq -c '.answers.control' "$T/r1.json")" = '["documents","wages"]'
run "$INTAKE" record show "$code" $AUTH
expect "record show (text) works on an imported form" 0 "$code"
sed '/^Indicators/,$d' "$T/out" >"$T/answers.txt"
check "record show (text) lists what was answered, not computed values" \
	sh -c "grep -qx '    24' '$T/answers.txt' && ! grep -q weekly_hours '$T/answers.txt'"

# 8 hours, 5 days: 40 hours; could not leave (a strong indicator).
cat >"$T/a2.json" <<'JSON'
{"consent_ok": "yes", "age": 31, "sector": "farm", "hours_day": 8,
 "days_week": 5, "control": ["none"], "can_leave": "no", "leave_why": "debt"}
JSON
run "$INTAKE" record add --form "$T/labour.yaml" --answers "$T/a2.json" $AUTH
expect "a second walk" 0 "Saved case"
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)
run "$INTAKE" record show "$code" --format json $AUTH
check "the relevant text question is kept" test "$(jq -r '.answers.leave_why' "$T/out")" = "debt"
check "40 hours is not long hours" test "$(jq -r '.answers.weekly_hours' "$T/out")" = "40"
check "cannot_leave alone gives likely_victim" \
	test "$(jq -r '([.indicators[].id] | join(",")) + " " + .outcome.id' "$T/out")" = "cannot_leave likely_victim"

cat >"$T/a3.json" <<'JSON'
{"consent_ok": "yes", "age": 30, "hours_day": 8, "days_week": 5, "weekly_hours": "99"}
JSON
run "$INTAKE" record add --form "$T/labour.yaml" --answers "$T/a3.json" $AUTH
expect "an answers file cannot set a calculate" 6 "weekly_hours: a calculate question is computed"
cat >"$T/a4.json" <<'JSON'
{"consent_ok": "yes", "age": 30, "hours_day": 8, "days_week": 9}
JSON
run "$INTAKE" record add --form "$T/labour.yaml" --answers "$T/a4.json" $AUTH
expect "constraints from the workbook hold" 6 "days_week"

run "$INTAKE" forms import "$X/unsupported.xlsx" --out "$T/unsupported.yaml"
expect "a workbook with unsupported rows is refused" 6 "no form written"
check "nothing is written when the import fails" test ! -e "$T/unsupported.yaml"
for want in \
	"survey!3:A: error: repeats are not supported" \
	"survey!6:A: error: type geopoint is not supported" \
	"survey!7:A: error: type image is not supported" \
	"survey!8:A: error: type select_one_from_file is not supported" \
	"survey!9:A: error: unknown type 'rating'" \
	"survey!10:D: error: relevant of question 'why': unknown question \${nope}" \
	"survey!11:E: error: column choice_filter is not supported" \
	"survey!12:F: warning: column appearance is ignored" \
	"survey!2:A: error: the form has no interview consent question: add consent: interview to the yes_no question that asks it (in the workbook: write interview in the consent column"
do
	check "reported: $want" grep -qF "unsupported.xlsx:$want" "$T/err"
done

printf 'not a zip' >"$T/bad.xlsx"
run "$INTAKE" forms import "$T/bad.xlsx"
expect "a file that is no workbook is refused" 6 "not an Excel workbook"
run "$INTAKE" forms import
expect "usage" 2 "forms import FILE.xlsx"
