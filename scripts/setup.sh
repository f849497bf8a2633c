#!/bin/sh
# Sets xuefen up on a Debian 12 machine and runs its main job:
#   installs the Debian packages it needs (when missing), builds build/xuefen,
#   and starts the web application (xuefen serve --demo) on a fresh demo
#   database, printing its address and a login for each role.
# Usage: sh scripts/setup.sh [--no-run]
set -eu
cd "$(dirname "$0")/.."

# Build and test dependencies, all from Debian's own archive.
PACKAGES="build-essential pkg-config clang libclang-rt-14-dev libfyaml-dev libcjson-dev libcmocka-dev libzip-dev libexpat1-dev libxlsxwriter-dev libsqlite3-dev libpq-dev libsodium-dev libmicrohttpd-dev libcurl4-openssl-dev curl postgresql"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "安装依赖 (installing):$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

make -j"$(nproc)" all

# The main job: the web application on a fresh demo database, until Ctrl-C.
# XUEFEN_LISTEN changes the address (default 127.0.0.1:8080).
if [ "${1:-}" != "--no-run" ]; then
	echo "== build/xuefen serve --demo" >&2
	exec build/xuefen serve --demo --listen "${XUEFEN_LISTEN:-127.0.0.1:8080}"
fi
