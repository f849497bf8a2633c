/* Tests for src/service/evidence.c: the sniffer on every type we take and
 * on near misses (a text file, a plain ZIP, an OOXML without
 * [Content_Types].xml, a ZIP whose directory points past its end,
 * truncated signatures), OLE2 told apart by its directory, the extension
 * rule (a JPEG named .pdf is refused, naming both), the name sanitiser
 * (path tricks, NUL and control characters, bidi overrides, bad UTF-8,
 * long names cut at a character keeping the extension), and the store
 * (content-addressed path, modes, no temporary file left, the same
 * content stored once, reading back, refusing paths not of the stored
 * form). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "api/config.h"
#include "core/utf8.h"
#include "service/evidence.h"

/* ---- building test files ---- */

typedef struct buf {
	unsigned char d[8192];
	size_t n;
} buf;

static void put(buf *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof(b->d));
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void put16(buf *b, unsigned v)
{
	unsigned char x[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
	put(b, x, 2);
}

static void put32(buf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	put(b, x, 4);
}

/* A ZIP of empty stored entries named names[0..n). */
static void make_zip(buf *b, const char *const *names, int n)
{
	uint32_t offs[16];
	b->n = 0;
	for (int i = 0; i < n; i++) {
		offs[i] = (uint32_t)b->n;
		put32(b, 0x04034b50u);
		put16(b, 20), put16(b, 0), put16(b, 0), put16(b, 0), put16(b, 0);
		put32(b, 0), put32(b, 0), put32(b, 0);
		put16(b, (unsigned)strlen(names[i])), put16(b, 0);
		put(b, names[i], strlen(names[i]));
	}
	uint32_t cd = (uint32_t)b->n;
	for (int i = 0; i < n; i++) {
		put32(b, 0x02014b50u);
		put16(b, 20), put16(b, 20), put16(b, 0), put16(b, 0), put16(b, 0), put16(b, 0);
		put32(b, 0), put32(b, 0), put32(b, 0);
		put16(b, (unsigned)strlen(names[i])), put16(b, 0), put16(b, 0);
		put16(b, 0), put16(b, 0), put32(b, 0), put32(b, offs[i]);
		put(b, names[i], strlen(names[i]));
	}
	uint32_t cd_size = (uint32_t)b->n - cd;
	put32(b, 0x06054b50u);
	put16(b, 0), put16(b, 0), put16(b, (unsigned)n), put16(b, (unsigned)n);
	put32(b, cd_size), put32(b, cd), put16(b, 0);
}

/* An OLE2 compound file: header (512-byte sectors, directory at sector
 * 0) and one directory sector naming stream (UTF-16LE), or none. */
static void make_ole(buf *b, const char *stream)
{
	static const unsigned char sig[8] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
	b->n = 0;
	memset(b->d, 0, 1024);
	memcpy(b->d, sig, 8);
	b->d[0x1e] = 9; /* sector shift */
	b->d[0x30] = 0; /* first directory sector */
	unsigned char *root = b->d + 512;
	const char *rn = "Root Entry";
	for (size_t i = 0; i < strlen(rn); i++)
		root[2 * i] = (unsigned char)rn[i];
	root[64] = (unsigned char)((strlen(rn) + 1) * 2);
	root[66] = 5;
	if (stream) {
		unsigned char *e = b->d + 512 + 128;
		for (size_t i = 0; i < strlen(stream); i++)
			e[2 * i] = (unsigned char)stream[i];
		e[64] = (unsigned char)((strlen(stream) + 1) * 2);
		e[66] = 2;
	}
	b->n = 1024;
}

static const unsigned char PNG_SIG[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13};
static const unsigned char JPEG_SIG[] = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F'};

/* ---- the sniffer ---- */

static void test_sniff(void **state)
{
	(void)state;
	buf docx, xlsx, plain, both, no_types, ole_doc, ole_xls, ole_book, ole_other;
	static const char *const docx_names[] = {"[Content_Types].xml", "_rels/.rels", "word/document.xml"};
	static const char *const xlsx_names[] = {"[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"};
	static const char *const plain_names[] = {"readme.txt", "a/b.c"};
	static const char *const both_names[] = {"[Content_Types].xml", "word/document.xml", "xl/workbook.xml"};
	static const char *const no_types_names[] = {"word/document.xml"};
	make_zip(&docx, docx_names, 3);
	make_zip(&xlsx, xlsx_names, 3);
	make_zip(&plain, plain_names, 2);
	make_zip(&both, both_names, 3);
	make_zip(&no_types, no_types_names, 1);
	make_ole(&ole_doc, "WordDocument");
	make_ole(&ole_xls, "Workbook");
	make_ole(&ole_book, "Book");
	make_ole(&ole_other, "Something");
	const struct {
		const char *what;
		const void *data;
		size_t len;
		xf_evidence_type want;
	} cases[] = {
		{"pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", 22, XF_EV_PDF},
		{"pdf header only", "%PDF-", 5, XF_EV_PDF},
		{"pdf cut", "%PDF", 4, XF_EV_NONE},
		{"jpeg", JPEG_SIG, sizeof(JPEG_SIG), XF_EV_JPEG},
		{"jpeg cut", JPEG_SIG, 2, XF_EV_NONE},
		{"png", PNG_SIG, sizeof(PNG_SIG), XF_EV_PNG},
		{"png cut", PNG_SIG, 7, XF_EV_NONE},
		{"docx", docx.d, docx.n, XF_EV_DOCX},
		{"xlsx", xlsx.d, xlsx.n, XF_EV_XLSX},
		{"plain zip", plain.d, plain.n, XF_EV_NONE},
		{"zip with word and xl", both.d, both.n, XF_EV_NONE},
		{"zip without content types", no_types.d, no_types.n, XF_EV_NONE},
		{"docx without its end record", docx.d, docx.n - 22, XF_EV_NONE},
		{"ole doc", ole_doc.d, ole_doc.n, XF_EV_DOC},
		{"ole xls", ole_xls.d, ole_xls.n, XF_EV_XLS},
		{"ole xls (Book)", ole_book.d, ole_book.n, XF_EV_XLS},
		{"ole unknown streams", ole_other.d, ole_other.n, XF_EV_OLE},
		{"ole header only", ole_doc.d, 8, XF_EV_OLE},
		{"ole directory cut", ole_doc.d, 600, XF_EV_OLE},
		{"text", "这是一个文本文件，不是 PDF。\n", 40, XF_EV_NONE},
		{"html", "<!doctype html><script>alert(1)</script>", 40, XF_EV_NONE},
		{"empty", "", 0, XF_EV_NONE},
		{"null", NULL, 0, XF_EV_NONE},
		{"pdf not at start", " %PDF-1.4", 9, XF_EV_NONE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xf_evidence_type got = xf_evidence_sniff(cases[i].data, cases[i].len);
		if (got != cases[i].want)
			fail_msg("%s: sniffed %d, expected %d", cases[i].what, got, cases[i].want);
	}

	/* A ZIP whose central directory points past the end record, and
	 * one claiming more entries than it has. */
	buf bad = docx;
	size_t eocd = bad.n - 22;
	bad.d[eocd + 16] = 0xff; /* cd offset */
	bad.d[eocd + 17] = 0xff;
	assert_int_equal(xf_evidence_sniff(bad.d, bad.n), XF_EV_NONE);
	bad = docx;
	bad.d[eocd + 10] = 200; /* entries */
	assert_int_equal(xf_evidence_sniff(bad.d, bad.n), XF_EV_NONE);
	/* OLE with a directory sector beyond the file. */
	bad = ole_doc;
	bad.d[0x30] = 0x40;
	assert_int_equal(xf_evidence_sniff(bad.d, bad.n), XF_EV_OLE);
}

static void test_types(void **state)
{
	(void)state;
	const struct {
		xf_evidence_type t;
		const char *name;
		bool ok;
		const char *mime;
	} cases[] = {
		{XF_EV_PDF, "报告.pdf", true, "application/pdf"},
		{XF_EV_PDF, "报告.PDF", true, "application/pdf"},
		{XF_EV_PDF, "报告.jpg", false, "application/pdf"},
		{XF_EV_PDF, "报告", false, "application/pdf"},
		{XF_EV_PDF, ".pdf", false, "application/pdf"},
		{XF_EV_JPEG, "a.jpg", true, "image/jpeg"},
		{XF_EV_JPEG, "a.JPEG", true, "image/jpeg"},
		{XF_EV_JPEG, "a.pdf", false, "image/jpeg"},
		{XF_EV_PNG, "a.png", true, "image/png"},
		{XF_EV_DOCX, "a.docx", true,
		 "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{XF_EV_DOCX, "a.doc", false,
		 "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{XF_EV_XLSX, "a.xlsx", true,
		 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{XF_EV_DOC, "a.doc", true, "application/msword"},
		{XF_EV_DOC, "a.xls", false, "application/msword"},
		{XF_EV_XLS, "a.xls", true, "application/vnd.ms-excel"},
		{XF_EV_OLE, "a.doc", true, "application/msword"},
		{XF_EV_OLE, "a.xls", true, "application/vnd.ms-excel"},
		{XF_EV_OLE, "a.docx", false, "application/msword"},
		{XF_EV_NONE, "a.pdf", false, "application/octet-stream"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (xf_evidence_ext_ok(cases[i].t, cases[i].name) != cases[i].ok)
			fail_msg("ext_ok(%d, %s) should be %d", cases[i].t, cases[i].name, cases[i].ok);
		assert_string_equal(xf_evidence_mime(cases[i].t, cases[i].name), cases[i].mime);
	}
	for (int t = XF_EV_PDF; t <= XF_EV_XLS; t++)
		assert_int_equal(xf_evidence_type_of_mime(xf_evidence_mime((xf_evidence_type)t, NULL)), t);
	assert_int_equal(xf_evidence_type_of_mime("text/html"), XF_EV_NONE);
	assert_true(xf_evidence_inline_ok(XF_EV_PDF));
	assert_true(xf_evidence_inline_ok(XF_EV_PNG));
	assert_false(xf_evidence_inline_ok(XF_EV_DOCX));
}

/* ---- names ---- */

static void test_sanitize(void **state)
{
	(void)state;
	const struct {
		const char *in;
		size_t len; /* 0: strlen */
		const char *out;
	} cases[] = {
		{"报告.pdf", 0, "报告.pdf"},
		{"../../etc/passwd.pdf", 0, "passwd.pdf"},
		{"/etc/passwd", 0, "passwd"},
		{"a\\b.pdf", 0, "b.pdf"},
		{"..\\..\\windows\\win.ini", 0, "win.ini"},
		{"C:\\Users\\张三\\Desktop\\培训证书.pdf", 0, "培训证书.pdf"},
		{"ev\0il.pdf", 9, "evil.pdf"},
		{"a\x01\x02\x1f\x7f" "b.pdf", 0, "ab.pdf"},
		{"a\r\nSet-Cookie: x.pdf", 0, "aSet-Cookie: x.pdf"},
		{"a\xc2\x85" "b.pdf", 0, "ab.pdf"},                 /* U+0085, a C1 control */
		{"\xe2\x80\xae" "fdp.exe", 0, "fdp.exe"},           /* U+202E RIGHT-TO-LEFT OVERRIDE */
		{"x\xe2\x81\xa6y.pdf", 0, "xy.pdf"},                /* U+2066 */
		{"\xff\xfe名单.pdf", 0, "名单.pdf"},                /* not UTF-8 */
		{"\xe5\x90.pdf", 0, "pdf"},                         /* a cut character: dropped, then the dot */
		{"..", 0, ""},
		{"...", 0, ""},
		{".hidden.pdf", 0, "hidden.pdf"},
		{"  a.pdf  ", 0, "a.pdf"},
		{"a.pdf...", 0, "a.pdf"},
		{"dir/", 0, ""},
		{"", 0, ""},
		{"2026年 第一季度 学习 心得.docx", 0, "2026年 第一季度 学习 心得.docx"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[XF_EVIDENCE_NAME_MAX + 1];
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		size_t n = xf_evidence_sanitize_name(cases[i].in, len, out, sizeof(out));
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("case %zu: \"%s\", expected \"%s\"", i, out, cases[i].out);
		assert_int_equal(n, strlen(out));
	}
	assert_int_equal(xf_evidence_sanitize_name(NULL, 5, (char[8]){0}, 8), 0);
}

/* Checks what every sanitised name must be. */
static void assert_clean(const char *out)
{
	size_t n = strlen(out);
	assert_true(n <= XF_EVIDENCE_NAME_MAX);
	assert_int_equal(xf_utf8_invalid_at(out, n), n);
	assert_null(strchr(out, '/'));
	assert_null(strchr(out, '\\'));
	for (size_t i = 0; i < n; i++)
		assert_true((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
	if (n > 0) {
		assert_true(out[0] != '.' && out[0] != ' ');
		assert_true(out[n - 1] != '.' && out[n - 1] != ' ');
	}
}

static void test_sanitize_long(void **state)
{
	(void)state;
	char in[2048], out[XF_EVIDENCE_NAME_MAX + 1];
	/* 300 ASCII letters and .pdf: 200 bytes, ending in .pdf. */
	memset(in, 'a', 300);
	strcpy(in + 300, ".pdf");
	size_t n = xf_evidence_sanitize_name(in, strlen(in), out, sizeof(out));
	assert_int_equal(n, XF_EVIDENCE_NAME_MAX);
	assert_string_equal(out + n - 4, ".pdf");
	assert_clean(out);
	/* 120 three-byte characters (360 bytes) and .pdf: cut at a character. */
	in[0] = '\0';
	for (int i = 0; i < 120; i++)
		strcat(in, "学");
	strcat(in, ".pdf");
	n = xf_evidence_sanitize_name(in, strlen(in), out, sizeof(out));
	assert_true(n <= XF_EVIDENCE_NAME_MAX && n > XF_EVIDENCE_NAME_MAX - 4);
	assert_string_equal(out + n - 4, ".pdf");
	assert_clean(out);
	assert_int_equal((n - 4) % 3, 0);
	/* A very long extension is not kept whole: the name is cut. */
	memset(in, 'b', 10);
	in[10] = '.';
	memset(in + 11, 'c', 400);
	in[411] = '\0';
	n = xf_evidence_sanitize_name(in, strlen(in), out, sizeof(out));
	assert_int_equal(n, XF_EVIDENCE_NAME_MAX);
	assert_clean(out);
	/* A small output buffer is honoured. */
	char small[8];
	n = xf_evidence_sanitize_name("abcdefghijkl.pdf", 16, small, sizeof(small));
	assert_int_equal(n, 7);
	assert_int_equal(strlen(small), 7);
	assert_string_equal(small + 3, ".pdf");
	/* Every byte value alone, and in pairs, gives a clean name. */
	for (int a = 0; a < 256; a++) {
		for (int b = 0; b < 256; b += 17) {
			char two[3] = {(char)a, (char)b, 0};
			xf_evidence_sanitize_name(two, 2, out, sizeof(out));
			assert_clean(out);
		}
	}
}

static void test_check(void **state)
{
	(void)state;
	char name[XF_EVIDENCE_NAME_MAX + 1];
	xf_evidence_type t;
	const char *pdf = "%PDF-1.4\n";
	const struct {
		const void *data;
		size_t len;
		const char *name;
		int rc;
		xf_evidence_type type;
		const char *out_name;  /* when rc is 0 */
		const char *msg[2];    /* substrings of the message when rc is -1 */
	} cases[] = {
		{pdf, 9, "证书.pdf", 0, XF_EV_PDF, "证书.pdf", {NULL}},
		{pdf, 9, "../../etc/证书.pdf", 0, XF_EV_PDF, "证书.pdf", {NULL}},
		{pdf, 9, NULL, 0, XF_EV_PDF, "证明材料.pdf", {NULL}},
		{pdf, 9, "../..", 0, XF_EV_PDF, "证明材料.pdf", {NULL}},
		{JPEG_SIG, sizeof(JPEG_SIG), "photo.pdf", -1, XF_EV_JPEG, NULL,
		 {"文件内容是 JPEG 图片，与扩展名 .pdf 不符", NULL}},
		{JPEG_SIG, sizeof(JPEG_SIG), "photo.jpeg", 0, XF_EV_JPEG, "photo.jpeg", {NULL}},
		{PNG_SIG, sizeof(PNG_SIG), "scan", -1, XF_EV_PNG, NULL, {"没有扩展名", ".png"}},
		{"hello, world\n", 13, "notes.pdf", -1, XF_EV_NONE, NULL, {"不支持的文件类型", "PDF"}},
		{"", 0, "empty.pdf", -1, XF_EV_NONE, NULL, {"不支持的文件类型", NULL}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xf_errs errs;
		xf_errs_init(&errs);
		int rc = xf_evidence_check(cases[i].data, cases[i].len, cases[i].name,
					   cases[i].name ? strlen(cases[i].name) : 0, &t, name, &errs);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, expected %d", i, rc, cases[i].rc);
		assert_int_equal(t, cases[i].type);
		if (rc == 0) {
			assert_string_equal(name, cases[i].out_name);
			assert_int_equal(errs.n, 0);
		} else {
			assert_int_equal(errs.n, 1);
			for (int k = 0; k < 2 && cases[i].msg[k]; k++)
				if (strstr(errs.msgs[0], cases[i].msg[k]) == NULL)
					fail_msg("case %zu: \"%s\" lacks \"%s\"", i, errs.msgs[0],
						 cases[i].msg[k]);
		}
		xf_errs_cleanup(&errs);
	}
}

/* ---- the store ---- */

static int count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void test_store(void **state)
{
	(void)state;
	char root[64] = "/tmp/xuefen-evidence-XXXXXX", dir[128], sha[XF_EVIDENCE_SHA_HEX],
	     rel[XF_EVIDENCE_REL_MAX], sub[192], path[256];
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/nested/files", root); /* parents made too */
	xf_errs errs;
	xf_errs_init(&errs);
	const char *data = "%PDF-1.4\n% a small test file\n";
	size_t len = strlen(data);
	assert_int_equal(xf_evidence_store(dir, data, len, sha, rel, &errs), 0);
	char want[XF_EVIDENCE_SHA_HEX];
	xf_evidence_sha256(data, len, want);
	assert_string_equal(sha, want);
	assert_int_equal(strlen(sha), 64);
	assert_memory_equal(rel, sha, 2);
	assert_int_equal(rel[2], '/');
	assert_string_equal(rel + 3, sha);
	assert_true(xf_evidence_rel_ok(rel));
	/* SHA-256 of "abc" (FIPS 180-2). */
	xf_evidence_sha256("abc", 3, want);
	assert_string_equal(want, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal((size_t)st.st_size, len);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(sub, sizeof(sub), "%s/%.2s", dir, sha);
	assert_int_equal(count_entries(sub, ".tmp-"), 0);
	assert_int_equal(count_entries(sub, sha), 1);

	/* The same content again: the same path, still one file. */
	char sha2[XF_EVIDENCE_SHA_HEX], rel2[XF_EVIDENCE_REL_MAX];
	assert_int_equal(xf_evidence_store(dir, data, len, sha2, rel2, &errs), 0);
	assert_string_equal(rel2, rel);
	assert_int_equal(count_entries(sub, ""), 3); /* ., .., the file */

	/* Reading back. */
	int fd;
	size_t size;
	assert_int_equal(xf_evidence_open(dir, rel, &fd, &size, &errs), 0);
	assert_int_equal(size, len);
	char back[128] = "";
	assert_int_equal(read(fd, back, sizeof(back)), (ssize_t)len);
	assert_memory_equal(back, data, len);
	close(fd);

	/* Paths not of the stored form are refused before any open. */
	const char *bad[] = {"../../etc/passwd", "ab/../../etc/passwd", "AB/ABCD", "",
			     "ba/7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
			     "ba/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015aX",
			     "ba/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad/x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(xf_evidence_rel_ok(bad[i]));
		xf_errs e;
		xf_errs_init(&e);
		assert_int_equal(xf_evidence_open(dir, bad[i], &fd, &size, &e), -1);
		assert_int_equal(fd, -1);
		assert_true(e.internal);
		xf_errs_cleanup(&e);
	}
	/* A well-formed path that is not there. */
	assert_int_equal(xf_evidence_open(dir, "ba/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
					  &fd, &size, &errs), 1);
	/* A link in the store is not followed. */
	char link[320];
	xf_evidence_sha256("link", 4, want);
	snprintf(sub, sizeof(sub), "%s/%.2s", dir, want);
	mkdir(sub, 0700);
	snprintf(link, sizeof(link), "%s/%s", sub, want);
	assert_int_equal(symlink("/etc/passwd", link), 0);
	snprintf(rel2, sizeof(rel2), "%.2s/%s", want, want);
	xf_errs_cleanup(&errs);
	xf_errs_init(&errs);
	assert_int_equal(xf_evidence_open(dir, rel2, &fd, &size, &errs), -1);
	unlink(link);
	rmdir(sub);

	/* A folder that cannot be made is a message, marked internal. */
	xf_errs_cleanup(&errs);
	xf_errs_init(&errs);
	snprintf(path, sizeof(path), "%s/afile", root);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	char under[300];
	snprintf(under, sizeof(under), "%s/sub", path);
	assert_int_equal(xf_evidence_store(under, data, len, sha2, rel2, &errs), -1);
	assert_true(errs.internal);
	assert_int_equal(errs.n, 1);

	/* Clean up. */
	assert_int_equal(xf_evidence_remove(dir, rel, &errs), 0);
	assert_int_equal(xf_evidence_remove(dir, rel, &errs), 0); /* missing is fine */
	snprintf(sub, sizeof(sub), "%s/%.2s", dir, sha);
	rmdir(sub);
	rmdir(dir);
	snprintf(path, sizeof(path), "%s/nested", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/afile", root);
	unlink(path);
	assert_int_equal(rmdir(root), 0);
	xf_errs_cleanup(&errs);
}

/* Where the files go (api/config.c xf_config_evidence_dir): the setting,
 * else beside the SQLite file, else beside the settings file; never
 * inside web_root. */
static void test_config_dir(void **state)
{
	(void)state;
	const struct {
		const char *setting, *config_dir, *web_root, *db;
		int rc;
		const char *out;
	} cases[] = {
		{NULL, NULL, NULL, "xuefen.db", 0, "xuefen.db.files"},
		{NULL, NULL, NULL, "sqlite:/var/lib/xuefen/x.db", 0, "/var/lib/xuefen/x.db.files"},
		{NULL, NULL, NULL, "postgresql://u@h/db", 0, "xuefen-files"},
		{NULL, "/etc/xuefen", NULL, "postgresql://u@h/db", 0, "/etc/xuefen/xuefen-files"},
		{"/srv/files", "/etc/xuefen", NULL, "postgresql://u@h/db", 0, "/srv/files"},
		{"web/dist/files", NULL, "web/dist", "xuefen.db", -1, NULL},
		{"web/dist/../files", NULL, "web/dist", "xuefen.db", 0, "web/dist/../files"},
		{"./web//dist/x", NULL, "web/dist/", "xuefen.db", -1, NULL},
		{NULL, NULL, "/srv/www", "sqlite:/srv/www/x.db", -1, NULL},
		{"web/distribution", NULL, "web/dist", "xuefen.db", 0, "web/distribution"},
		{NULL, NULL, NULL, "mysql://x", -1, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xf_config c;
		xf_config_defaults(&c);
		if (cases[i].setting)
			snprintf(c.evidence_dir, sizeof(c.evidence_dir), "%s", cases[i].setting);
		if (cases[i].config_dir)
			snprintf(c.config_dir, sizeof(c.config_dir), "%s", cases[i].config_dir);
		c.web_root = cases[i].web_root ? strdup(cases[i].web_root) : NULL;
		char out[XF_CONFIG_PATH_MAX];
		xf_errs errs;
		xf_errs_init(&errs);
		int rc = xf_config_evidence_dir(&c, cases[i].db, out, sizeof(out), &errs);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, expected %d", i, rc, cases[i].rc);
		if (rc == 0)
			assert_string_equal(out, cases[i].out);
		else
			assert_true(errs.n >= 1);
		xf_errs_cleanup(&errs);
		xf_config_cleanup(&c);
	}
	/* A settings file sets it, and is refused inside web_root. */
	char dir[64] = "/tmp/xuefen-evcfg-XXXXXX", path[128];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/xuefen.yaml", dir);
	const struct {
		const char *text;
		int rc;
		const char *evidence;
	} files[] = {
		{"evidence:\n  dir: /data/xuefen-files\n", 0, "/data/xuefen-files"},
		{"evidence: {dir: files}\nweb_root: files/..\n", -1, NULL},
		{"evidence: {folder: x}\n", -1, NULL},
		{"evidence: {dir: ''}\n", -1, NULL},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(files[i].text, f);
		fclose(f);
		xf_config c;
		xf_config_defaults(&c);
		xf_errs errs;
		xf_errs_init(&errs);
		int rc = xf_config_load(&c, path, &errs);
		if (rc != files[i].rc)
			fail_msg("file %zu: rc %d, expected %d", i, rc, files[i].rc);
		if (rc == 0) {
			assert_string_equal(c.evidence_dir, files[i].evidence);
			assert_string_equal(c.config_dir, dir);
		}
		xf_errs_cleanup(&errs);
		xf_config_cleanup(&c);
	}
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_sanitize_long),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_config_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
