# tests/tmux.sh — drive the real binary in tmux.
# Sourced after tests/lib.sh. Every session runs on its own tmux server
# socket, at a fixed size, with a fixed clock, and is killed on exit. The
# clock is fixed by INTAKE_TEST_NOW, which only the test build honours: from
# here on $INTAKE is that build.

SOCK="$T/tmux.sock"
TMUX_CMD="tmux -S $SOCK -f /dev/null"
INTAKE=$INTAKE_TEST
export INTAKE_TEST_NOW=1790000000
trap '$TMUX_CMD kill-server 2>/dev/null; rm -rf "$T"' EXIT

# tstart NAME COLS ROWS CMD...: a detached session running CMD.
tstart() {
	name=$1 cols=$2 rows=$3; shift 3
	$TMUX_CMD new-session -d -s "$name" -x "$cols" -y "$rows" \
	    "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $*"
	$TMUX_CMD set-option -t "$name" remain-on-exit on >/dev/null
}

tkeys() { name=$1; shift; $TMUX_CMD send-keys -t "$name" "$@"; }
thex() { name=$1; shift; $TMUX_CMD send-keys -t "$name" -H "$@"; }
tscreen() { $TMUX_CMD capture-pane -p -t "$1"; }
tresize() { $TMUX_CMD resize-window -t "$1" -x "$2" -y "$3"; }

# tsettle NAME: waits until two captures 50 ms apart agree (the program
# has finished painting), at most half a second; leaves it in $T/screen.
tsettle() {
	j=0
	while [ "$j" -lt 10 ]; do
		sleep 0.05
		tscreen "$1" >"$T/screen2" 2>/dev/null
		cmp -s "$T/screen" "$T/screen2" && return 0
		mv "$T/screen2" "$T/screen"
		j=$((j + 1))
	done
}

# twait NAME TEXT [SECONDS]: polls the screen until TEXT appears (fixed
# string), then until the paint has settled, so later checks read a whole
# screen. Returns 1 on timeout, leaving the last screen in $T/screen.
twait() {
	name=$1 text=$2 limit=${3:-10}
	i=0
	while [ "$i" -lt $((limit * 20)) ]; do
		tscreen "$name" >"$T/screen" 2>/dev/null
		if grep -qF -- "$text" "$T/screen"; then
			tsettle "$name"
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# twaitgone NAME TEXT [SECONDS]: polls until TEXT is no longer shown.
twaitgone() {
	name=$1 text=$2 limit=${3:-10}
	i=0
	while [ "$i" -lt $((limit * 20)) ]; do
		tscreen "$name" >"$T/screen" 2>/dev/null
		grep -qF -- "$text" "$T/screen" || return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# expect_screen TEST NAME TEXT [SECONDS]: ok when TEXT appears.
expect_screen() {
	if twait "$2" "$3" "${4:-10}"; then ok "$1"; else
		notok "$1" "screen never showed: $3"; sed 's/^/#   | /' "$T/screen"; fi
}

# new_vault DIR: a vault with supervisor ana, passphrase "demo passphrase".
new_vault() {
	printf 'demo passphrase\n' | "$INTAKE" init --vault "$1" --user ana \
	    --passphrase-fd 0 --kdf-ops 1 --kdf-mem 8 >/dev/null
}

# tunlock NAME USER PASS: types into the unlock screen.
tunlock() {
	twait "$1" "Unlock the vault" 10 || return 1
	tkeys "$1" "$2" Enter
	tkeys "$1" -l "$3"
	tkeys "$1" Enter
}

# tgone NAME: waits until the program in session NAME has exited.
tgone() {
	i=0
	while [ "$i" -lt 200 ]; do
		[ "$($TMUX_CMD display-message -p -t "$1" '#{pane_dead}' 2>/dev/null)" = 1 ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
