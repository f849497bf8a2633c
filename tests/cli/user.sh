#!/bin/sh
# `xuefen user` from the command line, on a fresh SQLite database in a
# temporary folder: add (password from standard input), list, passwd,
# roles, disable/enable, and the refusals (a weak password, an unknown
# role, a missing person or unit, a taken name, no terminal for the
# prompt). Also: no password reaches the database files.
#   sh tests/cli/user.sh PATH/TO/xuefen
# Prints each failure; ends with "N passed, M failed"; exit status 1 when
# anything failed, 2 on bad usage.
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: sh tests/cli/user.sh PATH/TO/xuefen" >&2
	exit 2
fi
case $1 in
/*) X=$1 ;;
*) X=$(pwd)/$1 ;;
esac
D=$(mktemp -d "${TMPDIR:-/tmp}/xuefen-user-XXXXXX") || exit 2
trap 'rm -rf "$D"' EXIT
DB="$D/t.db"
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
	echo "  exit status $st; stdout:"; sed 's/^/    /' "$D/out"
	echo "  stderr:"; sed 's/^/    /' "$D/err"
}

# run [STDIN_TEXT] -- ARGS...: runs xuefen with ARGS (and --db), STDIN_TEXT
# on standard input (none: /dev/null); sets st, out and err.
run() {
	input=$1
	shift 2
	if [ -n "$input" ]; then
		printf '%s\n' "$input" | "$X" "$@" --db "$DB" >"$D/out" 2>"$D/err"
	else
		"$X" "$@" --db "$DB" </dev/null >"$D/out" 2>"$D/err"
	fi
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

# listed NAME TEXT: `user list` shows TEXT (on one line, grep -E).
listed() {
	"$X" user list --db "$DB" >"$D/out" 2>"$D/err"
	st=$?
	if [ "$st" -ne 0 ] || ! grep -qE -- "$2" "$D/out"; then
		fail "$1: \`user list\` has no line matching \"$2\""
	else
		ok
	fi
}

not_listed() {
	"$X" user list --db "$DB" >"$D/out" 2>"$D/err"
	st=$?
	if [ "$st" -ne 0 ] || grep -qE -- "$2" "$D/out"; then
		fail "$1: \`user list\` should not match \"$2\""
	else
		ok
	fi
}

# A database with two units and two people.
"$X" init --db "$DB" >"$D/out" 2>"$D/err" || { st=$?; fail "init"; exit 1; }
printf '姓名,工号,单位,单位编码\n张三,A001,综合科,general\n李四,A002,区局,bureau\n' >"$D/roster.csv"
"$X" import roster "$D/roster.csv" --db "$DB" >"$D/out" 2>"$D/err" || { st=$?; fail "import"; exit 1; }

# Usage.
"$X" user >"$D/out" 2>"$D/err"; st=$?; expect "no subcommand" 2 "缺少子命令"
run "" -- user; expect "options but no subcommand" 2 "缺少子命令"
run "" -- user frob; expect "unknown subcommand" 2 "未知子命令"
"$X" user --help >"$D/out" 2>"$D/err"; st=$?; expect "help" 0 "xuefen user add USERNAME"
run "" -- user add; expect "add without a name" 2 "缺少用户名"
run "" -- user add a b; expect "add with two names" 2 "无法识别的参数"

# Adding.
run "Admin-Pass1" -- user add admin --admin --password-stdin
expect "add admin" 0 "已创建账号"
run "Zhang-Pass1" -- user add zhangsan --person A001 --role member --role reviewer:general --password-stdin
expect "add member and reviewer" 0 "已创建账号"
listed "list admin" "^ *[0-9]+ +admin +admin .*启用.* admin$"
listed "list zhangsan" "zhangsan +张三 +人员 A001 .*启用.* member, reviewer:general$"
"$X" user list --json --db "$DB" >"$D/out" 2>"$D/err"; st=$?
expect "list --json" 0 '"username": "zhangsan"'

# Refusals: nothing is added.
run "weak" -- user add weakling --admin --password-stdin
expect "weak password" 1 "密码至少 8 位，且包含大写字母、小写字母、数字、符号中的至少 3 类"
run "Good-Pass1" -- user add x1 --role boss --password-stdin
expect "unknown role" 2 "未知的角色 \"boss\""
run "Good-Pass1" -- user add x2 --role member --person NOPE --password-stdin
expect "missing person" 1 "找不到编码为 \"NOPE\" 的人员"
run "Good-Pass1" -- user add x3 --role member --password-stdin
expect "member without a person" 1 "关联人员"
run "Good-Pass1" -- user add x4 --role reviewer:nowhere --password-stdin
expect "unknown unit" 1 "找不到编码为 \"nowhere\" 的单位"
run "Good-Pass1" -- user add x5 --role reviewer --password-stdin
expect "reviewer without a unit" 2 "reviewer:单位编码"
run "Good-Pass1" -- user add x6 --role admin:general --password-stdin
expect "admin with a unit" 2 "不带单位"
run "Good-Pass1" -- user add zhangsan --admin --password-stdin
expect "taken name" 1 "已被使用"
run "Good-Pass1" -- user add "bad name" --admin --password-stdin
expect "bad user name" 1 "用户名"
run "" -- user add x7 --admin
expect "no terminal for the prompt" 2 "--password-stdin"
run "" -- user add x8 --admin --password-stdin
expect "empty standard input" 1 "没有密码"
not_listed "refused users are not added" "weakling|x[0-9]|bad name"

# Passwords.
run "Zhang-Pass2" -- user passwd zhangsan --password-stdin
expect "passwd" 0 "已修改 zhangsan 的密码"
run "short" -- user passwd zhangsan --password-stdin
expect "passwd weak" 1 "密码至少 8 位"
run "Good-Pass1" -- user passwd nobody --password-stdin
expect "passwd unknown user" 1 "找不到用户 \"nobody\""
run "" -- user passwd zhangsan
expect "passwd without a terminal" 2 "--password-stdin"

# Roles.
run "" -- user roles zhangsan member approver:bureau
expect "roles" 0 "已设置 zhangsan 的角色"
listed "roles listed" "zhangsan .* member, approver:bureau$"
run "" -- user roles zhangsan boss
expect "roles unknown role" 2 "未知的角色"
run "" -- user roles zhangsan approver:nowhere
expect "roles unknown unit" 1 "nowhere"
run "" -- user roles admin member
expect "roles member without person" 1 "关联人员"
run "" -- user roles nobody admin
expect "roles unknown user" 1 "找不到用户"
run "" -- user roles zhangsan
expect "roles without a role" 2 "缺少角色"
listed "refused roles change nothing" "zhangsan .* member, approver:bureau$"

# Disable and enable.
run "" -- user disable zhangsan; expect "disable" 0 "已停用账号 zhangsan"
listed "disabled listed" "zhangsan .*停用"
run "" -- user enable zhangsan; expect "enable" 0 "已启用账号 zhangsan"
listed "enabled listed" "zhangsan .*启用"
run "" -- user disable nobody; expect "disable unknown user" 1 "找不到用户"

# No password in the database files, in any form but the argon2id hash.
for pw in Admin-Pass1 Zhang-Pass1 Zhang-Pass2 Good-Pass1; do
	if grep -qaF "$pw" "$DB" "$DB-wal" 2>/dev/null; then
		st=0; : >"$D/out"; : >"$D/err"
		fail "the password $pw is in the database files"
	else
		ok
	fi
done

# The audit log, when the sqlite3 shell is there to read it.
if command -v sqlite3 >/dev/null 2>&1; then
	got=$(sqlite3 "$DB" "SELECT action || ':' || count(*) FROM audit_log WHERE actor = 'cli'
		AND action LIKE 'user.%' GROUP BY action ORDER BY action" | tr '\n' ' ')
	want="user.add:2 user.disable:1 user.enable:1 user.password:1 user.roles:1 "
	if [ "$got" = "$want" ]; then
		ok
	else
		st=0; : >"$D/out"; : >"$D/err"
		fail "audit rows: \"$got\", want \"$want\""
	fi
fi

echo "user.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
