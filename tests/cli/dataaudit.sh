#!/bin/sh
# Data leaving or entering the vault leaves its entry in the audit trail:
# export, statistics, bundle create and bundle import each show in `intake
# audit` with who, how many records and the file; `intake verify` accepts
# them; and when the entry cannot be written, nothing is written at all.
. "$(dirname "$0")/../lib.sh"

V=$T/field
O=$T/office
SUP=$(passfile sup "field supervisor pass")
OFF=$(passfile off "office supervisor pass")
KEYP=$(passfile keyp "office key passphrase")
AS_SUP="--vault $V --user ana --passphrase-file $SUP"
AS_OFF="--vault $O --user olga --passphrase-file $OFF"
# `intake audit --user` filters the trail; --as names who reads it.
AUDIT_SUP="--vault $V --as ana --passphrase-file $SUP"
AUDIT_OFF="--vault $O --as olga --passphrase-file $OFF"
export INTAKE_FORMS="$(cd "$(dirname "$0")/../.." && pwd)/forms"

run "$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$SUP" </dev/null
expect "field vault created" 0
cat >"$T/a.json" <<'EOF'
{"danger_now":"no","urgent_medical":"no","consent_interview":"yes","consent_referral":"yes",
 "consent_statistics":"yes","age_band":"age_21_23","sector":["factory"],
 "job_different":"yes","documents_held_by":"employer","needs_now":["shelter"]}
EOF
# Interviews of May 2020 (the test build's clock), so that the quarter they
# fall in is closed and can be released.
for i in 1 2 3; do
	INTAKE_TEST_NOW=1590000000 run "$INTAKE_TEST" record add --form screening_short \
	    --answers "$T/a.json" $AS_SUP </dev/null
done
expect "records saved" 0 "Saved case"

# last_entry ACTION: the newest line of the trail naming ACTION, into $T/entry.
last_entry() {
	run "$INTAKE" audit $AUDIT_SUP </dev/null
	grep -E "^[0-9]+ +[0-9-]+ [0-9:]+  ana +$1 " "$T/out" | tail -n 1 >"$T/entry"
}

# ---- export ----
run "$INTAKE" export --format csv --out "$T/x.csv" --since 2020-01-01 $AS_SUP </dev/null
expect "export" 0 "Exported 3 records"
last_entry "export"
check "export is in the audit trail" test -s "$T/entry"
check "the export entry counts the records" grep -q " 3 records, " "$T/entry"
check "the export entry names the file" grep -qF "to $T/x.csv" "$T/entry"
check "the export entry keeps the filter" grep -q "since 2020-01-01" "$T/entry"
check "the export entry names the format" grep -q "csv" "$T/entry"

# ---- stats ----
run "$INTAKE" stats 2020-Q2 --k 5 $AS_SUP </dev/null
expect "stats" 0
last_entry "statistics"
check "statistics are in the audit trail" test -s "$T/entry"
check "the statistics entry counts the records" grep -q " 3 records, " "$T/entry"
check "the statistics entry keeps the options" grep -q "release 2020-Q2 (made now), k 5" "$T/entry"

# ---- bundles ----
run "$INTAKE" keygen --out "$T/office" $KDF --new-passphrase-file "$KEYP" </dev/null
expect "keygen" 0 "fingerprint"
run "$INTAKE" keygen --site "$T/site" $KDF --new-passphrase-file "$KEYP" </dev/null
expect "keygen --site" 0 "fingerprint"
SIGN="--key $T/site --key-passphrase-file $KEYP"
run "$INTAKE" bundle create --to "$T/office.pub" $SIGN --out "$T/b" $AS_SUP </dev/null
expect "bundle create" 0 "3 records"
last_entry "bundle create"
check "bundle create is in the audit trail" test -s "$T/entry"
check "the bundle entry counts the records" grep -q " 3 records, " "$T/entry"
check "the bundle entry names the file" grep -qF "in $T/b" "$T/entry"

run "$INTAKE" init --vault "$O" --user olga $KDF --passphrase-file "$OFF" </dev/null
expect "office vault created" 0
run "$INTAKE" bundle trust field "$T/site.pub" $AS_OFF </dev/null
expect "bundle trust" 0 "Trusted site field"
run "$INTAKE" audit $AUDIT_OFF </dev/null
check "trusting a site is in the office's audit trail" \
    sh -c "grep -E 'olga +site trust +field' '$T/out' | grep -q 'key [0-9]'"
run "$INTAKE" bundle import "$T/b" --key "$T/office" $AS_OFF --key-passphrase-file "$KEYP" </dev/null
expect "bundle import" 0 "Imported 3 new records"
run "$INTAKE" audit $AUDIT_OFF </dev/null
grep -E "olga +bundle import " "$T/out" | tail -n 1 >"$T/entry"
check "bundle import is in the office's audit trail" test -s "$T/entry"
check "the import entry counts the records" grep -q " 3 records, " "$T/entry"
check "the import entry names the file" grep -qF "from $T/b" "$T/entry"
run "$INTAKE" bundle import "$T/b" --key "$T/office" $AS_OFF --key-passphrase-file "$KEYP" </dev/null
expect "the same bundle again is refused" 1 "imported already"
run "$INTAKE" bundle untrust field $AS_OFF </dev/null
expect "bundle untrust" 0 "no longer trusted"
run "$INTAKE" audit $AUDIT_OFF </dev/null
check "untrusting a site is in the office's audit trail" grep -Eq 'olga +site untrust +field' "$T/out"

