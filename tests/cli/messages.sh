#!/bin/sh
# The interface's message catalogs against the sources: every message
# marked for translation (po/extract.sh) has a translation in each of
# po/lo.po, po/th.po and po/zh_CN.po (not fuzzy, not empty); each catalog
# compiles with msgfmt's checks (printf conversions as in the English);
# po/intake.pot is what the sources give now. A catalog entry whose
# message is gone from the sources only warns ("# warning:" lines).
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

if ! sh "$ROOT/po/extract.sh" "$T/now.pot" 2>"$T/xerr"; then
	notok "the marked messages can be extracted" "$(cat "$T/xerr")"
	exit 0
fi
ok "the marked messages can be extracted"
n=$(grep -c '^msgid ' "$T/now.pot")
check "the sources mark messages ($n)" test "$n" -gt 100

# msgid of every entry of a catalog or template, one per line (plural
# entries by their singular), header and obsolete entries left out.
ids() {
	msgattrib --no-obsolete --no-wrap --no-location "$1" 2>/dev/null |
	    sed -n 's/^msgid "\(..*\)"$/\1/p' | sort -u
}
ids "$T/now.pot" >"$T/now.ids"
ids "$ROOT/po/intake.pot" >"$T/pot.ids"
if cmp -s "$T/now.ids" "$T/pot.ids"; then
	ok "po/intake.pot holds the messages the sources mark"
else
	notok "po/intake.pot holds the messages the sources mark" "run \`make pot\`"
	diff "$T/pot.ids" "$T/now.ids" | sed 's/^/#   /'
fi

for lang in lo th zh_CN; do
	po=$ROOT/po/$lang.po
	if [ ! -f "$po" ]; then
		notok "po/$lang.po exists"
		continue
	fi
	if msgfmt --check --output-file=/dev/null "$po" 2>"$T/err"; then
		ok "po/$lang.po compiles with msgfmt --check"
	else
		notok "po/$lang.po compiles with msgfmt --check" "$(head -5 "$T/err")"
	fi
	# Translated entries only (untranslated and fuzzy ones left out).
	msgattrib --translated --no-fuzzy --no-obsolete "$po" >"$T/$lang.done.po" 2>/dev/null
	ids "$T/$lang.done.po" >"$T/$lang.ids"
	comm -23 "$T/now.ids" "$T/$lang.ids" >"$T/$lang.missing"
	if [ -s "$T/$lang.missing" ]; then
		notok "every marked message is translated in po/$lang.po" \
		    "$(wc -l <"$T/$lang.missing") without a translation (then run \`make pot\` and translate):"
		sed 's/^/#     /' "$T/$lang.missing" | head -20
	else
		ok "every marked message is translated in po/$lang.po"
	fi
	ids "$po" >"$T/$lang.all"
	comm -13 "$T/now.ids" "$T/$lang.all" | while IFS= read -r gone; do
		echo "# warning: po/$lang.po translates a message no longer in the sources: $gone"
	done
done
