/* schema: migrations whose SQL is the same on both backends but for a few
 * type names, written once as macros. ID is the type of a generated key
 * ("INTEGER PRIMARY KEY" / "BIGSERIAL PRIMARY KEY"), INT a 64-bit integer
 * ("INTEGER" / "BIGINT"), WR the suffix of a table clustered by its key
 * (SQLite's " WITHOUT ROWID"; nothing on PostgreSQL).
 *
 * Times in these tables are Unix seconds (INT): sessions and lockouts are
 * compared against the server's clock, which tests move. */
#ifndef XF_STORE_SCHEMA_H
#define XF_STORE_SCHEMA_H

/* 2: accounts, roles and sessions for `xuefen serve`.
 *
 * users: an account, linked to a person when it is a member's. The
 *   password is an argon2id string (libsodium crypto_pwhash_str), never
 *   the password. password_changed_at ends older sessions.
 * user_roles: role per user; reviewer and approver carry the unit they head
 *   (unit_id; their scope is that unit and the units under it), the other
 *   roles unit_id 0.
 * login_attempts: failed logins by user name, known or not, so an unknown
 *   name locks like a real one and the answers cannot tell them apart.
 * sessions: the SHA-256 (hex) of the cookie's random token, never the
 *   token; last_seen is written at most once a minute. */
#define XF_MIGRATION_2(ID, INT, WR)                                                        \
	"CREATE TABLE users ("                                                             \
	" id " ID ","                                                                      \
	" username TEXT NOT NULL UNIQUE,"                                                  \
	" display_name TEXT NOT NULL,"                                                     \
	" person_id " INT " UNIQUE REFERENCES people(id),"                                 \
	" password_hash TEXT NOT NULL,"                                                    \
	" active INTEGER NOT NULL DEFAULT 1,"                                              \
	" password_changed_at " INT " NOT NULL DEFAULT 0,"                                 \
	" created_at " INT " NOT NULL DEFAULT 0);"                                         \
	"CREATE TABLE user_roles ("                                                        \
	" user_id " INT " NOT NULL REFERENCES users(id),"                                  \
	" role TEXT NOT NULL CHECK (role IN ('member','reviewer','approver','admin','auditor')),"\
	" unit_id " INT " NOT NULL DEFAULT 0,"                                             \
	" PRIMARY KEY (user_id, role, unit_id))" WR ";"                                    \
	"CREATE TABLE login_attempts ("                                                    \
	" username TEXT PRIMARY KEY,"                                                      \
	" failures INTEGER NOT NULL DEFAULT 0,"                                            \
	" locked_until " INT " NOT NULL DEFAULT 0)" WR ";"                                 \
	"CREATE TABLE sessions ("                                                          \
	" token_hash TEXT PRIMARY KEY,"                                                    \
	" user_id " INT " NOT NULL REFERENCES users(id),"                                  \
	" created_at " INT " NOT NULL,"                                                    \
	" last_seen " INT " NOT NULL,"                                                     \
	" ip TEXT)" WR ";"                                                                 \
	"CREATE INDEX sessions_user ON sessions(user_id);"                                 \
	"CREATE INDEX audit_at ON audit_log(at);"

#endif
