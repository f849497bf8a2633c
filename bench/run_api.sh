#!/bin/sh
# HTTP benchmark: `xuefen serve` against nginx serving a static file of the
# same size, in the same run. Writes the "HTTP API" section of
# docs/benchmarks.md (with docs/benchmarks-api-notes.md under it).
#
# Usage: sh bench/run_api.sh [PEOPLE]        (default 10000)
#   XUEFEN_BENCH_PG=URL   also run on PostgreSQL (a throw-away database: its
#                         public schema is dropped and recreated)
#   BENCH_PORT=18100      xuefen listens on BENCH_PORT, nginx on BENCH_PORT+1
#   BENCH_DURATION=10s    one wrk run;  BENCH_ROUNDS=3  rounds, interleaved
#   XUEFEN_BENCH_BIN=PATH the server binary to measure (default build/xuefen,
#                         built here with `make -s all`, -O2)
#   BENCH_NO_DOC=1        print the table only, leave docs/ alone
#
# For each backend: bench_org fills a fresh database (PEOPLE people in roots
# of 2,000, 科室 of 20–60, a year of records each, three accounts); the
# server runs with --threads 2; curl logs in as the member, the reviewer
# and the admin and fetches every URL once (each must answer 200); nginx
# (worker_processes 2, access_log off) serves a file as large as the
# member's credit summary. Then each round runs `wrk -t2 -c64 --latency`
# once per target, one after the other; the table gives the medians over
# the rounds, and the ratio to nginx taken round by round (the machine is
# shared and noisy: only ratios within a round mean much). Any non-2xx
# answer or socket error fails the run.
set -eu
cd "$(dirname "$0")/.."
PEOPLE=${1:-10000}
case $PEOPLE in
'' | *[!0-9]*) echo "usage: sh bench/run_api.sh [PEOPLE]" >&2; exit 2 ;;
esac
PORT=${BENCH_PORT:-18100}
NGINX_PORT=$((PORT + 1))
DURATION=${BENCH_DURATION:-10s}
ROUNDS=${BENCH_ROUNDS:-3}
PG=${XUEFEN_BENCH_PG:-}
BIN=${XUEFEN_BENCH_BIN:-build/xuefen}
WRK="wrk -t2 -c64 -d$DURATION --latency --timeout 30s"

for tool in wrk nginx curl; do
	command -v "$tool" >/dev/null 2>&1 || { echo "run_api: $tool is not installed" >&2; exit 1; }
done
if [ -z "${XUEFEN_BENCH_BIN:-}" ]; then
	make -s all
fi
make -s build/bench_org

TMP=$(mktemp -d)
chmod 755 "$TMP" # nginx's workers read the file
# A copy of the server: a rebuild of build/xuefen during the run (the tree
# is shared) must not change what the second backend measures.
cp "$BIN" "$TMP/xuefen"
BIN=$TMP/xuefen
SERVER_PID=""
NGINX_PID=""
stop_server() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=""
	fi
}
cleanup() {
	stop_server
	if [ -n "$NGINX_PID" ]; then
		kill "$NGINX_PID" 2>/dev/null || true
		wait "$NGINX_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- nginx: a minimal configuration of its own ----
mkdir -p "$TMP/www" "$TMP/nginx"
cat >"$TMP/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	default_type application/json;
	client_body_temp_path $TMP/nginx/body;
	proxy_temp_path $TMP/nginx/proxy;
	fastcgi_temp_path $TMP/nginx/fastcgi;
	uwsgi_temp_path $TMP/nginx/uwsgi;
	scgi_temp_path $TMP/nginx/scgi;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $TMP/www;
	}
}
EOF
: >"$TMP/www/credits.json"
nginx -p "$TMP/nginx" -c "$TMP/nginx.conf" >"$TMP/nginx/stdout.log" 2>&1 &
NGINX_PID=$!

# wait_http URL: until it answers (5 s at most).
wait_http() {
	i=0
	until curl -s -o /dev/null "$1"; do
		i=$((i + 1))
		if [ "$i" -gt 50 ]; then
			echo "run_api: nothing answers at $1" >&2
			return 1
		fi
		sleep 0.1
	done
}
wait_http "http://127.0.0.1:$NGINX_PORT/credits.json"

