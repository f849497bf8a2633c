/* evidence: the files a claimant attaches to a claim (证明材料) — what
 * they are by content, what they may be called, and where they live on
 * disk (docs/workflow.md, "Evidence files").
 *
 *   - Type by content, never by the name or the request's Content-Type:
 *     PDF, JPEG, PNG, Word and Excel (OOXML: a ZIP whose central directory
 *     has [Content_Types].xml and word/ or xl/ parts; OLE2: the compound
 *     file signature, told apart by its directory's WordDocument or
 *     Workbook stream when the first directory sector names one).
 *   - The name's extension must agree with the content; the name itself is
 *     data only (shown, sent back in Content-Disposition), never a path.
 *   - Files are stored content-addressed under a folder: DIR/ab/<sha256
 *     hex> (ab = the first two hex digits), written to a temporary name,
 *     fsync'd and renamed, so a reader never sees half a file and the same
 *     content is kept once.
 *
 *   - Or, with `evidence.store: database` (the default on PostgreSQL), the
 *     content goes into the database's blobs table under its SHA-256 and
 *     the row's `stored` is XF_EVIDENCE_IN_DB; several `xuefen serve`
 *     processes on several machines then share the files.
 *
 * Nothing here touches the database: the claims service (claims.h) keeps
 * the rows. Functions return 0, or -1 with a Chinese message in errs. */
#ifndef XF_SERVICE_EVIDENCE_H
#define XF_SERVICE_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/errs.h"

typedef enum xf_evidence_type {
	XF_EV_NONE = 0, /* not a type we take */
	XF_EV_PDF,
	XF_EV_JPEG,
	XF_EV_PNG,
	XF_EV_DOCX,
	XF_EV_XLSX,
	XF_EV_DOC,      /* OLE2 with a WordDocument stream */
	XF_EV_XLS,      /* OLE2 with a Workbook (or Book) stream */
	XF_EV_OLE       /* OLE2 whose first directory sector names neither: .doc or .xls */
} xf_evidence_type;

#define XF_EVIDENCE_NAME_MAX 200 /* bytes of a sanitised name */
#define XF_EVIDENCE_SHA_HEX 65   /* 64 hex digits and a NUL */
#define XF_EVIDENCE_REL_MAX 72   /* "ab/" + 64 hex + NUL, rounded up */
#define XF_EVIDENCE_IN_DB "db"   /* `stored` of content kept in the blobs table */

/* What data[0..len) is by content. Reads nothing past len; never fails. */
xf_evidence_type xf_evidence_sniff(const void *data, size_t len);

/* The MIME type of a type ("application/pdf"); for XF_EV_OLE the name's
 * extension decides (.xls: Excel, else Word). name may be NULL. */
const char *xf_evidence_mime(xf_evidence_type t, const char *name);

/* A Chinese label for messages ("JPEG 图片"); "未知类型" for XF_EV_NONE. */
const char *xf_evidence_label(xf_evidence_type t);

/* The usual extension of a type, with its dot (".pdf"; ".doc" for OLE). */
const char *xf_evidence_ext(xf_evidence_type t);

/* Whether the type may be shown in the browser (?inline=1): PDF, images. */
bool xf_evidence_inline_ok(xf_evidence_type t);

/* The type of a stored MIME type (the reverse of xf_evidence_mime);
 * XF_EV_NONE for any other text. */
xf_evidence_type xf_evidence_type_of_mime(const char *mime);

/* Whether name's extension (case-insensitive) agrees with type t. */
bool xf_evidence_ext_ok(xf_evidence_type t, const char *name);

/* A name fit to keep and show, from in[0..len) (any bytes): the last path
 * component ('/' and '\\' both separate), without bytes that are not
 * UTF-8, control characters (C0, DEL, C1), NUL, or the bidirectional
 * overrides that make "exe.pdf" read backwards; without leading dots and
 * spaces and trailing ones; at most XF_EVIDENCE_NAME_MAX bytes, cut at a
 * character and keeping a short extension. out (size >= 1) always gets a
 * NUL-terminated result, "" when nothing is left. Returns its length. */
size_t xf_evidence_sanitize_name(const char *in, size_t len, char *out, size_t size);

/* Checks an upload: sniffs data, sanitises raw_name (NULL or "" when none
 * was given) into name (XF_EVIDENCE_NAME_MAX + 1 bytes; a default
 * "证明材料.EXT" when nothing is left of it) and checks the extension.
 * 0 and *type; -1 with a message naming the problem ("文件内容是 JPEG
 * 图片，与扩展名 .pdf 不符", "不支持的文件类型...") otherwise. */
int xf_evidence_check(const void *data, size_t len, const char *raw_name, size_t raw_len,
		      xf_evidence_type *type, char name[XF_EVIDENCE_NAME_MAX + 1], xf_errs *errs);

/* SHA-256 of data as 64 lower-case hex digits. */
void xf_evidence_sha256(const void *data, size_t len, char hex[XF_EVIDENCE_SHA_HEX]);

/* Stores data under dir (created, with its parents, mode 0700, when
 * missing) as rel = "ab/<sha256 hex>", unless a file of that name and size
 * is already there. Writes sha and rel. 0, or -1 with a message (marked
 * internal: a disk problem is the server's, not the user's). */
int xf_evidence_store(const char *dir, const void *data, size_t len,
		      char sha[XF_EVIDENCE_SHA_HEX], char rel[XF_EVIDENCE_REL_MAX], xf_errs *errs);

/* Whether rel has the stored form "ab/<64 hex>" with ab its first two
 * digits (a row's path is checked before it is opened). */
bool xf_evidence_rel_ok(const char *rel);

/* Opens a stored file for reading: *fd (the caller closes it) and *size.
 * Refuses a rel not of the stored form, a link, anything but a regular
 * file. 0, 1 when the file is missing (no message), -1 with a message. */
int xf_evidence_open(const char *dir, const char *rel, int *fd, size_t *size, xf_errs *errs);

/* Removes a stored file (when no row uses it any more). Missing is fine.
 * 0 or -1 with a message. */
int xf_evidence_remove(const char *dir, const char *rel, xf_errs *errs);

#endif
