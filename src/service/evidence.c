/* evidence: content sniffing, name sanitising and the content-addressed
 * store of evidence files (see evidence.h).
 *
 * The sniffer reads a hostile upload: every offset it follows (the ZIP end
 * record and central directory, the OLE2 header's directory sector) is
 * checked against the length first, loops are bounded by the bytes left,
 * and nothing is allocated. fuzz/fuzz_evidence.c runs it on any bytes. */
#include "service/evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/utf8.h"

#define PATH_BYTES 4096
#define EXT_KEEP_MAX 16 /* an extension longer than this is not kept when cutting */

/* ---- little-endian reads, bounds checked by the caller ---- */

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

/* ---- ZIP (OOXML) ---- */

#define ZIP_EOCD_SIZE 22
#define ZIP_CDH_SIZE 46
#define ZIP_COMMENT_MAX 65535

/* The OOXML flavour of a ZIP from its central directory: DOCX when it has
 * [Content_Types].xml and word/ parts, XLSX with xl/ parts; anything else
 * (a plain ZIP, both kinds, a broken directory) is not one. */
static xf_evidence_type sniff_zip(const unsigned char *d, size_t len)
{
	if (len < ZIP_EOCD_SIZE)
		return XF_EV_NONE;
	/* The end record: its signature in the last 22 + 65535 bytes. */
	size_t lowest = len - ZIP_EOCD_SIZE > ZIP_COMMENT_MAX ? len - ZIP_EOCD_SIZE - ZIP_COMMENT_MAX : 0;
	size_t eocd = SIZE_MAX;
	for (size_t i = len - ZIP_EOCD_SIZE + 1; i-- > lowest;) {
		if (d[i] == 'P' && d[i + 1] == 'K' && d[i + 2] == 5 && d[i + 3] == 6) {
			eocd = i;
			break;
		}
	}
	if (eocd == SIZE_MAX)
		return XF_EV_NONE;
	uint32_t entries = le16(d + eocd + 10);
	uint32_t cd_size = le32(d + eocd + 12);
	uint32_t cd_off = le32(d + eocd + 16);
	if ((size_t)cd_off > eocd || (size_t)cd_size > eocd - cd_off)
		return XF_EV_NONE;
	bool types = false, word = false, xl = false;
	size_t p = cd_off, end = (size_t)cd_off + cd_size;
	for (uint32_t k = 0; k < entries; k++) {
		if (end - p < ZIP_CDH_SIZE || le32(d + p) != 0x02014b50u)
			return XF_EV_NONE;
		size_t nlen = le16(d + p + 28), elen = le16(d + p + 30), clen = le16(d + p + 32);
		if (end - p - ZIP_CDH_SIZE < nlen + elen + clen)
			return XF_EV_NONE;
		const char *name = (const char *)d + p + ZIP_CDH_SIZE;
		if (nlen == 19 && memcmp(name, "[Content_Types].xml", 19) == 0)
			types = true;
		else if (nlen > 5 && memcmp(name, "word/", 5) == 0)
			word = true;
		else if (nlen > 3 && memcmp(name, "xl/", 3) == 0)
			xl = true;
		p += ZIP_CDH_SIZE + nlen + elen + clen;
	}
	if (!types || word == xl)
		return XF_EV_NONE;
	return word ? XF_EV_DOCX : XF_EV_XLSX;
}

/* ---- OLE2 (.doc, .xls) ---- */

#define OLE_HEADER_SIZE 512
#define OLE_DIR_ENTRY 128

/* Whether a directory entry's UTF-16LE name (bytes, with its length in
 * bytes including the terminator) is the ASCII word w. */
static bool ole_name_is(const unsigned char *e, const char *w)
{
	size_t n = le16(e + 64), wl = strlen(w);
	if (n != (wl + 1) * 2 || n > 64)
		return false;
	for (size_t i = 0; i < wl; i++)
		if (e[2 * i] != (unsigned char)w[i] || e[2 * i + 1] != 0)
			return false;
	return true;
}

/* DOC or XLS by the streams of the first directory sector, else OLE. */
static xf_evidence_type sniff_ole(const unsigned char *d, size_t len)
{
	if (len < OLE_HEADER_SIZE)
		return XF_EV_OLE;
	unsigned shift = le16(d + 0x1e);
	if (shift != 9 && shift != 12)
		return XF_EV_OLE;
	uint64_t sector = le32(d + 0x30);
	uint64_t size = (uint64_t)1 << shift;
	uint64_t off = (sector + 1) << shift;
	if (sector >= 0xfffffffaull || off > len || size > len - off)
		return XF_EV_OLE;
	for (uint64_t e = 0; e + OLE_DIR_ENTRY <= size; e += OLE_DIR_ENTRY) {
		const unsigned char *ent = d + off + e;
		if (ent[66] != 2) /* a stream */
			continue;
		if (ole_name_is(ent, "WordDocument"))
			return XF_EV_DOC;
		if (ole_name_is(ent, "Workbook") || ole_name_is(ent, "Book"))
			return XF_EV_XLS;
	}
	return XF_EV_OLE;
}

