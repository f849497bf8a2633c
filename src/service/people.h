/* people: people and units for the admin pages and their scope checks.
 *
 * ID-card numbers and phones are always masked in these answers
 * ("110***********123X", "138****5678"); the full value comes only from
 * xf_people_reveal, which is audited. Every change is audited with the
 * values before and after, in the caller's transaction-free call (each
 * change is one transaction of its own).
 *
 * Output is JSON written with jsonw to the FILE given (shapes in
 * docs/api.md). Returns 0; 1 when the person or unit does not exist or is
 * outside the scope given (no message: the API answers 404 either way, so
 * a caller cannot tell one from the other); -1 with a Chinese message for
 * bad input (naming the field) or a database error. */
#ifndef XF_SERVICE_PEOPLE_H
#define XF_SERVICE_PEOPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/errs.h"
#include "store/store.h"

/* Masks an ID-card number (keep the first 3 and last 4: 110***********123X)
 * or a phone (first 3 and last 4: 138****5678) into out; shorter values
 * become all '*'. NULL gives "". out needs strlen(v) + 1 bytes (64 max). */
void xf_mask_id_card(const char *v, char *out, size_t size);
void xf_mask_phone(const char *v, char *out, size_t size);

/* Why an ID-card number is not one (18 characters whose last is the GB
 * 11643 check character, 'x' accepted for 'X'; or 15 digits), or NULL when
 * it is. Likewise a mobile phone (11 digits starting with 1). The reasons
 * are Chinese, without the field's name. */
const char *xf_id_card_problem(const char *v);
const char *xf_phone_problem(const char *v);

/* Which units a caller may see: all (admins), or these unit ids (sorted;
 * a reviewer's headed units and those under them). */
typedef struct xf_unit_scope {
	bool all;
	const long long *units;
	size_t nunits;
} xf_unit_scope;

/* Whether unit_id is in the scope (all, or one of its sorted units; never
 * unit 0 or a NULL scope). */
bool xf_unit_scope_has(const xf_unit_scope *sc, long long unit_id);

typedef struct xf_people_query {
	const char *q;          /* matches name, staff no. or code (substring), or NULL */
	long long unit_id;      /* the unit and those under it; 0: any */
	int active;             /* 1 active, 0 inactive, -1 both */
	long long page;         /* 1-based */
	long long per_page;     /* 1..200 */
} xf_people_query;

/* {"total", "page", "per_page", "items": [{"id", "code", "name",
 *  "staff_no", "unit": {"id", "code", "name"}, "role", "joined", "active",
 *  "id_card": masked, "phone": masked}]} ordered by unit code, name. */
int xf_people_list_json(xf_store *s, const xf_unit_scope *scope, const xf_people_query *q,
			FILE *f, xf_errs *errs);

/* One person: the list fields plus "periods": [{"kind", "from", "to",
 * "participates"}], "flags": {"YEAR": [...]}, "user": {"id", "username"}
 * or null. */
int xf_people_get_json(xf_store *s, const xf_unit_scope *scope, long long person_id,
		       FILE *f, xf_errs *errs);

/* The unit a person belongs to (0 when none); 1 when no such person. */
int xf_people_unit_of(xf_store *s, long long person_id, long long *unit_id, xf_errs *errs);

/* Changes a person from a JSON object with any of: "name", "staff_no",
 * "id_card", "phone", "unit_id", "role", "joined", "active". Validates each
 * (naming the field: "joined: 应为 YYYY-MM-DD 格式的日期"), refuses unknown
 * fields, writes one audit row "person.update" with before/after (ID card
 * and phone masked in the audit too). */
int xf_people_update(xf_store *s, const xf_unit_scope *scope, long long person_id,
		     const char *json, const char *actor, xf_errs *errs);

/* Replaces a person's periods from a JSON array [{"kind", "from", "to",
 * "participates"}] (kinds secondment, sick_leave, leave); audited. */
int xf_people_set_periods(xf_store *s, const xf_unit_scope *scope, long long person_id,
			  const char *json, const char *actor, xf_errs *errs);

/* Replaces a person's flags for a year from a JSON array of strings;
 * audited. */
int xf_people_set_flags(xf_store *s, const xf_unit_scope *scope, long long person_id,
			int year, const char *json, const char *actor, xf_errs *errs);

/* Writes {"id", "id_card", "phone"} unmasked and audits "person.reveal"
 * (who saw whose number). */
int xf_people_reveal_json(xf_store *s, long long person_id, const char *actor, FILE *f,
			  xf_errs *errs);

/* The unit tree: [{"id", "code", "name", "kind", "people": N (directly in
 * it), "policy": the policy assigned for year or null, "children": [...]}],
 * only the units in scope (and their ancestors' names as the path of the
 * roots shown). */
int xf_units_tree_json(xf_store *s, const xf_unit_scope *scope, int year, FILE *f,
		       xf_errs *errs);

/* One unit: {"id", "code", "name", "kind", "parent": {...} or null,
 * "policy", "people": N (with sub-units)}. */
int xf_units_get_json(xf_store *s, const xf_unit_scope *scope, long long unit_id, int year,
		      FILE *f, xf_errs *errs);

/* The ids of unit_id and every unit under it, sorted ascending, in a new
 * array (*out, caller frees; *n). 1 when no such unit. */
int xf_units_subtree(xf_store *s, long long unit_id, long long **out, size_t *n,
		     xf_errs *errs);

#endif
