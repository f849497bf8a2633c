/* Unit tests for src/api/config.c: the defaults, a full file, the shipped
 * example (every key at its default), and one located message per kind of
 * mistake, with the settings left as they were. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "api/config.h"

static char path[64];

/* Writes text to a fresh temporary file named in path. */
static void write_cfg(const char *text, size_t len)
{
	snprintf(path, sizeof(path), "/tmp/xf-config-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void assert_defaults(const xf_config *c)
{
	assert_string_equal(c->listen, "127.0.0.1:8080");
	assert_null(c->db);
	assert_int_equal(c->threads, 0);
	assert_null(c->web_root);
	assert_null(c->tls_cert);
	assert_null(c->tls_key);
	assert_false(c->secure_cookies);
	assert_int_equal(c->json_body_max, 1 << 20);
	assert_int_equal(c->upload_max, 20 << 20);
	assert_int_equal(c->import_max, 50 << 20);
	assert_int_equal(c->session_idle_s, 1800);
	assert_int_equal(c->session_absolute_s, 43200);
	assert_int_equal(c->login_max_failures, 5);
	assert_int_equal(c->login_lock_s, 900);
	assert_int_equal(c->password_min_length, 8);
	assert_int_equal(c->password_min_classes, 3);
}

static void test_defaults(void **state)
{
	(void)state;
	xf_config c;
	xf_config_defaults(&c);
	assert_defaults(&c);
	xf_config_cleanup(&c);
	assert_null(c.listen);
	xf_config_cleanup(&c); /* twice is harmless */
}

static int load_text(xf_config *c, const char *text, xf_errs *e)
{
	write_cfg(text, strlen(text));
	int rc = xf_config_load(c, path, e);
	unlink(path);
	return rc;
}

static void test_full_file(void **state)
{
	(void)state;
	static const char text[] =
		"# 学分 settings\n"
		"listen: 0.0.0.0:80\n"
		"db: \"postgresql://xuefen@db/xuefen\"\n"
		"threads: 4\n"
		"web_root: /srv/xuefen/web\n"
		"tls:\n"
		"  cert: /etc/xuefen/cert.pem\n"
		"  key: /etc/xuefen/key.pem\n"
		"secure_cookies: true\n"
		"limits: {json_body: 512KB, upload: 20MB, import: 1073741824}\n"
		"session:\n"
		"  idle_minutes: 20\n"
		"  absolute_hours: 8\n"
		"login: {max_failures: 10, lock_minutes: 30}\n"
		"password:\n"
		"  min_length: 12\n"
		"  min_classes: 4\n";
	xf_config c;
	xf_config_defaults(&c);
	xf_errs e;
	xf_errs_init(&e);
	int rc = load_text(&c, text, &e);
	xf_errs_print(&e, "unexpected: ", stderr);
	assert_int_equal(rc, 0);
	assert_int_equal(xf_errs_count(&e), 0);
	assert_string_equal(c.listen, "0.0.0.0:80");
	assert_string_equal(c.db, "postgresql://xuefen@db/xuefen");
	assert_int_equal(c.threads, 4);
	assert_string_equal(c.web_root, "/srv/xuefen/web");
	assert_string_equal(c.tls_cert, "/etc/xuefen/cert.pem");
	assert_string_equal(c.tls_key, "/etc/xuefen/key.pem");
	assert_true(c.secure_cookies);
	assert_int_equal(c.json_body_max, 512 * 1024);
	assert_int_equal(c.upload_max, 20 << 20);
	assert_int_equal(c.import_max, 1 << 30);
	assert_int_equal(c.session_idle_s, 20 * 60);
	assert_int_equal(c.session_absolute_s, 8 * 3600);
	assert_int_equal(c.login_max_failures, 10);
	assert_int_equal(c.login_lock_s, 30 * 60);
	assert_int_equal(c.password_min_length, 12);
	assert_int_equal(c.password_min_classes, 4);
	xf_errs_cleanup(&e);

	/* A second file changes only what it names. */
	xf_errs_init(&e);
	assert_int_equal(load_text(&c, "threads: 2\nlimits:\n  upload: 1GB\n", &e), 0);
	assert_int_equal(c.threads, 2);
	assert_int_equal(c.upload_max, 1 << 30);
	assert_string_equal(c.listen, "0.0.0.0:80");
	assert_int_equal(c.json_body_max, 512 * 1024);
	xf_errs_cleanup(&e);
	xf_config_cleanup(&c);
}

/* evidence.store: the database by default on PostgreSQL (several servers
 * share it), the folder on SQLite; a setting decides whatever the
 * database. */
static void test_evidence_store(void **state)
{
	(void)state;
	static const char *const pg = "postgresql://xuefen@db/xuefen", *const lite = "xuefen.db";
	xf_config c;
	xf_config_defaults(&c);
	assert_true(xf_config_evidence_in_db(&c, pg));
	assert_true(xf_config_evidence_in_db(&c, "postgres://db/x"));
	assert_false(xf_config_evidence_in_db(&c, lite));
	assert_false(xf_config_evidence_in_db(&c, "sqlite:data/x.db"));
	assert_false(xf_config_evidence_in_db(&c, NULL));
	xf_errs e;
	xf_errs_init(&e);
	assert_int_equal(load_text(&c, "evidence:\n  store: folder\n", &e), 0);
	assert_false(xf_config_evidence_in_db(&c, pg));
	assert_int_equal(load_text(&c, "evidence: {store: database, dir: /srv/files}\n", &e), 0);
	assert_true(xf_config_evidence_in_db(&c, lite));
	assert_string_equal(c.evidence_dir, "/srv/files");
	assert_int_equal(xf_errs_count(&e), 0);
	xf_errs_cleanup(&e);
	xf_config_cleanup(&c);
}

/* Files that say nothing leave the defaults. */
static void test_empty_files(void **state)
{
	(void)state;
	static const char *const rows[] = {
		"", "\n", "# only a comment\n", "---\n", "~\n", "null\n", "---\n...\n",
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_config c;
		xf_config_defaults(&c);
		xf_errs e;
		xf_errs_init(&e);
		int rc = load_text(&c, rows[i], &e);
		xf_errs_print(&e, "unexpected: ", stderr);
		assert_int_equal(rc, 0);
		assert_defaults(&c);
		xf_errs_cleanup(&e);
		xf_config_cleanup(&c);
	}
}

static void test_sizes(void **state)
{
	(void)state;
	static const struct {
		const char *value;
		size_t want; /* 0: refused */
	} rows[] = {
		{"1024", 1024},
		{"1KB", 1024},
		{"512KB", 512 * 1024},
		{"512 KB", 512 * 1024},
		{"20MB", 20 << 20},
		{"20mb", 20 << 20},
		{"20M", 20 << 20},
		{"20MiB", 20 << 20},
		{"1GB", 1 << 30},
		{"\"2MB\"", 2 << 20},
		{"1023", 0},
		{"0", 0},
		{"2GB", 0},
		{"1073741825", 0},
		{"99999999999999999999999999MB", 0},
		{"-1MB", 0},
		{"1.5MB", 0},
		{"MB", 0},
		{"20TB", 0},
		{"20 MB extra", 0},
		{"[1]", 0},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "limits:\n  json_body: %s\n", rows[i].value);
		xf_config c;
		xf_config_defaults(&c);
		xf_errs e;
		xf_errs_init(&e);
		int rc = load_text(&c, text, &e);
		if (rows[i].want) {
			if (rc != 0)
				xf_errs_print(&e, rows[i].value, stderr);
			assert_int_equal(rc, 0);
			assert_int_equal(c.json_body_max, rows[i].want);
		} else {
			assert_int_equal(rc, -1);
			assert_int_equal(xf_errs_count(&e), 1);
			if (strstr(e.msgs[0], ":2:14: limits.json_body: ") == NULL) {
				fprintf(stderr, "%s: %s\n", rows[i].value, e.msgs[0]);
				fail();
			}
			assert_int_equal(c.json_body_max, 1 << 20);
		}
		xf_errs_cleanup(&e);
		xf_config_cleanup(&c);
	}
}

/* Each kind of mistake: one message, at its line and column, naming the
 * key; the settings are left as they were. */
static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *want; /* after "PATH:" */
	} rows[] = {
		{"listen: 0.0.0.0:80\nlisen: 1\n", "2:1: lisen: 未知的设置项"},
		{"limits:\n  json: 1MB\n", "2:3: limits.json: 未知的设置项"},
		{"session: {idle_minute: 5}\n", "1:11: session.idle_minute: 未知的设置项"},
		{"threads: 2\nthreads: 3\n", "2:1: threads: 重复的设置项"},
		{"threads: two\n", "1:10: threads: 应为 0 到 256 之间的整数"},
		{"threads: 257\n", "1:10: threads: 应为 0 到 256 之间的整数"},
		{"threads: -1\n", "1:10: threads: 应为 0 到 256 之间的整数"},
		{"threads: 2.5\n", "1:10: threads: 应为 0 到 256 之间的整数"},
		{"threads: \"2\"\n", "1:10: threads: 应为 0 到 256 之间的整数"},
		{"threads: 99999999999999999999\n", "1:10: threads: 应为"},
		{"secure_cookies: yes\n", "1:17: secure_cookies: 应为 true 或 false"},
		{"secure_cookies: \"true\"\n", "1:17: secure_cookies: 应为 true 或 false"},
		{"listen: [a, b]\n", "1:9: listen: 应为非空字符串"},
		/* An empty value is pointed at by its key. */
		{"listen:\n", "1:1: listen: 应为非空字符串"},
		{"limits:\n  json_body:\n", "2:3: limits.json_body: 应为大小"},
		{"db: \"a\\tb\"\n", "1:5: db: 不能含有控制字符"},
		{"web_root: {a: 1}\n", "1:11: web_root: 应为非空字符串"},
		{"tls:\n  cert: c.pem\n", "2:3: tls: cert 和 key 必须同时设置"},
		{"tls: c.pem\n", "1:6: tls: 应为映射"},
		{"session: 30\n", "1:10: session: 应为映射"},
		{"session:\n  idle_minutes: 0\n", "2:17: session.idle_minutes: 应为 1 到 10080"},
		{"session:\n  absolute_hours: 721\n", "2:19: session.absolute_hours: 应为 1 到 720"},
		{"session: {idle_minutes: 600, absolute_hours: 2}\n",
		 "1:1: (root): session.idle_minutes 不能超过"},
		{"login: {max_failures: 0}\n", "1:23: login.max_failures: 应为 1 到 1000"},
		{"login: {lock_minutes: 100000}\n", "1:23: login.lock_minutes: 应为"},
		{"password:\n  min_length: 5\n", "2:15: password.min_length: 应为 6 到 128"},
		{"password:\n  min_classes: 5\n", "2:16: password.min_classes: 应为 1 到 4"},
		{"evidence:\n  store: disk\n", "2:10: evidence.store: 应为 database（存入数据库）或 folder"},
		{"evidence: {store: 1}\n", "1:19: evidence.store: 应为"},
		{"- listen\n", "1:1: (root): 应为映射"},
		{"just text\n", "1:1: (root): 应为映射"},
		{"listen: a\n\tthreads: 2\n", "2:1: (root): 不能使用制表符"},
		{"listen: \"unterminated\n", "1:10: (root): YAML 语法错误"},
		{"a: &x 1\nb: *x\n", "2:4: (root): 不支持 YAML 别名"},
		{"threads: !!int 2\n", "1:10: (root): 不支持 YAML 标签"},
		{"threads: 2\n---\nthreads: 3\n", "2:1: (root): 只能有一个 YAML 文档"},
		{"? [a]\n: 1\n", "1:3: (root): 键应为字符串"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xf_config c;
		xf_config_defaults(&c);
		char *old_listen = c.listen;
		xf_errs e;
		xf_errs_init(&e);
		write_cfg(rows[i].text, strlen(rows[i].text));
		int rc = xf_config_load(&c, path, &e);
		unlink(path);
		char want[256];
		snprintf(want, sizeof(want), "%s:%s", path, rows[i].want);
		bool ok = rc == -1 && xf_errs_count(&e) >= 1 &&
			  strncmp(e.msgs[0], want, strlen(want)) == 0;
		if (!ok) {
			fprintf(stderr, "row %zu: wanted %s\n", i, want);
			xf_errs_print(&e, "  got: ", stderr);
		}
		assert_true(ok);
		/* Unchanged on failure. */
		assert_ptr_equal(c.listen, old_listen);
		assert_defaults(&c);
		xf_errs_cleanup(&e);
		xf_config_cleanup(&c);
	}
}

