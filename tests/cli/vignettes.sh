#!/bin/sh
# Vignettes: short, fictional but realistic cases, each answered on the full
# screening form and on the rapid screen (tests/forms/vignettes/NAME.json:
# "long" and "short", each with its language, answers, expected outcome, the
# exact set of indicators it must fire and of flags it must raise beside the
# outcome, "flags", [] when absent). Every answer set goes through
# `intake record add` on a fresh vault, as a record typed from paper would,
# and the saved record is read back with `record show --format json`.
# One "ok" per vignette per form.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=$ROOT/tests/forms/vignettes
export INTAKE_FORMS="$ROOT/forms"

if ! command -v jq >/dev/null 2>&1; then
	notok "vignettes need jq (tests/deps.sh installs it)"
	exit 0
fi

V=$T/vault
P=$(passfile p "vignette passphrase")
"$INTAKE" init --vault "$V" --user ana $KDF --passphrase-file "$P" >/dev/null
AUTH="--vault $V --user ana --passphrase-file $P"

count=0
for f in "$DIR"/*.json; do
	name=$(basename "$f" .json)
	count=$((count + 1))
	for part in long short; do
		form=screening
		[ "$part" = short ] && form=screening_short
		what="$name on $form"
		lang=$(jq -r ".$part.lang" "$f")
		jq ".$part.answers" "$f" >"$T/answers.json"
		run "$INTAKE" record add --form "$form" --lang "$lang" --answers "$T/answers.json" $AUTH
		code=$(grep -o 'Saved case [0-9A-Z-]*' "$T/out" | cut -d' ' -f3)
		if [ -z "$code" ]; then
			notok "$what" "record add: rc=$rc $(head -c 300 "$T/err")"
			continue
		fi
		run "$INTAKE" record show "$code" --format json $AUTH
		got_outcome=$(jq -r '.outcome.id // "none"' "$T/out")
		want_outcome=$(jq -r ".$part.outcome // \"none\"" "$f")
		got=$(jq -c '[.indicators[].id] | sort' "$T/out")
		want=$(jq -c ".$part.indicators | sort" "$f")
		got_flags=$(jq -c '[.flags // [] | .[].id] | sort' "$T/out")
		want_flags=$(jq -c "[.$part.flags // [] | .[]] | sort" "$f")
		missing=""
		for r in $(jq -r ".$part.referrals_include // [] | .[]" "$f"); do
			jq -e --arg r "$r" '.outcome.referrals | index($r)' "$T/out" >/dev/null || missing="$missing $r"
		done
		for r in $(jq -r ".$part.flag_referrals_include // [] | .[]" "$f"); do
			jq -e --arg r "$r" '[.flags[].referrals[]] | index($r)' "$T/out" >/dev/null ||
			    missing="$missing $r"
		done
		if [ "$got_outcome" = "$want_outcome" ] && [ "$got" = "$want" ] &&
		    [ "$got_flags" = "$want_flags" ] && [ -z "$missing" ]; then
			ok "$what: $want_outcome $want flags $want_flags"
		else
			notok "$what" "outcome: $got_outcome, wanted $want_outcome" \
			    "indicators: $got" "wanted:     $want" "flags: $got_flags, wanted $want_flags" \
			    "referrals missing:${missing:- none}"
		fi
	done
done
check "at least twenty vignettes ($count)" test "$count" -ge 20

# While someone else can hear, the sensitive questions are not asked at all:
# an answer to one of them is refused, not stored.
for q in '"danger_now": "no"' '"sector": ["factory"]' '"sexual_violence": "no"' '"forced_crime": "no"'; do
	jq ".long.answers + {$q}" "$DIR/someone_present.json" >"$T/answers.json"
	run "$INTAKE" record add --form screening --answers "$T/answers.json" $AUTH
	expect "with a companion present, $q is not asked" 6 "is not asked with these answers"
done
