#!/bin/sh
# Options per command: every command (and subcommand) takes only the options
# of its own table. A flag it has no use for is refused, naming the flag and
# the command, with that command's usage (exit 2), before anything is opened
# or asked; `intake CMD --help` prints the usage (exit 0); `intake --help`
# lists every command; the man page made from the same tables renders and
# names every command.
. "$(dirname "$0")/../lib.sh"

# No real vault is ever near: the default one would be under this HOME.
HOME=$T/home XDG_DATA_HOME=$T/xdg
export HOME XDG_DATA_HOME
mkdir -p "$HOME"

# command words, their arguments, then flags the command never reads (the
# value of each flag follows it, after a space; at most one word).
cat >"$T/cases" <<'EOF'
init||--reason x|--k 5|--to p.pub|--answers a.json
user add|bob|--k 5|--format json|--reason x
user list||--reason x|--role supervisor|--user u|--passphrase-file f
user remove|bob|--answers a.json|--role supervisor
user passwd||--role supervisor|--kdf-ops 1
forms check|f.yaml|--vault v|--reason x|--user u
forms list||--user u|--format json
forms import|w.xlsx|--vault v|--reason x|--format json
record add||--reason x|--k 5|--format json
record list||--format json|--reason x|--lang en
record show|CODE|--reason x|--answers a.json
record amend|CODE|--format json|--form f
record delete|CODE|--answers a.json|--format json
record history|CODE|--lang en|--reason x
training list||--answers a.json|--vault v
training card|s|--reason x|--user u
training check|f.yaml|--lang en|--vault v
training score|s|--reason x|--format json
training report||--lang en|--answers a.json
audit||--reason x|--format json
audit head||--since 2024-01-01|--head 1:ab
verify||--since 2024-01-01|--reason x
export||--k 5|--ctdc|--to p.pub
stats|2025|--out f|--reason x|--to p.pub
keygen||--vault v|--user u|--since 2024-01-01
bundle create||--role supervisor|--format csv|--k 5
bundle import|b.bundle|--to p.pub|--out f|--since 2024-01-01
backup|d|--reason x|--format json|--user u|--passphrase-file f
restore|b|--k 5|--role supervisor|--as u|--passphrase-fd 0
EOF

while IFS='|' read -r words args f1 f2 f3 f4; do
	for flag in "$f1" "$f2" "$f3" "$f4"; do
		[ -n "$flag" ] || continue
		name=${flag%% *}
		# shellcheck disable=SC2086
		run "$INTAKE" $words $args $flag </dev/null
		if [ "$rc" -eq 2 ] && grep -qF -- "unknown option '$name' for \`intake $words\`" "$T/err" &&
		    grep -qF -- "usage: intake $words" "$T/err" && [ ! -s "$T/out" ] &&
		    [ ! -e "$XDG_DATA_HOME/intake" ]; then
			ok "intake $words refuses $name with its usage"
		else
			notok "intake $words refuses $name with its usage" "exit status $rc" \
			    "stdout: $(head -c 300 "$T/out")" "stderr: $(head -c 300 "$T/err")"
		fi
	done
	# shellcheck disable=SC2086
	run "$INTAKE" $words --help
	if [ "$rc" -eq 0 ] && grep -qF -- "usage: intake $words" "$T/out" &&
	    grep -qF -- "--help" "$T/out"; then
		ok "intake $words --help prints its usage"
	else
		notok "intake $words --help prints its usage" "exit status $rc" \
		    "stdout: $(head -c 300 "$T/out")" "stderr: $(head -c 300 "$T/err")"
	fi
done <"$T/cases"

# A foreign flag before the command words is the command's too; --opt=value
# is the same option.
run "$INTAKE" --reason x user list </dev/null
expect "a flag before the command is refused too" 2 "unknown option '--reason' for \`intake user list\`"
run "$INTAKE" export --k=5 </dev/null
expect "--flag=value names the flag" 2 "unknown option '--k' for \`intake export\`"
run "$INTAKE" --reason x </dev/null
expect "the interactive program refuses a command's flag" 2 "unknown option '--reason' for \`intake\`"
run "$INTAKE" user list --vault </dev/null
expect "an option without its value is a usage error" 2 "--vault wants a value"
run "$INTAKE" verify --rebuild-listing=yes </dev/null
expect "a flag given a value is a usage error" 2 "--rebuild-listing takes no value"

# Shared options have one entry: each vault command's usage shows them.
run "$INTAKE" record show --help
expect "record show --help lists the shared vault options" 0 "--passphrase-fd N"
run "$INTAKE" bundle import --help
expect "bundle import --help names its key options" 0 "--key-passphrase-file F"
run "$INTAKE" record --help
expect "record --help lists its subcommands" 0 "intake record history CODE"

run "$INTAKE" --help
cut -d'|' -f1 "$T/cases" | while read -r words; do
	if grep -qF -- "  intake $words" "$T/out"; then
		ok "intake --help lists intake $words"
	else
		notok "intake --help lists intake $words"
	fi
done

# The man page, generated from the same tables.
run "$INTAKE" --help-man
expect "--help-man writes the man page" 0 ".TH INTAKE 1"
cp "$T/out" "$T/intake.1"
if command -v man >/dev/null 2>&1; then
	MANWIDTH=200 MAN_KEEP_FORMATTING= man --warnings -l "$T/intake.1" >"$T/man.txt" 2>"$T/man.err"
else
	groff -man -Tutf8 -ww -rLL=200n "$T/intake.1" >"$T/man.txt" 2>"$T/man.err"
fi
rc=$?
if [ "$rc" -eq 0 ] && [ ! -s "$T/man.err" ] && grep -q "EXIT STATUS" "$T/man.txt"; then
	ok "intake.1 renders without warnings"
else
	notok "intake.1 renders without warnings" "exit status $rc" "$(head -c 600 "$T/man.err")"
fi
# Rendered text may carry overstrike bold; compare it without.
sed 's/.\x08//g' "$T/man.txt" >"$T/man.plain"
cut -d'|' -f1 "$T/cases" | while read -r words; do
	if grep -qF -- "intake $words" "$T/man.plain"; then
		ok "the man page names intake $words"
	else
		notok "the man page names intake $words"
	fi
done
for o in --vault --passphrase-fd --new-passphrase-file --reason-file --rebuild-listing \
    --key-passphrase-fd --kdf-mem --ctdc; do
	if grep -q -- "$o" "$T/man.plain"; then
		ok "the man page documents $o"
	else
		notok "the man page documents $o"
	fi
done
# What make installs is what the tables make.
if [ -n "${BUILD:-}" ] && [ -f "$BUILD/intake.1" ]; then
	check "build/intake.1 is what --help-man makes" cmp -s "$BUILD/intake.1" "$T/intake.1"
fi
