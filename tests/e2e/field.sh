#!/bin/sh
# How a text field looks, attributes included (tmux capture-pane -e): the
# empty part is underlined to show where to type, what was typed is plain
# (so each typed character costs the terminal only itself), and the
# passphrase field looks the same however much has been typed into it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

ESC=$(printf '\033')
# tline NAME REGEX: the first screen line whose text matches REGEX, with
# its escape sequences.
tline() {
	n=$($TMUX_CMD capture-pane -p -t "$1" | grep -n -- "$2" | head -1 | cut -d: -f1)
	[ -n "$n" ] && $TMUX_CMD capture-pane -e -p -t "$1" | sed -n "${n}p"
}

V=$T/vault
new_vault "$V"
export INTAKE_FORMS="$(cd "$(dirname "$0")" && pwd)/forms"
tstart s1 80 24 "INTAKE_FORMS=$INTAKE_FORMS $INTAKE --vault $V"
twait s1 "Unlock the vault" 10
# The passphrase line unfocused and empty, then unfocused again (after Tab)
# with part of the passphrase typed: the two must be the same.
empty=$(tline s1 Passphrase)
tkeys s1 ana Enter
twait s1 "ana" 5
tkeys s1 -l "demo pass"
tkeys s1 Tab
i=0
while [ "$i" -lt 200 ] && [ "$(tline s1 Passphrase)" != "$empty" ]; do
	sleep 0.05
	i=$((i + 1))
done
check "the passphrase field shows an underlined blank field" \
    sh -c "printf '%s' '$empty' | grep -q '${ESC}\\[4m'"
check "typing a passphrase changes nothing on its line (no length hint)" \
    test "$(tline s1 Passphrase)" = "$empty"
tkeys s1 Tab
tkeys s1 -l "phrase"
tkeys s1 Enter
twait s1 "Start a new interview" 10
tkeys s1 Enter
twait s1 "Typing test" 5
tkeys s1 Enter
twait s1 "The respondent's language" 5
tkeys s1 Enter
twait s1 "Do you agree?" 5
tkeys s1 1 Enter
expect_screen "a text question" s1 "Where did you work?"
line=$(tline s1 "^  > *$")
check "an empty text field is underlined" \
    sh -c "printf '%s' '$line' | grep -q '${ESC}\\[4m *$'"
tkeys s1 -l "Mae Sot"
twait s1 "Mae Sot" 5
line=$(tline s1 "Mae Sot")
check "typed text is plain and the rest of the field stays underlined" \
    sh -c "printf '%s' '$line' | grep -q ' Mae Sot${ESC}\\[4m'"
