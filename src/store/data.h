/* data: the domain rows of the store — units, people, periods, flags,
 * policy assignments, import batches, records, metrics, scores, runs and
 * their results — written once over xf_stmt for both backends.
 *
 * An xf_data holds the prepared statements of one store, so bulk writes
 * prepare each statement once. Writes do not open transactions: the caller
 * (an import, an assessment run) wraps its whole change in one.
 *
 * Reading for assessment streams people in id order with their rows,
 * merging one ordered scan per table (no query per person), so memory does
 * not grow with the number of people. */
#ifndef XF_STORE_DATA_H
#define XF_STORE_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "core/errs.h"
#include "store/store.h"

typedef struct xf_data xf_data;

/* Returns the statement cache for s (NULL with a message on failure). */
xf_data *xf_data_new(xf_store *s, xf_errs *errs);
void xf_data_free(xf_data *d);

/* Registers an import batch by its file's SHA-256 (hex). Returns 0 and a
 * new *batch_id, 1 when this kind of file with this hash was imported
 * before (*batch_id is the earlier batch; nothing should be added), or -1. */
int xf_data_batch(xf_data *d, const char *kind, const char *file_name,
		  const char *sha256, long long rows, const char *actor,
		  long long *batch_id, xf_errs *errs);

/* Inserts or updates a unit by its code; *id receives its id. A NULL name
 * keeps an existing unit's name (a new one is named by its code). */
int xf_data_unit(xf_data *d, const char *code, const char *name,
		 long long *id, xf_errs *errs);

/* Sets the unit above unit_id (0: none). The caller prevents cycles. */
int xf_data_unit_parent(xf_data *d, long long unit_id, long long parent_id, xf_errs *errs);

/* Which policy a unit uses in a year (replaces an earlier assignment). */
int xf_data_assign_policy(xf_data *d, long long unit_id, int year,
			  const char *policy, xf_errs *errs);

typedef struct xf_person_row {
	const char *code;     /* the id used in case files (required) */
	const char *name;     /* required */
	const char *staff_no; /* may be NULL */
	const char *id_card;
	const char *phone;
	long long unit_id;    /* 0: none */
	const char *role;
	const char *joined;   /* YYYY-MM-DD or NULL */
} xf_person_row;

/* Inserts or updates a person by code; *id receives the person's id. */
int xf_data_person(xf_data *d, const xf_person_row *p, long long *id, xf_errs *errs);

/* Updates the person with this id (code unchanged). */
int xf_data_person_update(xf_data *d, long long id, const xf_person_row *p, xf_errs *errs);

typedef struct xf_period_row {
	const char *kind;     /* secondment | sick_leave | leave */
	const char *from, *to;
	bool participates;
} xf_period_row;

/* Replaces all periods of a person. */
int xf_data_set_periods(xf_data *d, long long person_id, const xf_period_row *p,
			size_t n, xf_errs *errs);

/* Replaces a person's flags for one year. */
int xf_data_set_flags(xf_data *d, long long person_id, int year,
		      const char *const *flags, size_t n, xf_errs *errs);

/* A credit record as the case format has it. Absent numbers are NAN,
 * absent booleans -1, absent strings NULL. */
typedef struct xf_record_row {
	const char *item, *date, *level, *kind, *activity;
	double count, days, months, hours, minutes, attended_minutes, score, credits;
	int passed, completed, online, approved, awarded, speaker;
} xf_record_row;

/* Appends a record to a person, from import batch batch_id (0: none). */
int xf_data_add_record(xf_data *d, long long person_id, const xf_record_row *r,
		       long long batch_id, xf_errs *errs);

/* For bulk imports: the id the person's next record takes (ask once, then
 * count up), and adding a record with that id. Asking takes the person's
 * row lock until the transaction ends (PostgreSQL), so concurrent writers
 * of one person's records wait for each other instead of colliding. */
int xf_data_next_record_id(xf_data *d, long long person_id, long long *id, xf_errs *errs);
int xf_data_add_record_at(xf_data *d, long long person_id, long long id,
			  const xf_record_row *r, long long batch_id, xf_errs *errs);

/* Sets a person's metric for a month (YYYY-MM), replacing the old value. */
int xf_data_put_metric(xf_data *d, long long person_id, const char *metric,
		       const char *month, double value, long long batch_id,
		       xf_errs *errs);

/* Queued writes, for bulk imports. Rows are buffered (their strings
 * copied) and written many to a statement (multi-row INSERT), which saves
 * a round trip per row on PostgreSQL. Queued rows are NOT in the database
 * until flushed: call xf_data_flush before reading them back and before
 * committing; xf_data_free discards rows not flushed. The direct writes
 * above flush their own queue first, so mixing them keeps the order of the
 * writes, and xf_data_next_record_id counts queued records.
 *
 * A queue call may flush a full batch, so it returns 0, or -1 with the
 * database's message when that write failed. After any failure the queued
 * rows are dropped: roll the transaction back. */

/* Queues xf_data_put_metric. The same person, metric and month queued
 * twice keeps the later value, as two puts would. */
int xf_data_queue_metric(xf_data *d, long long person_id, const char *metric,
			 const char *month, double value, long long batch_id, xf_errs *errs);

/* Queues xf_data_add_record_at. */
int xf_data_queue_record_at(xf_data *d, long long person_id, long long id,
			    const xf_record_row *r, long long batch_id, xf_errs *errs);

/* Writes every queued row. 0, or -1 with a message (the queues are empty
 * either way; on -1 roll back). */
int xf_data_flush(xf_data *d, xf_errs *errs);

/* Sets a scorecard line's scores for a year (NAN: not given). */
int xf_data_put_score(xf_data *d, long long person_id, int year, const char *line,
		      double self, double review, xf_errs *errs);

/* Assessment runs. A run keeps one row per person; the grades of earlier
 * years' runs are the history that look-back rules read. */
int xf_data_run_begin(xf_data *d, int year, const char *policy, long long unit_id,
		      long long *run_id, xf_errs *errs);
typedef struct xf_run_row {
	long long person_id;
	const char *exempt_reason;
	double total, final, required; /* NAN: null */
	int met;                       /* -1: null */
	const char *grade;
	bool award_candidate;
	const char *result_json;       /* the person's result object */
} xf_run_row;
int xf_data_run_result(xf_data *d, long long run_id, const xf_run_row *r, xf_errs *errs);
int xf_data_run_finish(xf_data *d, long long run_id, long long people, xf_errs *errs);

/* Records a grade from outside (a case file's history) as a one-person
 * result of an imported run for that year. */
int xf_data_put_history(xf_data *d, long long person_id, int year, const char *policy,
			const char *grade, xf_errs *errs);

#endif
