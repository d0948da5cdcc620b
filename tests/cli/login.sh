#!/bin/sh
# The shelter server's login (server/intake-session, server/tmux.conf,
# server/sshd_config.example) gives intake and nothing else.
#
# Always: the README's sshd block is the shipped one, the tmux
# configuration leaves tmux no key, and intake-session refuses to run
# without a terminal. As root with sshd installed: a loopback sshd on a
# free high port with the shipped Match block, a throwaway OS user in the
# groups the README names, and a real vault; then an attacker's tries over
# SSH (tmux keys, Ctrl keys, a planted ~/.tmux.conf, a command, scp, sftp,
# forwarding, environment) must each get intake or nothing. The user, the
# groups it created, sshd and every process are removed on exit, whatever
# happened; every wait is bounded.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)

# --- What needs neither root nor sshd ---------------------------------------

# make install's substitution, into DIR: intake-session and the sshd block.
install_session() {
	mkdir -p "$1/bin" "$1/share/intake" "$1/etc/intake"
	for f in intake-session sshd_config.example; do
		sed -e "s|@BINDIR@|$1/bin|g" -e "s|@DATADIR@|$1/share|g" \
		    -e "s|@SYSCONFDIR@|$1/etc|g" "$REPO/server/$f" >"$1/bin/$f"
	done
	chmod 0755 "$1/bin/intake-session"
	cp "$REPO/server/tmux.conf" "$1/share/intake/tmux.conf"
	cp "$INTAKE" "$1/bin/intake"
}

# The README shows the block as installed with PREFIX=/usr/local.
sed -n '/^Match Group/,/^```/p' "$REPO/README.md" | sed '$d' >"$T/readme_block"
sed -n '/^Match Group/,$p' "$REPO/server/sshd_config.example" |
    sed 's|@BINDIR@|/usr/local/bin|' >"$T/shipped_block"
if [ -s "$T/readme_block" ] && cmp -s "$T/readme_block" "$T/shipped_block"; then
	ok "login: README's sshd block is server/sshd_config.example"
else
	notok "login: README's sshd block is server/sshd_config.example" \
	    "$(diff "$T/shipped_block" "$T/readme_block" | head -20)"
fi
check "login: the sshd block disables every forwarding" \
    grep -qx '    DisableForwarding yes' "$T/shipped_block"

# The shipped tmux.conf, loaded alone on a scratch server: no key of any
# table reaches tmux, no prefix, and new windows find no shell.
CT="tmux -S $T/conf.sock -f $REPO/server/tmux.conf"
$CT new-session -d -s c -- sleep 20 2>"$T/conf.err"
# Errors at start-up go nowhere visible: sourcing it into a server with
# tmux's defaults reports them.
CD="tmux -S $T/conf2.sock -f /dev/null"
$CD new-session -d -s c -- sleep 20
$CD source-file "$REPO/server/tmux.conf" >>"$T/conf.err" 2>&1 || echo "source-file failed" >>"$T/conf.err"
$CD kill-server 2>/dev/null
keys=$($CT list-keys 2>&1 | wc -l)
opts=$($CT show -g prefix\; show -g prefix2\; show -g mouse\; show -g status\; \
    show -g default-shell\; show -g update-environment\; show -gw remain-on-exit 2>&1 | tr '\n' ' ')
$CT kill-server 2>/dev/null
if [ "$keys" -eq 0 ] && [ ! -s "$T/conf.err" ]; then
	ok "login: tmux.conf loads without an error and leaves tmux no key binding"
else
	notok "login: tmux.conf loads without an error and leaves tmux no key binding" "$keys bindings" "$(cat "$T/conf.err")"
fi
case $opts in
"prefix None prefix2 None mouse off status off default-shell /bin/false update-environment remain-on-exit off ")
	ok "login: tmux.conf sets no prefix, no mouse, no shell, no environment" ;;
*) notok "login: tmux.conf sets no prefix, no mouse, no shell, no environment" "got: $opts" ;;
esac

