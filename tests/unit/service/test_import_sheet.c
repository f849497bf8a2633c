/* Tests for src/service/import_sheet.c: roster, records, xxqg (increments
 * and cumulative totals) and online-hours from CSV (UTF-8 and GBK); every
 * bad row reported with row, column and reason; a bad file changes
 * nothing; the same file twice adds nothing; ambiguous names refused.
 * Runs on SQLite, and on PostgreSQL when XUEFEN_TEST_PG is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/file.h"
#include "service/export_sheet.h"
#include "service/import.h"
#include "store/store.h"
#include "../support/backends.h"


static xf_store *fresh(const char *url)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_store_reset_for_tests(url, &errs);
	xf_store *s = xf_store_open(url, XF_STORE_CREATE, &errs);
	assert_non_null(s);
	/* A bureau under bigdata-bureau for 2025, from the shipped example. */
	char *json = NULL;
	size_t len = 0;
	assert_int_equal(xf_file_read("examples/bigdata-bureau.case.json", XF_FILE_MAX, &json, &len, &errs), 0);
	xf_import_report rep;
	assert_int_equal(xf_import_case(s, json, len, "bigdata.json", "examples", "t", &rep, &errs), 0);
	free(json);
	xf_errs_cleanup(&errs);
	return s;
}

static long long count(xf_store *s, const char *sql)
{
	xf_errs errs;
	xf_errs_init(&errs);
	xf_stmt *st = xf_stmt_prepare(s, sql, &errs);
	assert_non_null(st);
	assert_int_equal(xf_stmt_step(st, &errs), XF_STEP_ROW);
	long long n = xf_stmt_int(st, 0);
	xf_stmt_finalize(st);
	xf_errs_cleanup(&errs);
	return n;
}

/* Imports text as kind; returns the status, errors in *errs. */
static int import(xf_store *s, const char *kind, const char *text, xf_errs *errs,
		  xf_import_report *rep)
{
	return xf_import_sheet(s, kind, text, strlen(text), "t.csv", "t", rep, errs);
}

static bool has_msg(const xf_errs *e, const char *part)
{
	for (size_t i = 0; i < e->n; i++)
		if (strstr(e->msgs[i], part))
			return true;
	return false;
}

/* 上级单位 builds the unit tree; ID numbers and phones are checked as the
 * people pages check them. */
static void test_roster_tree_and_ids(void **state)
{
	(void)state;
	for (int u = 0; u < nbackends; u++) {
		xf_store *s = fresh(backends[u].url);
		xf_errs errs;
		xf_errs_init(&errs);
		xf_import_report rep;
		const char *bad = "姓名,工号,身份证号,手机号,单位,单位编码,上级单位\n"
				  "钱一,T001,110101199003077316,13812345678,一科,k1,局机关\n"
				  "钱二,T002,11010119900307731X,1381234,一科,k1,局机关\n";
		assert_int_equal(import(s, "roster", bad, &errs, &rep), -1);
		assert_true(has_msg(&errs, "第 2 行 C 列（身份证号）"));
		assert_true(has_msg(&errs, "校验位"));
		assert_true(has_msg(&errs, "第 3 行 D 列（手机号）"));
		assert_int_equal(count(s, "SELECT count(*) FROM people WHERE staff_no LIKE 'T%'"), 0);
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);
		const char *good = "姓名,工号,身份证号,手机号,单位,单位编码,上级单位\n"
				   "钱一,T001,11010119900307731x,13812345678,一科,k1,局机关\n"
				   "钱二,T002,,,二科,k2,局机关\n"
				   "钱三,T003,,,局机关,局机关,\n";
		/* The check counts what the import would do and writes nothing. */
		long long audit = count(s, "SELECT count(*) FROM audit_log");
		long long batches = count(s, "SELECT count(*) FROM import_batches");
		assert_int_equal(xf_import_sheet_check(s, "roster", good, strlen(good), "t.csv", "t",
						       &rep, &errs), 0);
		assert_int_equal(rep.people, 3);
		assert_int_equal(count(s, "SELECT count(*) FROM people WHERE staff_no LIKE 'T%'"), 0);
		assert_int_equal(count(s, "SELECT count(*) FROM import_batches"), batches);
		assert_int_equal(count(s, "SELECT count(*) FROM audit_log"), audit);
		assert_int_equal(xf_import_sheet_check(s, "roster", bad, strlen(bad), "t.csv", "t",
						       &rep, &errs), -1);
		assert_true(has_msg(&errs, "第 3 行 D 列（手机号）"));
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);
		assert_int_equal(import(s, "roster", good, &errs, &rep), 0);
		assert_int_equal(rep.people, 3);
		assert_int_equal(count(s, "SELECT count(*) FROM units c JOIN units p ON p.id = c.parent_id"
					  " WHERE c.code IN ('k1', 'k2') AND p.code = '局机关'"), 2);
		xf_errs_cleanup(&errs);
		xf_store_close(s);
	}
}

