#!/bin/sh
# Data leaving the vault from the command line: export, stats, key files,
# sealed bundles, backup and restore, with every bad input a user can make
# there, each with its exit status and message.
. "$(dirname "$0")/../lib.sh"

V=$T/field
O=$T/office
SUP=$(passfile sup "field supervisor pass")
OFF=$(passfile off "office supervisor pass")
INT=$(passfile int "interviewer passphrase")
KEYP=$(passfile keyp "office key passphrase")
AS_SUP="--vault $V --user ana --passphrase-file $SUP"
AS_OFF="--vault $O --user olga --passphrase-file $OFF"
export INTAKE_FORMS="$(cd "$(dirname "$0")/../.." && pwd)/forms"

run "$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$SUP" </dev/null
expect "field vault created" 0
run "$INTAKE" user add bo --role interviewer $AS_SUP --new-passphrase-file "$INT" </dev/null
expect "interviewer added" 0
cat >"$T/a.json" <<'EOF'
{"danger_now":"no","urgent_medical":"no","consent_interview":"yes","consent_referral":"yes",
 "consent_statistics":"yes","age_band":"age_21_23","sector":["factory"],
 "job_different":"yes","documents_held_by":"employer","needs_now":["shelter"]}
EOF
for i in 1 2 3; do
	run "$INTAKE" record add --form screening_short --answers "$T/a.json" $AS_SUP </dev/null
done
expect "records saved" 0 "Saved case"

# ---- export ----
run "$INTAKE" export --format csv --out "$T/x.csv" $AS_SUP </dev/null
expect "export writes a CSV" 0 "Exported 3 records"
expect "export warns the file is plaintext" 0 "PLAINTEXT"
check "export file is 0600" test "$(stat -c %a "$T/x.csv")" = 600
check "export has a header and three rows" test "$(grep -c . "$T/x.csv")" = 4
check "export names the columns" grep -q '^_case,_record_id,_form,' "$T/x.csv"

# The CTDC case-level file: the standard's columns, one row per person.
run "$INTAKE" export --format ctdc --out "$T/ctdc.csv" $AS_SUP </dev/null
expect "CTDC export writes a file" 0 "Exported 3 persons"
check "CTDC file is 0600" test "$(stat -c %a "$T/ctdc.csv")" = 600
check "CTDC file starts with the standard's columns" grep -q '^yearOfRegistration,Datasource,gender,ageBroad,majorityStatus,majorityStatusAtExploit,majorityEntry,citizenship,meansOfControlDebtBondage,' "$T/ctdc.csv"
check "CTDC rows code ages and documents" grep -q ',Case Management,-99,21--23,Adult,-99,-99,-99,' "$T/ctdc.csv"
run "$INTAKE" export --format ctdc --out "$T/ctdc2.csv" --since 2020-01-01 $AS_SUP </dev/null
expect "CTDC export takes no filter" 2 "no --form, --since or"

cp "$T/x.csv" "$T/x.before"
run "$INTAKE" export --format csv --out "$T/x.csv" $AS_SUP </dev/null
expect "export refuses an existing file" 1 "already exists"
check "the existing file is untouched" cmp -s "$T/x.csv" "$T/x.before"

run "$INTAKE" export --format csv --out "$T/x.csv/inside.csv" $AS_SUP </dev/null
expect "export into a path that cannot be created" 1 "cannot create"
run "$INTAKE" export --format csv --out "$T/nodir/x.csv" $AS_SUP </dev/null
expect "export into a missing directory" 1 "does not exist"

run "$INTAKE" export --format xml --out "$T/y.csv" $AS_SUP </dev/null
expect "unknown export format" 2 "csv, jsonl or ctdc"
run "$INTAKE" export --out "$T/y.csv" --since 2024-13-01 $AS_SUP </dev/null
expect "bad --since date" 2 "YYYY-MM-DD"
run "$INTAKE" export --out "$T/y.csv" --vault "$V" --user bo --passphrase-file "$INT" </dev/null
expect "an interviewer cannot export" 7 "only a supervisor"
check "nothing left behind by a refused export" test ! -e "$T/y.csv"
run "$INTAKE" export --format jsonl --out "$T/y.jsonl" --lang lo $AS_SUP </dev/null
expect "JSON Lines export" 0 "Exported 3 records"
check "JSON Lines carries labels" grep -q '"labels"' "$T/y.jsonl"

