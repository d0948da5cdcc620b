#!/bin/sh
# Broken vault files through the real program: `intake user list` (no
# passphrase) and `intake record list` (the unlock path, then every summary)
# on a vault whose data.mdb is truncated, has a page zeroed or a byte flipped
# in a page, is garbage, another program's LMDB or a newer format. Each
# must end with a clear "intake: ..." message and an exit status of the
# documented set, or read normally when the damage is in unused bytes;
# never a crash. tests/unit/test_malformed.c covers the same ground at the
# API, case by case.
. "$(dirname "$0")/../lib.sh"

V=$T/vault
P=$(passfile p "demo passphrase")
"$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$P" >/dev/null
cat >"$T/answers.json" <<'JSON'
{"danger_now": "no", "urgent_medical": "no", "consent_interview": "yes", "consent_referral": "yes",
 "consent_statistics": "no", "age_band": "age_18_20", "sector": ["factory"],
 "job_different": "yes", "could_quit": {"special": "declined"},
 "documents_held_by": "employer", "debt_work_off": "yes",
 "physical_violence": "no", "threats": ["none"], "sex_with_clients": "no",
 "needs_now": ["medical"]}
JSON
for i in 1 2 3 4 5 6; do
	"$INTAKE" record add --form screening_short --answers "$T/answers.json" \
	    --vault "$V" --user ana --passphrase-file "$P" >/dev/null || notok "setup: record add"
done
SIZE=$(stat -c %s "$V/data.mdb")
PAGES=$((SIZE / 4096))

# fresh: a copy of the vault without its lock file, in $C.
C=$T/case
fresh() { rm -rf "$C"; mkdir "$C"; cp "$V/data.mdb" "$C/data.mdb"; }

# flip OFFSET: changes one byte of $C/data.mdb.
flip() { flip_byte "$C/data.mdb" "$1"; }

# judge: runs both commands on $C; prints nothing when both behave, else
# a reason; creates $T/refused when one of them refused the vault. Exit
# statuses allowed: 0, 1, 3 (a damaged salt reads as a wrong passphrase),
# 4 (not a vault), 5 (damaged).
judge() {
	rm -f "$T/refused"
	for cmd in "user list" "record list"; do
		unlock="--user ana --passphrase-file $P"
		[ "$cmd" = "user list" ] && unlock=""
		# shellcheck disable=SC2086
		"$INTAKE" $cmd --vault "$C" $unlock >"$T/o" 2>"$T/e"
		r=$?
		if grep -Eq 'Sanitizer|Assertion|runtime error' "$T/e"; then
			echo "$cmd: crashed: $(head -c 300 "$T/e")"; return
		fi
		[ $r -ne 0 ] && : >"$T/refused"
		case $r in
		0) ;;
		1|3|4|5)
			grep -q '^intake: .\{20,\}' "$T/e" ||
			    { echo "$cmd: status $r without a clear message: $(head -c 200 "$T/e")"; return; } ;;
		*) echo "$cmd: exit status $r: $(head -c 200 "$T/e")"; return ;;
		esac
	done
}

# report NAME CASES REFUSED FIRST-PROBLEM
report() {
	name=$1 n=$2 errs=$3 first=$4
	if [ -z "$first" ]; then
		ok "$name: $n cases, $errs refused with a clear message, the rest read normally"
	else
		notok "$name" "$first"
	fi
}

fresh
judge >"$T/j"
check "the intact copy reads normally" test ! -s "$T/j"
"$INTAKE" record list --vault "$C" --user ana --passphrase-file "$P" >"$T/o" 2>&1
check "the intact copy lists its 6 records" test "$(grep -c -- '-.*-' "$T/o")" -ge 6

n=0 errs=0 first=""
for cut in 0 1 100 4095 4096 8191 8192 $((SIZE / 2)) $((SIZE - 4096)) $((SIZE - 1)); do
	fresh
	truncate -s "$cut" "$C/data.mdb"
	why=$(judge)
	n=$((n + 1))
	[ -e "$T/refused" ] && errs=$((errs + 1))
	[ -n "$why" ] && [ -z "$first" ] && first="cut to $cut: $why"
done
report "truncated data.mdb" $n $errs "$first"

n=0 errs=0 first=""
p=0
while [ $p -lt $PAGES ]; do
	fresh
	dd if=/dev/zero of="$C/data.mdb" bs=4096 seek=$p count=1 conv=notrunc 2>/dev/null
	why=$(judge)
	n=$((n + 1))
	[ -e "$T/refused" ] && errs=$((errs + 1))
	[ -n "$why" ] && [ -z "$first" ] && first="page $p zeroed: $why"
	p=$((p + 1))
done
report "each page zeroed" $n $errs "$first"

# Every other page, at three places: the unit test flips far more.
n=0 errs=0 first=""
p=0
while [ $p -lt $PAGES ]; do
	for off in 12 18 4000; do
		fresh
		flip $((p * 4096 + off))
		why=$(judge)
		n=$((n + 1))
		[ -e "$T/refused" ] && errs=$((errs + 1))
		[ -n "$why" ] && [ -z "$first" ] && first="page $p byte $off flipped: $why"
	done
	p=$((p + 2))
done
report "a byte flipped in the header, node table or nodes of every other page" $n $errs "$first"

fresh
head -c 16384 /dev/urandom >"$C/data.mdb"
run "$INTAKE" user list --vault "$C"
expect "garbage instead of data.mdb: not a vault" 4 "not a valid LMDB database"

rm -rf "$C"; mkdir "$C"
printf 'VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n 636f6c6f7572\n 626c7565\nDATA=END\n' |
    mdb_load -s settings "$C" 2>/dev/null
run "$INTAKE" user list --vault "$C"
expect "another program's LMDB: not an Intake vault" 4 "not an Intake vault"

fresh
mdb_dump -s meta "$C" | sed '/^ 666f726d6174$/{n;s/.*/ 00000003/;}' | mdb_load -s meta "$C" 2>/dev/null
run "$INTAKE" user list --vault "$C"
expect "a newer format: upgrade intake" 4 "newer than this intake"
