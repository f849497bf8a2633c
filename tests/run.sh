#!/bin/sh
# The whole test run (`make test` calls this after building):
#   1. unit tests (tests/unit, built with ASan+UBSan);
#   2. golden cases: every CASE.case.json in examples/, ../shared/examples/
#      and tests/cases/ must give CASE.expected.json, on the normal and the
#      sanitizer build, and --explain must change no result;
#   3. error cases: tests/errors/*.case.json exit 1 with nothing on stdout and
#      exactly the messages of NAME.stderr; tests/errors/policy/*.yaml the same
#      for `xuefen policy check`;
#   4. command-line behaviour (usage, help, exit statuses);
#   5. the fuzz targets replay their corpora, then fuzz briefly.
# Ends with the line "N passed, M failed"; exit status 1 when anything failed.
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0
FUZZ_SECONDS=${FUZZ_SECONDS:-5}

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# A throw-away PostgreSQL for the store tests (scripts/pgtest.sh), stopped on
# exit before TMP goes. CI must test both backends.
if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
	chmod 711 "$TMP" # as root, the server runs as postgres and must reach $TMP/pg
	trap 'sh scripts/pgtest.sh stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
	trap 'exit 130' INT TERM
	for port in 55432 55433 55434 55435 55436 55437 55438 55439; do
		if XUEFEN_TEST_PG=$(sh scripts/pgtest.sh start "$TMP/pg" "$port" 2>"$TMP/pg.err"); then
			export XUEFEN_TEST_PG
			break
		fi
		XUEFEN_TEST_PG=""
	done
	if [ -n "$XUEFEN_TEST_PG" ]; then
		echo "== PostgreSQL: $XUEFEN_TEST_PG"
	else
		fail "could not start a throw-away PostgreSQL (scripts/pgtest.sh)"
		cat "$TMP/pg.err"
	fi
else
	echo "== PostgreSQL: not installed, store tests on SQLite only"
	if [ "${CI:-}" = true ]; then
		fail "CI=true but PostgreSQL 15 is not installed (/usr/lib/postgresql/15/bin/initdb): both store backends must be tested"
	fi
fi

echo "== unit tests (ASan+UBSan)"
for t in $(find build/asan/unit -type f -perm -u+x 2>/dev/null | sort); do
	if "$t" >"$TMP/unit.out" 2>&1; then
		ok
		grep -E '^\[  PASSED  \]' "$TMP/unit.out" | sed "s|^|  $t: |"
	else
		fail "$t"
		tail -40 "$TMP/unit.out"
	fi
done

echo "== crash test: kill -9 an import mid-way"
crash() { # NAME URL ROWS KILL_AFTER
	if KILL_AFTER=$4 sh tests/crash/kill_import.sh "$2" "$TMP/crash-$1" "$3" >"$TMP/crash.out" 2>&1; then
		ok
		sed "s/^/  $1: /" "$TMP/crash.out" | grep -E "killed|import of"
	else
		fail "crash test on $1"; cat "$TMP/crash.out"; echo "(exit status $?)"
	fi
}
crash sqlite "$TMP/crash.db" 1000000 0.5
if [ -n "${XUEFEN_TEST_PG:-}" ]; then
	psql "$XUEFEN_TEST_PG" -q -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null 2>&1
	crash postgresql "$XUEFEN_TEST_PG" 1000000 1
fi

echo "== golden cases"
golden() { # BINARY CASE EXPECTED
	bin=$1 case=$2 exp=$3
	if ! "$bin" assess "$case" >"$TMP/out.json" 2>"$TMP/err.txt"; then
		fail "$bin assess $case exited non-zero"; cat "$TMP/err.txt"; return
	fi
	if ! build/jsoncmp "$exp" "$TMP/out.json"; then
		fail "$bin assess $case differs from $exp"; return
	fi
	ok
	if ! "$bin" assess --explain "$case" >"$TMP/explain.json" 2>"$TMP/err.txt"; then
		fail "$bin assess --explain $case exited non-zero"; cat "$TMP/err.txt"; return
	fi
	if ! build/jsoncmp --ignore trace "$exp" "$TMP/explain.json"; then
		fail "$bin assess --explain $case changed the result"; return
	fi
	if ! grep -q '"trace"' "$TMP/explain.json"; then
		fail "$bin assess --explain $case has no trace"; return
	fi
	ok
}
ncases=0
for dir in examples ../shared/examples tests/cases; do
	[ -d "$dir" ] || continue
	for case in "$dir"/*.case.json; do
		[ -e "$case" ] || continue
		exp=${case%.case.json}.expected.json
		if [ ! -e "$exp" ]; then fail "$case has no $exp"; continue; fi
		ncases=$((ncases + 1))
		golden build/xuefen "$case" "$exp"
		golden build/asan/xuefen "$case" "$exp"
	done
done
echo "  $ncases golden cases, each on build/xuefen and build/asan/xuefen"

echo "== error cases"
error_case() { # STDERR-FILE COMMAND...
	want=$1; shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ $rc -ne 1 ]; then fail "$* exited $rc, expected 1"; cat "$TMP/err"; return; fi
	if [ -s "$TMP/out" ]; then fail "$* printed on stdout"; return; fi
	if ! diff -u "$want" "$TMP/err" >"$TMP/diff"; then
		fail "$* stderr differs from $want"; cat "$TMP/diff"; return
	fi
	ok
}
for case in tests/errors/*.case.json; do
	[ -e "$case" ] || continue
	want=${case%.case.json}.stderr
	error_case "$want" build/xuefen assess "$case"
	error_case "$want" build/asan/xuefen assess "$case"
done
for pol in tests/errors/policy/*.yaml; do
	[ -e "$pol" ] || continue
	want=${pol%.yaml}.stderr
	error_case "$want" build/xuefen policy check "$pol"
	error_case "$want" build/asan/xuefen policy check "$pol"
done

echo "== command line"
expect_status() { # STATUS COMMAND...
	want=$1; shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ $rc -eq "$want" ]; then ok; else fail "$* exited $rc, expected $want"; cat "$TMP/err"; fi
}
expect_status 2 build/xuefen
expect_status 0 build/xuefen --help
expect_status 0 build/xuefen help assess
expect_status 2 build/xuefen no-such-command
expect_status 0 build/xuefen assess --help
expect_status 2 build/xuefen assess
expect_status 2 build/xuefen assess --bogus examples/bigdata-bureau.case.json
expect_status 2 build/xuefen assess a.json b.json
expect_status 1 build/xuefen assess /nonexistent/case.json
expect_status 0 build/xuefen policy --help
expect_status 2 build/xuefen policy
expect_status 2 build/xuefen policy frobnicate x
expect_status 0 build/xuefen policy list
for pol in policies/*.yaml; do
	expect_status 0 build/asan/xuefen policy check "$pol"
	id=$(basename "$pol" .yaml)
	expect_status 0 build/asan/xuefen policy show "$id"
	if grep -q "$(sed -n 's/^title: *//p' "$pol" | head -c 30)" "$TMP/out"; then ok; else fail "policy show $id does not print its title"; fi
