#!/bin/sh
# Field site to office with signed, numbered bundles: an amendment and a
# deletion made after the first bundle reach the office in the second; a
# bundle from a site the office does not trust, a replayed one, one that
# comes before its predecessor, and one whose signature or number was
# edited are each refused with the office's records unchanged; a bundle
# imported twice changes nothing. Then a second reader, written only from
# docs/FORMATS.md (bundle_reader.py, on PyNaCl), opens the same bundles.
. "$(dirname "$0")/../lib.sh"

V=$T/field
O=$T/office
SUP=$(passfile sup "field supervisor pass")
OFF=$(passfile off "office supervisor pass")
KEYP=$(passfile keyp "bundle key passphrase")
AS_SUP="--vault $V --user ana --passphrase-file $SUP"
AS_OFF="--vault $O --user olga --passphrase-file $OFF"
SIGN="--key $T/site --key-passphrase-file $KEYP"
OKEY="--key $T/office --key-passphrase-file $KEYP"
export INTAKE_FORMS="$(cd "$(dirname "$0")/../.." && pwd)/forms"
READER=$(dirname "$0")/bundle_reader.py

# The office's case list and one record's versions, to compare after each
# refused import.
office_state() {
	"$INTAKE" record list $AS_OFF </dev/null >"$T/$1" 2>&1
	"$INTAKE" record history "$AMENDED" --format json $AS_OFF </dev/null >>"$T/$1" 2>&1
}
# refused NAME FILE RC TEXT: the import of FILE exits RC saying TEXT, and
# the office holds what it held.
refused() {
	office_state before
	run "$INTAKE" bundle import "$2" $OKEY $AS_OFF </dev/null
	expect "$1" "$3" "$4"
	expect "$1: says nothing was imported" "$3" "nothing was imported"
	office_state after
	check "$1: the office's records are unchanged" cmp -s "$T/before" "$T/after"
}

run "$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$SUP" </dev/null
expect "field vault created" 0
run "$INTAKE" init --vault "$O" --user olga $KDF --passphrase-file "$OFF" </dev/null
expect "office vault created" 0
cat >"$T/a.json" <<'EOF'
{"danger_now":"no","urgent_medical":"no","consent_interview":"yes","consent_referral":"yes",
 "consent_statistics":"yes","age_band":"age_21_23","sector":["factory"],
 "job_different":"yes","documents_held_by":"employer","needs_now":["shelter"]}
EOF
sed 's/age_21_23/age_18_20/' "$T/a.json" >"$T/b.json"
for i in 1 2 3; do
	run "$INTAKE" record add --form screening_short --answers "$T/a.json" $AS_SUP </dev/null
	sed -n 's/^Saved case \([^ ]*\) .*/\1/p' "$T/out" >>"$T/codes"
done
check "three records saved" test "$(grep -c . "$T/codes")" = 3
AMENDED=$(sed -n 1p "$T/codes")
DELETED=$(sed -n 2p "$T/codes")

run "$INTAKE" keygen --out "$T/office" $KDF --new-passphrase-file "$KEYP" </dev/null
expect "the office's key pair" 0 "fingerprint"
run "$INTAKE" keygen --site "$T/site" $KDF --new-passphrase-file "$KEYP" </dev/null
expect "the site's signing key pair" 0 "Read it to the office by phone"
FP=$(sed -n 's/^Key fingerprint: \([0-9 ]*\)\..*/\1/p' "$T/out")
check "a fingerprint is five groups of five digits" \
    sh -c "echo '$FP' | grep -Eqx '[0-9]{5}( [0-9]{5}){4}'"
run "$INTAKE" keygen --site "$T/rogue" $KDF --new-passphrase-file "$KEYP" </dev/null
expect "another site's key pair" 0
run "$INTAKE" bundle trust field "$T/site.pub" $AS_OFF </dev/null
expect "the office trusts the site" 0 "$FP"
run "$INTAKE" bundle trust field2 "$T/site.pub" $AS_OFF </dev/null
expect "one key is trusted once" 1 "trusted already"
run "$INTAKE" bundle trust field3 "$T/office.pub" $AS_OFF </dev/null
expect "an office key is no site key" 6 "it is an office's key"
run "$INTAKE" bundle trusted $AS_OFF </dev/null
expect "the trusted sites are listed with their fingerprints" 0 "$FP"