xf_evidence_type xf_evidence_sniff(const void *data, size_t len)
{
	static const unsigned char png[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
	static const unsigned char ole[8] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
	const unsigned char *d = data;
	if (d == NULL)
		return XF_EV_NONE;
	if (len >= 5 && memcmp(d, "%PDF-", 5) == 0)
		return XF_EV_PDF;
	if (len >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
		return XF_EV_JPEG;
	if (len >= 8 && memcmp(d, png, 8) == 0)
		return XF_EV_PNG;
	if (len >= 8 && memcmp(d, ole, 8) == 0)
		return sniff_ole(d, len);
	if (len >= 4 && d[0] == 'P' && d[1] == 'K' && d[2] == 3 && d[3] == 4)
		return sniff_zip(d, len);
	return XF_EV_NONE;
}

/* ---- types, names and extensions ---- */

typedef struct type_info {
	const char *mime;
	const char *label;
	const char *exts[3]; /* with their dots; the first is the usual one */
} type_info;

static const type_info types[] = {
	[XF_EV_NONE] = {"application/octet-stream", "未知类型", {NULL}},
	[XF_EV_PDF] = {"application/pdf", "PDF 文件", {".pdf"}},
	[XF_EV_JPEG] = {"image/jpeg", "JPEG 图片", {".jpg", ".jpeg"}},
	[XF_EV_PNG] = {"image/png", "PNG 图片", {".png"}},
	[XF_EV_DOCX] = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			"Word 文档（.docx）", {".docx"}},
	[XF_EV_XLSX] = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			"Excel 表格（.xlsx）", {".xlsx"}},
	[XF_EV_DOC] = {"application/msword", "Word 文档（.doc）", {".doc"}},
	[XF_EV_XLS] = {"application/vnd.ms-excel", "Excel 表格（.xls）", {".xls"}},
	[XF_EV_OLE] = {"application/msword", "Office 文档（.doc/.xls）", {".doc", ".xls"}},
};

static const type_info *info(xf_evidence_type t)
{
	return (unsigned)t < sizeof(types) / sizeof(types[0]) ? &types[t] : &types[XF_EV_NONE];
}

/* The extension of name with its dot, or NULL. */
static const char *ext_of(const char *name)
{
	const char *dot = name ? strrchr(name, '.') : NULL;
	return dot && dot != name && dot[1] != '\0' ? dot : NULL;
}

const char *xf_evidence_mime(xf_evidence_type t, const char *name)
{
	const char *e = ext_of(name);
	if (t == XF_EV_OLE && e && strcasecmp(e, ".xls") == 0)
		return types[XF_EV_XLS].mime;
	return info(t)->mime;
}

const char *xf_evidence_label(xf_evidence_type t)
{
	return info(t)->label;
}

const char *xf_evidence_ext(xf_evidence_type t)
{
	const char *e = info(t)->exts[0];
	return e ? e : "";
}

bool xf_evidence_inline_ok(xf_evidence_type t)
{
	return t == XF_EV_PDF || t == XF_EV_JPEG || t == XF_EV_PNG;
}

xf_evidence_type xf_evidence_type_of_mime(const char *mime)
{
	if (mime == NULL)
		return XF_EV_NONE;
	for (int t = XF_EV_PDF; t <= XF_EV_XLS; t++)
		if (strcmp(types[t].mime, mime) == 0)
			return (xf_evidence_type)t;
	return XF_EV_NONE;
}

bool xf_evidence_ext_ok(xf_evidence_type t, const char *name)
{
	const char *e = ext_of(name);
	if (e == NULL || t == XF_EV_NONE)
		return false;
	for (int k = 0; k < 3 && info(t)->exts[k]; k++)
		if (strcasecmp(e, info(t)->exts[k]) == 0)
			return true;
	return false;
}

/* Code point of the well-formed UTF-8 character s[0..n). */
static uint32_t code_point(const unsigned char *s, size_t n)
{
	if (n == 1)
		return s[0];
	uint32_t c = s[0] & (0xff >> (n + 1));
	for (size_t i = 1; i < n; i++)
		c = (c << 6) | (s[i] & 0x3f);
	return c;
}