/* Several problems: all reported, each once. */
static void test_many_errors(void **state)
{
	(void)state;
	xf_config c;
	xf_config_defaults(&c);
	xf_errs e;
	xf_errs_init(&e);
	assert_int_equal(load_text(&c, "threads: x\nbogus: 1\nlimits: {upload: 1TB}\n"
				       "password: {min_classes: 9}\n", &e), -1);
	assert_int_equal(xf_errs_count(&e), 4);
	xf_errs_cleanup(&e);
	xf_config_cleanup(&c);
}

static void test_bad_files(void **state)
{
	(void)state;
	xf_config c;
	xf_config_defaults(&c);
	xf_errs e;
	xf_errs_init(&e);
	assert_int_equal(xf_config_load(&c, "/nonexistent/xuefen.yaml", &e), -1);
	assert_int_equal(xf_errs_count(&e), 1);
	assert_non_null(strstr(e.msgs[0], "/nonexistent/xuefen.yaml"));
	xf_errs_cleanup(&e);

	static const char bad_utf8[] = "listen: \"\xff\xfe\"\n";
	write_cfg(bad_utf8, sizeof(bad_utf8) - 1);
	xf_errs_init(&e);
	assert_int_equal(xf_config_load(&c, path, &e), -1);
	unlink(path);
	char want[128];
	snprintf(want, sizeof(want), "%s:1:10: (root): 不是有效的 UTF-8", path);
	assert_int_equal(strncmp(e.msgs[0], want, strlen(want)), 0);
	xf_errs_cleanup(&e);

	static const char nul[] = "listen: a\0b\n";
	write_cfg(nul, sizeof(nul) - 1);
	xf_errs_init(&e);
	assert_int_equal(xf_config_load(&c, path, &e), -1);
	unlink(path);
	snprintf(want, sizeof(want), "%s:1:10: (root): 含有 NUL", path);
	assert_int_equal(strncmp(e.msgs[0], want, strlen(want)), 0);
	xf_errs_cleanup(&e);
	assert_defaults(&c);
	xf_config_cleanup(&c);
}

/* The shipped example sets every key to its default. */
static void test_example(void **state)
{
	(void)state;
	xf_config c;
	xf_config_defaults(&c);
	xf_errs e;
	xf_errs_init(&e);
	int rc = xf_config_load(&c, "xuefen.example.yaml", &e);
	xf_errs_print(&e, "example: ", stderr);
	assert_int_equal(rc, 0);
	assert_defaults(&c);
	xf_errs_cleanup(&e);
	xf_config_cleanup(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_evidence_store),
		cmocka_unit_test(test_empty_files),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_many_errors),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_example),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