static void test_roster_and_records(void **state)
{
	(void)state;
	for (int u = 0; u < nbackends; u++) {
		xf_store *s = fresh(backends[u].url);
		xf_errs errs;
		xf_errs_init(&errs);
		xf_import_report rep;
		/* UTF-8 BOM, Chinese headers, a required-column marker, dates as typed. */
		const char *roster = "\xEF\xBB\xBF姓名,工号,单位*,单位编码,角色,入职日期\r\n"
				     "张伟,A001,综合科,general-office,section_head,2016-08-01\r\n"
				     "李娜,A002,数据中心,data-center,staff,2025/7/1\r\n"
				     "赵敏,A004,数据中心,data-center,staff,2020年3月5日\r\n";
		assert_int_equal(import(s, "roster", roster, &errs, &rep), 0);
		assert_int_equal(rep.people, 3);
		/* 张伟 and 李娜 came from the case: updated, not duplicated. */
		assert_int_equal(count(s, "SELECT count(*) FROM people"), 4);
		assert_int_equal(count(s, "SELECT count(*) FROM people WHERE code = 'zhang' AND staff_no = 'A001'"), 1);

		/* GBK: 工号,项目,日期,级别 / A004,读书,2025-03-01, */
		const char *gbk = "\xB9\xA4\xBA\xC5,\xCF\xEE\xC4\xBF,\xC8\xD5\xC6\xDA,\xBC\xB6\xB1\xF0\r\n"
				  "A004,\xB6\xC1\xCA\xE9,2025-03-01,\r\n";
		assert_int_equal(import(s, "records", gbk, &errs, &rep), 0);
		assert_int_equal(rep.records, 1);
		assert_int_equal(import(s, "records", gbk, &errs, &rep), 0);
		assert_int_equal(rep.already_imported, 1);
		long long before = count(s, "SELECT count(*) FROM records");

		/* Every bad row reported; nothing written. */
		const char *bad = "工号,姓名,单位,项目,日期,级别,时长（分钟）,成绩\n"
				  "A001,,,listen.training,2025-04-02,city,120,\n"   /* fine */
				  "A009,,,listen.training,2025-04-02,city,120,\n"   /* unknown */
				  ",张伟,综合科,listen.training,2025-02-30,city,,\n" /* date */
				  "A002,,,write.paper,2025-04-02,bureau,,\n"        /* level */
				  "A002,,,write.essay,2025-04-02,,,\n"              /* item */
				  "A002,,,read.book,2025-04-02,,-5,\n"              /* negative */
				  "A002,,,read.book,2025-04-02,,,120\n";            /* score */
		assert_int_equal(import(s, "records", bad, &errs, &rep), -1);
		assert_true(has_msg(&errs, "第 3 行 A 列（工号）"));
		assert_true(has_msg(&errs, "第 4 行 E 列（日期）"));
		assert_true(has_msg(&errs, "第 5 行 F 列（级别）"));
		assert_true(has_msg(&errs, "第 6 行 D 列（项目）"));
		assert_true(has_msg(&errs, "第 7 行 G 列（时长（分钟））"));
		assert_true(has_msg(&errs, "第 8 行 H 列（成绩）"));
		assert_true(has_msg(&errs, "nothing was changed"));
		assert_int_equal(count(s, "SELECT count(*) FROM records"), before);
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);

		/* A value right of the last header is refused, not ignored. */
		assert_int_equal(import(s, "records", "工号,项目,日期\nA001,read.book,2025-01-01,多余\n", &errs, &rep), -1);
		assert_true(has_msg(&errs, "D 列没有表头"));
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);

		/* Unknown and missing columns. */
		assert_int_equal(import(s, "records", "工号,项目,日子\nA001,read.book,2025-01-01\n", &errs, &rep), -1);
		assert_true(has_msg(&errs, "未知的列 \"日子\""));
		assert_true(has_msg(&errs, "缺少必填列“日期”"));
		xf_errs_cleanup(&errs);
		xf_store_close(s);
	}
}

static void test_ambiguous_name(void **state)
{
	(void)state;
	for (int u = 0; u < nbackends; u++) {
		xf_store *s = fresh(backends[u].url);
		xf_errs errs;
		xf_errs_init(&errs);
		xf_import_report rep;
		assert_int_equal(import(s, "roster", "姓名,工号,单位,单位编码,角色\n"
						     "陈晨,B1,综合科,general-office,staff\n"
						     "陈晨,B2,综合科,general-office,staff\n",
					&errs, &rep), 0);
		assert_int_equal(import(s, "records", "姓名,单位,项目,日期\n陈晨,综合科,read.book,2025-05-01\n",
					&errs, &rep), -1);
		assert_true(has_msg(&errs, "重名"));
		xf_errs_cleanup(&errs);
		xf_errs_init(&errs);
		/* By staff number it is unambiguous. */
		assert_int_equal(import(s, "records", "工号,项目,日期\nB2,read.book,2025-05-01\n", &errs, &rep), 0);
		xf_errs_cleanup(&errs);
		xf_store_close(s);
	}
}

