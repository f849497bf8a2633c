/* config: reads the YAML settings file of `xuefen serve` (config.h,
 * docs/configuration.md).
 *
 * The shared YAML reader (io/yaml.h) builds a tree that keeps each node's
 * line and column; the tree is then checked key by key. Every problem is
 * reported as PATH:LINE:COL: KEY: 中文 (English), and the walk goes on so
 * that one run lists everything wrong. Unknown keys are errors: a misspelt
 * setting must not pass silently. The values are read into a copy, so the
 * caller's settings are unchanged on failure. */
#include "api/config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/file.h"
#include "io/yaml.h"
#include "store/store.h"

#define CFG_FILE_MAX ((size_t)1 << 20) /* a settings file is small */
#define STR_MAX 4096                  /* longest string value */
#define KIB ((uint64_t)1024)
#define SIZE_MIN_BYTES KIB            /* every size limit: 1 KB ... */
#define SIZE_MAX_BYTES (KIB * KIB * KIB) /* ... to 1 GB (bodies are held in memory) */

/* A settings file is small and flat: tighter limits than a policy's, and
 * the wording this loader has always used. */
static const xf_yaml_opts cfg_yaml = {
	.max_depth = 16,
	.max_entries = 4096,
	.too_deep = "嵌套过深 (nested too deeply)",
	.too_many = "条目过多 (too many entries)",
	.refuse_nul = true,
	.key_word = "设置项",
};

/* ---- Reading values ----------------------------------------------------- */

/* The getters read m[key] into *out: 1 when read, 0 when absent (*out
 * untouched), -1 when wrong (reported). */

static int get_str(xf_yaml_ctx *y, const xf_yaml_node *m, const char *key,
		   char **out)
{
	const xf_yaml_node *v = xf_yaml_get(m, key);
	if (v == NULL)
		return 0;
	size_t mark = xf_yaml_key(y, key);
	int rc = -1;
	if (v->type != XF_YAML_SCALAR || xf_yaml_is_null(v)) {
		xf_yaml_err(y, v, "应为非空字符串 (expected a non-empty string)");
		goto out;
	}
	if (v->len > STR_MAX) {
		xf_yaml_err(y, v, "过长，最多 %d 字节 (too long, at most %d bytes)",
			    STR_MAX, STR_MAX);
		goto out;
	}
	for (size_t i = 0; i < v->len; i++) {
		unsigned char c = (unsigned char)v->str[i];
		if (c < 0x20 || c == 0x7f) {
			xf_yaml_err(y, v, "不能含有控制字符 (must not contain "
				    "control characters)");
			goto out;
		}
	}
	char *s = strdup(v->str);
	if (s == NULL) {
		xf_yaml_oom(y, v);
		goto out;
	}
	free(*out);
	*out = s;
	rc = 1;
out:
	xf_yaml_pop(y, mark);
	return rc;
}

/* Reads the leading digits of s as a number no larger than max: the end
 * of the digits, or NULL when there are none or the value is larger. */