run "$INTAKE" verify $AS_SUP </dev/null
expect "verify accepts the field vault's new entries" 0 "0 problems"
run "$INTAKE" verify $AS_OFF </dev/null
expect "verify accepts the office vault's new entries" 0 "0 problems"

# ---- the entry cannot be written: nothing is ----
# A preloaded shim makes one LMDB write transaction fail to commit, as a
# read-only or full disk would: first it counts the write transactions of a
# whole export, then it fails the last of them, the export's audit entry.
CC=${CC:-cc}
cat >"$T/shim.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <lmdb.h>

static int writes;
static MDB_txn *doomed;

int
mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned flags, MDB_txn **txn)
{
	int (*real)(MDB_env *, MDB_txn *, unsigned, MDB_txn **) =
	    (int (*)(MDB_env *, MDB_txn *, unsigned, MDB_txn **))dlsym(RTLD_NEXT, "mdb_txn_begin");
	const char *at = getenv("SHIM_FAIL_WRITE");
	int rc = real(env, parent, flags, txn);

	if (rc == 0 && !(flags & MDB_RDONLY) && ++writes == (at ? atoi(at) : -1))
		doomed = *txn;
	return rc;
}

int
mdb_txn_commit(MDB_txn *txn)
{
	int (*real)(MDB_txn *) = (int (*)(MDB_txn *))dlsym(RTLD_NEXT, "mdb_txn_commit");

	if (txn != NULL && txn == doomed) {
		doomed = NULL;
		mdb_txn_abort(txn);
		return EIO;
	}
	return real(txn);
}

__attribute__((destructor)) static void
report(void)
{
	const char *path = getenv("SHIM_COUNT");
	FILE *f = path ? fopen(path, "w") : NULL;

	if (f != NULL) {
		fprintf(f, "%d\n", writes);
		fclose(f);
	}
}
EOF
if "$CC" -shared -fPIC -o "$T/shim.so" "$T/shim.c" -ldl 2>"$T/cc.err"; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	export ASAN_OPTIONS
	SHIM_COUNT=$T/count LD_PRELOAD=$T/shim.so run "$INTAKE" export --format csv \
	    --out "$T/count.csv" $AS_SUP </dev/null
	expect "an export under the shim" 0 "Exported 3 records"
	k=$(cat "$T/count" 2>/dev/null)
	SHIM_FAIL_WRITE=$k LD_PRELOAD=$T/shim.so run "$INTAKE" export --format csv \
	    --out "$T/refused.csv" $AS_SUP </dev/null
	check "an export whose audit entry fails exits non-zero" test "$rc" -ne 0
	expect "it says the audit entry could not be written" "$rc" \
	    "could not be recorded in the audit trail"
	check "the refused export left no file" test ! -e "$T/refused.csv"
	check "the refused export printed no success" sh -c "! grep -q Exported '$T/out'"

	# A bundle's last writes: its audit entry, then the note of what was
	# sent (after the file is whole). Either failing leaves no file.
	SHIM_COUNT=$T/count LD_PRELOAD=$T/shim.so run "$INTAKE" bundle create \
	    --to "$T/office.pub" $SIGN --out "$T/count.b" $AS_SUP </dev/null
	expect "a bundle under the shim" 0 "Sealed bundle"
	k=$(cat "$T/count" 2>/dev/null)
	SHIM_FAIL_WRITE=$((k - 1)) LD_PRELOAD=$T/shim.so run "$INTAKE" bundle create \
	    --to "$T/office.pub" $SIGN --out "$T/refused.b" $AS_SUP </dev/null
	check "a bundle whose audit entry fails exits non-zero" test "$rc" -ne 0
	expect "the bundle says why" "$rc" "could not be recorded in the audit trail"
	check "the refused bundle left no file" test ! -e "$T/refused.b"
	SHIM_FAIL_WRITE=$k LD_PRELOAD=$T/shim.so run "$INTAKE" bundle create \
	    --to "$T/office.pub" $SIGN --out "$T/unnoted.b" $AS_SUP </dev/null
	check "a bundle that cannot be noted as sent exits non-zero" test "$rc" -ne 0
	check "the bundle not noted left no file" test ! -e "$T/unnoted.b"

	SHIM_COUNT=$T/count LD_PRELOAD=$T/shim.so run "$INTAKE" stats 2020-Q2 --k 5 $AS_SUP </dev/null
	expect "stats under the shim" 0
	k=$(cat "$T/count" 2>/dev/null)
	SHIM_FAIL_WRITE=$k LD_PRELOAD=$T/shim.so run "$INTAKE" stats 2020-Q2 --k 5 $AS_SUP </dev/null
	check "stats whose audit entry fails exit non-zero" test "$rc" -ne 0
	expect "stats say why" "$rc" "could not be recorded in the audit trail"
	check "the refused stats printed no table" test ! -s "$T/out"
else
	ok "# SKIP no C compiler for the failure shim: $(head -c 200 "$T/cc.err")"
fi
