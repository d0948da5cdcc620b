#!/bin/sh
# The case list in the real binary, in tmux at 80x24: five records of two
# interviewers with different statuses, outcomes, languages and dates, plus a
# draft. Checks the order (the draft, then newest first), each search
# qualifier, words that must all match, a date range, a mistyped filter, that
# clearing the search shows everything again, and that an interviewer sees
# only their own cases.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

V=$T/vault
new_vault "$V"
SUP=$(passfile sup "demo passphrase")
"$INTAKE" user add bo --role interviewer --vault "$V" --user ana --passphrase-file "$SUP" \
    --new-passphrase-file "$(passfile bo "bo passphrase 123")" </dev/null >/dev/null
BO=$(passfile bopass "bo passphrase 123")

# Answers of the rapid screen giving each outcome.
cat >"$T/likely.json" <<'JSON'
{"danger_now": "no", "urgent_medical": "no", "consent_interview": "yes", "consent_referral": "yes",
 "consent_statistics": "no", "age_band": "age_18_20", "sector": ["factory"],
 "job_different": "yes", "could_quit": {"special": "declined"},
 "documents_held_by": "employer", "debt_work_off": "yes",
 "physical_violence": "no", "threats": ["none"], "sex_with_clients": "no",
 "needs_now": ["medical"]}
JSON
printf '{"danger_now": "yes", "consent_interview": "no"}' >"$T/ended.json"
cat >"$T/none.json" <<'JSON'
{"danger_now": "no", "urgent_medical": "no", "consent_interview": "yes", "consent_referral": "yes",
 "consent_statistics": "no", "age_band": "age_18_20", "sector": ["factory"],
 "job_different": "no", "could_quit": "yes", "documents_held_by": "myself",
 "debt_work_off": "no", "physical_violence": "no", "threats": ["none"],
 "needs_now": ["medical"]}
JSON
sed 's/"job_different": "no"/"job_different": "yes"/' "$T/none.json" >"$T/possible.json"

# add NOW USER PASSFILE ANSWERS [--lang L]: saves a record started at NOW
# (unix seconds) and prints its case code.
add() {
	now=$1 user=$2 pf=$3 answers=$4; shift 4
	INTAKE_TEST_NOW=$now "$INTAKE" record add --form screening_short --answers "$answers" "$@" \
	    --vault "$V" --user "$user" --passphrase-file "$pf" </dev/null >"$T/add" 2>&1 ||
	    notok "setup: record add $answers" "$(cat "$T/add")"
	grep -o 'Saved case [0-9A-Z-]*' "$T/add" | cut -d' ' -f3
}
R1=$(add 1757000000 ana "$SUP" "$T/likely.json")          # 2025-09-04, likely_victim
R2=$(add 1760000000 bo "$BO" "$T/likely.json")            # 2025-10-09, likely_victim, bo
R3=$(add 1762000000 ana "$SUP" "$T/ended.json")           # 2025-11-01, ended
R4=$(add 1764000000 ana "$SUP" "$T/none.json" --lang lo)  # 2025-11-24, no_indicators, Lao
R5=$(add 1765000000 bo "$BO" "$T/possible.json")          # 2025-12-06, possible_victim, bo

# The codes in the list, top to bottom, on one line.
listed() { grep -oE '(\(draft\)|[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])' "$T/screen" | tr '\n' ' ' | sed 's/ $//'; }

# search NAME TEXT COUNT CODES...: types TEXT into a cleared search field;
# ok when the list says "COUNT of 6" and shows exactly CODES, in order.
# (The tmux helpers set name and text: these variables are named apart.)
search() {
	s_name=$1 s_text=$2 s_count=$3; shift 3
	tkeys s1 C-u
	twait s1 "6 of 6" 5
	tkeys s1 -l "$s_text"
	if ! twait s1 "$s_count of 6" 5; then
		notok "$s_name" "the list never said: $s_count of 6"; sed 's/^/#   | /' "$T/screen"
		return
	fi
	if [ "$(listed)" = "$*" ]; then ok "$s_name"; else
		notok "$s_name" "listed: $(listed)" "wanted: $*"; fi
}