static void test_xxqg(void **state)
{
	(void)state;
	for (int u = 0; u < nbackends; u++) {
		xf_store *s = fresh(backends[u].url);
		xf_errs errs;
		xf_errs_init(&errs);
		xf_import_report rep;
		assert_int_equal(import(s, "roster", "姓名,工号,单位,单位编码,角色\n张伟,A001,综合科,general-office,section_head\n",
					&errs, &rep), 0);
		/* Monthly increments; a later import of a month replaces it. */
		assert_int_equal(import(s, "xxqg", "工号,月份,月增量\nA001,2025-03,705\nA001,2025-04,600\n", &errs, &rep), 0);
		assert_int_equal(rep.metrics, 2);
		assert_int_equal(count(s, "SELECT CAST(value AS INTEGER) FROM metrics m JOIN people p ON p.id = m.person_id"
					  " WHERE p.code = 'zhang' AND m.month = '2025-03'"), 705);
		/* Cumulative totals on dates: the growth goes to the later date's month. */
		assert_int_equal(import(s, "xxqg", "工号,统计日期,累计积分\n"
						   "A001,2025-04-30,10000\nA001,2025-05-31,10820\n"
						   "A001,2025-06-15,11000\nA001,2025-06-30,11300\n",
					&errs, &rep), 0);
		assert_int_equal(count(s, "SELECT CAST(value AS INTEGER) FROM metrics m JOIN people p ON p.id = m.person_id"
					  " WHERE p.code = 'zhang' AND m.month = '2025-05'"), 820);
		assert_int_equal(count(s, "SELECT CAST(value AS INTEGER) FROM metrics m JOIN people p ON p.id = m.person_id"
					  " WHERE p.code = 'zhang' AND m.month = '2025-06'"), 480);
		/* A total that goes down, mixed modes: refused, nothing changed. */
		long long before = count(s, "SELECT count(*) FROM metrics");
		assert_int_equal(import(s, "xxqg", "工号,统计日期,累计积分\nA001,2025-07-31,11000\nA001,2025-08-31,10900\n",
					&errs, &rep), -1);
		assert_true(has_msg(&errs, "total went down"));
		assert_int_equal(import(s, "xxqg", "工号,月份,月增量,统计日期,累计积分\nA001,2025-09,10,,\nA001,,,2025-09-30,5\n",
					&errs, &rep), -1);
		assert_true(has_msg(&errs, "do not mix"));
		assert_int_equal(count(s, "SELECT count(*) FROM metrics"), before);
		xf_errs_cleanup(&errs);
		xf_store_close(s);
	}
}

/* Each kind's downloaded template (row 2 is its example) imports as is,
 * once the people and policies it names exist: general-office uses
 * bigdata-bureau (from the example case), and a Loudi unit is set up for
 * the online college's example. */
static void test_templates_accepted(void **state)
{
	(void)state;
	static const char *const kinds[] = {"roster", "records", "xxqg"};
	for (int u = 0; u < nbackends; u++) {
		xf_store *s = fresh(backends[u].url);
		xf_errs errs;
		xf_errs_init(&errs);
		xf_import_report rep;
		char path[600];
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			snprintf(path, sizeof(path), "%s.template.xlsx", backends[0].url);
			assert_int_equal(xf_export_template(kinds[k], path, &errs), 0);
			char *data = NULL;
			size_t len = 0;
			assert_int_equal(xf_file_read(path, XF_FILE_MAX, &data, &len, &errs), 0);
			int rc = xf_import_sheet(s, kinds[k], data, len, path, "t", &rep, &errs);
			xf_errs_print(&errs, kinds[k], stderr);
			assert_int_equal(rc, 0);
			free(data);
			unlink(path);
		}
		/* online-hours: its example person A0012 under a Loudi unit. */
		char *json = NULL;
		size_t len = 0;
		assert_int_equal(xf_file_read("examples/loudi-online.case.json", XF_FILE_MAX, &json, &len, &errs), 0);
		assert_int_equal(xf_import_case(s, json, len, "loudi.json", "examples", "t", &rep, &errs), 0);
		free(json);
		assert_int_equal(import(s, "roster", "姓名,工号,单位,单位编码\n张伟,A0012,市财政局,loudi-finance\n",
					&errs, &rep), 0);
		snprintf(path, sizeof(path), "%s.template.xlsx", backends[0].url);
		assert_int_equal(xf_export_template("online-hours", path, &errs), 0);
		char *data = NULL;
		assert_int_equal(xf_file_read(path, XF_FILE_MAX, &data, &len, &errs), 0);
		int rc = xf_import_sheet(s, "online-hours", data, len, path, "t", &rep, &errs);
		xf_errs_print(&errs, "online-hours", stderr);
		assert_int_equal(rc, 0);
		assert_int_equal(rep.records, 1);
		free(data);
		unlink(path);
		xf_errs_cleanup(&errs);
		xf_store_close(s);
	}
}

int main(void)
{
	if (backends_setup("/tmp/xuefen-sheet-XXXXXX") != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roster_and_records),
		cmocka_unit_test(test_roster_tree_and_ids),
		cmocka_unit_test(test_ambiguous_name),
		cmocka_unit_test(test_xxqg),
		cmocka_unit_test(test_templates_accepted),
	};
	int rc = cmocka_run_group_tests_name("service/import_sheet", tests, NULL, NULL);
	backends_teardown();
	return rc;
}