# ---- the first bundle, then an amendment and a deletion ----
run "$INTAKE" bundle create --to "$T/office.pub" $SIGN --out "$T/b1" $AS_SUP </dev/null
expect "bundle 1 carries every record" 0 "Sealed bundle 1 (needs no earlier bundle): 3 records"
run "$INTAKE" bundle import "$T/b1" $OKEY $AS_OFF </dev/null
expect "bundle 1 imports" 0 "Imported 3 new records"

run "$INTAKE" record amend "$AMENDED" --answers "$T/b.json" --reason "age corrected from the ID card" \
    $AS_SUP </dev/null
expect "a record amended at the site after it was sent" 0
run "$INTAKE" record delete "$DELETED" --reason "consent withdrawn" $AS_SUP </dev/null
expect "a record deleted at the site after it was sent" 0
run "$INTAKE" bundle create --to "$T/office" $SIGN --out "$T/b2" $AS_SUP </dev/null
expect "bundle 2 carries only what changed" 0 \
    "Sealed bundle 2: 1 record (2 versions), 1 deletion"
run "$INTAKE" audit --as ana --vault "$V" --passphrase-file "$SUP" </dev/null
check "the site's trail says what bundle 2 carried" \
    grep -Eq 'ana +bundle create +1 record, bundle 2 to key [0-9 ]+, changes since bundle 1, 2 versions, 1 deletion, in ' "$T/out"
run "$INTAKE" bundle create --to "$T/office.pub" $SIGN --out "$T/b3" $AS_SUP </dev/null
expect "bundle 3, nothing changed since 2" 0 "Sealed bundle 3: 0 records"
run "$INTAKE" bundle create --to "$T/office.pub" --key "$T/rogue" --key-passphrase-file "$KEYP" \
    --out "$T/rogue.b" $AS_SUP </dev/null
expect "a bundle signed with a key the office does not trust" 0 "Sealed bundle"

# ---- refused, each with nothing imported ----
refused "a site the office does not trust" "$T/rogue.b" 7 "does not trust"
refused "bundle 3 before bundle 2" "$T/b3" 6 "import bundle 2 first"
refused "bundle 1 again (a replay)" "$T/b1" 1 "imported already"
cp "$T/b2" "$T/b2.seq"
# The header's sequence number ends at byte 172: make it 3.
printf '\003' | dd of="$T/b2.seq" bs=1 seek=171 conv=notrunc 2>/dev/null
refused "a bundle whose number was edited" "$T/b2.seq" 5 "does not match the signature"
cp "$T/b2" "$T/b2.sig"
size=$(wc -c <"$T/b2")
flip_byte "$T/b2.sig" $((size - 5))
refused "a bundle whose signature was edited" "$T/b2.sig" 5 "does not match the signature"
run "$INTAKE" record list $AS_OFF </dev/null
expect "the office still holds the three first records" 0 "3 records"

# ---- the changes arrive ----
run "$INTAKE" bundle import "$T/b2" $OKEY $AS_OFF </dev/null
expect "bundle 2 imports" 0 "1 amendment and 1 deletion applied"
run "$INTAKE" record list $AS_OFF </dev/null
expect "the deletion reached the office" 0 "2 records"
check "the deleted record is gone from the office" sh -c "! grep -q '$DELETED' '$T/out'"
expect "the amended record shows as amended" 0 "amended"
run "$INTAKE" record history "$AMENDED" $AS_OFF </dev/null
expect "the office keeps the version before the amendment" 0 "Version 1 of 2"
run "$INTAKE" record show "$AMENDED" --format json $AS_OFF </dev/null
expect "the office holds the amended answers" 0 '"age_band":"age_18_20"'
run "$INTAKE" audit --as olga --vault "$O" --passphrase-file "$OFF" </dev/null
check "the office's trail has the amendment's reason and author" \
    sh -c "grep -E 'olga +record amend +$AMENDED' '$T/out' | grep -q 'from site field, version 2 by ana at .*: age corrected from the ID card'"
