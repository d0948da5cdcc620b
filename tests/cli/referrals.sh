#!/bin/sh
# The referral directory: `forms check` warns while entries are still
# examples with placeholder contacts, says how many (and, checking the
# directory, which), and is quiet once every entry has been replaced by a
# verified one. The bundled directory names the
# form's countries, embassies and return assistance.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

mkdir -p "$T/ex" "$T/mixed" "$T/real"
for d in ex mixed real; do cp "$ROOT/tests/forms/valid/mini.yaml" "$T/$d/"; done
cp "$ROOT/tests/forms/valid/referrals.yaml" "$T/ex/"
sed '0,/example: true/s//example: false/' "$ROOT/tests/forms/valid/referrals.yaml" >"$T/mixed/referrals.yaml"
sed 's/example: true/example: false/' "$ROOT/tests/forms/valid/referrals.yaml" >"$T/real/referrals.yaml"

run "$INTAKE" forms check "$T/ex/mini.yaml"
expect "a form whose referrals are all examples still passes" 0 ": ok: form 'mini'"
check "and is warned that every referral is an example" \
    grep -q "mini.yaml: warning: every referral (3) is an example" "$T/err"
run "$INTAKE" forms check "$T/ex/referrals.yaml"
expect "the directory checked on its own passes" 0 "ok: referral directory"
check "and is warned about too" grep -q "referrals.yaml: warning: every referral (3) is an example" "$T/err"
run "$INTAKE" forms check "$T/mixed/mini.yaml"
check "some examples left: says how many" grep -q "warning: 2 of 3 referrals are examples" "$T/err"
check "and where to find which" grep -q "of the referral directory lists them" "$T/err"
run "$INTAKE" forms check "$T/mixed/referrals.yaml"
check "the directory checked names each example left, to be replaced" sh -c "
	grep -q '^  example: shelter_example  Shelter (example)' '$T/err' &&
	grep -q '^  example: general_services  General services (example)' '$T/err' &&
	! grep -q 'example: police_hotline' '$T/err'"
run "$INTAKE" forms check "$T/real/mini.yaml"
expect "no example left: no warning about referrals" 0 ": ok: form 'mini'"
check "(quiet)" sh -c "! grep -q 'referral' '$T/err'"

run "$INTAKE" forms check "$ROOT/forms/screening.yaml"
check "the bundled directory still holds examples and says so" \
    grep -Eq "screening.yaml: warning: [0-9]+ of [0-9]+ referrals are examples" "$T/err"
for id in mm_ vn_ kh_ my_ embassy_example iom_return_example th_hotline_1300 la_hotline_1362; do
	check "the bundled directory has $id" grep -q "^  - id: $id" "$ROOT/forms/referrals.yaml"
done
check "every entry that is not an example names its source above it" sh -c '
	awk "/^  #/ { c = 1; next } /^  - id:/ { id = \$3; had = c; c = 0; next }
	     /^    example: false/ && !had { print id; bad = 1 } END { exit bad }" "$1"' _ "$ROOT/forms/referrals.yaml"
