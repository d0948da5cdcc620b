#!/bin/sh
# Roles, amend/delete/history, the audit trail, verify, paced unlocks and
# group-shared vaults from the command line: what each user sees, and the
# exit status each refusal gives.
. "$(dirname "$0")/../lib.sh"

V=$T/vault
SUP=$(passfile sup "correct horse battery")
INT=$(passfile int "interviewer passphrase")
BAD=$(passfile bad "not the passphrase")
ANA="--vault $V --user ana --passphrase-file $SUP"
BO="--vault $V --user bo --passphrase-file $INT"
AUDIT="--vault $V --as ana --passphrase-file $SUP"

"$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$SUP" </dev/null >/dev/null
"$INTAKE" user add bo --role interviewer $ANA --new-passphrase-file "$INT" </dev/null >/dev/null
"$INTAKE" user add tess --role trainer $ANA --new-passphrase-file "$INT" </dev/null >/dev/null

cat >"$T/answers.json" <<'EOF'
{"danger_now": "no", "urgent_medical": "no", "consent_interview": "yes", "consent_referral": "yes",
 "consent_statistics": "yes", "age_band": "age_18_20", "sector": ["factory"],
 "job_different": "yes", "could_quit": {"special": "declined"},
 "documents_held_by": {"special": "dont_know"}, "debt_work_off": "yes",
 "physical_violence": "no", "threats": ["none"], "sex_with_clients": "no",
 "needs_now": ["medical"]}
EOF
echo '{"age_band": "age_21_23"}' >"$T/fix.json"

run "$INTAKE" record add --form screening_short --answers "$T/answers.json" $BO </dev/null
expect "an interviewer saves a record" 0 "Saved case"
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)

# --- roles ---
run "$INTAKE" record add --form screening_short --answers "$T/answers.json" \
    --vault "$V" --user tess --passphrase-file "$INT" </dev/null
expect "a trainer cannot save into a real vault" 7 "training vault"
run "$INTAKE" audit --vault "$V" --as bo --passphrase-file "$INT" </dev/null
expect "an interviewer cannot read the audit trail" 7 "only a supervisor"
run "$INTAKE" verify $BO </dev/null
expect "an interviewer cannot verify" 7 "only a supervisor"

# --- amend, history ---
run "$INTAKE" record amend "$code" --answers "$T/fix.json" $BO </dev/null
expect "amending needs a reason" 2 "--reason"
run "$INTAKE" record amend "$code" --answers "$T/fix.json" --reason "$(printf 'a\tb')" $BO </dev/null
expect "a reason with a control character is refused" 6 "control"
run "$INTAKE" record amend "$code" --answers "$T/fix.json" --reason "age misheard" $BO </dev/null
expect "the owner amends with a reason" 0 "1 earlier version kept"
run "$INTAKE" record show "$code" $BO </dev/null
expect "the record now reads amended" 0 "amended"
check "the new answer is shown" grep -q "21 to 23" "$T/out"
run "$INTAKE" record history "$code" $BO </dev/null
expect "earlier versions are for supervisors" 7 "only a supervisor"
run "$INTAKE" record history "$code" $ANA </dev/null
expect "a supervisor sees every version" 0 "Version 1 of 2 (the original)"
check "the original answer is in version 1" sh -c "sed -n '/Version 1/,/Version 2/p' '$T/out' | grep -q '18 to 20'"
check "the current answer is in version 2" sh -c "sed -n '/Version 2/,\$p' '$T/out' | grep -q '21 to 23'"
run "$INTAKE" record history "$code" --format json $ANA </dev/null
check "history as JSON: one line per version" test "$(wc -l <"$T/out")" -eq 2

