#!/bin/sh
# The web UI's tests, called by tests/run.sh (and usable alone):
#   1. installs web/node_modules (npm ci) when missing or older than
#      web/package-lock.json, and builds web/dist when missing or older than
#      any source of the UI (nothing heavy when both are fresh);
#   2. Vitest: the front end's own logic and components (web/tests/unit);
#   3. the browser suite (tests/web/e2e, node's test runner): Debian's
#      Chromium (/usr/bin/chromium, or $CHROMIUM) driven by playwright-core
#      against a real `build/xuefen serve --demo` (or $XUEFEN_BIN) on a fresh
#      database; screenshots and files under build/web-test/ (or
#      $XUEFEN_WEB_OUT).
# Ends with "web: N passed, M failed"; exit status 1 when anything failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
# Chromium gives the page the names of chosen files in the locale's
# encoding: under the bare C locale of a fresh machine the Chinese names of
# the test's upload files arrive mangled and the upload refuses them.
case "${LC_ALL:-${LANG:-}}" in
*UTF-8* | *utf8*) ;;
*) export LANG=C.UTF-8 LC_ALL=C.UTF-8 ;;
esac
OUT=${XUEFEN_WEB_OUT:-$ROOT/build/web-test}
mkdir -p "$OUT"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "web: node and npm are needed (apt-get install nodejs npm; scripts/setup.sh does it)"
	echo "web: 0 passed, 1 failed"
	exit 1
fi

# 1. Dependencies and the build, only when stale.
if [ ! -x web/node_modules/.bin/vite ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
	echo "== web: npm ci"
	(cd web && npm ci --no-audit --no-fund --loglevel=error) || { fail "npm ci"; echo "web: $passed passed, $failed failed"; exit 1; }
fi
stale=$(find web/src web/index.html web/vite.config.js web/build web/public web/package-lock.json -newer web/dist/index.html 2>/dev/null | head -1)
if [ ! -f web/dist/index.html ] || [ -n "$stale" ]; then
	echo "== web: npm run build"
	if (cd web && npm run build --silent >"$OUT/build.log" 2>&1); then ok; else fail "npm run build"; tail -30 "$OUT/build.log"; fi
fi

# 2. Vitest.
echo "== web: vitest"
if (cd web && NO_COLOR=1 npx --no-install vitest run --reporter=dot >"$OUT/vitest.log" 2>&1); then
	ok
	grep -E '^ +(Test Files|Tests) ' "$OUT/vitest.log" | sed 's/^ */  vitest: /'
else
	fail "vitest (web/tests/unit)"
	tail -60 "$OUT/vitest.log"
fi

# 3. The browser.
echo "== web: browser tests (Chromium)"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
	fail "no Chromium at $CHROMIUM (apt-get install chromium; .ci/run installs it)"
elif [ ! -x "${XUEFEN_BIN:-build/xuefen}" ]; then
	fail "no ${XUEFEN_BIN:-build/xuefen}: run make first"
else
	rm -rf "$OUT/screenshots"
	export CHROMIUM XUEFEN_WEB_OUT="$OUT"
	if NO_COLOR=1 node --test --test-reporter=spec tests/web/e2e/ >"$OUT/e2e.log" 2>&1; then
		ok
	else
		fail "browser tests (tests/web/e2e)"
	fi
	# Each test's line, and the closing counts of node's runner.
	grep -E '^\s*(✔|✖)|^ℹ (tests|pass|fail)' "$OUT/e2e.log" | sed 's/^/  /'
	if [ "$failed" -gt 0 ]; then grep -A30 -E '^\s*✖' "$OUT/e2e.log" | tail -80; fi
	echo "  screenshots: $OUT/screenshots/"
fi

echo "web: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
