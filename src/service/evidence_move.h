/* evidence_move: moving the evidence content kept under a folder into the
 * database (`xuefen evidence to-db`), and checking that every evidence
 * row's content is there (`xuefen check`), for a deployment that switches to
 * `evidence.store: database` — after it, every `xuefen serve` process reads
 * every file, whichever machine the folder was on.
 *
 * Each content (one SHA-256, however many rows use it) is read from the
 * folder, checked against the rows' SHA-256 and size, and put into the
 * blobs table with its rows switched to XF_EVIDENCE_IN_DB — in one
 * transaction per content, so an interrupted run keeps what it did and a
 * second run does the rest. A file that is missing or no longer matches is
 * named and left as it is (its rows still point at the folder). Nothing is
 * removed from the folder. One audit row `evidence.to_db` with the counts. */
#ifndef XF_SERVICE_EVIDENCE_MOVE_H
#define XF_SERVICE_EVIDENCE_MOVE_H

#include "core/errs.h"
#include "store/store.h"

typedef struct xf_evidence_move_report {
	long long moved;     /* contents put into the database */
	long long rows;      /* evidence rows switched to it */
	long long missing;   /* contents whose file is not in the folder */
	long long changed;   /* contents whose file no longer matches its SHA-256 or size */
} xf_evidence_move_report;

/* Moves the contents under dir into the database. Problems with single
 * files are named in warnings (one message each) and counted; 0 unless the
 * database or the folder itself fails (-1, errs; what was moved stays). */
int xf_evidence_to_db(xf_store *s, const char *dir, const char *actor,
		      xf_evidence_move_report *rep, xf_errs *warnings, xf_errs *errs);

/* What a check of the evidence content found: every row's content where
 * the row says it is. */
typedef struct xf_evidence_check_report {
	long long in_db, in_folder;     /* evidence rows by where their content is */
	long long db_missing;           /* rows whose blob is missing or of another size */
	long long folder_missing;       /* rows whose file is missing or of another size (dir given) */
} xf_evidence_check_report;

/* Checks that the content of every evidence row is there: in the blobs
 * table (by SHA-256, with the row's size), and, when dir is not NULL,
 * under the folder. Each problem is named in warnings (at most 20, then
 * counted). 0, or -1 on a failure of the database or the disk. */
int xf_evidence_verify(xf_store *s, const char *dir, xf_evidence_check_report *rep,
		       xf_errs *warnings, xf_errs *errs);

#endif
