/* auth: accounts, roles, passwords, login lockout and sessions.
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str, the
 * interactive limits) and never stored, shown or logged. A session is a
 * 256-bit random token given to the browser in a cookie; the database keeps
 * only its SHA-256. A session ends after `idle` seconds without a request
 * or `absolute` seconds after login, at logout, and when its user is
 * disabled or changes password. The CSRF token of a session is derived
 * from the session token (a keyed hash), so it needs no storage and changes
 * with every login.
 *
 * Failed logins are counted by user name, whether the name exists or not:
 * after `max_failures` in a row the name is locked for `lock` seconds, and
 * unknown names and wrong passwords get the same answer (and take the same
 * time: an unknown name still runs one hash).
 *
 * Time is passed in (`now`, Unix seconds) so tests move it; the server
 * passes xf_clock_now(). Every login, failed login, lockout, logout, account
 * change and role change writes one audit row.
 *
 * Errors: 0 on success, -1 with a Chinese message in errs, unless a
 * function says otherwise. */
#ifndef XF_SERVICE_AUTH_H
#define XF_SERVICE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "core/arena.h"
#include "core/errs.h"
#include "store/store.h"

/* Roles (DESIGN.md), as bits. */
enum {
	XF_ROLE_MEMBER = 1u << 0,   /* 学员: own credits and claims */
	XF_ROLE_REVIEWER = 1u << 1, /* 科室负责人/支部书记: first review, unit progress */
	XF_ROLE_APPROVER = 1u << 2, /* 分管领导: second approval, activities */
	XF_ROLE_ADMIN = 1u << 3,    /* 管理员: people, units, imports, 公示, year end */
	XF_ROLE_AUDITOR = 1u << 4   /* 审计员: reads the audit log, changes nothing */
};
#define XF_ROLE_COUNT 5

/* "member" -> XF_ROLE_MEMBER; 0 for an unknown name. */
unsigned xf_role_parse(const char *name);
/* XF_ROLE_* (one bit) -> "member"; NULL otherwise. */
const char *xf_role_name(unsigned role);
/* XF_ROLE_* (one bit) -> "学员", "审核人", "审批人", "管理员", "审计员". */
const char *xf_role_label(unsigned role);

typedef struct xf_auth_policy {
	int idle_s;          /* session idle limit (1800) */
	int absolute_s;      /* session absolute limit (43200) */
	int max_failures;    /* failed logins before a lock (5) */
	int lock_s;          /* lock duration (900) */
	int min_length;      /* password rule: length in characters (8) */
	int min_classes;     /* and classes of lower/upper/digit/other (3) */
} xf_auth_policy;

void xf_auth_policy_defaults(xf_auth_policy *p);

/* Checks a new password against the rule; -1 with a Chinese message saying
 * what the rule is ("密码至少 8 位，且包含大写字母、小写字母、数字、符号中的
 * 至少 3 类"). Length counts UTF-8 characters. */
int xf_password_check(const xf_auth_policy *p, const char *password, xf_errs *errs);

/* A role held by a user: reviewer and approver carry the unit they head
 * (its id; 0 for the other roles). */
typedef struct xf_user_role {
	unsigned role;
	long long unit_id;
} xf_user_role;

typedef struct xf_user_new {
	const char *username;      /* 1..64 chars of [A-Za-z0-9._@-] */
	const char *display_name;  /* required */
	const char *person_code;   /* link to a person (members must have one); may be NULL */
	const char *password;      /* checked against the rule */
	const xf_user_role *roles;
	size_t nroles;
} xf_user_new;

/* Creates a user. Refuses a taken name, a bad password, a member without a
 * person, a reviewer/approver without a unit, an unknown person or unit.
 * Audited ("user.add", actor). *id receives the new id (may be NULL). */
int xf_user_add(xf_store *s, const xf_auth_policy *p, const xf_user_new *u,
		const char *actor, time_t now, long long *id, xf_errs *errs);

/* Number of users (the first-run prompt asks for an admin when 0). */
int xf_user_count(xf_store *s, long long *n, xf_errs *errs);

/* Replaces the user's roles (audited "user.roles" with before and after).
 * Returns 1 (no message) when there is no such user. */
int xf_user_set_roles(xf_store *s, long long user_id, const xf_user_role *roles,
		      size_t nroles, const char *actor, xf_errs *errs);

/* Sets a password (checked against the rule), ends all the user's sessions
 * (audited "user.password"). When old_password is not NULL it must match
 * (a user changing their own); -1 with "原密码不正确" otherwise.
 * Returns 1 (no message) when there is no such user. */
