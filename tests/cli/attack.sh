#!/bin/sh
# Vault format 2 against someone who has a copy of the files and one
# user's passphrase and writes their own program (tests/attack/attack.c:
# libsodium and LMDB, no intake code): an interviewer opens exactly their
# own records, summaries, earlier versions, listing chunks, drafts and
# audit entries, and nothing of anyone else's; a supervisor's copy opens
# the others' (so the program can open what a key allows). Then the edits
# such a user would make to get more: each is refused at unlock with exit
# status 5 and a message naming what failed, or named by `intake verify`.
. "$(dirname "$0")/../lib.sh"
A=$BUILD/attack/attack
S=$BUILD/attack/setup
if [ ! -x "$A" ] || [ ! -x "$S" ]; then
	notok "attack: $A or $S is not built (make check builds them)"
	exit 0
fi
P=$(passfile p "demo passphrase")
V=$T/v
"$S" "$V" "demo passphrase" >"$T/setup.out" 2>&1
check "setup: a vault of sam (supervisor), ana and bo (interviewers)" grep -qx made "$T/setup.out"

# The numbers each line must show: sam saved 1 record, ana 3, bo 2; each
# has one draft; sam amended one record of ana and one of bo.
attack() { "$A" "$V" "$1" "$P" >"$T/$1.att" 2>"$T/$1.err"; }
line() { grep "^$2 " "$T/$1.att"; }
attack ana
check "the attacker unlocks ana's secrets" grep -qx "unlocked ana" "$T/ana.att"
check "ana's copy opens her 3 records and no other" sh -c "[ \"\$(grep '^records ' '$T/ana.att')\" = 'records own 3 other 0 closed 3' ]"
check "ana's copy opens her 3 summaries and no other" sh -c "[ \"\$(grep '^summaries ' '$T/ana.att')\" = 'summaries own 3 other 0 closed 3' ]"
check "ana's copy opens the earlier version of her record, not bo's" sh -c "[ \"\$(grep '^history ' '$T/ana.att')\" = 'history own 1 other 0 closed 1' ]"
check "ana's copy opens her listing chunk only" sh -c "[ \"\$(grep '^listing ' '$T/ana.att')\" = 'listing own 1 other 0 closed 2' ]"
check "ana's copy opens her draft only" sh -c "[ \"\$(grep '^drafts ' '$T/ana.att')\" = 'drafts own 1 other 0 closed 2' ]"
check "ana's copy opens her own audit entries only" sh -c "grep -q '^audit own [1-9][0-9]* other 0 closed [1-9]' '$T/ana.att'"
attack bo
check "bo's copy opens his own items and no other" sh -c "! grep -v '^unlocked' '$T/bo.att' | grep -vq ' other 0 '"
check "bo's copy opens his 2 records" grep -q "^records own 2 other 0" "$T/bo.att"
attack sam
check "a supervisor's copy opens every record (the group key)" grep -q "^records own 1 other 5 closed 0" "$T/sam.att"
check "a supervisor's copy opens every audit entry" grep -q "^audit own [0-9]* other [1-9][0-9]* closed 0" "$T/sam.att"
check "a supervisor's copy opens no other user's draft" grep -q "^drafts own 1 other 0 closed 2" "$T/sam.att"

# The program still reads the vault after the attack.
run "$INTAKE" record list --vault "$V" --user ana --passphrase-file "$P" </dev/null
expect "ana lists her cases" 0 "3 records"

fresh() { rm -rf "$V"; "$S" "$V" "demo passphrase" >/dev/null 2>&1; }

# ana seals her own keys again as a supervisor's: the adder's signature
# over her role no longer holds.
"$A" --tamper role "$V" ana "$P" >/dev/null
run "$INTAKE" record list --vault "$V" --user ana --passphrase-file "$P" </dev/null
expect "ana promoted on disk is refused at unlock" 5 "entry of user ana does not carry a valid signature"
run "$INTAKE" verify --vault "$V" --user sam --passphrase-file "$P" </dev/null
expect "verify names ana's edited entry" 5 "the entry of user ana"

