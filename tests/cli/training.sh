#!/bin/sh
# Training mode from the command line: scenarios and the role-player's card,
# mock screenings scored and kept as debriefs in a training vault, and a
# training record that no command can put into a real vault.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
P=$(passfile p "demo passphrase")

run "$INTAKE" training list
expect "training list works" 0 "Training scenarios"
for id in lao_restaurant_china lao_fishing_debt chinese_via_laos child_karaoke fair_migrant; do
	check "training list shows $id" grep -q "^  $id " "$T/out"
done
check "training list shows the expected outcome" grep -q "fair_migrant .*no_indicators" "$T/out"

run "$INTAKE" training card lao_restaurant_china
expect "card prints the persona in English by default" 0 "Who you are: Noy, 22"
check "card says the case is fictional" grep -q "FICTIONAL CASE" "$T/out"
check "card lists what the persona says only if asked well" grep -q "Say only if asked well" "$T/out"
# The persona is in the scenario's language (--lang); the card's headings
# are in the interface language of whoever prints it.
LANG=C.UTF-8 INTAKE_LANG=en run "$INTAKE" training card lao_restaurant_china --lang lo
expect "card prints the persona in Lao" 0 "ນ້ອຍ, ອາຍຸ 22 ປີ"
check "under the English interface the Lao card's headings are English" \
    sh -c "grep -q 'Your story' '$T/out' && ! grep -q 'ເລື່ອງລາວຂອງທ່ານ' '$T/out'"
LANG=C.UTF-8 INTAKE_LANG=lo run "$INTAKE" training card lao_restaurant_china --lang en
expect "the English card under the Lao interface" 0 "Noy, 22"
check "its headings are Lao, its story English" \
    sh -c "grep -q 'ເລື່ອງລາວຂອງທ່ານ' '$T/out' && ! grep -q 'Your story' '$T/out'"
LANG=C.UTF-8 INTAKE_LANG=zh run "$INTAKE" training card child_karaoke --lang zh
expect "card prints the persona in Chinese" 0 "你的经历"
run "$INTAKE" training card "$ROOT/forms/training/fair_migrant.yaml" --lang th
expect "card takes a scenario file too" 0 "บุญมี"
run "$INTAKE" training card lao_restaurant_china --lang fr
expect "card refuses a language the scenario lacks" 6 "has no language 'fr'"
run "$INTAKE" training card no_such_case
expect "card names a missing scenario" 6 "no scenario 'no_such_case'"
run "$INTAKE" training card
expect "card without a scenario is a usage error" 2 "usage"

