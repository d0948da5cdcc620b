#!/bin/sh
# tests/lint.sh — the layering rules, checked by grep: core/ never includes
# curses, tui/ never calls libsodium or LMDB, and only core/crypto.c calls
# libsodium; audit.c calls nothing of the vault and only the vault's
# files see vault_int.h; calls between the interactive program's loop and
# its screens run one way (screens call app.c and actions.c, app.c reaches a
# screen only through its struct screen and struct screen_state, app.h);
# every .c file opens with a comment saying what it is. Prints TAP lines ("ok - ..."/"not ok - ..."); `make lint` and
# `make check` run it. Exits 1 when a rule is broken.
cd "$(dirname "$0")/.." || exit 1
failed=0

# rule NAME PATTERN FILE...: no FILE may hold a line matching PATTERN.
rule() {
	name=$1 pattern=$2
	shift 2
	if hits=$(grep -nE "$pattern" "$@"); then
		echo "not ok - $name"
		echo "$hits" | sed 's/^/#   /'
		failed=1
	else
		echo "ok - $name"
	fi
}

rule "core/ includes no curses header" '#include <(n?curses|form|menu)' core/*.c core/*.h
rule "tui/ calls neither libsodium nor LMDB" '#include <(sodium|lmdb)\.h>' tui/*.c tui/*.h
rule "tui/ keeps secrets in core's secure memory, not memory it locks itself" \
    '\b(mmap|mlock|munlock|madvise)\(|MADV_DONTDUMP' tui/*.c tui/*.h
rule "only core/crypto.c calls libsodium" '#include <sodium\.h>' \
    $(ls core/*.c core/*.h | grep -v '^core/crypto\.[ch]$')
rule "core/audit.c calls nothing of the vault (calls run vault -> audit)" \
    '\bvault_[a-z_]+\(' core/audit.c
rule "tui/ leaves who may do what to core (vault_allowed, vault_require)" \
    'vault_role\([a-z_>.-]*\) *[!=]= *ROLE_(SUPERVISOR|TRAINER)' tui/*.c
rule "only the vault's own files include its private header" '#include "vault_int\.h"' \
    $(ls core/*.c core/*.h tui/*.c tui/*.h | grep -v '^core/vault_')

# The functions a file defines for other files: a name at the start of a
# line after a line that is not "static ...", as the code is laid out.
exported() {
	awk 'prev !~ /^static/ && /^[a-z_][a-z0-9_]*\(/ { sub(/\(.*/, ""); print }
	    { prev = $0 }' "$@"
}
screen_fns=$(exported tui/scr_*.c | sort -u | paste -sd'|' -)
rule "app.c and actions.c call no screen module by name (screens call them, not back)" \
    "\\b($screen_fns)\\(" tui/app.c tui/actions.c
stray=$(exported tui/*.c | grep '^app_' | sort -u | while read -r f; do
	grep -lE "^$f\(" tui/*.c | grep -v '^tui/app\.c$' | sed "s|\$|: $f|"
done)
if [ -n "$stray" ]; then
	echo "not ok - app_ functions (the loop's) are defined in app.c only"
	echo "$stray" | sed 's/^/#   /'
	failed=1
else
	echo "ok - app_ functions (the loop's) are defined in app.c only"
fi

# Every .c file opens with a comment saying what it is: its first line that
# is not blank starts a comment, and that comment holds words.
opening_comment() {
	awk 'NF == 0 && !started { next }
	    !started { started = 1; if ($0 !~ /^[[:space:]]*(\/\*|\/\/)/) exit 1 }
	    { text = text $0 " " }
	    /\*\// || /^[[:space:]]*\/\// { exit text ~ /[A-Za-z][A-Za-z][A-Za-z]/ ? 0 : 1 }
	    END { if (!started) exit 1 }' "$1"
}
bare=$(for f in core/*.c tui/*.c $(find tests -name '*.c' | sort); do
	opening_comment "$f" || echo "$f"
done)
if [ -n "$bare" ]; then
	echo "not ok - every .c file opens with a comment saying what it is"
	echo "$bare" | sed 's/^/#   /'
	failed=1
else
	echo "ok - every .c file opens with a comment saying what it is"
fi
exit $failed
