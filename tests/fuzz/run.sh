#!/bin/sh
# Runs each libFuzzer target given for FUZZ_SECONDS on its committed corpus
# (tests/fuzz/corpus/NAME, read) and build/fuzz/NAME.corpus (new inputs,
# written), then writes build/fuzz/summary.txt, one line per target:
#   FUZZ name|executions|seconds|crashes|corpus inputs
# A target that crashes leaves its crash-* file in build/fuzz/ and makes the
# whole run fail after the other targets have run.
set -u
secs=${FUZZ_SECONDS:-60}
out=build/fuzz/summary.txt
: >"$out.tmp"
failed=0
for f in "$@"; do
	n=${f##*/}
	name=${n#fuzz_}
	mkdir -p "build/fuzz/$n.corpus"
	echo "== $n (${secs}s)"
	"$f" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="build/fuzz/$n-" \
	    "build/fuzz/$n.corpus" "tests/fuzz/corpus/$name" >"build/fuzz/$n.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build/fuzz/$n.log" | tail -1)
	crashes=0
	if [ "$rc" -ne 0 ]; then
		crashes=1
		failed=1
		echo "   CRASH: $(grep -m1 -E 'ERROR|runtime error|deadly signal' "build/fuzz/$n.log")"
		ls build/fuzz/"$n"-crash-* build/fuzz/"$n"-leak-* build/fuzz/"$n"-timeout-* 2>/dev/null |
		    sed 's/^/   saved: /'
	fi
	inputs=$(find "build/fuzz/$n.corpus" "tests/fuzz/corpus/$name" -type f | wc -l)
	echo "   ${execs:-0} executions, corpus $inputs inputs"
	echo "FUZZ $name|${execs:-0}|$secs|$crashes|$inputs" >>"$out.tmp"
done
mv "$out.tmp" "$out"
exit $failed
