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

/* 3: the workflow (docs/workflow.md): notices, evidence files, training
 * activities and their attendance, claims with their evidence and history,
 * working-day calendars, publications (公示) with their lines and
 * objections, scorecards. Times are Unix seconds (INT) as in migration 2;
 * dates are TEXT YYYY-MM-DD. Statuses are checked by the database as well
 * as by the services. The triggers that keep archived periods read-only
 * differ by dialect and follow this text in sqlite.c and postgres.c. */
#define XF_MIGRATION_3(ID, INT, REAL, WR)                                                  \
	"CREATE TABLE notices ("                                                           \
	" id " ID ","                                                                      \
	" person_id " INT " NOT NULL REFERENCES people(id),"                               \
	" kind TEXT NOT NULL,"                                                             \
	" title TEXT NOT NULL,"                                                            \
	" body TEXT,"                                                                      \
	" object TEXT,"                                                                    \
	" created_at " INT " NOT NULL,"                                                    \
	" read_at " INT ");"                                                               \
	"CREATE INDEX notices_person ON notices(person_id, id);"                           \
	"CREATE TABLE evidence_files ("                                                    \
	" id " ID ","                                                                      \
	" sha256 TEXT NOT NULL,"                                                           \
	" size " INT " NOT NULL,"                                                          \
	" mime TEXT NOT NULL,"                                                             \
	" name TEXT NOT NULL,"            /* the original name, sanitised */               \
	" stored TEXT NOT NULL,"          /* path under the evidence folder */             \
	" uploaded_by " INT " NOT NULL REFERENCES users(id),"                              \
	" created_at " INT " NOT NULL);"                                                   \
	"CREATE INDEX evidence_sha ON evidence_files(sha256);"                             \
	"CREATE TABLE activities ("                                                        \
	" id " ID ","                                                                      \
	" key TEXT NOT NULL UNIQUE,"                                                       \
	" unit_id " INT " NOT NULL REFERENCES units(id),"                                  \
	" year INTEGER NOT NULL,"                                                          \
	" item TEXT NOT NULL,"                                                             \
	" level TEXT,"                                                                     \
	" title TEXT NOT NULL,"                                                            \
	" nature TEXT, host TEXT, speakers TEXT, content TEXT, audience TEXT, place TEXT," \
	" date_from TEXT NOT NULL,"                                                        \
	" date_to TEXT NOT NULL CHECK (date_to >= date_from),"                             \
	" minutes INTEGER,"                                                                \
	" online INTEGER NOT NULL DEFAULT 0,"                                              \
	" status TEXT NOT NULL CHECK (status IN"                                           \
	"  ('draft','submitted','reviewed','approved','rejected','withdrawn')),"           \
	" applicant " INT " NOT NULL REFERENCES users(id),"                                \
	" reviewed_by " INT " REFERENCES users(id), reviewed_at " INT ","                  \
	" approved_by " INT " REFERENCES users(id), approved_at " INT ","                  \
	" rejected_by " INT " REFERENCES users(id), rejected_at " INT ","                  \
	" reject_reason TEXT,"                                                             \
	" records_at " INT ","            /* when attendees got their records */           \
	" created_at " INT " NOT NULL,"                                                    \
	" updated_at " INT " NOT NULL);"                                                   \
	"CREATE INDEX activities_unit ON activities(unit_id, status);"                     \
	"CREATE TABLE activity_attendance ("                                               \
	" activity_id " INT " NOT NULL REFERENCES activities(id),"                         \
	" person_id " INT " NOT NULL REFERENCES people(id),"                               \
	" attended_minutes INTEGER,"                                                       \
	" record_id " INT ","             /* the record given; NULL until then */          \
	" PRIMARY KEY (activity_id, person_id))" WR ";"                                    \
	"CREATE TABLE claims ("                                                            \
	" id " ID ","                                                                      \
	" person_id " INT " NOT NULL REFERENCES people(id),"                               \
	" year INTEGER NOT NULL,"                                                          \
	" item TEXT NOT NULL,"                                                             \
	" form TEXT NOT NULL DEFAULT 'claim' CHECK (form IN ('claim','self_study')),"      \
	" status TEXT NOT NULL CHECK (status IN"                                           \
	"  ('draft','submitted','reviewed','approved','rejected','withdrawn')),"           \
	" fields TEXT NOT NULL,"          /* the record's facts, JSON */                   \
	" details TEXT NOT NULL,"         /* the form's text, JSON */                      \
	" activity_id " INT " REFERENCES activities(id),"                                  \
	" created_by " INT " NOT NULL REFERENCES users(id),"                               \
	" created_at " INT " NOT NULL, updated_at " INT " NOT NULL,"                       \
	" submitted_at " INT ","                                                           \
	" reviewed_by " INT " REFERENCES users(id), reviewed_at " INT ","                  \
	" approved_by " INT " REFERENCES users(id), approved_at " INT ","                  \
	" rejected_by " INT " REFERENCES users(id), rejected_at " INT ","                  \
	" reject_reason TEXT,"                                                             \
	" record_id " INT ");"            /* records.id of the person, once approved */    \
	"CREATE INDEX claims_person ON claims(person_id, id);"                             \
	"CREATE INDEX claims_status ON claims(status, id);"                                \
	"CREATE TABLE claim_evidence ("                                                    \
	" claim_id " INT " NOT NULL REFERENCES claims(id),"                                \
	" file_id " INT " NOT NULL REFERENCES evidence_files(id),"                         \
	" PRIMARY KEY (claim_id, file_id))" WR ";"                                         \
	"CREATE INDEX claim_evidence_file ON claim_evidence(file_id);"                     \
	"CREATE TABLE claim_events ("                                                      \
	" id " ID ","                                                                      \
	" claim_id " INT " NOT NULL REFERENCES claims(id),"                                \
	" at " INT " NOT NULL,"                                                            \
	" user_id " INT " REFERENCES users(id),"                                           \
	" from_status TEXT,"                                                               \
	" to_status TEXT NOT NULL,"                                                        \
	" note TEXT);"                                                                     \
	"CREATE INDEX claim_events_claim ON claim_events(claim_id, id);"                   \
	"CREATE TABLE calendars ("                                                         \
	" year INTEGER PRIMARY KEY,"                                                       \
	" text TEXT NOT NULL,"                                                             \
	" loaded_at " INT " NOT NULL,"                                                     \
	" loaded_by TEXT NOT NULL)" WR ";"                                                 \
	"CREATE TABLE publications ("                                                      \
	" id " ID ","                                                                      \
	" unit_id " INT " NOT NULL REFERENCES units(id),"                                  \
	" year INTEGER NOT NULL,"                                                          \
	" title TEXT NOT NULL,"                                                            \
	" date_from TEXT NOT NULL,"                                                        \
	" date_to TEXT NOT NULL CHECK (date_to >= date_from),"                             \
	" status TEXT NOT NULL CHECK (status IN ('published','archived')),"                \
	" published_at " INT " NOT NULL,"                                                  \
	" published_by TEXT NOT NULL,"                                                     \
	" window_start TEXT NOT NULL,"                                                     \
	" window_end TEXT NOT NULL,"                                                       \
	" archived_at " INT ","                                                            \
	" archived_by TEXT);"                                                              \
	"CREATE INDEX publications_unit ON publications(unit_id, year);"                   \
	"CREATE TABLE publication_lines ("                                                 \
	" publication_id " INT " NOT NULL REFERENCES publications(id),"                    \
	" person_id " INT " NOT NULL REFERENCES people(id),"                               \
	" person_name TEXT NOT NULL,"                                                      \
	" unit_name TEXT NOT NULL,"                                                        \
	" categories TEXT NOT NULL,"      /* {"listen": 12, ...} year to date, JSON */     \
	" period_total " REAL " NOT NULL,"                                                 \
	" year_total " REAL " NOT NULL,"                                                   \
	" PRIMARY KEY (publication_id, person_id))" WR ";"                                 \
	"CREATE INDEX publication_lines_person ON publication_lines(person_id);"           \
	"CREATE TABLE objections ("                                                        \
	" id " ID ","                                                                      \
	" publication_id " INT " NOT NULL REFERENCES publications(id),"                    \
	" person_id " INT " NOT NULL REFERENCES people(id),"  /* the line */               \
	" lodged_by " INT " NOT NULL REFERENCES users(id),"                                \
	" text TEXT NOT NULL,"                                                             \
	" status TEXT NOT NULL CHECK (status IN ('open','upheld','dismissed')),"           \
	" resolution TEXT,"                                                                \
	" correction TEXT,"               /* the record change made, JSON */               \
	" resolved_by " INT " REFERENCES users(id), resolved_at " INT ","                  \
	" created_at " INT " NOT NULL);"                                                   \
	"CREATE INDEX objections_publication ON objections(publication_id, status);"       \
	"CREATE TABLE scorecards ("                                                        \
	" person_id " INT " NOT NULL REFERENCES people(id),"                               \
	" year INTEGER NOT NULL,"                                                          \
	" status TEXT NOT NULL CHECK (status IN ('draft','submitted','reviewed')),"        \
	" note TEXT,"                                                                      \
	" submitted_at " INT ","                                                           \
	" reviewed_by " INT " REFERENCES users(id), reviewed_at " INT ","                  \
	" PRIMARY KEY (person_id, year))" WR ";"                                           \
	"CREATE INDEX records_claim ON records(claim_id);"                                 \
	"CREATE INDEX records_activity ON records(activity);"

/* 4: content kept in the database (xf_store_blob_put/get): evidence files
 * when `evidence.store` is `database`, so that several `xuefen serve`
 * processes on several machines share them. Keyed by the content's
 * SHA-256 (hex), so the same content is kept once; BLOB is the dialect's
 * binary type ("BLOB" / "BYTEA"). An ordinary (rowid) table on SQLite:
 * its rows are whole files, far past what WITHOUT ROWID suits. */
#define XF_MIGRATION_4(INT, BLOB)                                                           \
	"CREATE TABLE blobs ("                                                             \
	" key TEXT PRIMARY KEY,"                                                           \
	" size " INT " NOT NULL,"                                                          \
	" content " BLOB " NOT NULL);"

/* Whether (person, date) lies in an archived publication's period, for the
 * triggers: P is the person id expression, D the date expression. */
#define XF_ARCHIVED_SQL(P, D)                                                              \
	"EXISTS (SELECT 1 FROM publication_lines l JOIN publications p"                    \
	" ON p.id = l.publication_id WHERE l.person_id = " P " AND p.status = 'archived'"   \
	" AND " D " BETWEEN p.date_from AND p.date_to)"

#endif
