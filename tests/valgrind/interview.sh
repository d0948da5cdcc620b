#!/bin/sh
# make valgrind: the real program under valgrind (memcheck, full leak check)
# while tmux types a whole screening on the rapid form (unlock, a wrong
# passphrase first, every question, review, outcome, save), then a restart
# that lists the case, opens it read-only, starts an interview, quick-hides
# and unlocks again; plus the command-line paths (user list, record show).
# Each run must end with 0 errors and 0 bytes definitely lost.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

VG="valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
--error-exitcode=99 --track-origins=yes --num-callers=30 --log-file=$T/vg.%p.log"
V=$T/vault
new_vault "$V"
P=$(passfile p "demo passphrase")
# tmux does not always report how a pane's program ended: the shell around
# it writes the status (99 is valgrind's, for errors or leaks).
vgstart() {
	tstart "$1" 80 24 "sh -c '$VG $INTAKE --vault $V; echo \$? >$T/exit.$1'"
}
W=120          # seconds to wait for a screen: valgrind is 20-50 times slower

# vgone NAME: waits for the program to exit (the leak check takes a while).
vgone() {
	i=0
	while [ "$i" -lt $((W * 20)) ]; do
		[ "$($TMUX_CMD display-message -p -t "$1" '#{pane_dead}' 2>/dev/null)" = 1 ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

vgstart v1
expect_screen "unlock screen under valgrind" v1 "Unlock the vault" $W
tunlock v1 ana "not the passphrase"
expect_screen "wrong passphrase refused" v1 "wrong passphrase" $W
tkeys v1 -l "demo passphrase"
tkeys v1 Enter
expect_screen "case list" v1 "Start a new interview" $W
tkeys v1 Enter
twait v1 "Trafficking rapid screen" $W
tkeys v1 Enter
twait v1 "ພາສາລາວ" $W
tkeys v1 Enter
expect_screen "first question" v1 "Are you in danger" $W
tkeys v1 Down Enter
twait v1 "Do you agree to answer" $W
tkeys v1 Enter Enter Enter
twait v1 "age ranges" $W
tkeys v1 Down Down Enter
twait v1 "What work did you actually do" $W
tkeys v1 Down Down Down Space Enter
twait v1 "different from the work you were promised" $W
tkeys v1 Enter
twait v1 "stop working" $W
tkeys v1 C-d
twait v1 "passport or ID card" $W
tkeys v1 C-n
twait v1 "debt" $W
tkeys v1 Enter
twait v1 "Did the employer" $W
tkeys v1 Down Enter
twait v1 "threaten" $W
tkeys v1 End Space Enter
twait v1 "Were you made to have sex" $W
tkeys v1 Down Enter
twait v1 "married" $W
tkeys v1 Down Enter
twait v1 "What help do you need now" $W
tkeys v1 Enter
expect_screen "review" v1 "review the answers" $W
tkeys v1 End Enter
twait v1 "Outcome:" $W
tkeys v1 Enter
expect_screen "saved under valgrind" v1 "Saved case" $W
code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/screen" | cut -d' ' -f3)
tkeys v1 C-c
vgone v1
check "the first run exits with status 0" test "$(cat "$T/exit.v1" 2>/dev/null)" = 0

vgstart v2
tunlock v2 ana "demo passphrase"
expect_screen "restart lists the case" v2 "$code" $W
tkeys v2 Down Enter
expect_screen "record view" v2 "(read only)" $W
tkeys v2 PageDown
twait v2 "18 to 20" $W
tkeys v2 Escape
twait v2 "Start a new interview" $W
tkeys v2 Enter
twait v2 "Trafficking rapid screen" $W
tkeys v2 Enter
twait v2 "ພາສາລາວ" $W
tkeys v2 Down Enter
twait v2 "ຄວາມປອດໄພ" $W
tkeys v2 Down Enter
sleep 1
tkeys v2 C-q
expect_screen "quick-hide" v2 "Hidden and locked" $W
tunlock v2 ana "demo passphrase"
expect_screen "draft offered after unlock" v2 "Resume the interrupted interview?" $W
tkeys v2 C-c
vgone v2
check "the second run exits with status 0" test "$(cat "$T/exit.v2" 2>/dev/null)" = 0

$VG "$INTAKE" user list --vault "$V" >/dev/null 2>&1
check "user list under valgrind" test $? -eq 0
$VG "$INTAKE" record show "$code" --vault "$V" --user ana --passphrase-file "$P" >/dev/null 2>&1
check "record show under valgrind" test $? -eq 0

# Every process valgrind followed: errors and leaks, from its own summary.
runs=0 errors=0 definite=0 indirect=0 possible=0 bad=""
for log in "$T"/vg.*.log; do
	runs=$((runs + 1))
	e=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" | tr -d , | tail -1)
	d=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tr -d , | tail -1)
	i=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tr -d , | tail -1)
	p=$(sed -n 's/.*possibly lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tr -d , | tail -1)
	errors=$((errors + ${e:-1}))
	definite=$((definite + ${d:-0}))
	indirect=$((indirect + ${i:-0}))
	possible=$((possible + ${p:-0}))
	if [ "${e:-1}" -ne 0 ] || [ "${d:-0}" -ne 0 ]; then
		bad="$log"
		mkdir -p "${VALGRIND_KEEP:-build/valgrind}"
		cp "$log" "${VALGRIND_KEEP:-build/valgrind}/"
	fi
done
echo "# valgrind figures: runs=$runs errors=$errors definitely_lost=$definite indirectly_lost=$indirect possibly_lost=$possible"
if [ -z "$bad" ] && [ "$runs" -ge 4 ]; then
	ok "valgrind: $runs runs, 0 errors, 0 bytes definitely lost"
else
	notok "valgrind: $runs runs, $errors errors, $definite bytes definitely lost" \
	    "see ${VALGRIND_KEEP:-build/valgrind}/$(basename "${bad:-none}")"
	[ -n "$bad" ] && grep -A12 -m3 -E 'Invalid|uninitialised|definitely lost in' "$bad" | head -60
fi
