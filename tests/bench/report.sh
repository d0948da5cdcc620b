#!/bin/sh
# Runs every benchmark given and turns their BENCH lines into one table.
#
# A benchmark prints what it likes for people, plus one line per figure:
#   BENCH name|figure|unit|baseline measured in the same run|ratio|target
# (use "-" for no baseline, ratio or target). This script prints everything, writes
# the table with the machine it ran on to build/bench/performance.md, and
# puts that between the <!-- bench:begin --> and <!-- bench:end --> lines of
# README.md. Benchmarks never pass or fail on their figures; a benchmark
# that exits non-zero stops the run.
set -u
out=build/bench
mkdir -p "$out"
: >"$out/raw.txt"
for b in "$@"; do
	"$b" >"$out/one.txt" || { cat "$out/one.txt"; echo "bench: $b failed" >&2; exit 1; }
	grep -v '^BENCH ' "$out/one.txt"
	cat "$out/one.txt" >>"$out/raw.txt"
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
tmpfs=$(df -PT "${TMPDIR:-/tmp}" 2>/dev/null | awk 'NR == 2 { print $2 }')
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
{
	echo "Measured $(date -u '+%Y-%m-%d') on ${cpu:-an unknown CPU}, $(nproc) CPUs, ${mem:-?} RAM,"
	echo "$(uname -sr), TMPDIR on ${tmpfs:-?} (load average before the run: ${load:-?})."
	echo
	echo "| Benchmark | Figure | Baseline (same run) | Ratio | Target |"
	echo "|---|---|---|---|---|"
	sed -n 's/^BENCH //p' "$out/raw.txt" | awk -F'|' '{
		ratio = ($5 == "" || $5 == "-" || $5 == "n/a") ? "-" : $5 "x"
		printf "| %s | %s %s | %s | %s | %s |\n", $1, $2, $3, ($4 == "" ? "-" : $4), ratio,
		    ($6 == "" ? "-" : $6) }'
} >"$out/performance.md"
echo
cat "$out/performance.md"

if [ -f README.md ] && grep -q '^<!-- bench:begin -->$' README.md && grep -q '^<!-- bench:end -->$' README.md; then
	awk -v table="$out/performance.md" '
		/^<!-- bench:begin -->$/ { print; while ((getline l < table) > 0) print l; skip = 1; next }
		/^<!-- bench:end -->$/ { skip = 0 }
		!skip { print }' README.md >"$out/README.md.new" && mv "$out/README.md.new" README.md
	echo "(README.md Performance section updated)"
fi
