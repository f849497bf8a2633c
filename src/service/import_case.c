/* import_case: a whole case file into the store, in one transaction.
 *
 * The case reader validates the file against its policy first (the same
 * checks and messages as `xuefen assess`); only then is it written, from
 * the JSON itself so that every field round-trips as given. */
#include <cJSON.h>
#include <limits.h>
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "io/case.h"
#include "service/import.h"
#include "store/data.h"

void xf_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static int tri(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : -1;
}

static const cJSON *list(const cJSON *root, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
	return cJSON_IsArray(v) ? v : NULL;
}

typedef struct ctx {
	xf_data *d;
	const xf_case *c;
	const char *policy_ref;
	xf_strmap *ids;        /* person code -> index */
	long long *person_db;  /* [npeople] */
	long long batch;
	xf_import_report *rep;
	xf_errs *errs;
} ctx;

static int write_people(ctx *x, const cJSON *people)
{
	xf_strmap *units = xf_strmap_new();
	long long *unit_db = calloc(x->c->npeople + 1, sizeof(long long));
	int rc = -1;
	if (units == NULL || unit_db == NULL) {
		xf_errs_add(x->errs, "内存不足 (out of memory)");
		goto out;
	}
	size_t i = 0, nunits = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, people) {
		const char *code = str(p, "id"), *unit = str(p, "unit");
		long long unit_id = 0;
		if (unit) {
			int32_t k = xf_strmap_get(units, unit);
			if (k < 0) {
				if (xf_data_unit(x->d, unit, NULL, &unit_db[nunits], x->errs) != 0 ||
				    xf_data_assign_policy(x->d, unit_db[nunits], x->c->year,
							  x->policy_ref, x->errs) != 0)
					goto out;
				k = (int32_t)nunits++;
				if (xf_strmap_put(units, unit, k, NULL) < 0)
					goto oom;
			}
			unit_id = unit_db[k];
		}
		xf_person_row row = {code, str(p, "name") ? str(p, "name") : code, NULL, NULL, NULL,
				     unit_id, str(p, "role"), str(p, "joined")};
		if (xf_data_person(x->d, &row, &x->person_db[i], x->errs) != 0)
			goto out;
		if (xf_strmap_put(x->ids, code, (int32_t)i, NULL) < 0)
			goto oom;

		const cJSON *pl = list(p, "periods"), *pd;
		size_t np = (size_t)cJSON_GetArraySize(pl), k = 0;
		xf_period_row *periods = calloc(np + 1, sizeof(*periods));
		if (periods == NULL)
			goto oom;
		cJSON_ArrayForEach(pd, pl) {
			int part = tri(pd, "participates");
			periods[k++] = (xf_period_row){str(pd, "kind"), str(pd, "from"), str(pd, "to"),
						       part != 0};
		}
		int prc = xf_data_set_periods(x->d, x->person_db[i], periods, k, x->errs);
		free(periods);
		if (prc != 0)
			goto out;

		const cJSON *fl = list(p, "flags"), *f;
		size_t nf = (size_t)cJSON_GetArraySize(fl);
		const char **flags = calloc(nf + 1, sizeof(*flags));
		if (flags == NULL)
			goto oom;
		k = 0;
		cJSON_ArrayForEach(f, fl)
			flags[k++] = f->valuestring;
		prc = xf_data_set_flags(x->d, x->person_db[i], x->c->year, flags, k, x->errs);
		free(flags);
		if (prc != 0)
			goto out;
		i++;
	}
	x->rep->people = (long long)i;
	rc = 0;
	goto out;
oom:
	xf_errs_add(x->errs, "内存不足 (out of memory)");
out:
	xf_strmap_free(units);
	free(unit_db);
	return rc;
}

static long long person_of(ctx *x, const cJSON *o)
{
	int32_t k = xf_strmap_get(x->ids, str(o, "person"));
	return k >= 0 ? x->person_db[k] : 0;
}

static int write_records(ctx *x, const cJSON *records)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, records) {
		xf_record_row row = {
			str(r, "item"), str(r, "date"), str(r, "level"), str(r, "kind"),
			str(r, "activity"), num(r, "count"), num(r, "days"), num(r, "months"),
			num(r, "hours"), num(r, "minutes"), num(r, "attended_minutes"),
			num(r, "score"), num(r, "credits"), tri(r, "passed"), tri(r, "completed"),
			tri(r, "online"), tri(r, "approved"), tri(r, "awarded"), tri(r, "speaker"),
		};
		if (xf_data_add_record(x->d, person_of(x, r), &row, x->batch, x->errs) != 0)
			return -1;
		x->rep->records++;
	}
	return 0;
}

/* Metrics of one person and month are added up (as the engine does) and
 * stored as one value. */
static int write_metrics(ctx *x)
{
	const xf_case *c = x->c;
	for (size_t i = 0; i < c->npeople; i++) {
		size_t from = c->metric_off[i], to = c->metric_off[i + 1];
		for (size_t a = from; a < to; a++) {
			const xf_metric *m = &c->metrics[a];
			bool first = true;
			double sum = 0;
			for (size_t b = from; b < to; b++) {
				const xf_metric *o = &c->metrics[b];
				if (o->metric != m->metric || o->year != m->year || o->month != m->month)
					continue;
				if (b < a)
					first = false;
				sum += o->value;
			}
			if (!first)
				continue;
			char month[16];
			snprintf(month, sizeof(month), "%04d-%02d", m->year, m->month);
			if (xf_data_put_metric(x->d, x->person_db[i], c->policy->metrics[m->metric],
					       month, sum, x->batch, x->errs) != 0)
				return -1;
			x->rep->metrics++;
		}
	}
	return 0;
}

