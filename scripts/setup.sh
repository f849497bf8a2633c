#!/bin/sh
# Sets xuefen up on a Debian 12 machine and runs its main job:
#   installs the Debian packages it needs (when missing; nodejs and npm only
#   when no node is installed), builds build/xuefen and the web UI (web/dist:
#   npm ci && npm run build, when it is missing or older than its sources),
#   and starts the web application (xuefen serve --demo) on a fresh demo
#   database, printing its address and a login for each role.
# Usage: sh scripts/setup.sh [--no-run]
set -eu
cd "$(dirname "$0")/.."

# Build and test dependencies, all from Debian's own archive.
PACKAGES="build-essential pkg-config clang libclang-rt-14-dev libfyaml-dev libcjson-dev libcmocka-dev libzip-dev libexpat1-dev libxlsxwriter-dev libsqlite3-dev libpq-dev libsodium-dev libmicrohttpd-dev libcurl4-openssl-dev curl postgresql"
# The web UI is built with Node.js (Debian 12: node 18, npm 9). A node
# installed otherwise (e.g. a newer one) is used as it is.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	PACKAGES="$PACKAGES nodejs npm"
fi

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

# The web UI: dependencies from web/package-lock.json (npm ci), then the
# Vite build into web/dist, which `xuefen serve` finds beside the binary.
if [ ! -x web/node_modules/.bin/vite ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
	echo "== 网页界面依赖 (npm ci)" >&2
	(cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -f web/dist/index.html ] ||
	[ -n "$(find web/src web/index.html web/vite.config.js web/build web/public web/package-lock.json -newer web/dist/index.html 2>/dev/null | head -1)" ]; then
	echo "== 构建网页界面 (npm run build)" >&2
	(cd web && npm run build --silent)
fi

# The main job: the web application on a fresh demo database, until Ctrl-C.
# XUEFEN_LISTEN changes the address (default 127.0.0.1:8080).
if [ "${1:-}" != "--no-run" ]; then
	echo "== build/xuefen serve --demo" >&2
	exec build/xuefen serve --demo --listen "${XUEFEN_LISTEN:-127.0.0.1:8080}"
fi