# ---- stats ----
# Releases of closed periods only. The records here were saved today, so a
# past period is released empty ("fewer than k") and today's is refused.
run "$INTAKE" stats $AS_SUP </dev/null
expect "stats without a period is refused" 2 "never as queries"
year=$(date -u +%Y)
run "$INTAKE" stats "$year" $AS_SUP </dev/null
expect "an open period is not released" 6 "has not ended"
run "$INTAKE" stats 2020-Q1 --by age_band,job_different $AS_SUP </dev/null
expect "a closed period is released" 0 "Release 2020-Q1: interviews started from 2020-01-01 to 2020-03-31"
expect "a release below k publishes no table" 0 "No table is published below 11 records"
check "a release prints no exact small count" sh -c "! grep -Eq '(Counted|Excluded): [0-9]' '$T/out'"
cp "$T/out" "$T/first-release"
run "$INTAKE" stats 2020-Q1 $AS_SUP </dev/null
expect "asking again says it was released" 0 "was released before"
check "asking again prints the same release" cmp -s "$T/out" "$T/first-release"
run "$INTAKE" stats 2020-Q1 --format csv $AS_SUP </dev/null
expect "a release as CSV" 0 "variable,value,variable2,value2,count"
check "a CSV release below k is its header alone, no exact count" \
    test "$(grep -c . "$T/out")" = 1
run "$INTAKE" stats 2020-02 $AS_SUP </dev/null
expect "a month after quarters is refused" 6 "releases statistics by quarter"
run "$INTAKE" stats 2020 $AS_SUP </dev/null
expect "a year over released quarters is refused" 6 "releases statistics by quarter"
run "$INTAKE" stats 2020-Q2 --by sector,job_different $AS_SUP </dev/null
expect "other cross-tables than the plan's are refused" 6 "cross-tables age_band,job_different"
run "$INTAKE" stats 2020-Q2 $AS_SUP </dev/null
expect "the next quarter is released under the plan" 0 "Release 2020-Q2"
check "the next quarter is a new release" sh -c "! grep -q 'released before' '$T/err'"
run "$INTAKE" stats 2020-Q3 --since 2020-08-01 $AS_SUP </dev/null
expect "stats refuse a date filter" 2 "no --since, --form or --lang"
run "$INTAKE" stats 2020-Q3 --form screening-short $AS_SUP </dev/null
expect "stats refuse a form filter" 2 "no --since, --form or --lang"
run "$INTAKE" stats 2020-Q3 --k 1 $AS_SUP </dev/null
expect "--k 1 is refused with the reason" 2 "unique individuals"
run "$INTAKE" stats 2020-Q5 $AS_SUP </dev/null
expect "a bad period is refused" 6 "is not a period"
run "$INTAKE" stats 2020-Q3 --vault "$V" --user bo --passphrase-file "$INT" </dev/null
expect "an interviewer cannot run stats" 7

# ---- keys and bundles ----
run "$INTAKE" keygen --out "$T/office" $KDF --new-passphrase-file "$KEYP" </dev/null
expect "keygen writes a key pair" 0 "fingerprint"
check "secret key file is 0600" test "$(stat -c %a "$T/office.key")" = 600
check "public key is one line" grep -q '^intake-pub-1 [A-Za-z0-9+/=]*$' "$T/office.pub"
run "$INTAKE" keygen --out "$T/office" $KDF --new-passphrase-file "$KEYP" </dev/null
expect "keygen never replaces a key" 1 "already exists"
run "$INTAKE" keygen --out "$T/other" $KDF --new-passphrase-file "$KEYP" </dev/null
expect "a second key pair" 0

run "$INTAKE" keygen --site "$T/site" $KDF --new-passphrase-file "$KEYP" </dev/null
expect "keygen --site writes a signing key pair" 0 "fingerprint"
check "the site's secret key file is 0600" test "$(stat -c %a "$T/site.key")" = 600
check "the site's public key is one line" grep -q '^intake-sitepub-1 [A-Za-z0-9+/=]*$' "$T/site.pub"
SIGN="--key $T/site --key-passphrase-file $KEYP"

