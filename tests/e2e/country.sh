#!/bin/sh
# Referrals and emergency contacts follow the interview's country: once
# the interviewer says where the interview takes place, ^E and the outcome
# list that country's services first and alone (Space shows every
# country); a referral directory still holding the bundled examples says
# so on ^E, before any number.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
START="$INTAKE --vault $V --user ana"

on() { twait "$1" "$2" 5; }

tstart c1 80 24 "$START"
twait c1 "Unlock the vault" 10
tkeys c1 -l "demo passphrase"
tkeys c1 Enter
on c1 "Start a new interview"
tkeys c1 Enter
on c1 "Choose the questionnaire"
tkeys c1 Down Enter                    # the full screening
on c1 "The respondent's language"
tkeys c1 Enter
on c1 "who else can see or hear"
tkeys c1 1 Enter                       # no one
on c1 "Did someone bring you here"
tkeys c1 2 Enter
on c1 "Do you feel safe here"
tkeys c1 1 Enter
on c1 "Are you afraid"
tkeys c1 2 Enter
on c1 "threatening you"
tkeys c1 2 Enter
on c1 "needs a doctor now"
tkeys c1 2 Enter
expect_screen "the country question" c1 "in which country is this interview"
# Before the country is known, ^E lists every country.
tkeys c1 C-e
expect_screen "emergency contacts" c1 "emergency contacts"
check "a directory of examples says so, first" grep -q "EXAMPLES, not verified" "$T/screen"
tkeys c1 Escape
on c1 "in which country is this interview"
tkeys c1 2 Enter                       # Thailand
on c1 "where is this interview taking place"
tkeys c1 C-e
expect_screen "emergency contacts in Thailand" c1 "In Thailand (Space shows every country)"
check "Thailand's police (191) is listed" grep -q "191" "$T/screen"
check "Laos's services are not listed" sh -c "! grep -q 'Laos' '$T/screen'"
check "China's are not listed either" sh -c "! grep -q 'China' '$T/screen'"
check "the examples warning stays on top" grep -q "EXAMPLES, not verified" "$T/screen"
tkeys c1 Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down
twait c1 "more in other countries" 5
check "it says more are a key away" grep -q "more in other countries: Space shows them" "$T/screen"
tkeys c1 Space
expect_screen "Space shows every country" c1 "Every country (Space shows Thailand only)"
check "Laos's services are then listed" grep -q "Laos" "$T/screen"
tkeys c1 Escape
on c1 "where is this interview taking place"
tkeys c1 C-c
tgone c1

# The outcome: Thailand's referral alone, then every country on Space.
CF="$(cd "$(dirname "$0")" && pwd)/country-forms"
tstart c2 80 24 "INTAKE_FORMS=$CF $START"
twait c2 "Unlock the vault" 10
tkeys c2 -l "demo passphrase"
tkeys c2 Enter
on c2 "Start a new interview"
tkeys c2 Enter
on c2 "Choose the questionnaire"
tkeys c2 Enter
on c2 "The respondent's language"
tkeys c2 Enter
on c2 "Do you agree?"
tkeys c2 1 Enter
on c2 "In which country"
tkeys c2 2 Enter
on c2 "review the answers"
tkeys c2 End Enter
expect_screen "the outcome" c2 "Outcome:"
check "the referrals are those of Thailand" grep -q "Referrals in Thailand (Space shows every country)" "$T/screen"
check "Thailand's service is listed" grep -q "Help line of Thailand" "$T/screen"
check "Laos's is not" sh -c "! grep -q 'Help line of Laos' '$T/screen'"
check "and the screen says one more is a key away" grep -q "1 more in another country" "$T/screen"
check "a directory without examples does not warn" sh -c "! grep -q 'EXAMPLES' '$T/screen'"
tkeys c2 Space
expect_screen "Space lists every country" c2 "Help line of Laos"
tkeys c2 C-e
expect_screen "^E too shows Thailand's contacts" c2 "In Thailand (Space shows every country)"
check "a directory without examples: no warning on ^E" sh -c "! grep -q 'EXAMPLES' '$T/screen'"
tkeys c2 C-c
tgone c2
