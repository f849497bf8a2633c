/* static: serving the built web UI's files from a folder (xf_http_static).
 *
 * The URL path is checked segment by segment before it touches the file
 * system: "..", names starting with '.', backslashes and control
 * characters are refused, so no request can leave the root or read a
 * hidden file. The file is opened without following a final symbolic link
 * and must be a regular file. A FILE.gz beside the file is sent instead
 * when the client accepts gzip. HTML pages carry a Content-Security-Policy
 * that lets them load scripts, styles and data only from this server. */
#include "http/http.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* From server.c: a header of the request whose answer res is (NULL when res
 * is not being dispatched by the server on this thread). */

#define CACHE_ASSETS "public, max-age=31536000, immutable"
#define CACHE_OTHER "no-cache"

/* The web UI's pages: scripts only from its own files (Vite emits no inline
 * script), inline style attributes allowed (Element Plus sets them),
 * images from its files, data: and blob: URLs (previews), frames of its
 * own origin, nothing may frame it. */
#define HTML_CSP                                                                            \
	"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "            \
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "             \
	"frame-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "    \
	"frame-ancestors 'none'"

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{"html", "text/html; charset=utf-8"},
	{"js", "text/javascript; charset=utf-8"},
	{"mjs", "text/javascript; charset=utf-8"},
	{"css", "text/css; charset=utf-8"},
	{"json", "application/json; charset=utf-8"},
	{"map", "application/json; charset=utf-8"},
	{"svg", "image/svg+xml"},
	{"png", "image/png"},
	{"jpg", "image/jpeg"},
	{"jpeg", "image/jpeg"},
	{"gif", "image/gif"},
	{"ico", "image/x-icon"},
	{"woff", "font/woff"},
	{"woff2", "font/woff2"},
	{"ttf", "font/ttf"},
	{"txt", "text/plain; charset=utf-8"},
	{"pdf", "application/pdf"},
	{"wasm", "application/wasm"},
	{"webmanifest", "application/manifest+json"},
	{"webp", "image/webp"},
};

/* The extension of the last segment of path (after its last '.'), or NULL. */
static const char *extension(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	return dot && dot != base ? dot + 1 : NULL;
}

static const char *content_type(const char *path)
{
	const char *ext = extension(path);
	if (ext != NULL)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(ext, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/* Whether url_path is safe to join under the root: starts with '/', and no
 * segment is "..", starts with '.', or holds a backslash or a control
 * character. Empty segments ("//") are harmless. */
static bool safe_path(const char *p)
{
	if (p == NULL || p[0] != '/')
		return false;
	for (const char *s = p; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || c == '\\')
			return false;
		if (c == '/' && s[1] == '.')
			return false;
	}
	return true;
}

/* Whether the client's Accept-Encoding allows gzip (not "gzip;q=0"). */
static bool accepts_gzip(const char *ae)
{
	if (ae == NULL)
		return false;
	for (const char *s = ae; *s != '\0';) {
		while (*s == ' ' || *s == ',')
			s++;
		const char *end = strchr(s, ',');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		size_t name = strcspn(s, ";, ");
		if (name > n)
			name = n;
		if ((name == 4 && strncasecmp(s, "gzip", 4) == 0) ||
		    (name == 1 && s[0] == '*')) {
			const char *q = memchr(s, ';', n);
			if (q == NULL)
				return true;
			/* q=0, q=0.0, q=0.000 refuse it. */
			const char *v = strstr(q, "q=");
			if (v == NULL || v >= s + n)
				return true;
			v += 2;
			bool zero = *v == '0';
			for (v++; zero && v < s + n && *v != ' ' && *v != ';'; v++)
				if (*v != '.' && *v != '0')
					zero = false;
			return !zero;
		}
		if (end == NULL)
			break;
		s = end + 1;
	}
	return false;
}

/* Opens path as a regular file: the fd (size in *size), -1 when missing
 * or not a regular file (*is_dir set for a folder). */
static int open_regular(const char *path, size_t *size, bool *is_dir)
{
	*is_dir = false;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*is_dir = S_ISDIR(st.st_mode);
		close(fd);
		return -1;
	}
	*size = (size_t)st.st_size;
	return fd;
}

static void not_found(xf_res *res)
{
	xf_res_error(res, 404, "not_found", "未找到该页面");
}

/* Sends file (a full path) or its .gz sibling; false when it cannot be
 * opened as a regular file. */
static bool send_file(xf_res *res, const char *file, bool gzip_ok, bool *is_dir)
{
	char gz[PATH_MAX];
	size_t size = 0, gsize = 0;
	int fd = open_regular(file, &size, is_dir);
	if (fd < 0)
		return false;
	bool has_gz = false;
	int n = snprintf(gz, sizeof(gz), "%s.gz", file);
	if (n > 0 && (size_t)n < sizeof(gz)) {
		bool dir;
		int gfd = open_regular(gz, &gsize, &dir);
		if (gfd >= 0) {
			has_gz = true;
			if (gzip_ok) {
				close(fd);
				fd = gfd;
				size = gsize;
				xf_res_header(res, "Content-Encoding", "gzip");
			} else {
				close(gfd);
			}
		}
	}
	if (has_gz)
		xf_res_header(res, "Vary", "Accept-Encoding");
	res->status = 200;
	res->content_type = content_type(file);
	if (strncmp(res->content_type, "text/html", 9) == 0)
		xf_res_header(res, "Content-Security-Policy", HTML_CSP);
	xf_res_file(res, fd, size);
	return true;
}

void xf_http_static(const xf_req *req, xf_res *res, const char *root, const char *url_path,
		    bool spa_fallback)
{
	char file[PATH_MAX];
	if (root == NULL || !safe_path(url_path)) {
		not_found(res);
		return;
	}
	bool gzip_ok = accepts_gzip(xf_req_header(req, "Accept-Encoding"));
	bool assets = strncmp(url_path, "/assets/", 8) == 0;
	size_t rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	size_t ul = strlen(url_path);
	bool folder = url_path[ul - 1] == '/';
	int n = snprintf(file, sizeof(file), "%.*s%s%s", (int)rl, root, url_path,
			 folder ? "index.html" : "");
	if (n < 0 || (size_t)n >= sizeof(file)) {
		not_found(res);
		return;
	}
	/* The caching headers go first: the file sends add to them. */
	int mark = res->nheaders;
	xf_res_header(res, "Cache-Control", assets ? CACHE_ASSETS : CACHE_OTHER);
	bool is_dir = false;
	if (send_file(res, file, gzip_ok, &is_dir))
		return;
	if (is_dir && !folder) {
		n = snprintf(file, sizeof(file), "%.*s%s/index.html", (int)rl, root, url_path);
		if (n > 0 && (size_t)n < sizeof(file) && send_file(res, file, gzip_ok, &is_dir))
			return;
	} else if (spa_fallback && !assets && extension(url_path) == NULL) {
		/* A client-side route of the web UI: its page is index.html. */
		n = snprintf(file, sizeof(file), "%.*s/index.html", (int)rl, root);
		if (n > 0 && (size_t)n < sizeof(file) && send_file(res, file, gzip_ok, &is_dir))
			return;
	}
	res->nheaders = mark;
	not_found(res);
}