done
expect_status 1 build/xuefen policy show no-such-policy
expect_status 0 build/xuefen serve --help
expect_status 2 build/xuefen serve --bogus
expect_status 2 build/xuefen serve --demo --db x.db
expect_status 0 build/xuefen user --help

echo "== xuefen user"
for bin in build/xuefen build/asan/xuefen; do
	if sh tests/cli/user.sh "$bin" >"$TMP/user.out" 2>&1; then ok; else fail "tests/cli/user.sh $bin"; tail -30 "$TMP/user.out"; fi
done

echo "== xuefen calendar, publish, archive"
for bin in build/xuefen build/asan/xuefen; do
	if sh tests/cli/publish.sh "$bin" >"$TMP/publish.out" 2>&1; then ok; else fail "tests/cli/publish.sh $bin"; tail -30 "$TMP/publish.out"; fi
done

# The README's first command ends in `xuefen serve --demo`: start it (the
# sanitizer build) on a free port, sign in with a login it prints, read the
# member's credits, stop it with SIGTERM and expect a clean exit.
echo "== xuefen serve --demo"
demo_serve() {
	mkdir -p "$TMP/demo" && cd "$TMP/demo" || return 1
	"$ROOT/build/asan/xuefen" serve --demo --listen 127.0.0.1:0 --threads 2 >out 2>err &
	pid=$!
	url=""
	for _ in $(seq 1 120); do
		url=$(sed -n 's/^xuefen 已启动 (serving): \(http[^ ]*\).*/\1/p' out)
		[ -n "$url" ] && break
		sleep 0.5
	done
	login=$(awk '$1 == "member" { print $2, $3; exit }' out)
	user=${login% *}
	pass=${login#* }
	status=1
	if [ -n "$url" ] && [ -n "$user" ] &&
		curl -sf -c jar -H 'Content-Type: application/json' \
			-d "{\"username\":\"$user\",\"password\":\"$pass\"}" "${url}api/v1/login" >login.json &&
		curl -sf -b jar "${url}api/v1/me/credits" >credits.json &&
		grep -q '"total"' credits.json && grep -q '"missing"' credits.json; then
		status=0
	fi
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	cd "$ROOT" || return 1
	[ $status -eq 0 ] && [ $rc -eq 0 ] && return 0
	echo "url=$url user=$user exit=$rc"; cat "$TMP/demo/out" "$TMP/demo/err" | tail -30
	return 1
}
if demo_serve; then ok; else fail "xuefen serve --demo: sign in and read credits"; fi

# The web UI: Vitest, and the browser suite in Debian's Chromium against a
# real `xuefen serve --demo` (tests/web/run.sh; screenshots in build/web-test).
echo "== web UI (tests/web/run.sh)"
if sh tests/web/run.sh >"$TMP/web.out" 2>&1; then
	ok
	grep -E '^  (vitest:|ℹ (tests|pass|fail))|^web:' "$TMP/web.out"
else
	fail "tests/web/run.sh"
	tail -100 "$TMP/web.out"
fi

echo "== fuzz corpora"
for f in build/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f" | sed 's/^fuzz_//')
	corpus=fuzz/corpus/$name
	if "$f" -runs=0 "$corpus" >"$TMP/fuzz.out" 2>&1; then ok; else fail "$f corpus replay"; tail -30 "$TMP/fuzz.out"; fi
	if [ "$FUZZ_SECONDS" -gt 0 ]; then
		mkdir -p "$TMP/corpus-$name"
		if "$f" -max_total_time="$FUZZ_SECONDS" -artifact_prefix="$TMP/" "$TMP/corpus-$name" "$corpus" >"$TMP/fuzz.out" 2>&1; then
			ok
		else
			fail "$f found a crash in ${FUZZ_SECONDS}s"; tail -30 "$TMP/fuzz.out"
		fi
	fi
done

echo
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
