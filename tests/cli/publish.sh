#!/bin/sh
# `xuefen calendar`, `xuefen publish`, `xuefen publications` and `xuefen
# archive` from the command line, on a fresh SQLite database (the bureau
# case of examples/) in a temporary folder, with the clock moved through
# XUEFEN_TEST_CLOCK_FILE: the shipped calendars; a third quarter published
# on 2025-09-26 with its window to 2025-10-09 (国庆节); the same period
# refused the second time; archive refused inside the window, done after
# it; a window that runs into 2027 refused naming the year until 2027's
# file is loaded (a bad file: every bad line named, nothing loaded); and
# the usage errors (exit status 2); and `xuefen evidence to-db`'s usage.
#   sh tests/cli/publish.sh PATH/TO/xuefen
# Prints each failure; ends with "N passed, M failed"; exit status 1 when
# anything failed, 2 on bad usage.
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: sh tests/cli/publish.sh PATH/TO/xuefen" >&2
	exit 2
fi
case $1 in
/*) X=$1 ;;
*) X=$(pwd)/$1 ;;
esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=$(mktemp -d "${TMPDIR:-/tmp}/xuefen-publish-XXXXXX") || exit 2
trap 'rm -rf "$D"' EXIT
DB="$D/t.db"
XUEFEN_TEST_CLOCK_FILE="$D/clock"
export XUEFEN_TEST_CLOCK_FILE
echo 0 >"$XUEFEN_TEST_CLOCK_FILE"
passed=0
failed=0
st=0

ok() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
	echo "  exit status $st; stdout:"; sed 's/^/    /' "$D/out"
	echo "  stderr:"; sed 's/^/    /' "$D/err"
}

# clock "YYYY-MM-DD HH:MM": the program's clock at that local time.
clock() {
	echo $(($(date -d "$1" +%s) - $(date +%s))) >"$XUEFEN_TEST_CLOCK_FILE"
}

# run ARGS...: xuefen ARGS --db DB; sets st, out and err.
run() {
	"$X" "$@" --db "$DB" </dev/null >"$D/out" 2>"$D/err"
	st=$?
}

# expect NAME STATUS [TEXT_IN_STDOUT_OR_STDERR]
expect() {
	name=$1 want=$2 text=${3:-}
	if [ "$st" -ne "$want" ]; then
		fail "$name: exit status $st, want $want"
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$D/out" "$D/err"; then
		fail "$name: no \"$text\" in the output"
	else
		ok
	fi
}

run init; expect "init" 0
run import case "$ROOT/examples/bigdata-bureau.case.json"; expect "import the bureau case" 0

# Calendars.
run calendar list; expect "calendar list" 0 "shipped"
grep -qF "2025  shipped  节假日 28 天  调休上班 5 天" "$D/out" && grep -qE '^2026  shipped' "$D/out" && ok ||
	fail "calendar list: 2025 (28 holidays, 5 make-up days) and 2026 shipped"
"$X" calendar --help >"$D/out" 2>"$D/err"; st=$?; expect "calendar --help" 0 "xuefen calendar load FILE"
run calendar; expect "calendar without a subcommand" 2 "缺少子命令"
run calendar frob; expect "calendar unknown subcommand" 2 "未知子命令"
run calendar load; expect "calendar load without a file" 2 "缺少文件"

# Usage of publish.
"$X" publish --help >"$D/out" 2>"$D/err"; st=$?; expect "publish --help" 0 "xuefen publish --unit CODE"
run publish --year 2025 --quarter 3; expect "publish without --unit" 2 "--unit"
run publish --unit general-office --year 2025 --quarter 5; expect "bad quarter" 2 "--quarter"
run publish --unit general-office --year 2025; expect "no period" 2 "--quarter"
run publish --unit general-office --year 2025 --quarter 3 --from 2025-07-01 --to 2025-09-30
expect "quarter and dates" 2 "--quarter"
run publish --unit general-office --year 20x5 --quarter 3; expect "bad year" 2 "--year"
run archive; expect "archive without an ID" 2 "缺少公示编号"
run archive x1; expect "archive with a bad ID" 2 "正整数"

# The third quarter, published on Friday 2025-09-26: five working days
# across 国庆节 (9-28 is a 调休 Sunday; 10-1..10-8 off).
clock "2025-09-26 10:00"
run publish --unit general-office --year 2025 --quarter 3
expect "publish Q3" 0 "公示期 2025-09-26 至 2025-10-09"
grep -qF "2025年第三季度学分公示" "$D/out" && grep -qF "2 人" "$D/out" && ok ||
	fail "publish Q3: the title and 2 people (zhang, wang)"
run publish --unit general-office --year 2025 --quarter 3; expect "the same period again" 1 "已经公示过"
run publish --unit nowhere --year 2025 --quarter 3; expect "unknown unit" 1 "找不到编码为 \"nowhere\" 的单位"
run publications; expect "publications" 0 "公示中"
grep -qF "#1  2025年第三季度学分公示  general-office  2025-07-01 至 2025-09-30  公示中  公示期 2025-09-26 至 2025-10-09  2 人  未处理异议 0" "$D/out" &&
	ok || fail "publications: the Q3 line"

# Archive: not inside the window; after it, once.
run archive 1; expect "archive inside the window" 1 "期满后才能归档"
clock "2025-10-09 23:00"
run archive 1; expect "archive on the window's last day" 1 "2025-10-09"
clock "2025-10-10 08:00"
run archive 1; expect "archive after the window" 0 "已归档公示 #1"
run archive 1; expect "archive twice" 1 "已于此前归档"
run archive 99; expect "archive an unknown publication" 1 "没有编号为 99 的公示"
run publications --year 2025; expect "publications after archive" 0 "公示期 2025-09-26 至 2025-10-09  2 人"
grep -qF "已归档" "$D/out" && ok || fail "publications: archived"

# The archived quarter is read-only, whatever writes to it.
if command -v sqlite3 >/dev/null 2>&1; then
	sqlite3 "$DB" "INSERT INTO records (person_id, id, item, date) VALUES ((SELECT id FROM people
		WHERE code = 'zhang'), 999, 'read.book', '2025-08-01')" >"$D/out" 2>"$D/err"
	st=$?
	if [ $st -ne 0 ] && grep -qF "archived period is read-only" "$D/err"; then ok; else
		fail "sqlite3 INSERT into an archived quarter was not refused"; fi
fi

# A window into 2027, which has no calendar until its file is loaded.
clock "2026-12-28 09:00"
run publish --unit data-center --year 2025 --from 2025-01-01 --to 2025-12-31
expect "window into 2027" 1 "2027 年的法定节假日安排未载入"
printf '2027-01-01 holiday 元旦\n2027-13-01 holiday 错\n2027-01-04 workday 周一\n' >"$D/bad-2027.txt"
run calendar load "$D/bad-2027.txt"; expect "bad calendar file" 1 "bad-2027.txt:2"
grep -qF "bad-2027.txt:3" "$D/err" && ok || fail "bad calendar file: line 3 not named"
run calendar list
grep -qE '^2027' "$D/out" && fail "bad file: 2027 listed" || ok
printf '# 2027（测试用）\n2027-01-01 holiday 元旦\n' >"$D/cn-2027.txt"
run calendar load "$D/cn-2027.txt"; expect "load 2027" 0 "已载入 2027 年的工作日历"
run calendar list
grep -qE '^2027  loaded   节假日 1 天  调休上班 0 天  cli 载入于 2026-12-28' "$D/out" && ok ||
	fail "calendar list: 2027 loaded by cli"
run publish --unit data-center --year 2025 --from 2025-01-01 --to 2025-12-31 --title 数据中心年度公示
expect "window into 2027 with its calendar" 0 "公示期 2026-12-28 至 2027-01-04"
grep -qF "数据中心年度公示" "$D/out" && ok || fail "publish: the title given"

# `xuefen evidence to-db`: usage, and a database whose files are all in it
# already (the moves themselves: tests/unit/service/test_evidence_move.c).
"$X" evidence --help >"$D/out" 2>"$D/err"; st=$?; expect "evidence --help" 0 "xuefen evidence to-db"
run evidence; expect "evidence without a subcommand" 2 "缺少子命令"
run evidence frob; expect "evidence unknown subcommand" 2 "未知子命令"
run evidence to-db --dir "$D/files"; expect "evidence to-db, nothing to move" 0 "已迁入数据库 0 个文件"
run check --dir "$D/files"; expect "check with the evidence" 0 "内容缺失 0 个"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
