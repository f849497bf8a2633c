/* api: the HTTP JSON API under /api/v1 and the web UI's files, as an
 * application of the generic server (src/http/http.h).
 *
 * One route table (routes.c) says for every route its method, path pattern,
 * the roles that may call it and its body limit; the dispatcher checks the
 * session, the role and the CSRF token before a handler runs, so a handler
 * only decodes, calls a service and encodes. Objects are checked against
 * the caller's scope in the handler (a member asking for another member's
 * object gets 404, as for one that does not exist).
 *
 * Each worker thread has its own database connection, opened at its first
 * request. docs/api.md documents every route. */
#ifndef XF_API_API_H
#define XF_API_API_H

#include "api/config.h"
#include "core/errs.h"
#include "http/http.h"

typedef struct xf_api xf_api;

/* Makes the application for the settings in cfg (copied) with database
 * db_url. Checks the database can be opened at the current schema first,
 * so a bad URL fails here and not at the first request. NULL with a
 * message on failure. */
xf_api *xf_api_new(const xf_config *cfg, const char *db_url, xf_errs *errs);
void xf_api_free(xf_api *a);

/* The application, for xf_http_start. Valid while a lives. */
const xf_http_app *xf_api_http_app(xf_api *a);

#endif