# login USER PASSWORD: prints the session token.
login() {
	curl -s -c "$TMP/cookies" -o "$TMP/login.json" -w '%{http_code}' -H 'Content-Type: application/json' \
		-d "{\"username\": \"$1\", \"password\": \"$2\"}" "http://127.0.0.1:$PORT/api/v1/login" >"$TMP/code"
	if [ "$(cat "$TMP/code")" != 200 ]; then
		echo "run_api: login as $1 answered $(cat "$TMP/code")" >&2
		cat "$TMP/login.json" >&2
		return 1
	fi
	awk '$6 == "xf_session" { print $7 }' "$TMP/cookies"
}

# body_size URL COOKIE: the answer's size in bytes; fails unless 200.
body_size() {
	code=$(curl -s -o "$TMP/body" -w '%{http_code}' ${2:+-H "Cookie: xf_session=$2"} "$1")
	if [ "$code" != 200 ]; then
		echo "run_api: $1 answered $code" >&2
		head -c 400 "$TMP/body" >&2
		return 1
	fi
	wc -c <"$TMP/body" | tr -d ' '
}

# to_ms VALUE: wrk's "812.00us", "1.23ms", "2.01s" in milliseconds.
to_ms() {
	echo "$1" | awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /ms$/) v = v; else if ($1 ~ /m$/) v *= 60000; else if ($1 ~ /s$/) v *= 1000; printf "%.3f\n", v }'
}

# settle URL: waits until URL answers three times in a row within 20 ms,
# so that requests still queued from the previous run (a slow target keeps
# the server busy after wrk stops) do not weigh on the next (60 s at most).
settle() {
	fast=0
	i=0
	while [ "$fast" -lt 3 ] && [ "$i" -lt 600 ]; do
		t=$(curl -s -o /dev/null -w '%{time_total}' "$1" || echo 1)
		if awk -v t="$t" 'BEGIN { exit !(t < 0.02) }'; then
			fast=$((fast + 1))
		else
			fast=0
			sleep 0.1
		fi
		i=$((i + 1))
	done
}

# measure BACKEND ROUND TARGET URL COOKIE: one wrk run, one line in results.
measure() {
	settle "http://127.0.0.1:$PORT/api/v1/health"
	out="$TMP/wrk-$1-$2-$3.txt"
	if [ -n "$5" ]; then
		$WRK -H "Cookie: xf_session=$5" "$4" >"$out" 2>&1
	else
		$WRK "$4" >"$out" 2>&1
	fi
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	p50=$(awk '$1 == "50%" { print $2 }' "$out")
	p99=$(awk '$1 == "99%" { print $2 }' "$out")
	if [ -z "$rps" ] || [ -z "$p50" ] || [ -z "$p99" ]; then
		echo "run_api: cannot read wrk's output for $3:" >&2
		cat "$out" >&2
		return 1
	fi
	if grep -q 'Non-2xx or 3xx responses' "$out" || grep -q 'Socket errors' "$out"; then
		echo "run_api: $3 ($1, round $2) had errors:" >&2
		cat "$out" >&2
		return 1
	fi
	echo "$1 $2 $3 $rps $(to_ms "$p50") $(to_ms "$p99")" >>"$TMP/results"
	printf '  %-10s round %s %-14s %10s req/s  p50 %8s  p99 %8s\n' "$1" "$2" "$3" "$rps" "$p50" "$p99" >&2
}

: >"$TMP/results"
: >"$TMP/sizes"
: >"$TMP/dbinfo"