static int write_scores_history(ctx *x, const cJSON *scores, const cJSON *history)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, scores) {
		if (xf_data_put_score(x->d, person_of(x, o), x->c->year, str(o, "line"),
				      num(o, "self"), num(o, "review"), x->errs) != 0)
			return -1;
		x->rep->scores++;
	}
	cJSON_ArrayForEach(o, history) {
		const cJSON *y = cJSON_GetObjectItemCaseSensitive(o, "year");
		if (xf_data_put_history(x->d, person_of(x, o), (int)y->valuedouble, x->policy_ref,
					str(o, "grade"), x->errs) != 0)
			return -1;
		x->rep->history++;
	}
	return 0;
}

static int audit_import(xf_store *s, const char *name, const char *actor,
			const xf_import_report *rep, xf_errs *errs)
{
	char after[256], object[64];
	snprintf(object, sizeof(object), "import_batch:%lld", rep->batch_id);
	snprintf(after, sizeof(after),
		 "{\"people\": %lld, \"records\": %lld, \"metrics\": %lld, \"scores\": %lld, "
		 "\"history\": %lld}",
		 rep->people, rep->records, rep->metrics, rep->scores, rep->history);
	xf_audit_entry e = {actor, "import.case", object, NULL, after};
	(void)name;
	return xf_store_audit(s, &e, errs);
}

/* The import; with commit false everything is checked, written and
 * counted inside the transaction, then rolled back. */
static int import_case(xf_store *s, const char *json, size_t len, const char *name,
		       const char *base_dir, const char *actor, bool commit,
		       xf_import_report *rep, xf_errs *errs)
{
	xf_case c;
	cJSON *root = NULL;
	xf_data *d = NULL;
	ctx x = {0};
	int rc = -1;
	bool in_tx = false;

	memset(rep, 0, sizeof(*rep));
	memset(&c, 0, sizeof(c));
	if (sodium_init() < 0) {
		xf_errs_add(errs, "libsodium 初始化失败 (libsodium init failed)");
		return -1;
	}
	if (xf_case_parse(json, len, base_dir, &c, errs) != 0) {
		xf_errs_add(errs, "%s: 导入失败，数据库未作任何改动 (import failed; nothing was changed)", name);
		return -1;
	}
	root = cJSON_ParseWithLength(json, len);
	d = xf_data_new(s, errs);
	x = (ctx){d, &c, NULL, xf_strmap_new(), calloc(c.npeople + 1, sizeof(long long)), 0, rep, errs};
	if (root == NULL || d == NULL || x.ids == NULL || x.person_db == NULL) {
		xf_errs_add(errs, "内存不足 (out of memory)");
		goto out;
	}
	/* A stable reference to the policy used: the shipped id, or the
	 * absolute path of the file that was loaded (a path relative to the
	 * case file would not resolve later). */
	char policy_path[PATH_MAX];
	if (strncmp(c.policy->path, "builtin:", 8) == 0)
		x.policy_ref = c.policy->id;
	else if (realpath(c.policy->path, policy_path) != NULL)
		x.policy_ref = policy_path;
	else
		x.policy_ref = c.policy->path;

	char sha[65];
	xf_sha256_hex(json, len, sha);
	long long rows = (long long)(c.npeople + c.nrecords + c.nmetrics + c.nscores + c.nhistory);
	if (xf_store_begin(s, errs) != 0)
		goto out;
	in_tx = true;
	int seen = xf_data_batch(d, "case", name, sha, rows, actor, &x.batch, errs);
	if (seen < 0)
		goto out;
	rep->batch_id = x.batch;
	if (seen == 1) {
		rep->already_imported = 1;
		rc = 0;
		goto out; /* rolled back: nothing to add */
	}
	if (write_people(&x, list(root, "people")) != 0 ||
	    write_records(&x, list(root, "records")) != 0 || write_metrics(&x) != 0 ||
	    write_scores_history(&x, list(root, "scores"), list(root, "history")) != 0 ||
	    audit_import(s, name, actor, rep, errs) != 0)
		goto out;
	if (!commit) {
		rc = 0; /* checked and counted: rolled back below */
		goto out;
	}
	if (xf_store_commit(s, errs) != 0) {
		in_tx = false;
		goto out;
	}
	in_tx = false;
	rc = 0;
out:
	if (in_tx)
		xf_store_rollback(s);
	if (rc != 0)
		xf_errs_add(errs, "%s: 导入失败，数据库未作任何改动 (import failed; nothing was changed)", name);
	xf_data_free(d);
	xf_strmap_free(x.ids);
	free(x.person_db);
	cJSON_Delete(root);
	xf_case_cleanup(&c);
	return rc;
}

int xf_import_case(xf_store *s, const char *json, size_t len, const char *name,
		   const char *base_dir, const char *actor, xf_import_report *rep,
		   xf_errs *errs)
{
	return import_case(s, json, len, name, base_dir, actor, true, rep, errs);
}

int xf_import_case_check(xf_store *s, const char *json, size_t len, const char *name,
			 const char *base_dir, const char *actor, xf_import_report *rep,
			 xf_errs *errs)
{
	return import_case(s, json, len, name, base_dir, actor, false, rep, errs);
}