# make install puts the script and the configuration where the README
# says, with their modes, and make uninstall takes them away. Only when the
# binary is up to date: this must never rebuild it with other flags.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$REPO" "$@"; }
if [ -n "${BUILD:-}" ] && mk -q BUILD="$BUILD" "$BUILD/intake" 2>/dev/null; then
	mk BUILD="$BUILD" DESTDIR="$T/inst" PREFIX=/usr install >"$T/install.out" 2>&1
	modes=$(cd "$T/inst" && stat -c '%a %n' usr/bin/intake-session \
	    usr/share/intake/tmux.conf usr/share/intake/sshd_config.example 2>&1 | tr '\n' ' ')
	if [ "$modes" = "755 usr/bin/intake-session 644 usr/share/intake/tmux.conf 644 usr/share/intake/sshd_config.example " ] &&
	    grep -qx "tmux_conf='/usr/share/intake/tmux.conf'" "$T/inst/usr/bin/intake-session" &&
	    grep -qx "intake='/usr/bin/intake'" "$T/inst/usr/bin/intake-session" &&
	    grep -qx '    ForceCommand /usr/bin/intake-session' "$T/inst/usr/share/intake/sshd_config.example"; then
		ok "login: make install puts intake-session (0755) and tmux.conf (0644) in place"
	else
		notok "login: make install puts intake-session (0755) and tmux.conf (0644) in place" \
		    "$modes" "$(tail -5 "$T/install.out")"
	fi
	mk BUILD="$BUILD" DESTDIR="$T/inst" PREFIX=/usr uninstall >"$T/install.out" 2>&1
	check "login: make uninstall removes them" \
	    sh -c "[ ! -e '$T/inst/usr/bin/intake-session' ] && [ ! -e '$T/inst/usr/share/intake' ]"
else
	echo "# skip: make install check: BUILD unset or its intake not up to date"
fi

L=$T/local
install_session "$L"
printf 'vault=%s/vault\n' "$T" >"$L/etc/intake/session.conf"
SSH_ORIGINAL_COMMAND=id run "$L/bin/intake-session" </dev/null
expect "login: without a terminal intake-session refuses" 2 "only runs intake, on a terminal"
check "login: ... and runs nothing the client asked for" sh -c "! grep -q 'uid=' '$T/out'"
printf 'vault=%s/vault\nshell=/bin/sh\n' "$T" >"$L/etc/intake/session.conf"
run timeout 10 script -qec "$L/bin/intake-session" /dev/null </dev/null
expect "login: a session.conf line it does not know is refused with its line" 2 \
    "session.conf:2: expected"
rm -f "$L/etc/intake/session.conf"
TERM=no-such-terminal run timeout 10 script -qec "$L/bin/intake-session" /dev/null </dev/null
expect "login: a terminal type the server does not know is named, not a silent end" 2 \
    "terminal type 'no-such-terminal' is unknown"

# --- Over SSH, as root -------------------------------------------------------

SSHD=$(command -v sshd || echo /usr/sbin/sshd)
skip=""
if [ "$(id -u)" -ne 0 ]; then skip="not root (needs to add an OS user and run sshd)"
elif [ ! -x "$SSHD" ]; then skip="no sshd (Debian: openssh-server)"
elif ! command -v ssh >/dev/null || ! command -v useradd >/dev/null; then
	skip="no ssh client or useradd"
fi
if [ -n "$skip" ]; then
	echo "# skip: login over SSH: $skip"
	echo "ok - login: over SSH # SKIP $skip"
	exit 0
fi

# One run at a time on this machine: the groups are shared. (/run: only
# root writes there, so no one can plant a link where the lock goes.)
exec 9>>/run/intake-login-test.lock
if ! flock -w 60 9; then
	echo "ok - login: over SSH # SKIP another run held the lock for 60 s"
	exit 0
fi