# run_backend NAME URL
run_backend() {
	name=$1
	url=$2
	echo "== $name: generating $PEOPLE people" >&2
	build/bench_org --db "$url" --people "$PEOPLE" >"$TMP/org-$name.txt"
	cat "$TMP/org-$name.txt" >&2
	org="$TMP/org-$name.txt"
	pass=$(awk '$1 == "login" && $2 == "member" { print $4 }' "$org")
	member=$(awk '$1 == "login" && $2 == "member" { print $3 }' "$org")
	reviewer=$(awk '$1 == "login" && $2 == "reviewer" { print $3 }' "$org")
	admin=$(awk '$1 == "login" && $2 == "admin" { print $3 }' "$org")
	section=$(awk '$1 == "login" && $2 == "reviewer" { print $6 }' "$org")
	section_people=$(awk '$1 == "login" && $2 == "reviewer" { print $8 }' "$org")
	root=$(awk '$1 == "login" && $2 == "admin" { print $6 }' "$org")
	root_people=$(awk '$1 == "login" && $2 == "admin" { print $8 }' "$org")
	awk -v n="$name" '$1 == "made" { print n, $3, $5, $7, $9, $11 }' "$org" >>"$TMP/dbinfo"

	"$BIN" serve --db "$url" --listen "127.0.0.1:$PORT" --threads 2 >"$TMP/serve-$name.log" 2>&1 &
	SERVER_PID=$!
	base="http://127.0.0.1:$PORT"
	wait_http "$base/api/v1/health"
	m_tok=$(login "$member" "$pass")
	r_tok=$(login "$reviewer" "$pass")
	a_tok=$(login "$admin" "$pass")

	me_size=$(body_size "$base/api/v1/me/credits" "$m_tok")
	me0_size=$(body_size "$base/api/v1/me/credits?explain=0" "$m_tok")
	sec_size=$(body_size "$base/api/v1/units/$section/summary" "$r_tok")
	root_size=$(body_size "$base/api/v1/units/$root/summary" "$a_tok")
	health_size=$(body_size "$base/api/v1/health" "")
	# nginx's file: as large as the member's own summary.
	head -c "$me_size" /dev/zero | tr '\0' 'x' >"$TMP/www/credits.json"
	nginx_size=$(body_size "http://127.0.0.1:$NGINX_PORT/credits.json" "")
	{
		echo "$name nginx $nginx_size -"
		echo "$name me $me_size -"
		echo "$name me_noexplain $me0_size -"
		echo "$name unit_section $sec_size $section_people"
		echo "$name unit_root $root_size $root_people"
		echo "$name health $health_size -"
	} >>"$TMP/sizes"

	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		measure "$name" "$r" nginx "http://127.0.0.1:$NGINX_PORT/credits.json" ""
		measure "$name" "$r" me "$base/api/v1/me/credits" "$m_tok"
		measure "$name" "$r" me_noexplain "$base/api/v1/me/credits?explain=0" "$m_tok"
		measure "$name" "$r" unit_section "$base/api/v1/units/$section/summary" "$r_tok"
		measure "$name" "$r" unit_root "$base/api/v1/units/$root/summary" "$a_tok"
		measure "$name" "$r" health "$base/api/v1/health" ""
		r=$((r + 1))
	done
	stop_server
	if grep -qi 'error\|错误\|失败' "$TMP/serve-$name.log"; then
		echo "run_api: the server logged errors ($name):" >&2
		cat "$TMP/serve-$name.log" >&2
		return 1
	fi
	if [ "$name" = SQLite ]; then
		wc -c <"$TMP/api.db" | awk '{ printf "%.0f\n", $1 / 1048576 }' >"$TMP/dbsize"
	fi
}

run_backend SQLite "$TMP/api.db"
if [ -n "$PG" ]; then
	PGOPTIONS='-c client_min_messages=warning' psql "$PG" -q -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
	run_backend PostgreSQL "$PG"
fi