run "$INTAKE" forms check "$ROOT"/forms/training/*.yaml
expect "every scenario passes intake forms check" 0 ": ok: scenario 'fair_migrant'"
check "scenario drafts are warnings" grep -q "warning: language th is a draft" "$T/err"
run "$INTAKE" training check "$ROOT/forms/training/child_karaoke.yaml"
expect "training check passes a scenario" 0 "on form 'screening'"

# A scenario whose facts do not fit its form: an error with its position.
mkdir -p "$T/forms/training"
cp "$ROOT/forms/screening.yaml" "$ROOT/forms/referrals.yaml" "$T/forms/"
sed 's/^  job_different: "yes"/  job_diferent: "yes"/; s/^  days_off: "monthly"/  days_off: "often"/' \
    "$ROOT/forms/training/lao_restaurant_china.yaml" >"$T/forms/training/bad.yaml"
run "$INTAKE" forms check "$T/forms/training/bad.yaml"
expect "forms check refuses a scenario that does not fit its form" 6 \
    "bad.yaml:91:3: error: no question 'job_diferent' in form 'screening'"
check "the answer that is not a choice is located too" \
    grep -q "bad.yaml:101:13: error: 'often' is not a choice of days_off" "$T/err"

# Real and training vaults.
R=$T/real
TV=$T/train
"$INTAKE" init --vault "$R" --user ana $KDF --passphrase-file "$P" >/dev/null
run "$INTAKE" init --training --vault "$TV" --user ana $KDF --passphrase-file "$P"
expect "init --training creates a training vault" 0 "Created training vault"
for u in bo:interviewer tia:trainer; do
	"$INTAKE" user add "${u%%:*}" --role "${u#*:}" --vault "$TV" --user ana \
	    --passphrase-file "$P" --new-passphrase-file "$P" >/dev/null
done

# The rapid-screen scenario answered as its facts say, and a poor version.
cp "$ROOT/tests/forms/answers/bride_china_rapid.json" "$T/perfect.json"
sed 's/"could_quit": "no"/"could_quit": {"special": "dont_know"}/; s/"marriage_forced": "yes"/"marriage_forced": "no"/; s/ "quit_why_not": \[[^]]*\],//' \
    "$T/perfect.json" >"$T/poor.json"

run "$INTAKE" record add --training --form screening_short --answers "$T/perfect.json" \
    --vault "$R" --user ana --passphrase-file "$P"
expect "record add --training is refused by a real vault" 7 "is a real vault"
run "$INTAKE" training score bride_china_rapid --answers "$T/perfect.json" \
    --vault "$R" --user ana --passphrase-file "$P"
expect "training score is refused by a real vault" 7 "is a real vault"
run "$INTAKE" training report --vault "$R" --user ana --passphrase-file "$P"
expect "a real vault has no debriefs to report" 7 "is a real vault"
run "$INTAKE" record list --vault "$R" --user ana --passphrase-file "$P"
expect "nothing reached the real vault" 0 "0 records"

run "$INTAKE" record add --form screening_short --answers "$T/perfect.json" \
    --vault "$TV" --user ana --passphrase-file "$P"
expect "a real record is refused by a training vault" 7 "is a training vault"
run "$INTAKE" record add --training --form screening_short --answers "$T/perfect.json" \
    --vault "$TV" --user ana --passphrase-file "$P"
expect "record add --training goes into the training vault" 0 "Saved case"

run "$INTAKE" training score bride_china_rapid --answers "$T/perfect.json" \
    --vault "$TV" --user bo --passphrase-file "$P"
expect "a perfect mock screening scores 100" 0 "Score: 100/100"
check "the debrief shows the outcome was right" grep -q "The expected outcome was reached" "$T/out"
check "the debrief ends with the learning points" grep -q "Learning points" "$T/out"
LANG=C.UTF-8 INTAKE_LANG=lo run "$INTAKE" training score bride_china_rapid --answers "$T/poor.json" \
    --lang en --vault "$TV" --user bo --passphrase-file "$P"
expect "a poor mock screening shows missed indicators (in the Lao interface)" 0 "ຕົວຊີ້ວັດທີ່ພາດ"
check "the debrief's headings follow the interface, not the screening's language" \
    sh -c "! grep -q 'Indicators missed' '$T/out'"
check "the poor screening scores less" sh -c "! grep -q '100/100' '$T/out'"
check "no debrief plaintext on disk" sh -c "! grep -aq bride_china_rapid '$TV/data.mdb'"

run "$INTAKE" training report --vault "$TV" --user tia --passphrase-file "$P"
expect "a trainer sees every trainee's sessions" 0 "2 sessions"
check "the report lists bo's scores" grep -Eq "^bo +[0-9-]+ [0-9:]+ +bride_china_rapid +100 " "$T/out"
check "the report gives each trainee's average" grep -q "bo: 2 sessions, average score" "$T/out"
run "$INTAKE" training report --vault "$TV" --user ana --passphrase-file "$P"
expect "a supervisor sees them too" 0 "2 sessions"
"$INTAKE" user add cy --role interviewer --vault "$TV" --user ana \
    --passphrase-file "$P" --new-passphrase-file "$P" >/dev/null
run "$INTAKE" training report --vault "$TV" --user cy --passphrase-file "$P"
expect "another trainee sees only their own sessions" 0 "0 sessions"
check "the report says so" grep -q "your sessions only" "$T/out"

# Without --vault, training commands use the training vault.
run env XDG_DATA_HOME="$T/xdg" "$INTAKE" training report --user ana --passphrase-file "$P"
expect "training report defaults to the training vault" 4 "$T/xdg/intake/training"

# No training vault yet: the hint makes a training vault, not a real one.
HOME=$T/nohome XDG_DATA_HOME=$T/noxdg run "$INTAKE" training report --user ana </dev/null
expect "a missing training vault is named as such" 4 "no training vault at $T/noxdg/intake/training"
check "and the hint makes a training vault" grep -qF 'create one with `intake --training init`' "$T/err"