int xf_user_set_password(xf_store *s, const xf_auth_policy *p, long long user_id,
			 const char *old_password, const char *new_password,
			 const char *actor, time_t now, xf_errs *errs);

/* Enables or disables a user; disabling ends all their sessions (audited
 * "user.enable"/"user.disable"). Returns 1 when there is no such user. */
int xf_user_set_active(xf_store *s, long long user_id, bool active, const char *actor,
		       xf_errs *errs);

/* The user's id by name: 0 and *id set, 1 when there is none, -1. */
int xf_user_find(xf_store *s, const char *username, long long *id, xf_errs *errs);

/* Writes the users as a JSON array (jsonw) to f: id, username,
 * display_name, person {id, code, name} or null, active, roles [{role,
 * unit: {id, code, name} or null}]. Never a password hash. */
int xf_user_list_json(xf_store *s, FILE *f, xf_errs *errs);

/* The authenticated caller of a request. Strings and arrays live in the
 * arena given to xf_auth_session. */
typedef struct xf_principal {
	long long user_id;
	const char *username;
	const char *display_name;
	long long person_id;        /* 0: not linked to a person */
	unsigned roles;             /* XF_ROLE_* bits */
	/* Units in scope per role, the headed units and every unit under them
	 * (sorted ascending, for bsearch). */
	const long long *review_units;
	size_t nreview_units;
	const long long *approve_units;
	size_t napprove_units;
	time_t created;             /* login time */
	time_t last_seen;           /* as the database now has it */
	char csrf[44];              /* the session's CSRF token (base64url, NUL) */
} xf_principal;

/* True when unit_id is in the caller's scope for role (reviewer or
 * approver); admins have every unit. */
bool xf_principal_has_unit(const xf_principal *p, unsigned role, long long unit_id);

/* The same without the admin shortcut: unit_id is among the units the
 * caller holds role (reviewer or approver) for. Reviewing and approving
 * go by this: an admin sees everything but acts only on units they head. */
bool xf_principal_heads_unit(const xf_principal *p, unsigned role, long long unit_id);

/* A session's last_seen is written at most this often (seconds). */
#define XF_SESSION_REFRESH_S 60

#define XF_SESSION_TOKEN_LEN 43 /* base64url of 32 bytes, unpadded */

typedef enum xf_login_result {
	XF_LOGIN_OK = 0,
	XF_LOGIN_BAD = 1,     /* unknown name, wrong password or disabled: one answer */
	XF_LOGIN_LOCKED = 2,  /* too many failures; *locked_until says until when */
	XF_LOGIN_ERROR = -1   /* database error (errs) */
} xf_login_result;

/* Checks the name and password; on success creates a session (ending none
 * of the user's others) and writes its token (NUL-terminated) to token,
 * resets the name's failure count. On failure counts it and locks at the
 * limit. Audited: "login", "login.failed", "login.locked". ip may be NULL. */
xf_login_result xf_auth_login(xf_store *s, const xf_auth_policy *p, const char *username,
			      const char *password, const char *ip, time_t now,
			      char token[XF_SESSION_TOKEN_LEN + 1], time_t *locked_until,
			      xf_errs *errs);

typedef enum xf_session_result {
	XF_SESSION_OK = 0,
	XF_SESSION_NONE = 1,      /* no such session (never was, logged out, ended) */
	XF_SESSION_EXPIRED = 2,   /* idle or absolute limit passed (the row is removed) */
	XF_SESSION_ERROR = -1
} xf_session_result;

/* Looks a session up by its token and fills *out (strings in arena).
 * Refreshes last_seen when it is a minute or more old. A disabled user's
 * sessions, and sessions older than the user's last password change, are
 * XF_SESSION_NONE. */
xf_session_result xf_auth_session(xf_store *s, const xf_auth_policy *p, const char *token,
				  time_t now, xf_arena *arena, xf_principal *out,
				  xf_errs *errs);

/* Ends the session of token (no error when there is none). Audited
 * "logout" with the user's name. */
int xf_auth_logout(xf_store *s, const char *token, xf_errs *errs);

/* The CSRF token of the session whose token is given (base64url of a keyed
 * BLAKE2b of the token, 43 chars + NUL). */
void xf_auth_csrf(const char *token, char out[44]);

/* Compares two NUL-terminated tokens in constant time; false if either is
 * NULL or their lengths differ. */
bool xf_auth_token_equal(const char *a, const char *b);

#endif