# --- the trail ---
run "$INTAKE" audit $AUDIT </dev/null
expect "the supervisor lists the trail" 0 "vault create"
check "the amendment is listed with its reason" grep -q "record amend *$code reason: age misheard" "$T/out"
check "the view is listed" grep -q "bo *record view *$code" "$T/out"
check "the history view is listed" grep -q "ana *history view *$code" "$T/out"
check "user changes are listed" grep -q "user add *tess (trainer)" "$T/out"
run "$INTAKE" audit --user bo $AUDIT </dev/null
check "--user keeps only bo's entries" sh -c "! tail -n +2 '$T/out' | grep -v entr | grep -v ' bo ' | grep -q ."
run "$INTAKE" audit --since 2999-01-01 $AUDIT </dev/null
expect "--since in the future lists nothing" 0 "0 entries"
run "$INTAKE" audit --since 31/12/2024 $AUDIT </dev/null
expect "--since wants a date" 2 "2025-03-31"
run "$INTAKE" audit head $AUDIT </dev/null
expect "audit head prints the head" 0
head=$(cat "$T/out")
check "the head is SEQ:HASH" sh -c "echo '$head' | grep -Eq '^[0-9]+:[0-9a-f]{64}$'"

# --- delete ---
run "$INTAKE" record delete "$code" --reason "withdrew consent" $BO </dev/null
expect "an interviewer cannot delete" 7 "only a supervisor"
run "$INTAKE" record delete "$code" $ANA </dev/null
expect "deleting needs a reason" 2 "--reason"
run "$INTAKE" record delete "$code" --reason "respondent withdrew consent" $ANA </dev/null
expect "a supervisor deletes with a reason" 0 "and its 1 earlier version"
run "$INTAKE" record show "$code" $ANA </dev/null
expect "the deleted record is gone" 4 "no record with case code"
run "$INTAKE" audit $AUDIT </dev/null
check "the deletion is audited with its reason" grep -q "record delete *$code reason: respondent withdrew consent" "$T/out"

# --- reasons from a file or standard input (argv shows in `ps`) ---
run "$INTAKE" record add --form screening_short --answers "$T/answers.json" $BO </dev/null
code2=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)
printf 'interpreter corrected the age\n' >"$T/reason1"
run "$INTAKE" record amend "$code2" --answers "$T/fix.json" --reason-file "$T/reason1" $BO </dev/null
expect "an amendment takes its reason from a file" 0 "1 earlier version kept"
echo '{"age_band": "age_18_20"}' >"$T/fix2.json"
run sh -c "printf 'age restated by the respondent\n' | \"\$0\" \"\$@\"" "$INTAKE" record amend "$code2" \
    --answers "$T/fix2.json" --reason-file - $BO
expect "an amendment takes its reason from standard input" 0 "2 earlier versions kept"
run "$INTAKE" record amend "$code2" --answers "$T/fix.json" --reason "x" --reason-file "$T/reason1" $BO </dev/null
expect "--reason and --reason-file together are refused" 2 "not both"
printf 'line one\nline two\n' >"$T/reason2"
run "$INTAKE" record amend "$code2" --answers "$T/fix.json" --reason-file "$T/reason2" $BO </dev/null
expect "a reason file is checked as --reason is" 6 "control"
: >"$T/reason3"
run "$INTAKE" record delete "$code2" --reason-file "$T/reason3" $ANA </dev/null
expect "an empty reason file is refused" 6
printf 'fix typo\000 and the rest, which would be lost\n' >"$T/reason5"
run "$INTAKE" record delete "$code2" --reason-file "$T/reason5" $ANA </dev/null
expect "a reason file holding a NUL byte is refused, not cut short" 6 "NUL"
run "$INTAKE" record delete "$code2" --reason-file "$T/missing" $ANA </dev/null
expect "a missing reason file is reported" 1 "$T/missing"
printf 'asked to be forgotten\n' >"$T/reason4"
run "$INTAKE" record delete "$code2" --reason-file "$T/reason4" $ANA </dev/null
expect "a deletion takes its reason from a file" 0 "and its 2 earlier versions"
run "$INTAKE" audit $AUDIT </dev/null
check "the reason from a file is in the trail" \
    grep -q "record amend *$code2 reason: interpreter corrected the age$" "$T/out"
check "the reason from standard input is in the trail" \
    grep -q "record amend *$code2 reason: age restated by the respondent$" "$T/out"