# bo's entry gets ana's public key, so that what is wrapped for bo opens
# for ana.
fresh
"$A" --tamper pubkey "$V" ana bo >/dev/null
run "$INTAKE" record list --vault "$V" --user bo --passphrase-file "$P" </dev/null
expect "a swapped public key is refused at unlock" 5 "public keys in the entry of user bo were swapped"
run "$INTAKE" verify --vault "$V" --user sam --passphrase-file "$P" </dev/null
expect "verify names bo's entry" 5 "the entry of user bo"

# The group key replaced by one the attacker holds.
fresh
"$A" --tamper group "$V" >/dev/null
run "$INTAKE" record list --vault "$V" --user ana --passphrase-file "$P" </dev/null
expect "a replaced group key is refused at unlock" 5 "group key of the vault"
run "$INTAKE" record list --vault "$V" --user sam --passphrase-file "$P" </dev/null
expect "a replaced group key is refused for a supervisor too" 5 "group key of the vault"

# The vault's root replaced: every user's sealed keys bind the old one.
fresh
"$A" --tamper root "$V" >/dev/null
run "$INTAKE" record list --vault "$V" --user ana --passphrase-file "$P" </dev/null
expect "a replaced root is refused at unlock" 5 "root key"
run "$INTAKE" record list --vault "$V" --user sam --passphrase-file "$P" </dev/null
expect "a replaced root is refused for the first supervisor too" 5 "root key"

# ana takes an audit entry bo wrote and signs it with her own key (and
# mends its link): verify names it, and the entry after it.
fresh
"$A" --tamper resign "$V" ana "$P" bo >"$T/resign.out"
check "setup: an entry of bo's signed again by ana" grep -q "^re-signed audit entry" "$T/resign.out"
run "$INTAKE" verify --vault "$V" --user sam --passphrase-file "$P" </dev/null
expect "verify names the re-signed entry" 5 "written as bo, is signed by ana"
check "verify names the entry whose signature no longer holds" grep -q "does not carry a valid signature" "$T/out"

# sam puts at the end of the trail an entry ana seems to have written, with
# no signature of its own (as an import writes its records' entries), then
# an entry of his own and the head, both signed by him: every link and
# every signature there holds, but no signature of ana's covers the entry.
fresh
"$A" --tamper defer "$V" sam "$P" ana >"$T/defer.out"
check "setup: an unsigned entry of ana's put at the end" grep -q "^forged audit entries" "$T/defer.out"
run "$INTAKE" verify --vault "$V" --user sam --passphrase-file "$P" </dev/null
expect "verify names the entry no signature of its writer covers" 5 "is not followed by its writer's signed entry of the import"
check "and that is the one problem" grep -q ": 1 problem\." "$T/out"

# The same unsigned entry in ana's name, alone at the end under a head sam
# signs: ana's next entry, her unlock, signs the link that covers it
# without her knowing. Only an import's own entry vouches for the unsigned
# entries of its records, and only for as many as it counts.
fresh
"$A" --tamper plant "$V" sam "$P" ana >"$T/plant.out"
check "setup: an unsigned entry of ana's planted at the end" grep -q "^forged audit entries" "$T/plant.out"
run "$INTAKE" record list --vault "$V" --user ana --passphrase-file "$P" </dev/null
expect "ana unlocks and lists her cases after it" 0 "3 records"
run "$INTAKE" verify --vault "$V" --user sam --passphrase-file "$P" </dev/null
expect "verify still names the planted entry her unlock signed over" 5 "is not followed by its writer's signed entry of the import"
check "and that is the one problem there too" grep -q ": 1 problem\." "$T/out"