/* Characters a name never keeps: controls, and the bidirectional
 * embeddings, overrides and isolates (U+202A..E, U+2066..9). */
static bool dropped(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

size_t xf_evidence_sanitize_name(const char *in, size_t len, char *out, size_t size)
{
	if (size == 0)
		return 0;
	out[0] = '\0';
	if (in == NULL)
		return 0;
	/* The last path component, by either separator. */
	size_t start = 0;
	for (size_t i = 0; i < len; i++)
		if (in[i] == '/' || in[i] == '\\')
			start = i + 1;
	const unsigned char *s = (const unsigned char *)in + start;
	size_t left = len - start;
	/* The characters kept, before the length limit (which must see the
	 * extension at the end). At most the input's size. */
	char *all = malloc(left + 1);
	if (all == NULL)
		return 0;
	size_t m = 0;
	for (size_t i = 0; i < left;) {
		size_t cl = s[i] ? xf_utf8_char_len(s + i, left - i) : 0;
		if (cl == 0) {
			i++; /* not UTF-8, or NUL: dropped */
			continue;
		}
		if (!dropped(code_point(s + i, cl))) {
			memcpy(all + m, s + i, cl);
			m += cl;
		}
		i += cl;
	}
	/* Trim dots and spaces at both ends (".." and ".hidden" lose theirs). */
	size_t a = 0, z = m;
	while (a < z && (all[a] == '.' || all[a] == ' '))
		a++;
	while (z > a && (all[z - 1] == '.' || all[z - 1] == ' '))
		z--;
	all[z] = '\0';
	const char *t = all + a;
	size_t tl = z - a, n;
	size_t limit = XF_EVIDENCE_NAME_MAX < size - 1 ? XF_EVIDENCE_NAME_MAX : size - 1;
	if (tl <= limit) {
		memcpy(out, t, tl);
		n = tl;
	} else {
		/* Cut the stem at a character boundary, keeping a short
		 * extension (".pdf") at the end. */
		const char *dot = strrchr(t, '.');
		size_t el = dot ? tl - (size_t)(dot - t) : 0;
		if (el > EXT_KEEP_MAX || el >= limit)
			el = 0;
		size_t stem = limit - el;
		while (stem > 0 && ((unsigned char)t[stem] & 0xc0) == 0x80)
			stem--;
		while (el == 0 && stem > 0 && (t[stem - 1] == '.' || t[stem - 1] == ' '))
			stem--;
		memcpy(out, t, stem);
		memcpy(out + stem, t + tl - el, el);
		n = stem + el;
	}
	out[n] = '\0';
	free(all);
	return n;
}

int xf_evidence_check(const void *data, size_t len, const char *raw_name, size_t raw_len,
		      xf_evidence_type *type, char name[XF_EVIDENCE_NAME_MAX + 1], xf_errs *errs)
{
	xf_evidence_type t = xf_evidence_sniff(data, len);
	*type = t;
	xf_evidence_sanitize_name(raw_name, raw_name ? raw_len : 0, name, XF_EVIDENCE_NAME_MAX + 1);
	if (t == XF_EV_NONE) {
		xf_errs_add(errs, "不支持的文件类型：证明材料应为 PDF、JPEG、PNG、Word（.doc/.docx）或 "
			    "Excel（.xls/.xlsx）文件（按文件内容判断）");
		return -1;
	}
	if (name[0] == '\0') {
		snprintf(name, XF_EVIDENCE_NAME_MAX + 1, "证明材料%s", xf_evidence_ext(t));
		return 0;
	}
	if (!xf_evidence_ext_ok(t, name)) {
		const char *e = ext_of(name);
		if (e == NULL)
			xf_errs_add(errs, "文件名“%s”没有扩展名：文件内容是 %s，文件名应以 %s 结尾", name,
				    xf_evidence_label(t), xf_evidence_ext(t));
		else
		{
			/* The extension as given, at most 20 bytes cut at a character. */
			char ext[24];
			size_t n = strlen(e) > 20 ? 20 : strlen(e);
			while (e[n] != '\0' && n > 0 && ((unsigned char)e[n] & 0xc0) == 0x80)
				n--;
			memcpy(ext, e, n);
			ext[n] = '\0';
			xf_errs_add(errs, "文件内容是 %s，与扩展名 %s 不符", xf_evidence_label(t), ext);
		}
		return -1;
	}
	return 0;
}

/* ---- the store ---- */

void xf_evidence_sha256(const void *data, size_t len, char hex[XF_EVIDENCE_SHA_HEX])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	static const char digits[] = "0123456789abcdef";
	crypto_hash_sha256(h, data, len);
	for (size_t i = 0; i < sizeof(h); i++) {
		hex[2 * i] = digits[h[i] >> 4];
		hex[2 * i + 1] = digits[h[i] & 15];
	}
	hex[64] = '\0';
}

