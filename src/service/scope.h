/* scope: which people a year-end operation covers, as SQL shared by the
 * assessment and the exports, so they can never disagree.
 *
 * Parameters: $1 year, $2 policy, $3 unit code or NULL (everyone). The
 * people are the active people of the units whose policy for `year` is
 * `policy` — a unit's own assignment or, when it has none, that of the
 * nearest unit above it (as the credit views read it) — and of the unit
 * when one is given. Used as `... WHERE x.person_id IN (...)`:
 * the set is built once, not joined again for every row. */
#ifndef XF_SERVICE_SCOPE_H
#define XF_SERVICE_SCOPE_H

/* eff(unit_id, policy): every unit's policy for the year $1 — its own
 * assignment, else the nearest above it (depth-bounded, so a cycle in bad
 * data ends). */
#define XF_SCOPE_EFF                                                                       \
	"WITH RECURSIVE eff(unit_id, policy, depth) AS ("                                   \
	" SELECT a.unit_id, a.policy, 0 FROM policy_assignments a WHERE a.year = $1"        \
	" UNION ALL SELECT u.id, eff.policy, eff.depth + 1 FROM units u"                    \
	" JOIN eff ON u.parent_id = eff.unit_id WHERE eff.depth < 64 AND NOT EXISTS ("       \
	"  SELECT 1 FROM policy_assignments b WHERE b.unit_id = u.id AND b.year = $1))"

#define XF_SCOPE_PEOPLE                                                                    \
	XF_SCOPE_EFF                                                                       \
	" SELECT p.id FROM people p JOIN units u ON u.id = p.unit_id"                       \
	" JOIN eff ON eff.unit_id = p.unit_id AND eff.policy = $2"                          \
	" WHERE p.active = 1 AND (CAST($3 AS TEXT) IS NULL OR u.code = CAST($3 AS TEXT))"

/* The policies in play in year $1 (for unit code $2 only, when not NULL). */
#define XF_SCOPE_POLICIES                                                                  \
	XF_SCOPE_EFF                                                                       \
	" SELECT DISTINCT eff.policy FROM eff JOIN units u ON u.id = eff.unit_id"           \
	" WHERE CAST($2 AS TEXT) IS NULL OR u.code = CAST($2 AS TEXT) ORDER BY eff.policy"

/* The policy of one unit for a year — its own assignment, else the
 * nearest unit above it with one: $1 the unit id, $2 the year; no row when
 * none. The same reading as XF_SCOPE_EFF, for one unit (a person's view,
 * a unit's page). Depth-bounded against cycles in bad data. */
#define XF_SCOPE_UNIT_POLICY                                                               \
	"WITH RECURSIVE up(id, parent_id, depth) AS ("                                      \
	" SELECT id, parent_id, 0 FROM units WHERE id = $1"                                 \
	" UNION ALL SELECT u.id, u.parent_id, up.depth + 1 FROM units u"                    \
	" JOIN up ON u.id = up.parent_id WHERE up.depth < 64)"                              \
	" SELECT a.policy FROM up JOIN policy_assignments a ON a.unit_id = up.id"           \
	" AND a.year = $2 ORDER BY up.depth LIMIT 1"

/* Rows of a person-keyed table x that are in scope. */
#define XF_SCOPE_ROWS " WHERE x.person_id IN (" XF_SCOPE_PEOPLE ")"

/* The people themselves, with their unit, in id order. */
#define XF_SCOPE_PERSON_ROWS                                                               \
	"SELECT p.id, p.code, p.name, u.code, p.role, p.joined FROM people p"               \
	" JOIN units u ON u.id = p.unit_id WHERE p.id IN (" XF_SCOPE_PEOPLE ") ORDER BY p.id"

#endif
