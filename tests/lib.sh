# tests/lib.sh — shared by the script tests (tests/cli, tests/e2e).
# Each check prints "ok - NAME" or "not ok - NAME" (read by tests/run.sh).
# INTAKE names the binary under test, as installed; INTAKE_TEST the same
# program built with the test clock (INTAKE_TEST_NOW fixes its time, see
# core/clock.h). Every test works in its own temp dir.

: "${INTAKE:=$(cd "$(dirname "$0")/../.." && pwd)/build/intake}"
: "${INTAKE_TEST:=$(dirname "$INTAKE")/intake-test}"
T=$(mktemp -d "${TMPDIR:-/tmp}/intake-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
# Cheap key derivation for tests; the real default is calibrated at init.
KDF="--kdf-ops 1 --kdf-mem 8"

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

# check NAME CONDITION...: runs the condition; ok when it succeeds.
check() {
	name=$1; shift
	if "$@"; then ok "$name"; else notok "$name" "failed: $*"; fi
}

# run CMD...: runs it, keeping stdout in $T/out, stderr in $T/err, status in $rc.
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# expect NAME RC [TEXT]: the last run exited RC and (if given) printed TEXT
# on stdout or stderr.
expect() {
	name=$1 want=$2 text=${3:-}
	if [ "$rc" -ne "$want" ]; then
		notok "$name" "exit status $rc, wanted $want" "stdout: $(head -c 400 "$T/out")" \
		    "stderr: $(head -c 400 "$T/err")"
		return
	fi
	if [ -n "$text" ] && ! grep -qF -- "$text" "$T/out" "$T/err"; then
		notok "$name" "missing text: $text" "stdout: $(head -c 400 "$T/out")" \
		    "stderr: $(head -c 400 "$T/err")"
		return
	fi
	ok "$name"
}

# flip_byte FILE OFFSET: changes the byte at OFFSET (xor 0x5a), so that the
# file surely differs there (writing a fixed byte leaves it unchanged when
# the byte was already that one: one run in 256 for random data).
flip_byte() {
	fb=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((fb ^ 90)))" | dd of="$1" bs=1 seek="$2" \
	    conv=notrunc 2>/dev/null
}

# A passphrase file with the given content.
passfile() {
	printf '%s\n' "$2" >"$T/$1"
	echo "$T/$1"
}