# ---- the table: medians over the rounds; ratio to nginx round by round ----
table=$(awk -v rounds="$ROUNDS" '
	function median(arr, n,    i, j, t, a) {
		for (i = 1; i <= n; i++) a[i] = arr[i]
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	FILENAME ~ /sizes$/ { size[$1 " " $2] = $3; people[$1 " " $2] = $4; next }
	{ rps[$1 " " $3 " " $2] = $4; p50[$1 " " $3 " " $2] = $5; p99[$1 " " $3 " " $2] = $6
	  if (!(($1 " " $3) in seen)) { seen[$1 " " $3] = 1; order[++n] = $1 " " $3 } }
	END {
		label["nginx"] = "nginx, static file of the same size"
		label["me"] = "`GET /api/v1/me/credits` (member, with explanations)"
		label["me_noexplain"] = "`GET /api/v1/me/credits?explain=0`"
		label["unit_section"] = "`GET /api/v1/units/{id}/summary`, reviewer, own 科室"
		label["unit_root"] = "`GET /api/v1/units/{id}/summary`, admin, a root unit"
		label["health"] = "`GET /api/v1/health` (the server'"'"'s floor)"
		for (k = 1; k <= n; k++) {
			split(order[k], f, " "); b = f[1]; t = f[2]
			for (r = 1; r <= rounds; r++) {
				x[r] = rps[b " " t " " r]; y[r] = p50[b " " t " " r]; z[r] = p99[b " " t " " r]
				q[r] = x[r] / rps[b " nginx " r]
			}
			who = people[b " " t] != "-" ? sprintf(" (%d people)", people[b " " t]) : ""
			printf "| %s | %s%s | %d | %.0f | %.2f ms | %.2f ms | %.3g× |\n", b, label[t], who,
				size[b " " t], median(x, rounds), median(y, rounds), median(z, rounds), median(q, rounds)
		}
	}' "$TMP/sizes" "$TMP/results")

model=$(lscpu 2>/dev/null | awk -F: '/^Model name/ { sub(/^ +/, "", $2); print $2; exit }')
section_md="$TMP/section.md"
{
	echo "## HTTP API: \`xuefen serve\` against nginx"
	echo
	echo "Command: \`sh bench/run_api.sh $PEOPLE\`${PG:+ with \`XUEFEN_BENCH_PG=URL\` (a throw-away cluster from \`scripts/pgtest.sh\`)}"
	echo "(\`bench/bench_org.c\` fills the database; \`build/xuefen\` at -O2). Machine: $(nproc) cores, ${model:-unknown CPU},"
	echo "$(date -u +%Y-%m-%d). Each figure is the median of $ROUNDS rounds of \`$WRK URL\`,"
	echo "targets interleaved within a round; the ratio is to nginx in the same round (median of the rounds)."
	echo
	awk -v sz="$(cat "$TMP/dbsize" 2>/dev/null || echo '?')" '{
		printf "Database (%s): %d people in %d units (roots of 2,000 under bigdata-bureau, 科室 of 20–60), %d records and %d 学习强国 months",
			$1, $2, $3, $4, $5
		if ($1 == "SQLite") printf " (%s MB file)", sz
		printf "; generated in %.1f s.\n", $6 }' "$TMP/dbinfo"
	echo "Server: \`xuefen serve --threads 2\`; nginx 1.22: \`worker_processes 2\`, \`access_log off\`, \`keepalive_requests 1000000\`;"
	echo "wrk runs on the same 2 cores as the server. Sessions: a cookie from \`POST /api/v1/login\` per role."
	echo
	echo "| backend | request | answer bytes | req/s | p50 | p99 | ratio to nginx |"
	echo "|---|---|---|---|---|---|---|"
	echo "$table"
	if [ -f docs/benchmarks-api-notes.md ]; then
		echo
		cat docs/benchmarks-api-notes.md
	fi
} >"$section_md"

echo >&2
cat "$section_md"
if [ -n "${BENCH_NO_DOC:-}" ]; then
	exit 0
fi

# The section on its own (bench/run.sh puts it back when it rewrites
# docs/benchmarks.md), then into docs/benchmarks.md: replace the section
# if it is there, else put it
# before the storage section (bench/run_store.sh rewrites from that heading
# to the end), else at the end.
cp "$section_md" docs/benchmarks-api.md
doc=docs/benchmarks.md
[ -f "$doc" ] || echo "# Benchmarks" >"$doc"
awk -v sec="$section_md" '
	function emit(   line) { while ((getline line < sec) > 0) print line; close(sec); print ""; done = 1 }
	/^## HTTP API/ { skip = 1; if (!done) emit(); next }
	skip && /^## / { skip = 0 }
	skip { next }
	/^## Storage/ && !done { emit() }
	{ print }
	END { if (!done) { print ""; emit() } }' "$doc" >"$TMP/doc.md"
# No doubled blank lines where the section was cut out.
cat -s "$TMP/doc.md" >"$doc"
echo "wrote the HTTP API section of $doc" >&2
