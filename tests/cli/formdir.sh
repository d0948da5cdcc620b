#!/bin/sh
# Where forms come from: never the current directory. A supervisor who runs
# intake where someone planted a screening.yaml or referrals.yaml (with a
# trafficker's number as the "hotline") must not see them used; commands
# that need forms say where they looked, the others go on without.
. "$(dirname "$0")/../lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
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
"$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$SUP" </dev/null >/dev/null
INTAKE_FORMS=$SRC/forms "$INTAKE" record add --form screening_short --answers "$T/answers.json" \
    $ANA </dev/null >"$T/out"
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)
INTAKE_FORMS=$SRC/forms run "$INTAKE" record show "$code" $ANA </dev/null
expect "with its forms, the record shows its referrals" 0 "Referral:"

# The program alone, far from any forms/ folder, run from a folder holding
# hostile forms, with INTAKE_FORMS naming nothing.
mkdir -p "$T/bin/a/b" "$T/cwd/forms"
cp "$INTAKE" "$T/bin/a/b/intake"
sed 's/contact: ".*"/contact: "HOSTILE 0999"/' "$SRC/forms/referrals.yaml" >"$T/cwd/referrals.yaml"
sed 's/^title:.*/title: HOSTILE FORM/' "$SRC/forms/screening.yaml" >"$T/cwd/screening.yaml"
cp "$T/cwd/referrals.yaml" "$T/cwd/screening.yaml" "$T/cwd/forms/"
cp "$SRC/forms/screening-short.yaml" "$T/cwd/"
cp "$SRC/forms/screening-short.yaml" "$T/cwd/forms/"
lone() { (cd "$T/cwd" && INTAKE_FORMS=$T/nowhere "$T/bin/a/b/intake" "$@"); }

# A form named by its file name is the forms directory's, even when a file
# of that name waits in the current directory; only a path (with a '/')
# is read as typed. The planted copy says version 6.6.
sed 's/^version: .*/version: "6.6"/' "$SRC/forms/screening-short.yaml" >"$T/cwd/screening-short.yaml"
version_saved() {
	(cd "$T/cwd" && INTAKE_FORMS=$SRC/forms "$INTAKE" record add --form "$1" \
	    --answers "$T/answers.json" $ANA </dev/null >"$T/out" 2>"$T/err")
	named=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)
	[ -n "$named" ] && INTAKE_FORMS=$SRC/forms "$INTAKE" record show "$named" \
	    --format json $ANA </dev/null | jq -r .form.version
}
check "a form's file name is looked up in the forms directory, not the current one" \
    test "$(version_saved screening-short.yaml)" = "$(sed -n 's/^version: "\(.*\)"/\1/p' "$SRC/forms/screening-short.yaml")"
check "a path with a '/' is read as typed" test "$(version_saved ./screening-short.yaml)" = 6.6
# A name that is no form of the directory is not found, even when the
# directory holds some other form.
mkdir -p "$T/one"
cp "$SRC/forms/screening-short.yaml" "$T/one/e.yaml"
cp "$SRC/forms/referrals.yaml" "$T/one/"
for name in nosuchform screening.yaml; do
	INTAKE_FORMS=$T/one run "$INTAKE" record add --form "$name" --answers "$T/answers.json" \
	    $ANA </dev/null
	expect "--form $name, no form of the directory, is not found" 6 "no form '$name'"
done
cp "$SRC/forms/screening-short.yaml" "$T/cwd/"

if [ -d /usr/local/share/intake/forms ]; then
	echo "ok - # SKIP forms are installed in /usr/local/share/intake/forms"
	exit 0
fi
run lone record show "$code" $ANA </dev/null
check "record show does not take referrals from the current directory" \
    sh -c "! grep -q HOSTILE '$T/out' '$T/err'"
# The form of this record names a referrals file: without a forms
# directory it cannot be read, and the export says so rather than take the
# one at hand.
run lone export --format csv --out "$T/export.csv" $ANA </dev/null
check "export does not take referrals from the current directory" \
    sh -c "[ $rc -ne 0 ] && grep -q 'no longer loads' '$T/err' && ! grep -q HOSTILE '$T/err'"
run lone forms list </dev/null
expect "forms list fails, saying where it looked" 1 "$T/nowhere (INTAKE_FORMS)"
check "it names the INTAKE_FORMS setting" grep -q "Set INTAKE_FORMS" "$T/err"
check "it lists no form of the current directory" sh -c "! grep -q HOSTILE '$T/out'"
run lone record add --form screening --answers "$T/answers.json" $ANA </dev/null
expect "record add by id fails without a forms directory" 6 "no forms directory found"