static const char *digits(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');
		if (d > max || v > (max - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	if (p == s)
		return NULL;
	*out = v;
	return p;
}

static int get_int(xf_yaml_ctx *y, const xf_yaml_node *m, const char *key,
		   int lo, int hi, int *out)
{
	const xf_yaml_node *v = xf_yaml_get(m, key);
	if (v == NULL)
		return 0;
	size_t mark = xf_yaml_key(y, key);
	uint64_t n = 0;
	const char *end = v->type == XF_YAML_SCALAR && v->plain
				  ? digits(v->str, (uint64_t)hi, &n) : NULL;
	int rc = 1;
	if (end == NULL || *end != '\0' || n < (uint64_t)lo || n > (uint64_t)hi) {
		xf_yaml_err(y, v, "应为 %d 到 %d 之间的整数 (expected a whole "
			    "number from %d to %d)", lo, hi, lo, hi);
		rc = -1;
	} else {
		*out = (int)n;
	}
	xf_yaml_pop(y, mark);
	return rc;
}

/* A size: a number of bytes, or a number followed by KB, MB or GB
 * (1024-based; "K"/"M"/"G", "KiB"... and lower case accepted), from 1 KB
 * to 1 GB. */
static int get_size(xf_yaml_ctx *y, const xf_yaml_node *m, const char *key,
		    size_t *out)
{
	static const struct {
		const char *unit;
		uint64_t mul;
	} units[] = {
		{"", 1},
		{"b", 1},
		{"k", KIB}, {"kb", KIB}, {"kib", KIB},
		{"m", KIB * KIB}, {"mb", KIB * KIB}, {"mib", KIB * KIB},
		{"g", KIB * KIB * KIB}, {"gb", KIB * KIB * KIB}, {"gib", KIB * KIB * KIB},
	};
	const xf_yaml_node *v = xf_yaml_get(m, key);
	if (v == NULL)
		return 0;
	size_t mark = xf_yaml_key(y, key);
	int rc = -1;
	uint64_t n = 0;
	const char *end = v->type == XF_YAML_SCALAR ? digits(v->str, (uint64_t)1 << 50, &n) : NULL;
	if (end != NULL && *end == ' ')
		end++;
	uint64_t mul = 0;
	for (size_t i = 0; end != NULL && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(end, units[i].unit) == 0)
			mul = units[i].mul;
	if (end == NULL || mul == 0) {
		xf_yaml_err(y, v, "应为大小，如 1048576、512KB、20MB 或 1GB "
			    "(expected a size such as 1048576, 512KB, 20MB or 1GB)");
		goto out;
	}
	if (n > SIZE_MAX_BYTES / mul || n * mul < SIZE_MIN_BYTES ||
	    n * mul > SIZE_MAX_BYTES) {
		xf_yaml_err(y, v, "应在 1KB 到 1GB 之间 (expected a size from "
			    "1KB to 1GB)");
		goto out;
	}
	*out = (size_t)(n * mul);
	rc = 1;
out:
	xf_yaml_pop(y, mark);
	return rc;
}

/* The mapping under key, checked against keys; NULL when absent or wrong. */
static const xf_yaml_node *get_section(xf_yaml_ctx *y, const xf_yaml_node *m,
				       const char *key, const char *const *keys)
{
	const xf_yaml_node *v = xf_yaml_get(m, key);
	if (v == NULL)
		return NULL;
	size_t mark = xf_yaml_key(y, key);
	bool ok = xf_yaml_map(y, v, keys);
	xf_yaml_pop(y, mark);
	return ok ? v : NULL;
}

/* ---- Paths ------------------------------------------------------------- */

/* path made absolute (against the working directory) and folded
 * lexically ("." and ".." components, repeated slashes) into out. False
 * when it does not fit. */
static bool path_norm(const char *path, char *out, size_t size)
{
	char joined[2 * XF_CONFIG_PATH_MAX + 8];
	size_t pl = strlen(path), cl = 0;
	if (path[0] != '/') {
		if (getcwd(joined, XF_CONFIG_PATH_MAX) == NULL)
			return false;
		cl = strlen(joined);
		joined[cl++] = '/';
	}
	if (cl + pl + 1 > sizeof(joined))
		return false;
	memcpy(joined + cl, path, pl + 1);
	size_t n = 0;
	const char *p = joined;
	while (*p) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len == 1 && p[0] == '.') {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else {
			if (n + 1 + len + 1 > size)
				return false;
			out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	if (n == 0) {
		if (size < 2)
			return false;
		out[n++] = '/';
	}
	out[n] = '\0';
	return true;
}

/* Whether path is root or lies under it (lexically, both made absolute). */
static bool path_inside(const char *path, const char *root)
{
	char a[XF_CONFIG_PATH_MAX * 2], b[XF_CONFIG_PATH_MAX * 2];
	if (!path_norm(path, a, sizeof(a)) || !path_norm(root, b, sizeof(b)))
		return false;
	size_t bl = strlen(b);
	if (strcmp(b, "/") == 0)
		return true;
	return strncmp(a, b, bl) == 0 && (a[bl] == '\0' || a[bl] == '/');
}

/* ---- The settings ------------------------------------------------------ */

static void load_root(xf_yaml_ctx *y, const xf_yaml_node *root, xf_config *c)
{
	static const char *const top[] = {
		"listen", "db", "threads", "web_root", "tls", "secure_cookies", "limits",
		"session", "login", "password", "evidence", NULL,
	};
	static const char *const evidence[] = {"store", "dir", NULL};
	static const char *const tls[] = {"cert", "key", NULL};
	static const char *const limits[] = {"json_body", "upload", "import", NULL};
	static const char *const session[] = {"idle_minutes", "absolute_hours", NULL};
	static const char *const login[] = {"max_failures", "lock_minutes", NULL};
	static const char *const password[] = {"min_length", "min_classes", NULL};

	if (!xf_yaml_map(y, root, top))
		return;
	get_str(y, root, "listen", &c->listen);
	get_str(y, root, "db", &c->db);
	get_int(y, root, "threads", 0, 256, &c->threads);
	get_str(y, root, "web_root", &c->web_root);
	xf_yaml_get_bool(y, root, "secure_cookies", &c->secure_cookies);

	const xf_yaml_node *s = get_section(y, root, "tls", tls);
	if (s != NULL) {
		size_t mark = xf_yaml_key(y, "tls");
		int rc1 = get_str(y, s, "cert", &c->tls_cert);
		int rc2 = get_str(y, s, "key", &c->tls_key);
		if ((rc1 == 0) != (rc2 == 0) && rc1 >= 0 && rc2 >= 0)
			xf_yaml_err(y, s, "cert 和 key 必须同时设置 (cert and key "
				    "must both be set)");
		xf_yaml_pop(y, mark);
	}

	s = get_section(y, root, "limits", limits);
	if (s != NULL) {
		size_t mark = xf_yaml_key(y, "limits");
		get_size(y, s, "json_body", &c->json_body_max);
		get_size(y, s, "upload", &c->upload_max);
		get_size(y, s, "import", &c->import_max);
		xf_yaml_pop(y, mark);
	}

	int minutes, hours;
	s = get_section(y, root, "session", session);
	if (s != NULL) {
		size_t mark = xf_yaml_key(y, "session");
		if (get_int(y, s, "idle_minutes", 1, 7 * 24 * 60, &minutes) == 1)
			c->session_idle_s = minutes * 60;
		if (get_int(y, s, "absolute_hours", 1, 30 * 24, &hours) == 1)
			c->session_absolute_s = hours * 3600;
		xf_yaml_pop(y, mark);
	}

	s = get_section(y, root, "login", login);
	if (s != NULL) {
		size_t mark = xf_yaml_key(y, "login");
		get_int(y, s, "max_failures", 1, 1000, &c->login_max_failures);
		if (get_int(y, s, "lock_minutes", 1, 7 * 24 * 60, &minutes) == 1)
			c->login_lock_s = minutes * 60;
		xf_yaml_pop(y, mark);
	}

	s = get_section(y, root, "password", password);
	if (s != NULL) {
		size_t mark = xf_yaml_key(y, "password");
		get_int(y, s, "min_length", 6, 128, &c->password_min_length);
		get_int(y, s, "min_classes", 1, 4, &c->password_min_classes);
		xf_yaml_pop(y, mark);
	}
	s = get_section(y, root, "evidence", evidence);
	if (s != NULL) {
		size_t mark = xf_yaml_key(y, "evidence");
		char *store = NULL;
		if (get_str(y, s, "store", &store) == 1) {
			size_t smark = xf_yaml_key(y, "store");
			if (strcmp(store, "database") == 0)
				c->evidence_store = XF_EVIDENCE_STORE_DATABASE;
			else if (strcmp(store, "folder") == 0)
				c->evidence_store = XF_EVIDENCE_STORE_FOLDER;
			else
				xf_yaml_err(y, xf_yaml_get(s, "store"),
					    "应为 database（存入数据库）或 folder（存入 evidence.dir 目录） "
					    "(expected database or folder)");
			xf_yaml_pop(y, smark);
		}
		free(store);
		char *dir = NULL;
		if (get_str(y, s, "dir", &dir) == 1) {
			const xf_yaml_node *v = xf_yaml_get(s, "dir");
			size_t dmark = xf_yaml_key(y, "dir");
			if (dir[0] == '\0')
				xf_yaml_err(y, v, "应为非空字符串 (expected a non-empty string)");
			else if (strlen(dir) >= sizeof(c->evidence_dir))
				xf_yaml_err(y, v, "过长，最多 %d 字节 (too long, at most %d bytes)",
					    XF_CONFIG_PATH_MAX - 1, XF_CONFIG_PATH_MAX - 1);
			else
				snprintf(c->evidence_dir, sizeof(c->evidence_dir), "%s", dir);
			xf_yaml_pop(y, dmark);
		}
		free(dir);
		xf_yaml_pop(y, mark);
	}
	if (c->evidence_dir[0] && c->web_root && path_inside(c->evidence_dir, c->web_root))
		xf_yaml_err(y, root, "evidence.dir 不能位于 web_root 之内，否则证明材料会被当作网页文件公开 "
			    "(evidence.dir must not lie inside web_root)");
	if (c->session_idle_s > c->session_absolute_s)
		xf_yaml_err(y, root, "session.idle_minutes 不能超过 "
			    "session.absolute_hours (the idle timeout must not "
			    "exceed the absolute one)");
}

/* ---- Public functions -------------------------------------------------- */

void xf_config_defaults(xf_config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen = strdup("127.0.0.1:8080");
	c->threads = 0;
	c->json_body_max = (size_t)1 << 20;
	c->upload_max = (size_t)20 << 20;
	c->import_max = (size_t)50 << 20;
	c->session_idle_s = 30 * 60;
	c->session_absolute_s = 12 * 3600;
	c->login_max_failures = 5;
	c->login_lock_s = 15 * 60;
	c->password_min_length = 8;
	c->password_min_classes = 3;
}

static char *dup_or_null(const char *s, bool *oom)
{
	if (s == NULL)
		return NULL;
	char *d = strdup(s);
	if (d == NULL)
		*oom = true;
	return d;
}

int xf_config_load(xf_config *c, const char *path, xf_errs *errs)
{
	xf_yaml_ctx y;
	xf_yaml_init(&y, path, errs, &cfg_yaml);
	char *text = NULL;
	size_t len = 0;
	xf_yaml_node *root = NULL;
	bool oom = false;

	/* Read into a copy: c stays as it was on failure. */
	xf_config n = *c;
	n.listen = dup_or_null(c->listen, &oom);
	n.db = dup_or_null(c->db, &oom);
	n.web_root = dup_or_null(c->web_root, &oom);
	n.tls_cert = dup_or_null(c->tls_cert, &oom);
	n.tls_key = dup_or_null(c->tls_key, &oom);
	if (oom) {
		xf_errs_add(errs, "%s: 内存不足 (out of memory)", path);
		goto fail;
	}
	if (xf_file_read(path, CFG_FILE_MAX, &text, &len, errs) != 0)
		goto fail;
	if (xf_yaml_parse(&y, text, len, &root) != 0)
		goto fail;
	if (root != NULL)
		load_root(&y, root, &n);
	if (y.nerr > 0)
		goto fail;
	/* The settings file's folder, for defaults that sit beside it. */
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(n.config_dir, sizeof(n.config_dir), ".");
	else if (slash == path)
		snprintf(n.config_dir, sizeof(n.config_dir), "/");
	else if ((size_t)(slash - path) < sizeof(n.config_dir))
		snprintf(n.config_dir, sizeof(n.config_dir), "%.*s", (int)(slash - path), path);
	else
		n.config_dir[0] = '\0';
	xf_yaml_free(root);
	free(text);
	xf_config_cleanup(c);
	*c = n;
	return 0;

fail:
	xf_yaml_free(root);
	free(text);
	xf_config_cleanup(&n);
	return -1;
}

int xf_config_evidence_dir(const xf_config *c, const char *db_url, char *out, size_t size,
			   xf_errs *errs)
{
	int w = -1;
	if (c->evidence_dir[0]) {
		w = snprintf(out, size, "%s", c->evidence_dir);
	} else {
		xf_store_url u;
		if (db_url == NULL || xf_store_url_parse(db_url, &u, errs) != 0) {
			if (db_url == NULL)
				xf_errs_add(errs, "未指定数据库，无法确定证明材料目录 (no database)");
			return -1;
		}
		if (u.kind == XF_STORE_SQLITE)
			w = snprintf(out, size, "%s.files", u.target);
		else if (c->config_dir[0])
			w = snprintf(out, size, "%s/xuefen-files", c->config_dir);
		else
			w = snprintf(out, size, "xuefen-files");
		xf_store_url_cleanup(&u);
	}
	if (w < 0 || (size_t)w >= size) {
		xf_errs_add(errs, "证明材料目录的路径过长 (the evidence folder's path is too long)");
		return -1;
	}
	if (c->web_root && path_inside(out, c->web_root)) {
		xf_errs_add(errs, "证明材料目录 %s 位于 web_root 之内，拒绝存放 (evidence.dir must not lie "
			    "inside web_root)", out);
		return -1;
	}
	return 0;
}

bool xf_config_evidence_in_db(const xf_config *c, const char *db_url)
{
	if (c->evidence_store != XF_EVIDENCE_STORE_DEFAULT)
		return c->evidence_store == XF_EVIDENCE_STORE_DATABASE;
	xf_store_url u;
	xf_errs errs;
	xf_errs_init(&errs);
	bool pg = false;
	if (db_url && xf_store_url_parse(db_url, &u, &errs) == 0) {
		pg = u.kind == XF_STORE_POSTGRES;
		xf_store_url_cleanup(&u);
	}
	xf_errs_cleanup(&errs);
	return pg;
}

void xf_config_cleanup(xf_config *c)
{
	free(c->listen);
	free(c->db);
	free(c->web_root);
	free(c->tls_cert);
	free(c->tls_key);
	c->listen = c->db = c->web_root = c->tls_cert = c->tls_key = NULL;
}
