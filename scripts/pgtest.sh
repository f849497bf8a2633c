#!/bin/sh
# A throw-away PostgreSQL cluster for the tests, entirely inside DIR:
#   sh scripts/pgtest.sh start DIR PORT   prints the connection URL on stdout
#   sh scripts/pgtest.sh stop DIR
# The server listens on 127.0.0.1:PORT and a unix socket in DIR only, trusts
# every local connection (it holds nothing) and runs with fsync=off. It never
# touches a system-wide cluster. Run as root (as CI does), the server runs as
# the unprivileged `postgres` user, since initdb refuses root; DIR's parent
# must then be searchable by that user.
# Exit status: 0 ok, 1 failure, 2 usage, 3 PostgreSQL binaries not installed.
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DB=xuefen_test
ROLE=xuefen

usage() {
	echo "usage: sh scripts/pgtest.sh start DIR PORT | stop DIR" >&2
	exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
case $2 in
/*) dir=$2 ;;
*) dir=$(pwd)/$2 ;;
esac

for b in initdb pg_ctl psql; do
	if [ ! -x "$PGBIN/$b" ]; then
		echo "pgtest: $PGBIN/$b 不存在：请安装 PostgreSQL 15 (apt-get install postgresql) (PostgreSQL binaries missing)" >&2
		exit 3
	fi
done

# as_owner CMD...: runs CMD as the server's owner (postgres when we are root).
if [ "$(id -u)" -eq 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		echo "pgtest: 以 root 运行需要系统用户 postgres (running as root needs the postgres user)" >&2
		exit 3
	fi
	as_owner() { (cd / && runuser -u postgres -- "$@"); }
else
	as_owner() { "$@"; }
fi

data=$dir/data
log=$dir/server.log

case $cmd in
start)
	[ $# -eq 3 ] || usage
	port=$3
	case $port in
	'' | *[!0-9]*) echo "pgtest: 端口应为数字 (PORT must be a number): $port" >&2; exit 2 ;;
	esac
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres "$dir"
		chmod 700 "$dir"
		if ! as_owner test -w "$dir"; then
			echo "pgtest: 用户 postgres 无法进入 $dir（检查上级目录权限）(postgres cannot reach DIR)" >&2
			exit 1
		fi
	fi
	if [ ! -f "$data/PG_VERSION" ]; then
		as_owner "$PGBIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C \
			>"$dir/initdb.log" 2>&1 || {
			echo "pgtest: initdb 失败 (initdb failed):" >&2
			tail -20 "$dir/initdb.log" >&2
			exit 1
		}
		# Throw-away settings: speed over durability, reachable only here.
		as_owner sh -c 'cat >>"$1"' sh "$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 30
shared_buffers = 32MB
EOF
	fi
	# The port is given at each start, so a retry on another port reuses
	# the cluster. pg_ctl -w waits (at most 60 s) until it accepts
	# connections, and fails if the server could not start (port in use).
	if ! as_owner "$PGBIN/pg_ctl" -D "$data" -l "$log" -o "-p $port" -w -t 60 start >/dev/null 2>&1; then
		echo "pgtest: 服务器未能在端口 $port 启动 (server did not start):" >&2
		tail -5 "$log" >&2 2>/dev/null || true
		exit 1
	fi
	psql() { as_owner "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"; }
	if [ -z "$(psql -d postgres -Atc "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" ]; then
		psql -d postgres -c "CREATE ROLE $ROLE LOGIN" >/dev/null
	fi
	if [ -z "$(psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
		psql -d postgres -c "CREATE DATABASE $DB OWNER $ROLE ENCODING 'UTF8' TEMPLATE template0" >/dev/null
	fi
	echo "postgresql://$ROLE@127.0.0.1:$port/$DB"
	;;
stop)
	[ $# -eq 2 ] || usage
	if [ -f "$data/postmaster.pid" ]; then
		as_owner "$PGBIN/pg_ctl" -D "$data" -m immediate -w -t 60 stop >/dev/null 2>&1 || {
			echo "pgtest: 无法停止 $data 的服务器 (cannot stop the server)" >&2
			exit 1
		}
	fi
	;;
*)
	usage
	;;
esac
