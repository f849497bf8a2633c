/* backup: consistent copies of a live SQLite database and restoring them
 * (SQLite's online backup API: readers and writers may go on meanwhile).
 * PostgreSQL deployments use the standard tools (pg_dump, pg_restore,
 * continuous archiving); these functions say so for a PostgreSQL URL. */
#ifndef XF_STORE_BACKUP_H
#define XF_STORE_BACKUP_H

#include "core/errs.h"

/* Copies the database at url into a new file `file` (which must not exist),
 * then checks the copy's integrity. On failure no file is left. */
int xf_store_backup(const char *url, const char *file, xf_errs *errs);

/* Replaces the database at url with the backup `file`, after checking that
 * the file is an intact xuefen database of this program's schema. The
 * replacement is one transaction on the target: it happens whole or not. */
int xf_store_restore(const char *url, const char *file, xf_errs *errs);

#endif
