#!/bin/sh
# The vault from the command line: init, users, and every bad input a user
# can make there, each with its exit status and message.
. "$(dirname "$0")/../lib.sh"

V=$T/vault
SUP=$(passfile sup "correct horse battery")
INT=$(passfile int "interviewer passphrase")
NEW=$(passfile new "a brand new passphrase")
SHORT=$(passfile short "short")

run "$INTAKE" --version
expect "--version prints the version" 0 "intake "

run "$INTAKE" --help
expect "--help documents exit codes" 0 "Exit status"

run "$INTAKE" frobnicate
expect "unknown command is a usage error" 2 "unknown command 'frobnicate'"

run "$INTAKE" user list --vault "$V"
expect "missing vault tells how to create one" 4 "intake init"

run "$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$SHORT" </dev/null
expect "short passphrase refused at init" 6 "at least"
check "nothing created after a refused init" test ! -e "$V/data.mdb"

run "$INTAKE" init --vault "$V" --user "" $KDF --passphrase-file "$SUP" </dev/null
expect "empty user name refused" 6

run "$INTAKE" init --vault "$V" --user "$(printf 'bad\377name')" $KDF --passphrase-file "$SUP" </dev/null
expect "invalid UTF-8 user name refused" 6

run "$INTAKE" init --vault "$V" --user "$(printf '%070d' 0)" $KDF --passphrase-file "$SUP" </dev/null
expect "over-long user name refused" 6

run "$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$SUP" </dev/null
expect "init creates a vault" 0 "Created vault"
check "vault directory is 0700" test "$(stat -c %a "$V")" = 700
for f in "$V"/*; do
	check "vault file $(basename "$f") is 0600" test "$(stat -c %a "$f")" = 600
done

run "$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$SUP" </dev/null
expect "init refuses an existing vault" 1 "already"

run "$INTAKE" user add bo --role interviewer --vault "$V" --user ana \
    --passphrase-file "$SUP" --new-passphrase-file "$INT" </dev/null
expect "supervisor adds an interviewer" 0 "Added bo (interviewer)"

run "$INTAKE" user add cy --role wizard --vault "$V" --user ana \
    --passphrase-file "$SUP" --new-passphrase-file "$INT" </dev/null
expect "unknown role refused" 2 "--role"

run "$INTAKE" user list --vault "$V"
expect "user list shows roles" 0 "bo	interviewer"

run "$INTAKE" user add cy --role interviewer --vault "$V" --user ana \
    --passphrase-file "$INT" --new-passphrase-file "$INT" </dev/null
expect "wrong passphrase is refused" 3

run "$INTAKE" user add cy --role interviewer --vault "$V" --user nobody \
    --passphrase-file "$SUP" --new-passphrase-file "$INT" </dev/null
expect "unknown user is refused" 3

run "$INTAKE" user add cy --role interviewer --vault "$V" --user bo \
    --passphrase-file "$INT" --new-passphrase-file "$INT" </dev/null
expect "an interviewer cannot add users" 7

run "$INTAKE" user passwd --vault "$V" --user bo \
    --passphrase-file "$INT" --new-passphrase-file "$NEW" </dev/null
expect "interviewer changes own passphrase" 0 "Changed"

run "$INTAKE" user passwd --vault "$V" --user bo \
    --passphrase-file "$INT" --new-passphrase-file "$NEW" </dev/null
expect "old passphrase no longer unlocks" 3

run "$INTAKE" user remove ana --vault "$V" --user ana --passphrase-file "$SUP" </dev/null
expect "the last supervisor cannot be removed" 7 "last supervisor"

run "$INTAKE" user remove bo --vault "$V" --user ana --passphrase-file "$SUP" </dev/null
expect "supervisor removes a user" 0 "Removed bo"

run "$INTAKE" user list --vault "$V"
check "removed user is gone" sh -c "! grep -q '^bo' '$T/out'"

mkdir "$T/empty"
run "$INTAKE" user list --vault "$T/empty"
expect "an empty directory is not a vault" 4

run "$INTAKE" user list --vault "$V" </dev/null
expect "reading users needs no terminal" 0 "ana	supervisor"

run "$INTAKE" user add dee --role interviewer --vault "$V" --passphrase-file "$SUP" </dev/null
expect "no terminal and no --user: clear message" 6 "--user"