TU=intake-t$$
made_groups=""
made_rundir=""
sshd_pid=""
cleanup() {
	$TMUX_CMD kill-server 2>/dev/null
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
	if id "$TU" >/dev/null 2>&1; then
		# Only the user made here: its processes, by id.
		for p in $(ps -o pid= -u "$TU" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		uid=$(id -u "$TU")
		userdel "$TU" 2>/dev/null
		getent group "$TU" >/dev/null && groupdel "$TU" 2>/dev/null
		rm -rf "/tmp/tmux-$uid"
	fi
	for g in $made_groups; do groupdel "$g" 2>/dev/null; done
	[ -n "$made_rundir" ] && rmdir /run/sshd 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

if id "$TU" >/dev/null 2>&1 || getent group "$TU" >/dev/null; then
	echo "ok - login: over SSH # SKIP user or group $TU already exists"
	exit 0
fi
for g in intake intake-tui; do
	if ! getent group "$g" >/dev/null; then
		groupadd "$g" && made_groups="$made_groups $g"
	fi
done
chmod 0711 "$T"
S=$T/srv
install_session "$S"
H=$T/home
mkdir -p "$H/.ssh" "$T/keys"
# Its login shell is intake-session, as in the README: sshd runs
# ForceCommand through the login shell, and /bin/sh would stay behind it.
useradd -M -d "$H" -s "$S/bin/intake-session" -G intake,intake-tui "$TU" || {
	notok "login: useradd $TU"; exit 1; }
# sshd without PAM refuses a locked ('!') password; '*' is no password.
usermod -p '*' "$TU"
# A planted ~/.tmux.conf (and its XDG twin): if tmux ever read it, C-b
# would give a shell and C-e or F12 would leave a file behind.
cat >"$H/.tmux.conf" <<EOF
set -g prefix C-a
bind -n C-b new-window
bind -n C-e run-shell 'touch $H/pwned'
bind -n F12 run-shell 'touch $H/pwned'
set -g status on
EOF
mkdir -p "$H/.config/tmux"
cp "$H/.tmux.conf" "$H/.config/tmux/tmux.conf"
chown -R "$TU:" "$H"
chmod 0700 "$H"

# The vault, as README's step 2 makes it.
install -d -m 2775 -g intake "$T/var"
printf 'demo passphrase\n' >"$H/pass"
chown "$TU" "$H/pass"
if runuser -u "$TU" -- "$S/bin/intake" init --vault "$T/var/vault" --group intake \
    --user ana --passphrase-file "$H/pass" $KDF >"$T/init.out" 2>&1; then
	ok "login: vault created by the test user with --group intake"
else
	notok "login: vault created by the test user with --group intake" "$(cat "$T/init.out")"
fi
printf '# written by tests/cli/login.sh\nvault=%s/var/vault\n' "$T" >"$S/etc/intake/session.conf"

# Keys: the client's, and the server's host key.
ssh-keygen -q -t ed25519 -N '' -C test -f "$T/id" || exit 1
ssh-keygen -q -t ed25519 -N '' -C host -f "$T/hostkey" || exit 1
cp "$T/id.pub" "$T/keys/$TU"
chmod 0644 "$T/keys/$TU"
[ -d /run/sshd ] || { mkdir -m 0755 /run/sshd && made_rundir=1; }

# A free port: sshd cannot bind a taken one, so try a few.
port=""
for try in 1 2 3 4 5; do
	p=$(( $(od -An -N2 -tu2 /dev/urandom) % 30000 + 30000 ))
	ss -Hltn 2>/dev/null | grep -q ":$p " && continue
	cat >"$T/sshd_config" <<EOF
Port $p
ListenAddress 127.0.0.1
HostKey $T/hostkey
PidFile $T/sshd.pid
UsePAM no
StrictModes no
AuthorizedKeysFile $T/keys/%u
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $TU
Subsystem sftp internal-sftp
EOF
	sed -n '/^Match/,$p' "$S/bin/sshd_config.example" >>"$T/sshd_config"
	# fd 9 (the lock) is closed in every process that could outlive us.
	"$SSHD" -f "$T/sshd_config" -D -e 2>"$T/sshd.log" 9>&- &
	sshd_pid=$!
	i=0
	while [ "$i" -lt 50 ]; do
		ss -Hltn 2>/dev/null | grep -q "127.0.0.1:$p " && { port=$p; break; }
		kill -0 "$sshd_pid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$port" ] && break
	kill "$sshd_pid" 2>/dev/null
	sshd_pid=""
done
if [ -z "$port" ]; then
	notok "login: a loopback sshd starts" "$(cat "$T/sshd.log")"
	exit 1
fi
ok "login: a loopback sshd starts with the shipped Match block"

# What sshd makes of the block for this user.
"$SSHD" -T -f "$T/sshd_config" -C "user=$TU,host=localhost,addr=127.0.0.1" >"$T/eff" 2>&1
for want in "disableforwarding yes" "forcecommand $S/bin/intake-session" \
    "permittty yes" "permituserrc no" "allowtcpforwarding no" \
    "allowagentforwarding no" "x11forwarding no" "permittunnel no"; do
	check "login: sshd applies '$want' to intake-tui" grep -qx "$want" "$T/eff"
done

printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$T/hostkey.pub")" >"$T/known_hosts"
SSHO="-F /dev/null -p $port -i $T/id -o IdentitiesOnly=yes -o BatchMode=yes \
-o UserKnownHostsFile=$T/known_hosts -o GlobalKnownHostsFile=/dev/null \
-o StrictHostKeyChecking=yes -o ConnectTimeout=5"
# shellcheck disable=SC2086
sshc() { timeout 20 ssh $SSHO "$@"; }

# no_shell: the user runs no shell, and intake is running.
no_shell() {
	ps -o comm= -u "$TU" >"$T/procs" 2>/dev/null
	! grep -qE '^(sh|dash|bash|ash|zsh|ksh|mksh|busybox|su|env)$' "$T/procs"
}
# in_front SESSION: intake's title is on top, and no shell prompt, tmux
# prompt, copy or view mode, or "detached" is on the screen.
in_front() {
	[ "$($TMUX_CMD display-message -p -t "$1" '#{pane_dead}' 2>/dev/null)" = 0 ] || return 1
	tscreen "$1" >"$T/screen" 2>/dev/null
	head -1 "$T/screen" | grep -q '^ Intake' || return 1
	# Lines with "> " are intake's fields, which echo what was typed.
	! grep -v '> ' "$T/screen" | grep -qE '[$#] ?$|^:|\[[0-9]+/[0-9]+\]|detached|uid='
}
say_screen() { sed 's/^/#   | /' "$T/screen"; echo "#   processes: $(tr '\n' ' ' <"$T/procs")"; }

# First login: asks for a command and tmux, sends TMUX and an injected
# locale; gets intake's unlock screen.
cat >"$T/login1" <<EOF
#!/bin/sh
exec env LANG='C.UTF-8\$(touch $H/pwned)' LC_ALL='\`touch $H/pwned\`' TMUX=/tmp/x,1,0 \
    ssh -tt $SSHO -o SendEnv=LANG -o SendEnv=LC_ALL -o SendEnv=TMUX \
    -o SetEnv=TMUX_TMPDIR=$H $TU@127.0.0.1 'id; tmux; exec sh'
EOF
chmod 0755 "$T/login1"
tstart s1 100 30 "$T/login1" 9>&-
if twait s1 "Unlock the vault" 15 && in_front s1; then
	ok "login: 'ssh -tt host id; tmux; sh' gets intake's unlock screen"
else
	notok "login: 'ssh -tt host id; tmux; sh' gets intake's unlock screen"; say_screen
fi
check "login: the user runs no shell, only intake" no_shell
ipid=$(pgrep -u "$TU" -x intake | head -1)
if [ -n "$ipid" ] && tr '\0' '\n' <"/proc/$ipid/environ" >"$T/env"; then
	if grep -qx 'LANG=C.UTF-8' "$T/env" && ! grep -qE '^(LC_ALL|TMUX_TMPDIR|SSH_ORIGINAL_COMMAND|SSH_CONNECTION)=' "$T/env"; then
		ok "login: intake's environment holds nothing the client injected"
	else
		notok "login: intake's environment holds nothing the client injected" "$(tr '\n' ' ' <"$T/env")"
	fi
else
	notok "login: intake's environment holds nothing the client injected" "no intake process"
fi

# The default tmux prefix and every tmux key an escape would start with,
# then every Ctrl key but C-c (intake's quit, tried last). Each key's effect
# is checked on the screen and in the process list.
for k in "C-b c" "C-b :" "C-b ?" "C-b [" "C-b d" "C-b w" "C-b s" "C-b \"" \
    "C-b !" "C-b \$" "C-b t" "C-b ~" "C-b PPage" "F12" "M-x" "C-\\" \
    C-a C-b C-d C-e C-f C-g C-h C-i C-j C-k C-l C-m C-n C-o C-p C-q C-r C-s \
    C-t C-u C-v C-w C-x C-y C-z; do
	# shellcheck disable=SC2086 # the key list is split on purpose
	tkeys s1 $k
	sleep 0.15
	tsettle s1
	if in_front s1 && no_shell; then
		ok "login: '$k' over SSH leaves intake in front, no shell, no tmux prompt"
	else
		notok "login: '$k' over SSH leaves intake in front, no shell, no tmux prompt"
		say_screen
	fi
	# Close any overlay of intake's that the key opened (^G help, ^T the
	# screens' language); empty the field. The pause keeps Esc a key of its
	# own: Esc then ^U at once would be Alt-^U.
	tkeys s1 Escape
	sleep 0.1
	tkeys s1 C-u
done
# The whole escape typed blind, as if the prompt had opened.
tkeys s1 C-b :
tkeys s1 -l "run-shell 'touch $H/pwned'"
tkeys s1 Enter
sleep 0.3
tsettle s1
check "login: 'C-b : run-shell ...' typed blind leaves intake in front" in_front s1
# Enter took intake to the passphrase: back to the user field, emptied.
tkeys s1 Tab
tkeys s1 C-u
check "login: the planted ~/.tmux.conf and the injected locale ran nothing" test ! -e "$H/pwned"
tkeys s1 Escape
sleep 0.2
tkeys s1 C-u
if twait s1 "Unlock the vault" 5; then
	ok "login: after every key, the unlock screen is still there"
else
	notok "login: after every key, the unlock screen is still there"; say_screen
fi

# A dropped link: the next login reattaches to the same screen.
tkeys s1 -l ana
twait s1 "> ana" 5
kill -KILL "$($TMUX_CMD display-message -p -t s1 '#{pane_pid}')" 2>/dev/null
tgone s1
tstart s2 100 30 "ssh -tt $SSHO $TU@127.0.0.1" 9>&-
if twait s2 "> ana" 15 && in_front s2; then
	ok "login: after a dropped link the next login reattaches to the same screen"
else
	notok "login: after a dropped link the next login reattaches to the same screen"; say_screen
fi

# Commands, scp, sftp, forwarding: intake or nothing, and a failure status.
run sshc "$TU@127.0.0.1" id
if [ "$rc" -ne 0 ] && ! grep -q 'uid=' "$T/out" && grep -q 'only runs intake' "$T/err"; then
	ok "login: 'ssh host id' without a terminal is refused, runs nothing"
else
	notok "login: 'ssh host id' without a terminal is refused, runs nothing" \
	    "rc=$rc out=$(head -c 200 "$T/out") err=$(head -c 200 "$T/err")"
fi
run sshc -T "$TU@127.0.0.1"
expect "login: 'ssh -T host' (no terminal, no command) is refused" 2 "only runs intake"
# shellcheck disable=SC2086
run timeout 20 scp -O $(echo "$SSHO" | sed 's/-p /-P /') "$TU@127.0.0.1:$H/pass" "$T/got1"
check "login: scp (legacy protocol) copies nothing off the server" \
    sh -c "[ $rc -ne 0 ] && [ ! -e '$T/got1' ]"
# shellcheck disable=SC2086
run timeout 20 scp $(echo "$SSHO" | sed 's/-p /-P /') "$TU@127.0.0.1:$H/pass" "$T/got2"
check "login: scp (sftp protocol) copies nothing off the server" \
    sh -c "[ $rc -ne 0 ] && [ ! -e '$T/got2' ]"
printf 'get %s %s\n' "$H/pass" "$T/got3" >"$T/batch"
# shellcheck disable=SC2086
run timeout 20 sftp -b "$T/batch" $(echo "$SSHO" | sed 's/-p /-P /') "$TU@127.0.0.1"
check "login: sftp copies nothing off the server" \
    sh -c "[ $rc -ne 0 ] && [ ! -e '$T/got3' ]"
run sshc -W "127.0.0.1:$port" "$TU@127.0.0.1" </dev/null
check "login: 'ssh -W' reaches no port through the server" \
    sh -c "[ $rc -ne 0 ] && ! grep -q SSH- '$T/out'"
run sshc -N -o ExitOnForwardFailure=yes -R "127.0.0.1:0:127.0.0.1:$port" "$TU@127.0.0.1"
expect "login: 'ssh -R' is refused" 255 "forwarding failed"
check "login: none of these left a shell behind" no_shell

# C-c quits intake: the session ends with it, no prompt, nothing left.
tkeys s2 C-c
if tgone s2; then
	tscreen s2 >"$T/screen"
	if ! grep -qE '[$#] ?$' "$T/screen"; then
		ok "login: C-c quits intake and ends the SSH session, no prompt"
	else
		notok "login: C-c quits intake and ends the SSH session, no prompt"; say_screen
	fi
else
	tscreen s2 >"$T/screen"
	notok "login: C-c quits intake and ends the SSH session, no prompt" "still connected"
	say_screen
fi
i=0
while [ "$i" -lt 50 ] && [ -n "$(ps -o pid= -u "$TU")" ]; do sleep 0.1; i=$((i + 1)); done
ps -o comm= -u "$TU" >"$T/procs"
if [ ! -s "$T/procs" ]; then
	ok "login: nothing of the user runs after intake quits"
else
	notok "login: nothing of the user runs after intake quits" "$(tr '\n' ' ' <"$T/procs")"
fi
