#!/bin/sh
# Sets xuefen up on a Debian 12 machine and runs its main job:
#   installs the Debian packages it needs (when missing), builds build/xuefen,
#   and assesses a shipped example case, printing the result.
# Usage: sh scripts/setup.sh [--no-run]
set -eu
cd "$(dirname "$0")/.."

# Build and test dependencies, all from Debian's own archive.
PACKAGES="build-essential pkg-config clang libclang-rt-14-dev libfyaml-dev libcjson-dev libcmocka-dev libzip-dev libexpat1-dev libxlsxwriter-dev libsqlite3-dev libpq-dev libsodium-dev libmicrohttpd-dev libcurl4-openssl-dev postgresql"

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

if [ "${1:-}" != "--no-run" ]; then
	echo "== build/xuefen assess examples/bigdata-bureau.case.json" >&2
	build/xuefen assess examples/bigdata-bureau.case.json
fi
