#!/bin/sh
# Runs the engine benchmark and writes docs/benchmarks.md.
# Usage: sh bench/run.sh [PEOPLE] [RECORDS]   (default 1000000 x 50)
# Each row: the floor (plain sum of points) and the full assessment over the
# same records in the same run, their ratio, and the peak RSS. A smaller run
# (PEOPLE / 10) shows that memory does not grow with the number of people.
set -eu
cd "$(dirname "$0")/.."
PEOPLE=${1:-1000000}
RECORDS=${2:-50}
make -s build/bench_engine
out=docs/benchmarks.md
rows=""
for policy in bigdata-bureau kunshan-cadre; do
	for n in $((PEOPLE / 10)) "$PEOPLE"; do
		row=$(build/bench_engine --policy "$policy" --people "$n" --records "$RECORDS")
		echo "$row"
		rows="$rows$row
"
	done
done
{
	echo "# Benchmarks"
	echo
	echo "## Engine: full assessment against a plain sum of the same records"
	echo
	echo "Command: \`sh bench/run.sh $PEOPLE $RECORDS\` (builds \`build/bench_engine\` from \`bench/bench_engine.c\`)."
	echo "Machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d). One thread: rates are per core."
	echo
	echo "Synthetic people and records are generated in chunks of 10,000 people (not timed); over each"
	echo "chunk the floor sums every record's points into its person, then the engine assesses every"
	echo "person (exclusions, same-activity rule, caps, months, exemptions, requirement, grade) and"
	echo "adds them to the group pass (award quota). Ratio = floor rate / engine rate (target: ≤ 4)."
	echo
	echo "| policy | people | records/person | floor | engine | ratio | floor time | engine time | peak RSS |"
	echo "|---|---|---|---|---|---|---|---|---|"
	printf "%s" "$rows"
} >"$out.tmp"
if [ -f docs/benchmarks-notes.md ]; then
	echo >>"$out.tmp"
	cat docs/benchmarks-notes.md >>"$out.tmp"
fi
if [ -f docs/benchmarks-api.md ]; then # written by bench/run_api.sh
	echo >>"$out.tmp"
	cat docs/benchmarks-api.md >>"$out.tmp"
fi
if [ -f docs/benchmarks-store.md ]; then # written by bench/run_store.sh
	echo >>"$out.tmp"
	cat docs/benchmarks-store.md >>"$out.tmp"
fi
mv "$out.tmp" "$out"
echo "wrote $out"