check "the office's trail has the deletion's reason" \
    sh -c "grep -E 'olga +record delete +$DELETED' '$T/out' | grep -q 'from site field, deleted there by ana at .*: consent withdrawn'"

refused "bundle 2 twice" "$T/b2" 1 "imported already"
run "$INTAKE" bundle import "$T/b3" $OKEY $AS_OFF </dev/null
expect "bundle 3 now imports" 0 "Imported 0 new records"

# A full resend needs no earlier bundle and changes nothing already here.
run "$INTAKE" bundle create --to "$T/office.pub" $SIGN --since 2000-01-01 --out "$T/b4" \
    $AS_SUP </dev/null
expect "a full resend with --since" 0 "Sealed bundle 4 (needs no earlier bundle): 2 records"
office_state before
run "$INTAKE" bundle import "$T/b4" $OKEY $AS_OFF </dev/null
expect "the full resend imports" 0 "2 records already here unchanged"
office_state after
check "the full resend changed nothing" cmp -s "$T/before" "$T/after"
run "$INTAKE" verify $AS_OFF </dev/null
expect "the office vault verifies after every import" 0 "0 problems"

run "$INTAKE" bundle untrust field $AS_OFF </dev/null
expect "untrust" 0 "no longer trusted"
run "$INTAKE" bundle create --to "$T/office.pub" $SIGN --out "$T/b5" $AS_SUP </dev/null
refused "a site no longer trusted" "$T/b5" 7 "does not trust"

# ---- a second reader, from docs/FORMATS.md only ----
if ! /usr/bin/python3 -c 'import nacl.bindings, nacl.pwhash, nacl.signing' 2>/dev/null; then
	echo "ok - # SKIP no PyNaCl for the second bundle reader (Debian: python3-nacl)"
	exit 0
fi
run /usr/bin/python3 "$READER" "$T/b2" "$T/office.key" "$KEYP" "$T/site.pub"
expect "the second reader verifies and opens bundle 2" 0 "seq 2 after 1 site $FP"
expect "it finds the amendment with its reason" 0 "2/2 by=ana reason=age corrected from the ID card"
expect "it finds the earlier version" 0 "1/2 by= reason="
expect "it finds the deletion" 0 "by=ana reason=consent withdrawn"
expect "its counts agree" 0 'end {"deletions":1,"forms":1,"records":1,"versions":2}'
# The record it read is the one the site holds, field for field.
"$INTAKE" record show "$AMENDED" --format json $AS_SUP </dev/null >"$T/site.json" 2>/dev/null
/usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True, separators=(",",":"), ensure_ascii=False))' \
    "$T/site.json" >"$T/site.canon"
sed -n 's/^record [0-9a-f]* //p' "$T/out" >"$T/reader.canon"
check "the second reader's record is the site's record" cmp -s "$T/site.canon" "$T/reader.canon"
run /usr/bin/python3 "$READER" "$T/b1" "$T/office.key" "$KEYP" "$T/site.pub"
expect "the second reader opens bundle 1" 0 'end {"deletions":0,"forms":1,"records":3,"versions":3}'
run /usr/bin/python3 "$READER" "$T/b2.sig" "$T/office.key" "$KEYP" "$T/site.pub"
expect "the second reader refuses the edited signature" 1 "bad signature"
run /usr/bin/python3 "$READER" "$T/b2.seq" "$T/office.key" "$KEYP" "$T/site.pub"
expect "the second reader refuses the edited number" 1 "bad signature"
run /usr/bin/python3 "$READER" "$T/rogue.b" "$T/office.key" "$KEYP" "$T/site.pub"
expect "the second reader refuses another signer" 1 "signed by another site"
