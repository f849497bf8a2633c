/* backup: SQLite online backup and restore, with integrity checks. */
#include "store/backup.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

/* Copies src into dst page by page; other connections may keep working on
 * src (the copy restarts if src changes mid-way, which backup_step does). */
static int copy_db(sqlite3 *dst, sqlite3 *src, const char *what, xf_errs *errs)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (b == NULL) {
		xf_errs_add(errs, "%s：%s (%s failed)", what, sqlite3_errmsg(dst), what);
		return -1;
	}
	int rc;
	int tries = 0;
	do {
		rc = sqlite3_backup_step(b, 1024);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			if (++tries > 200)
				break;
			sqlite3_sleep(50);
		}
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		xf_errs_add(errs, "%s：%s (%s failed)", what, sqlite3_errstr(rc), what);
		return -1;
	}
	return 0;
}

/* Integrity and schema of an SQLite file, opened read-only so that
 * checking a backup never changes it. */
static int check_file(const char *file, xf_errs *errs)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		xf_errs_add(errs, "%s: 无法打开：%s (cannot open)", file, sqlite3_errmsg(db));
		goto out;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
		xf_errs_add(errs, "%s: 完整性检查未通过：%s (integrity check failed)", file,
			    sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		xf_errs_add(errs, "%s: 不是 xuefen 数据库 (not a xuefen database)", file);
		goto out;
	}
	int version = sqlite3_column_int(st, 0);
	if (version != XF_SCHEMA_VERSION) {
		xf_errs_add(errs, "%s: 结构版本 %d，本程序为 %d (schema %d, this program speaks %d)",
			    file, version, XF_SCHEMA_VERSION, version, XF_SCHEMA_VERSION);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

static int sqlite_target(const char *url, const char *verb, xf_store_url *u, xf_errs *errs)
{
	if (xf_store_url_parse(url, u, errs) != 0)
		return -1;
	if (u->kind == XF_STORE_POSTGRES) {
		xf_errs_add(errs,
			    "%s: PostgreSQL 数据库请用其标准工具%s：pg_dump / pg_restore（见 docs/postgresql.md）"
			    "(use pg_dump / pg_restore for PostgreSQL)", url, verb);
		xf_store_url_cleanup(u);
		return -1;
	}
	return 0;
}

int xf_store_backup(const char *url, const char *file, xf_errs *errs)
{
	xf_store_url u;
	sqlite3 *src = NULL, *dst = NULL;
	int rc = -1;
	bool created = false;

	if (sqlite_target(url, "备份", &u, errs) != 0)
		return -1;
	if (access(file, F_OK) == 0) {
		xf_errs_add(errs, "%s: 文件已存在，不覆盖 (file exists; not overwritten)", file);
		goto out;
	}
	/* The source must be an initialised xuefen database. */
	xf_store *s = xf_store_open(url, XF_STORE_OPEN, errs);
	if (s == NULL)
		goto out;
	xf_store_close(s);
	if (sqlite3_open_v2(u.target, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		xf_errs_add(errs, "%s: 无法打开数据库：%s (cannot open)", u.target, sqlite3_errmsg(src));
		goto out;
	}
	if (sqlite3_open_v2(file, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		xf_errs_add(errs, "%s: 无法创建备份文件：%s (cannot create)", file, sqlite3_errmsg(dst));
		goto out;
	}
	created = true;
	if (copy_db(dst, src, "备份", errs) != 0)
		goto out;
	/* A backup is one self-contained file: no -wal/-shm beside it. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		xf_errs_add(errs, "%s: %s (cannot finish the backup)", file, sqlite3_errmsg(dst));
		goto out;
	}
	sqlite3_close(dst);
	dst = NULL;
	if (check_file(file, errs) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	if (rc != 0 && created)
		remove(file);
	xf_store_url_cleanup(&u);
	return rc;
}

int xf_store_restore(const char *url, const char *file, xf_errs *errs)
{
	xf_store_url u;
	sqlite3 *src = NULL, *dst = NULL;
	int rc = -1;

	if (sqlite_target(url, "恢复", &u, errs) != 0)
		return -1;
	if (access(file, R_OK) != 0) {
		xf_errs_add(errs, "%s: 备份文件不存在或不可读 (backup file not readable)", file);
		goto out;
	}
	if (check_file(file, errs) != 0) {
		xf_errs_add(errs, "%s: 不是完好的 xuefen 备份，数据库未改变 (not an intact xuefen "
			    "backup; nothing changed)", file);
		goto out;
	}
	if (sqlite3_open_v2(file, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_open_v2(u.target, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
		    SQLITE_OK) {
		xf_errs_add(errs, "无法打开数据库 (cannot open): %s", sqlite3_errmsg(src ? dst : src));
		goto out;
	}
	sqlite3_busy_timeout(dst, 10000);
	if (copy_db(dst, src, "恢复", errs) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	xf_store_url_cleanup(&u);
	return rc;
}
