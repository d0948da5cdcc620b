#!/bin/sh
# `intake upgrade`: a vault of format 1 (made as intake 0.1 made it, through
# the test helper) becomes format 2 in one transaction. Every user gets
# their own keys, sealed under their passphrase at their next unlock
# (`intake user list` shows who has not yet); afterwards an interviewer's
# copy of the files opens only their own items (tests/attack/attack.c),
# and verify finds nothing wrong. A kill during the upgrade leaves the
# vault as it was, or wholly upgraded: never half.
. "$(dirname "$0")/../lib.sh"
A=$BUILD/attack/attack
S=$BUILD/attack/setup
if [ ! -x "$A" ] || [ ! -x "$S" ]; then
	notok "upgrade: $A or $S is not built (make check builds them)"
	exit 0
fi
P=$(passfile p "demo passphrase")
V=$T/v
"$S" --format1 "$V" "demo passphrase" >/dev/null 2>&1
as() { u=$1; shift; run "$INTAKE" "$@" --vault "$V" --user "$u" --passphrase-file "$P" </dev/null; }

"$A" "$V" ana "$P" >"$T/before.att" 2>&1
check "setup: a vault of format 1 (no root key)" grep -q "not a format 2 vault" "$T/before.att"
as ana upgrade
expect "an interviewer cannot upgrade" 7 "only a supervisor"
as sam upgrade
expect "a supervisor upgrades" 0 "format 2"
as sam upgrade
expect "upgrading again says there is nothing to do" 6 "already of format 2"
run "$INTAKE" user list --vault "$V"
expect "user list shows who has not unlocked since" 0 "bo	interviewer	keys sealed at the next unlock"
as ana record list
expect "ana unlocks and lists her cases" 0 "3 records"
run "$INTAKE" user list --vault "$V"
check "ana's keys are sealed under her passphrase now" grep -qx "ana	interviewer" "$T/out"
check "bo's are not yet" grep -q "^bo	interviewer	keys sealed" "$T/out"
as bo record list
expect "bo lists his cases" 0 "2 records"
as sam verify
expect "the upgraded vault verifies" 0 "0 problems"
run "$INTAKE" user list --vault "$V"
check "every user has unlocked: no format 1 key is left" sh -c "! grep -q 'keys sealed' '$T/out'"
"$A" "$V" ana "$P" >"$T/ana.att" 2>&1
check "ana's copy opens her records and no other" grep -q "^records own 3 other 0 closed 3" "$T/ana.att"
check "ana's copy opens nothing of anyone else's" sh -c "! grep -v '^unlocked' '$T/ana.att' | grep -vq ' other 0 '"
check "ana's copy opens her draft" grep -q "^drafts own 1 other 0" "$T/ana.att"

# Killed during the upgrade: format 1 as it was, or format 2 whole.
B=$T/big
"$S" --format1 "$B" "demo passphrase" >/dev/null 2>&1
"$S" --bulk "$B" "demo passphrase" >/dev/null 2>&1
for delay in 0.2 0.5 1 1.5; do
	rm -rf "$T/k"
	cp -r "$B" "$T/k"
	"$INTAKE" upgrade --vault "$T/k" --user sam --passphrase-file "$P" </dev/null \
	    >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null && echo "# killed after ${delay} s"
	wait "$pid" 2>/dev/null
	run "$INTAKE" user list --vault "$T/k"
	if grep -q "keys sealed" "$T/out"; then
		state=2
	else
		state=1
	fi
	run "$INTAKE" verify --vault "$T/k" --user sam --passphrase-file "$P" </dev/null
	expect "killed after ${delay} s: format $state, and it verifies" 0 "8006 records, 8006 summaries"
	run "$INTAKE" record list --vault "$T/k" --user ana --passphrase-file "$P" </dev/null
	expect "killed after ${delay} s: ana still lists her cases" 0 "3 records"
done
run "$INTAKE" upgrade --vault "$B" --user sam --passphrase-file "$P" </dev/null
expect "the large vault upgrades when left to finish" 0 "format 2"
run "$INTAKE" verify --vault "$B" --user sam --passphrase-file "$P" </dev/null
expect "the upgraded large vault verifies" 0 "8006 records, 8006 summaries"
