#!/bin/sh
# Storage benchmark: assessment from the database against a plain
# SELECT person, SUM(points) ... GROUP BY person over the same rows, and the
# peak RSS of the assessment at two sizes. Writes docs/benchmarks-store.md.
# Usage: sh bench/run_store.sh [PEOPLE] [RECORDS] [PG_URL]
#   PEOPLE (default 1000000) and PEOPLE/10 are run on SQLite; with PG_URL
#   (a throw-away database: it is emptied), PostgreSQL at PG_PEOPLE (default
#   20000) and PG_PEOPLE/10.
set -eu
cd "$(dirname "$0")/.."
PEOPLE=${1:-1000000}
RECORDS=${2:-50}
PG=${3:-}
PG_PEOPLE=${PG_PEOPLE:-20000}
make -s build/bench_store
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
rows=""
run() { # BACKEND URL PEOPLE
	load=$(build/bench_store load --db "$2" --people "$3" --records "$RECORDS")
	floor=$(build/bench_store floor --db "$2")
	assess=$(build/bench_store assess --db "$2")
	echo "$1 $3: $load / $floor / $assess" >&2
	set -- "$1" "$3" $load $floor $assess
	# fields: backend people | load rows s rate rss | floor rows s rate rss ... | assess rows s rate rss ...
	echo "$@"
}
line() { # formats one result line as a table row
	awk '{
		backend = $1; people = $2; rows = $4; load_s = $5; load_rate = $6;
		for (i = 1; i <= NF; i++) { if ($i == "floor") f = i; if ($i == "assess") a = i }
		fs = $(f + 2); frate = $(f + 3); as = $(a + 2); arate = $(a + 3); arss = $(a + 4);
		printf "| %s | %d | %d | %.1f s (%.2f M rows/s) | %.2f s (%.2f M rows/s) | %.2f s (%.2f M rows/s) | %.2f× | %d MB |\n",
			backend, people, rows, load_s, load_rate / 1e6, fs, frate / 1e6, as, arate / 1e6, as / fs, arss }'
}
for n in $((PEOPLE / 10)) "$PEOPLE"; do
	rows="$rows$(run SQLite "$TMP/b$n.db" "$n" | line)
"
	rm -f "$TMP/b$n.db"*
done
if [ -n "$PG" ]; then
	for n in $((PG_PEOPLE / 10)) "$PG_PEOPLE"; do
		PGOPTIONS='-c client_min_messages=warning' psql "$PG" -q -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
		rows="$rows$(run PostgreSQL "$PG" "$n" | line)
"
	done
fi
{
	echo "## Storage: assessment from the database against a GROUP BY"
	echo
	echo "Command: \`sh bench/run_store.sh $PEOPLE $RECORDS${PG:+ PG_URL}\` (\`bench/bench_store.c\`; each phase is its own process,"
	echo "so each reports its own peak RSS). Machine: $(nproc) cores, $(date -u +%Y-%m-%d)."
	echo
	echo "Load: synthetic people in one unit under \`bigdata-bureau\`, $RECORDS records and 12 学习强国 months each,"
	echo "in one transaction. Floor: \`SELECT person_id, SUM(points × count) … GROUP BY person_id\` (points from a"
	echo "small item/level table), every row read by the client. Assess: \`xuefen assess --year 2025\` — every person"
	echo "streamed out of the store (seven ordered scans merged by person), assessed, and saved as a run."
	echo
	echo "| backend | people | records | load | floor (GROUP BY) | assess + save | assess / floor | assess peak RSS |"
	echo "|---|---|---|---|---|---|---|---|"
	printf "%s" "$rows"
} >docs/benchmarks-store.md
if [ -f docs/benchmarks-store-notes.md ]; then
	echo >>docs/benchmarks-store.md
	cat docs/benchmarks-store-notes.md >>docs/benchmarks-store.md
fi
# docs/benchmarks.md: the engine part (bench/run.sh) followed by this one.
if [ -f docs/benchmarks.md ]; then
	sed '/^## Storage: assessment from the database/,$d' docs/benchmarks.md >"$TMP/head.md"
	{ cat "$TMP/head.md"; cat docs/benchmarks-store.md; } >docs/benchmarks.md
fi
echo "wrote docs/benchmarks-store.md and docs/benchmarks.md"
