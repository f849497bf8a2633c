#!/bin/sh
# Crash test: kill -9 the importer in the middle of a large import, then
# check that the database holds none of that batch and passes its
# integrity check, and that the same file then imports whole.
# Usage: sh tests/crash/kill_import.sh DB_URL WORKDIR [ROWS]
# Prints one line per check ("ok: ..." / "FAIL: ...") and exits 1 on failure.
set -u
DB=$1
WORK=$2
ROWS=${3:-1000000}
X=build/xuefen
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
count() { $X check --db "$DB" | awk -v t="$1" '$1 == t { print $2 }'; }

mkdir -p "$WORK"
$X init --db "$DB" >/dev/null || { bad "init"; exit 1; }
$X import case examples/bigdata-bureau.case.json --db "$DB" >/dev/null 2>&1
# A roster of PEOPLE people in one unit with a policy, and ROWS monthly
# 学习强国 increments for them (12 months each, cycling over the years).
PEOPLE=$(( (ROWS + 11) / 12 ))
awk -v n="$PEOPLE" 'BEGIN { print "姓名,工号,单位,单位编码,角色";
	for (i = 1; i <= n; i++) printf "人员%d,S%07d,综合科,general-office,staff\n", i, i }' >"$WORK/roster.csv"
$X import roster "$WORK/roster.csv" --db "$DB" >/dev/null || { bad "roster import"; exit 1; }
awk -v n="$ROWS" -v p="$PEOPLE" 'BEGIN { print "工号,月份,月增量";
	for (i = 0; i < n; i++) printf "S%07d,%04d-%02d,%d\n", i % p + 1, 2025 - int(i / p / 12), int(i / p) % 12 + 1, 400 + i % 500 }' >"$WORK/xxqg.csv"

metrics_before=$(count metrics)
batches_before=$(count import_batches)
$X import xxqg "$WORK/xxqg.csv" --db "$DB" >"$WORK/import.out" 2>&1 &
pid=$!
sleep "${KILL_AFTER:-1}"
if kill -9 "$pid" 2>/dev/null; then
	wait "$pid" 2>/dev/null
	ok "importer killed with SIGKILL mid-import"
else
	bad "the import finished before the kill; use a larger file"
fi
if $X check --db "$DB" >"$WORK/check.out" 2>&1; then ok "integrity check passes after the kill"; else bad "integrity check"; cat "$WORK/check.out"; fi
[ "$(count metrics)" = "$metrics_before" ] && ok "no metric of the killed batch is in the database" || bad "metrics changed: $metrics_before -> $(count metrics)"
[ "$(count import_batches)" = "$batches_before" ] && ok "the killed batch is not recorded" || bad "batch recorded"

# The same file now imports whole.
start=$(date +%s%N)
if $X import xxqg "$WORK/xxqg.csv" --db "$DB" >"$WORK/import2.out" 2>&1; then
	end=$(date +%s%N)
	ok "the same file then imports: $(cat "$WORK/import2.out" | head -1)"
	echo "import of $ROWS rows: $(( (end - start) / 1000000 )) ms"
else
	bad "re-import"; cat "$WORK/import2.out"
fi
[ "$(count metrics)" -ge "$ROWS" ] && ok "all $ROWS increments present" || bad "expected $ROWS metrics, got $(count metrics)"
exit $fail
