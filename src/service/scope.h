/* scope: which people a year-end operation covers, as SQL shared by the
 * assessment and the exports, so they can never disagree.
 *
 * Parameters: $1 year, $2 policy, $3 unit code or NULL (everyone). The
 * people are those of units assigned `policy` for `year`, active, and of
 * the unit when one is given. Used as `... WHERE x.person_id IN (...)`:
 * the set is built once, not joined again for every row. */
#ifndef XF_SERVICE_SCOPE_H
#define XF_SERVICE_SCOPE_H

#define XF_SCOPE_PEOPLE                                                                    \
	"SELECT p.id FROM people p JOIN units u ON u.id = p.unit_id"                        \
	" JOIN policy_assignments a ON a.unit_id = p.unit_id AND a.year = $1 AND a.policy = $2" \
	" WHERE p.active = 1 AND (CAST($3 AS TEXT) IS NULL OR u.code = CAST($3 AS TEXT))"

/* Rows of a person-keyed table x that are in scope. */
#define XF_SCOPE_ROWS " WHERE x.person_id IN (" XF_SCOPE_PEOPLE ")"

/* The people themselves, with their unit, in id order. */
#define XF_SCOPE_PERSON_ROWS                                                               \
	"SELECT p.id, p.code, p.name, u.code, p.role, p.joined FROM people p"               \
	" JOIN units u ON u.id = p.unit_id WHERE p.id IN (" XF_SCOPE_PEOPLE ") ORDER BY p.id"

#endif