run "$INTAKE" bundle create --to "$T/office.key" $SIGN --out "$T/b" $AS_SUP </dev/null
expect "a secret key is not a recipient" 6 "give the .pub file"
run "$INTAKE" bundle create --to "$T/office.pub" --out "$T/b" $AS_SUP </dev/null
expect "a bundle must be signed" 2 "--key SITE"
run "$INTAKE" bundle create --to "$T/office.pub" --key "$T/office" --key-passphrase-file "$KEYP" \
    --out "$T/b" $AS_SUP </dev/null
expect "an office key does not sign" 6 "not an intake site secret key"
run "$INTAKE" bundle create --to "$T/office.pub" $SIGN --out "$T/b" $AS_SUP </dev/null
expect "bundle create seals the records" 0 "Sealed bundle 1 (needs no earlier bundle): 3 records"
check "bundle holds no plaintext" sh -c "! grep -q employer '$T/b'"

run "$INTAKE" init --vault "$O" --user olga $KDF --passphrase-file "$OFF" </dev/null
expect "office vault created" 0
run "$INTAKE" bundle import "$T/b" --key "$T/office" $AS_OFF --key-passphrase-file "$KEYP" </dev/null
expect "a bundle from a site not trusted" 7 "does not trust"
run "$INTAKE" bundle trust field "$T/site.pub" $AS_OFF </dev/null
expect "the office trusts the site" 0 "Trusted site field"
run "$INTAKE" bundle import "$T/b" --key "$T/other" $AS_OFF --key-passphrase-file "$KEYP" </dev/null
expect "a bundle for another key" 6 "sealed to another key"
head -c 2000 "$T/b" >"$T/b.cut"
run "$INTAKE" bundle import "$T/b.cut" --key "$T/office" $AS_OFF --key-passphrase-file "$KEYP" </dev/null
expect "a truncated bundle" 5 "cut short"
cp "$T/b" "$T/b.flip"
flip_byte "$T/b.flip" 500
run "$INTAKE" bundle import "$T/b.flip" --key "$T/office" $AS_OFF --key-passphrase-file "$KEYP" </dev/null
expect "a flipped byte" 5 "does not match the signature"
run "$INTAKE" bundle import "$T/b" --key "$T/office" $AS_OFF --key-passphrase-file "$OFF" </dev/null
expect "wrong key passphrase" 3 "wrong passphrase"
run "$INTAKE" record list $AS_OFF </dev/null
expect "nothing was imported by the failures" 0 "0 records"
run "$INTAKE" bundle import "$T/b" --key "$T/office" $AS_OFF --key-passphrase-file "$KEYP" </dev/null
expect "bundle import" 0 "Imported 3 new records"
run "$INTAKE" bundle import "$T/b" --key "$T/office.key" $AS_OFF --key-passphrase-file "$KEYP" </dev/null
expect "the same bundle twice is refused" 1 "imported already"
expect "the second import changes nothing" 1 "nothing was imported or changed"
run "$INTAKE" record list $AS_OFF </dev/null
expect "the office lists the field's cases" 0 "3 records"
expect "records keep their interviewer" 0 "ana"
run "$INTAKE" verify $AS_OFF </dev/null
expect "imported records are in the audit trail: verify finds nothing" 0 "0 problems"

# ---- backup and restore ----
run "$INTAKE" backup "$T/bk" --vault "$V" </dev/null
expect "backup" 0 "Backed up"
check "backup directory is 0700" test "$(stat -c %a "$T/bk")" = 700
check "backup data is 0600" test "$(stat -c %a "$T/bk/data.mdb")" = 600
run "$INTAKE" record list --vault "$T/bk" --user ana --passphrase-file "$SUP" </dev/null
expect "the backup opens with --vault" 0 "3 records"
code=$(grep -oE '^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]' "$T/out" | head -1)
run "$INTAKE" record show "$code" --vault "$T/bk" --user ana --passphrase-file "$SUP" </dev/null
expect "a record in the backup decrypts" 0 "The employer"
run "$INTAKE" backup "$T/bk" --vault "$V" </dev/null
expect "backup never overwrites" 1 "not empty"
run "$INTAKE" restore "$T/bk" --vault "$T/restored" </dev/null
expect "restore" 0 "Restored"
run "$INTAKE" record list --vault "$T/restored" --user ana --passphrase-file "$SUP" </dev/null
expect "the restored vault opens" 0 "3 records"
run "$INTAKE" restore "$T/bk" --vault "$V" </dev/null
expect "restore never overwrites a vault" 1 "not empty"
