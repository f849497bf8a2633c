/* config: the settings a deployment of `xuefen serve` changes, from a YAML
 * file (docs/configuration.md; an example in xuefen.example.yaml). Every
 * key is optional; command-line options override the file.
 *
 *   listen: 127.0.0.1:8080
 *   db: xuefen.db                  # or postgresql://...
 *   threads: 2
 *   web_root: web/dist             # the built web UI
 *   tls: {cert: cert.pem, key: key.pem}
 *   secure_cookies: false          # true behind a TLS-terminating proxy
 *   limits: {json_body: 1MB, upload: 20MB, import: 50MB}
 *   session: {idle_minutes: 30, absolute_hours: 12}
 *   login: {max_failures: 5, lock_minutes: 15}
 *   password: {min_length: 8, min_classes: 3}
 *   evidence: {store: database, dir: PATH}  # where evidence files are kept
 *
 * Sizes accept a plain number of bytes or KB/MB/GB (1024-based). */
#ifndef XF_API_CONFIG_H
#define XF_API_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/errs.h"

/* evidence.store: where the content of evidence files goes. */
enum {
	XF_EVIDENCE_STORE_DEFAULT = 0, /* database on PostgreSQL, folder on SQLite */
	XF_EVIDENCE_STORE_FOLDER,      /* files under evidence.dir */
	XF_EVIDENCE_STORE_DATABASE     /* the database's blobs table */
};

/* Paths kept inside xf_config itself (not allocated), so that a copy of
 * the struct (xf_api_new takes one) needs no deep copy of them. */
#define XF_CONFIG_PATH_MAX 1024

typedef struct xf_config {
	char *listen;
	char *db;
	int threads;              /* 0: number of cores */
	char *web_root;           /* NULL: no static files */
	char *tls_cert, *tls_key; /* both or neither */
	bool secure_cookies;      /* also set when TLS is on */
	size_t json_body_max;     /* 1 MiB */
	size_t upload_max;        /* evidence files: 20 MiB */
	size_t import_max;        /* import files: 50 MiB */
	int session_idle_s;       /* 30 min */
	int session_absolute_s;   /* 12 h */
	int login_max_failures;   /* 5 */
	int login_lock_s;         /* 15 min */
	int password_min_length;  /* 8 */
	int password_min_classes; /* 3 of: lower, upper, digit, other */
	int evidence_store;       /* evidence.store: XF_EVIDENCE_STORE_* */
	char evidence_dir[XF_CONFIG_PATH_MAX]; /* evidence.dir; "": the default below */
	char config_dir[XF_CONFIG_PATH_MAX];   /* folder of the settings file read; "": none */
} xf_config;

/* Fills c with the defaults above (strings NULL except listen
 * "127.0.0.1:8080" and db NULL: the CLI's default applies). */
void xf_config_defaults(xf_config *c);

/* Reads path over the values in c. Returns 0, or -1 with one message per
 * problem naming path:line:column and the key (unknown key, wrong type,
 * out of range); c is unchanged on failure. */
int xf_config_load(xf_config *c, const char *path, xf_errs *errs);

void xf_config_cleanup(xf_config *c);

/* The folder evidence files go to for the database db_url: evidence.dir
 * when set; else, for SQLite, the database file's path + ".files"
 * ("xuefen.db" -> "xuefen.db.files"); for PostgreSQL, "xuefen-files" in the
 * folder of the settings file when one was read, else in the working
 * directory. Refused (-1 with a message) when the folder would lie inside
 * web_root (the files would be served to anyone), or the path does not
 * fit out (size bytes). 0 and out filled otherwise. */
int xf_config_evidence_dir(const xf_config *c, const char *db_url, char *out, size_t size,
			   xf_errs *errs);

/* Whether new evidence content goes into the database: evidence.store when
 * set, else true for PostgreSQL — several `xuefen serve` processes on
 * several machines then share the files — and false for SQLite (one
 * machine; the files beside the database file). Files kept before under
 * the folder are still read from it. */
bool xf_config_evidence_in_db(const xf_config *c, const char *db_url);

#endif