# A draft of ana's, started before every record: it still comes first.
START="$INTAKE --vault $V"
tstart s0 80 24 "env INTAKE_TEST_NOW=1750000000 $START"
tunlock s0 ana "demo passphrase"
twait s0 "Start a new interview" 10
tkeys s0 Enter
twait s0 "Trafficking rapid screen" 5
tkeys s0 Enter
twait s0 "The respondent's language" 5
tkeys s0 Enter
twait s0 "Are you in danger" 5
tkeys s0 C-c
tgone s0

tstart s1 80 24 "$START"
tunlock s1 ana "demo passphrase"
expect_screen "the draft is offered after unlock" s1 "Resume the interrupted interview?"
tkeys s1 Escape
expect_screen "the supervisor sees every case and the draft" s1 "6 of 6"
check "the draft first, then newest first" test "$(listed)" = "(draft) $R5 $R4 $R3 $R2 $R1"
check "the search syntax is shown under the field" \
    grep -q "Filters: status: outcome: form: lang: by: date:2025-11 date:2025-10..2025-11" "$T/screen"
check "a row shows date, interviewer, form, language, status and outcome" \
    grep -q "$R5 *2025-12-06 bo  *screening_short *en *final *possible_victim" "$T/screen"

search "status: matches the status only" "status:ended" 1 "$R3"
search "status: is a case-insensitive prefix" "STATUS:fin" 4 "$R5 $R4 $R2 $R1"
search "outcome: matches the outcome" "outcome:likely" 2 "$R2 $R1"
search "by: matches the interviewer" "by:bo" 2 "$R5 $R2"
search "lang: matches the language" "lang:lo" 1 "$R4"
search "form: matches the form" "form:screening_s" 6 "(draft) $R5 $R4 $R3 $R2 $R1"
search "a qualifier does not look at other columns" "outcome:ended" 0 ""
search "date: matches a month" "date:2025-11" 2 "$R4 $R3"
search "date:A..B is inclusive at both ends" "date:2025-10..2025-11" 3 "$R4 $R3 $R2"
search "date:A.. is open at the end" "date:2025-11.." 3 "$R5 $R4 $R3"
search "several words must all match" "outcome:likely by:bo" 1 "$R2"
search "plain words match any column, all of them" "likely bo" 1 "$R2"
search "a plain word matches the case code" "$(echo "$R4" | cut -c1-6)" 1 "$R4"
search "a plain word matches the date" "2025-12" 1 "$R5"
check "no match says how to clear the search" sh -c \
    "$TMUX_CMD send-keys -t s1 -l ' nothing' && sleep 0.2 && $TMUX_CMD capture-pane -p -t s1 | grep -q 'No case matches the search (Esc clears it)'"

tkeys s1 C-u
twait s1 "6 of 6" 5
tkeys s1 -l "colour:red"
expect_screen "a mistyped filter says which ones exist" s1 \
    '"colour:" is not a filter: use status: outcome: form: lang: by: or date:'
tkeys s1 C-u
twait s1 "6 of 6" 5
tkeys s1 -l "date:2025-12..2025-10"
expect_screen "a reversed range says so" s1 "ends before it starts"
tkeys s1 Escape
expect_screen "Esc clears the search and shows every case again" s1 "6 of 6"
check "every case is listed again, in order" test "$(listed)" = "(draft) $R5 $R4 $R3 $R2 $R1"

# Opening a searched-for case, then coming back, keeps the search.
tkeys s1 -l "lang:lo"
twait s1 "1 of 6" 5
tkeys s1 Down Enter
expect_screen "the case found opens" s1 "case $R4 (read only)"
tkeys s1 Escape
expect_screen "back on the list the search is kept" s1 "1 of 6"
tkeys s1 C-c
tgone s1

# An interviewer sees only their own cases, and searches within them.
tstart s2 80 24 "$START"
tunlock s2 bo "bo passphrase 123"
expect_screen "an interviewer sees their own cases only" s2 "2 of 2"
check "bo's cases, newest first" test "$(listed)" = "$R5 $R2"
tkeys s2 -l "by:ana"
expect_screen "no one else's case can be searched for" s2 "0 of 2"
tkeys s2 C-c
tgone s2