check "the deletion's reason from a file is in the trail" \
    grep -q "record delete *$code2 reason: asked to be forgotten$" "$T/out"

# --- verify ---
run "$INTAKE" verify $ANA </dev/null
expect "verify passes on an untouched vault" 0 "0 problems"
run "$INTAKE" verify --head "$head" $ANA </dev/null
expect "verify accepts a head noted earlier" 0 "0 problems"
run "$INTAKE" verify --rebuild-listing $ANA </dev/null
expect "verify --rebuild-listing checks, then makes the listing again" 0 "made again"
run "$INTAKE" verify $ANA </dev/null
expect "the rebuilt listing agrees with the summaries" 0 "0 problems"
run "$INTAKE" verify --head "12:nothex" $ANA </dev/null
expect "a malformed --head is a usage error" 2 "64 hexadecimal"

# An edit made with LMDB's own tools: one hex digit of entry 2 (an unlock).
mdb_dump -s audit "$V" >"$T/dump"
awk '/^ 0000000000000002$/ { print; getline; c = substr($0, 60, 1);
    print substr($0, 1, 59) (c == "0" ? "1" : "0") substr($0, 61); next } { print }' \
    "$T/dump" >"$T/dump2"
check "the edit changed the dump" sh -c "! cmp -s '$T/dump' '$T/dump2'"
mdb_load -s audit -f "$T/dump2" "$V" 2>/dev/null
run "$INTAKE" verify $ANA </dev/null
expect "verify finds the edited entry, exit 5" 5 "PROBLEM: audit entry 2 failed its integrity check"
check "verify's last line counts the problems" grep -q "1 problem\." "$T/out"

# --- paced unlocks ---
for i in 1 2 3; do
	run "$INTAKE" record list --vault "$V" --user bo --passphrase-file "$BAD" </dev/null
done
expect "a wrong passphrase is refused" 3 "wrong passphrase"
run "$INTAKE" record list $BO </dev/null
expect "after 3 failures the next try waits its turn, in a new process too" 0 \
    "yours comes in 1 second"
expect "when the turn comes the right passphrase works" 0 "record"
run "$INTAKE" audit --user bo $AUDIT </dev/null
check "the failures are in the trail, counted" grep -q "bo *unlock failed *3 failed unlocks since" "$T/out"

# --- a vault shared with a group ---
G=$(id -gn)
run "$INTAKE" init --vault "$T/shared" --user ana --group "$G" $KDF --passphrase-file "$SUP" </dev/null
expect "init --group shares the vault" 0 "Shared with group $G"
check "shared directory is 3770 (setgid, sticky)" test "$(stat -c %a "$T/shared")" = 3770
check "shared directory has the group" test "$(stat -c %G "$T/shared")" = "$G"
for f in "$T/shared"/*; do
	check "shared $(basename "$f") is 0660 and group $G" test "$(stat -c '%a %G' "$f")" = "660 $G"
done
run "$INTAKE" init --vault "$T/nogroup" --user ana --group no-such-group-intake $KDF --passphrase-file "$SUP" </dev/null
expect "an unknown group is refused" 6 "groupadd"
check "nothing was created for an unknown group" test ! -e "$T/nogroup"

# --- a training vault ---
run "$INTAKE" --training init --vault "$T/training" --user ana $KDF --passphrase-file "$SUP" </dev/null
expect "init --training makes a training vault" 0 "Created training vault"
"$INTAKE" user add tess --role trainer --vault "$T/training" --user ana --passphrase-file "$SUP" \
    --new-passphrase-file "$INT" </dev/null >/dev/null
run "$INTAKE" --training record add --form screening_short --answers "$T/answers.json" \
    --vault "$T/training" --user tess --passphrase-file "$INT" </dev/null
expect "a trainer saves in the training vault" 0 "Saved case"
run "$INTAKE" audit --vault "$T/training" --as tess --passphrase-file "$INT" </dev/null
expect "a trainer reads the training vault's trail" 0 "record create"
