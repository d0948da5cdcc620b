#!/bin/sh
# po/extract.sh OUT.pot — the messages marked for translation, extracted
# from the sources with xgettext into OUT.pot. `make pot` runs it (then
# merges the result into po/*.po) and tests/cli/messages.sh runs it to
# check the catalogs against the sources: one list of marked files.
#
# Marks: _("...") and N_("...") (tui/i18n.h), P_("one", "many", n), which
# core/audit.c also uses for the words the caller translates; and
# tui/keys.h's action labels and help texts, the 2nd and 3rd arguments of
# its ACTION_LIST (copied alone into a scratch file, at the same line
# numbers, so xgettext sees no other X-macro list).
set -eu
out=$1
here=$(cd "$(dirname "$0")/.." && pwd)
files="core/audit.c core/release.c core/stats.c tui/cmd_audit.c tui/cmd_record.c tui/cmd_training.c tui/scr_cases.c tui/scr_interview.c tui/scr_misc.c tui/scr_unlock.c tui/scr_training.c
tui/summary.c tui/ui.c tui/main.c"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/intake-pot.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
common="--from-code=UTF-8 --language=C --sort-by-file --package-name=intake
--package-version=0.1.0 --add-comments=TRANSLATORS:"

cd "$here"
# shellcheck disable=SC2086
xgettext $common --keyword=_ --keyword=N_ --keyword=P_:1,2 --output="$out" $files
mkdir -p "$scratch/tui"
awk '/^#define ACTION_LIST/ { on = 1 }
    on && !/ACT_NONE/ { print; if (!/\\$/) on = 0; next }
    { print "" }' tui/keys.h >"$scratch/tui/keys.h"
cd "$scratch"
for k in 2 3; do
	# shellcheck disable=SC2086
	xgettext $common --join-existing --keyword=X:$k --output="$out" tui/keys.h
done