bool xf_evidence_rel_ok(const char *rel)
{
	if (rel == NULL || strlen(rel) != 67 || rel[2] != '/' || rel[0] != rel[3] || rel[1] != rel[4])
		return false;
	for (int i = 0; i < 67; i++) {
		if (i == 2)
			continue;
		char c = rel[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

static int disk_fail(xf_errs *errs, const char *what, const char *path)
{
	xf_errs_add(errs, "证明材料存储失败：%s %s：%s (evidence store: %s)", what, path, strerror(errno),
		    what);
	errs->internal = true;
	return -1;
}

/* mkdir -p, mode 0700 for what it creates. */
static int make_dirs(const char *dir, xf_errs *errs)
{
	char path[PATH_BYTES];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof(path)) {
		xf_errs_add(errs, "证明材料目录的路径为空或过长 (evidence.dir is empty or too long)");
		errs->internal = true;
		return -1;
	}
	memcpy(path, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		char keep = path[i];
		path[i] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return disk_fail(errs, "无法创建目录", path);
		path[i] = keep;
	}
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return disk_fail(errs, "不是目录", dir);
	}
	return 0;
}

static int sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int xf_evidence_store(const char *dir, const void *data, size_t len,
		      char sha[XF_EVIDENCE_SHA_HEX], char rel[XF_EVIDENCE_REL_MAX], xf_errs *errs)
{
	char sub[PATH_BYTES], final[PATH_BYTES + 80], tmp[PATH_BYTES + 16];
	int fd = -1;
	xf_evidence_sha256(data, len, sha);
	snprintf(rel, XF_EVIDENCE_REL_MAX, "%.2s/%s", sha, sha);
	if (strlen(dir) + 80 >= sizeof(sub)) {
		xf_errs_add(errs, "证明材料目录的路径过长 (evidence.dir is too long)");
		errs->internal = true;
		return -1;
	}
	snprintf(sub, sizeof(sub), "%s/%.2s", dir, sha);
	snprintf(final, sizeof(final), "%s/%s", dir, rel);
	snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", sub);
	if (make_dirs(sub, errs) != 0)
		return -1;
	struct stat st;
	if (lstat(final, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len)
		return 0; /* the same content is there already */
	fd = mkstemp(tmp);
	if (fd < 0)
		return disk_fail(errs, "无法创建临时文件", sub);
	const unsigned char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		left -= (size_t)w;
	}
	if (fchmod(fd, 0600) != 0 || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, final) != 0)
		goto fail;
	if (sync_dir(sub) != 0)
		return disk_fail(errs, "无法同步目录", sub);
	return 0;
fail:
	disk_fail(errs, "无法写入文件", tmp);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

/* The full path of a stored file (rel as xf_evidence_store made it) into
 * path[PATH_BYTES]: 0, or -1 (internal) when rel is not such a path or
 * dir too long. */
static int stored_path(const char *dir, const char *rel, char *path, xf_errs *errs)
{
	if (!xf_evidence_rel_ok(rel) || strlen(dir) + 80 >= PATH_BYTES) {
		xf_errs_add(errs, "证明材料的存储路径无效 (bad stored path)");
		errs->internal = true;
		return -1;
	}
	snprintf(path, PATH_BYTES, "%s/%s", dir, rel);
	return 0;
}

int xf_evidence_open(const char *dir, const char *rel, int *fd, size_t *size, xf_errs *errs)
{
	char path[PATH_BYTES];
	*fd = -1;
	*size = 0;
	if (stored_path(dir, rel, path, errs) != 0)
		return -1;
	int f = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (f < 0 && errno == ENOENT)
		return 1;
	if (f < 0)
		return disk_fail(errs, "无法打开文件", path);
	struct stat st;
	if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(f);
		errno = EINVAL;
		return disk_fail(errs, "不是普通文件", path);
	}
	*fd = f;
	*size = (size_t)st.st_size;
	return 0;
}

int xf_evidence_remove(const char *dir, const char *rel, xf_errs *errs)
{
	char path[PATH_BYTES];
	if (stored_path(dir, rel, path, errs) != 0)
		return -1;
	if (unlink(path) != 0 && errno != ENOENT)
		return disk_fail(errs, "无法删除文件", path);
	return 0;
}
