/* evidence_move: evidence content from a folder into the database, and
 * the check that every row's content is where the row says (see
 * evidence_move.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/evidence.h"
#include "service/evidence_move.h"
#include "store/query.h"

#define BIND_FAILED XF_BIND_MSG("绑定参数失败 (cannot bind a parameter)")

/* One content still under the folder. */
typedef struct pending {
	char sha[XF_EVIDENCE_SHA_HEX];
	char rel[XF_EVIDENCE_REL_MAX];
	long long size;
} pending;

/* The contents still under the folder, one per SHA-256 and stored path. */
static int pending_read(xf_store *s, pending **out, size_t *n, xf_errs *errs)
{
	*out = NULL;
	*n = 0;
	xf_stmt *st = xf_stmt_prepare(s, "SELECT sha256, stored, MAX(size) FROM evidence_files"
				      " WHERE stored <> $1 GROUP BY sha256, stored ORDER BY sha256",
				      errs);
	if (st == NULL)
		return -1;
	int rc = -1;
	size_t cap = 0;
	if (xf_stmt_bind_text(st, 1, XF_EVIDENCE_IN_DB) != 0) {
		xf_errs_add(errs, "绑定参数失败 (cannot bind a parameter)");
		goto out;
	}
	xf_step r;
	while ((r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			pending *p = realloc(*out, cap * sizeof(*p));
			if (p == NULL) {
				xf_errs_add(errs, "内存不足 (out of memory)");
				goto out;
			}
			*out = p;
		}
		pending *p = &(*out)[*n];
		snprintf(p->sha, sizeof(p->sha), "%s", xf_stmt_text(st, 0));
		snprintf(p->rel, sizeof(p->rel), "%s", xf_stmt_text(st, 1));
		p->size = xf_stmt_int(st, 2);
		(*n)++;
	}
	rc = r == XF_STEP_DONE ? 0 : -1;
out:
	xf_stmt_finalize(st);
	if (rc != 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* Reads the whole file of p: 0; 1 when missing, 2 when its size is not
 * the rows' (nothing read); -1 when it cannot be read (a message). */
static int read_content(const char *dir, const pending *p, char **data, size_t *len, xf_errs *errs)
{
	int fd;
	size_t size;
	*data = NULL;
	*len = 0;
	int rc = xf_evidence_open(dir, p->rel, &fd, &size, errs);
	if (rc != 0)
		return rc;
	if ((long long)size != p->size) { /* changed: not worth reading */
		close(fd);
		return 2;
	}
	*data = malloc(size ? size : 1);
	size_t got = 0;
	while (*data && got < size) {
		ssize_t k = read(fd, *data + got, size - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	if (*data == NULL || got != size) {
		free(*data);
		*data = NULL;
		xf_errs_add(errs, "无法读取证明材料文件 %s/%s (cannot read the file)", dir, p->rel);
		return -1;
	}
	*len = size;
	return 0;
}

/* Puts one content in and switches its rows, in one transaction. */
static int move_one(xf_store *s, const pending *p, const char *data, size_t len,
		    long long *rows, xf_errs *errs)
{
	long long n = 0;
	if (xf_store_begin(s, errs) != 0)
		return -1;
	if (xf_query_row(s, "SELECT COUNT(*) FROM evidence_files WHERE sha256 = $1 AND stored = $2",
			 errs, BIND_FAILED, XF_IN(p->sha), XF_IN(p->rel), XF_OUT(&n)) != 0 ||
	    xf_store_blob_put(s, p->sha, data, len, errs) != 0 ||
	    xf_query_exec(s, "UPDATE evidence_files SET stored = $1 WHERE sha256 = $2 AND stored = $3",
			  errs, BIND_FAILED, XF_IN(XF_EVIDENCE_IN_DB), XF_IN(p->sha),
			  XF_IN(p->rel)) != 0) {
		xf_store_rollback(s);
		return -1;
	}
	if (xf_store_commit(s, errs) != 0)
		return -1;
	*rows += n;
	return 0;
}

int xf_evidence_to_db(xf_store *s, const char *dir, const char *actor,
		      xf_evidence_move_report *rep, xf_errs *warnings, xf_errs *errs)
{
	memset(rep, 0, sizeof(*rep));
	pending *v = NULL;
	size_t n = 0;
	if (pending_read(s, &v, &n, errs) != 0) {
		errs->internal = true;
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const pending *p = &v[i];
		char *data = NULL;
		size_t len = 0;
		xf_errs disk;
		xf_errs_init(&disk);
		int r = read_content(dir, p, &data, &len, &disk);
		if (r == 1 || r < 0) { /* one file's problem: named, the others go on */
			if (r == 1)
				xf_errs_add(warnings, "证明材料 %s 的文件 %s 不在目录 %s 中，未迁移 (missing)",
					    p->sha, p->rel, dir);
			else
				xf_errs_append(warnings, &disk);
			xf_errs_cleanup(&disk);
			rep->missing++;
			continue;
		}
		xf_errs_cleanup(&disk);
		char sha[XF_EVIDENCE_SHA_HEX] = "";
		if (r == 0)
			xf_evidence_sha256(data, len, sha);
		if (r == 2 || strcmp(sha, p->sha) != 0) {
			xf_errs_add(warnings, "证明材料文件 %s 的内容与记录不符（SHA-256 或大小不同），未迁移 "
				    "(content changed)", p->rel);
			rep->changed++;
		} else if (move_one(s, p, data, len, &rep->rows, errs) != 0) {
			errs->internal = true;
			rc = -1;
		} else {
			rep->moved++;
		}
		free(data);
	}
	free(v);
	if (rep->moved + rep->missing + rep->changed > 0) {
		char after[256];
		snprintf(after, sizeof(after),
			 "{\"dir\": \"folder\", \"moved\": %lld, \"rows\": %lld, \"missing\": %lld,"
			 " \"changed\": %lld}", rep->moved, rep->rows, rep->missing, rep->changed);
		xf_audit_entry e = {.actor = actor, .action = "evidence.to_db", .object = "evidence",
				    .before = NULL, .after = after};
		if (xf_store_audit(s, &e, errs) != 0)
			rc = -1;
	}
	return rc;
}

#define VERIFY_NAMED 20 /* problems named one by one; the rest counted */

int xf_evidence_verify(xf_store *s, const char *dir, xf_evidence_check_report *rep,
		       xf_errs *warnings, xf_errs *errs)
{
	memset(rep, 0, sizeof(*rep));
	xf_stmt *st = xf_stmt_prepare(s,
				      "SELECT f.id, f.sha256, f.stored, f.size, b.size FROM evidence_files f"
				      " LEFT JOIN blobs b ON b.key = f.sha256 ORDER BY f.id",
				      errs);
	if (st == NULL) {
		errs->internal = true;
		return -1;
	}
	int rc = 0;
	long long named = 0;
	xf_step r;
	while (rc == 0 && (r = xf_stmt_step(st, errs)) == XF_STEP_ROW) {
		long long id = xf_stmt_int(st, 0), size = xf_stmt_int(st, 3);
		const char *stored = xf_stmt_text(st, 2);
		bool bad = false;
		if (strcmp(stored, XF_EVIDENCE_IN_DB) == 0) {
			rep->in_db++;
			bad = xf_stmt_is_null(st, 4) || xf_stmt_int(st, 4) != size;
			rep->db_missing += bad;
		} else {
			rep->in_folder++;
			if (dir != NULL) {
				int fd;
				size_t got = 0;
				xf_errs disk; /* a file that cannot be opened counts as missing */
				xf_errs_init(&disk);
				int o = xf_evidence_open(dir, stored, &fd, &got, &disk);
				if (o == 0)
					close(fd);
				if (o < 0 && named < VERIFY_NAMED)
					xf_errs_append(warnings, &disk);
				xf_errs_cleanup(&disk);
				bad = o != 0 || (long long)got != size;
				rep->folder_missing += bad;
			}
		}
		if (bad && named++ < VERIFY_NAMED)
			xf_errs_add(warnings, "证明材料 #%lld（%s）的内容缺失或大小不符 (content missing)", id,
				    strcmp(stored, XF_EVIDENCE_IN_DB) == 0 ? "数据库" : stored);
	}
	if (rc == 0 && r != XF_STEP_DONE) {
		errs->internal = true;
		rc = -1;
	}
	if (named > VERIFY_NAMED)
		xf_errs_add(warnings, "另有 %lld 个证明材料的内容缺失 (%lld more)", named - VERIFY_NAMED,
			    named - VERIFY_NAMED);
	xf_stmt_finalize(st);
	return rc;
}
