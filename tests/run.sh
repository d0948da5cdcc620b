#!/bin/sh
# Runs every test and ends with one line: "N passed, N failed".
#
# Unit binaries (cmocka) report in TAP; CLI and e2e scripts (tests/cli/*.sh,
# tests/e2e/*.sh) print TAP-style "ok - ..." / "not ok - ..." lines. A binary
# or script that dies without reporting a failure counts as one failure.
# Environment: INTAKE (the binary), BUILD (build dir), UNIT_ONLY=1 skips e2e.
set -u
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
log=$(mktemp "${TMPDIR:-/tmp}/intake-run.XXXXXX")
trap 'rm -f "$log"' EXIT

run_one() {
	name=$1; shift
	"$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name ran no test" >>"$log"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		echo "FAIL $name ($p passed, $f failed)"
		sed 's/^/    /' "$log"
	else
		echo "pass $name ($p)"
	fi
}

export CMOCKA_MESSAGE_OUTPUT=TAP
for bin in "$@"; do
	run_one "$(basename "$bin")" "$bin"
done
for t in "$here"/cli/*.sh; do
	[ -e "$t" ] || continue
	run_one "cli/$(basename "$t")" sh "$t"
done
if [ "${UNIT_ONLY:-}" != 1 ]; then
	for t in "$here"/e2e/*.sh; do
		[ -e "$t" ] || continue
		run_one "e2e/$(basename "$t")" sh "$t"
	done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
