/* export_sheet: spreadsheet exports for the offices — the import templates
 * (XLSX, exactly the columns the importers read, see sheets.h) and the
 * year's assessment results (XLSX with a summary and one sheet per unit, or
 * one CSV file that Excel opens with the Chinese intact), and those results
 * as JSON pages for the web UI.
 *
 * Both write to `path` through a temporary file in the same directory that
 * is renamed over `path` only when complete: a failed export leaves no file
 * (and an older file at `path` untouched). */
#ifndef XF_SERVICE_EXPORT_SHEET_H
#define XF_SERVICE_EXPORT_SHEET_H

#include <stdio.h>

#include "core/errs.h"
#include "store/store.h"

/* Writes the import template of sheet kind `kind` (roster, records, xxqg,
 * online-hours) to path as XLSX: a sheet titled with the kind's Chinese
 * title whose row 1 holds the column titles (bold; required ones red and
 * suffixed with "*", which the importer accepts) and row 2 the example
 * values (numbers as numbers), header frozen; and a second sheet 填写说明
 * describing each column and how to fill the sheet in.
 * Returns 0, or -1 with a message in errs (unknown kind, cannot write). */
int xf_export_template(const char *kind, const char *path, xf_errs *errs);

/* Writes the year's latest assessment results — for each policy, its
 * latest run with source 'assess' for `year` — to path; only the people of
 * unit code `unit` when unit is not NULL.
 *   format "xlsx": a first sheet 汇总 (per unit: people, met, rate, average
 *     total, grade counts, and an overall row), then one sheet per unit
 *     (named by the unit code made fit for Excel: at most 31 characters,
 *     none of []:*?/\, unique) with one row per person: 姓名, 工号, 单位,
 *     the categories of the person's policy, 合计, 最终得分, 应修学分,
 *     是否达标, 等级, 免考原因, 优秀学员候选; numbers as numbers.
 *   format "csv": the same person rows for every unit in one file, with an
 *     extra 单位编码 column after 单位 and the categories of every policy in
 *     scope; UTF-8 with BOM, CRLF line ends, RFC 4180 quoting.
 * People are streamed from the store: memory grows with the number of units
 * and policies, not of people.
 * Returns 0, or -1 with a message in errs: unknown format, no assessment
 * for the year ("该年度尚未评估…"), no results for the unit, a policy that
 * cannot be loaded, a database or write error. */
int xf_export_results(xf_store *s, int year, const char *unit, const char *format,
		      const char *path, xf_errs *errs);

/* The same result rows as JSON, a page at a time, for the 年度考核 page:
 * filtered by unit code, by a name or staff number containing q, by met
 * (1 met, 0 not met; people without a requirement match neither) and by
 * grade key, in the export's order (unit code, policy, person id).
 *   {"year", "page", "per_page", "total",
 *    "categories": [{key, name}] (every policy of the year's),
 *    "grades": [{key, name}], "units": [{code, name}] (those with results:
 *    the filter's choices),
 *    "items": [{"person": {id, name, staff_no}, "unit": {code, name},
 *      "policy", "categories": {key: credits}, "total", "final",
 *      "required" (null when none), "met" (true, false, null), "grade"
 *      and "exempt" (their Chinese names, or null), "award_candidate"}]}
 * Returns 0; 1 with a message when the year has not been assessed; -1
 * (errs->internal) for a failure of the database or memory, or a run
 * added while the page was read. */
typedef struct xf_results_query {
	int year;
	const char *unit;   /* unit code or NULL */
	const char *q;      /* or NULL */
	int met;            /* 1, 0, or -1: any */
	const char *grade;  /* grade key or NULL */
	long long page;     /* 1-based */
	long long per_page; /* 1..200 */
} xf_results_query;

int xf_results_page_json(xf_store *s, const xf_results_query *q, FILE *f, xf_errs *errs);

#endif