# --- revocation: what a removed user kept, tried on the files as they are --
nothing() { ! grep -v '^unlocked\|^holds' "$1" | grep -vq ' own 0 other 0 '; }

# rex, a supervisor, is removed; ana saves a record after that.
fresh
"$S" --add-rex "$V" "demo passphrase" >/dev/null
cp -r "$V" "$T/rex-copy"
"$S" --remove-rex "$V" "demo passphrase" >/dev/null
"$S" --ana-saves "$V" "demo passphrase" >/dev/null
"$A" "$V" rex "$P" "$T/rex-copy" >"$T/rex.att" 2>&1
check "a removed supervisor still opens what was saved before" grep -q "^records own 1 other 6 closed 1" "$T/rex.att"
check "a removed supervisor opens nothing saved after removal" grep -q "^audit own [0-9]* other [0-9]* closed [1-9]" "$T/rex.att"
run "$INTAKE" verify --vault "$V" --user sam --passphrase-file "$P" </dev/null
expect "the vault verifies after a supervisor's removal" 0 "0 problems"

# The same with --rekey: nothing at all opens.
fresh
"$S" --add-rex "$V" "demo passphrase" >/dev/null
cp -r "$V" "$T/rex-copy2"
run "$INTAKE" user remove rex --rekey --vault "$V" --user sam --passphrase-file "$P" </dev/null
expect "user remove --rekey of a supervisor" 0 "Removed rex"
"$S" --ana-saves "$V" "demo passphrase" >/dev/null
"$A" "$V" rex "$P" "$T/rex-copy2" >"$T/rex2.att" 2>&1
check "after --rekey a removed supervisor opens nothing in the file" nothing "$T/rex2.att"
run "$INTAKE" record list --vault "$V" --user sam --passphrase-file "$P" </dev/null
expect "the remaining supervisor lists every case, rex's included" 0 "8 records"
run "$INTAKE" record list --vault "$V" --user ana --passphrase-file "$P" </dev/null
expect "ana lists her cases after the new epoch" 0 "4 records"
run "$INTAKE" verify --vault "$V" --user sam --passphrase-file "$P" </dev/null
expect "the vault verifies after --rekey" 0 "0 problems"

# An interviewer removed with --rekey: their items pass to the remover.
fresh
cp -r "$V" "$T/bo-copy"
run "$INTAKE" user remove bo --rekey --vault "$V" --user sam --passphrase-file "$P" </dev/null
expect "user remove --rekey of an interviewer" 0 "Removed bo"
"$A" "$V" bo "$P" "$T/bo-copy" >"$T/bo2.att" 2>&1
check "after --rekey a removed interviewer opens nothing in the file" nothing "$T/bo2.att"
run "$INTAKE" record list --vault "$V" --user sam --passphrase-file "$P" </dev/null
expect "bo's cases stay, under his name" 0 " bo "
run "$INTAKE" verify --vault "$V" --user sam --passphrase-file "$P" </dev/null
expect "the vault verifies after an interviewer's --rekey" 0 "0 problems"

# passwd --rekey: one's own new keys need another supervisor's signature.
run "$INTAKE" user passwd --rekey --vault "$V" --user ana --passphrase-file "$P" \
    --new-passphrase-file "$P" </dev/null
expect "passwd --rekey of oneself is refused" 7 "signed by another supervisor"
cp -r "$V" "$T/ana-copy"
run "$INTAKE" user passwd ana --rekey --vault "$V" --user sam --passphrase-file "$P" \
    --new-passphrase-file "$P" </dev/null
expect "a supervisor gives ana new keys" 0 "Changed"
"$A" "$V" ana "$P" "$T/ana-copy" >"$T/ana2.att" 2>&1
check "ana's old keys open nothing of hers in the file" nothing "$T/ana2.att"
run "$INTAKE" record list --vault "$V" --user ana --passphrase-file "$P" </dev/null
expect "ana reads her cases with her new keys" 0 "3 records"
