/* quarterly: the 季度通报 — per unit, the people whose credits for the year
 * up to a quarter's end are below their requirement's share for the
 * quarters passed (required × quarter / 4). Seed 004 第十六条 ("分季度将信息
 * 通报个人，年底通报单位") and 第十五条 ("对未达到规定学分的干部予以通报");
 * the design is docs/workflow.md, "Notices and 季度通报".
 *
 * The people are the active people of the unit and the units under it
 * with a policy for the year (as a 公示 lists them); each is assessed by
 * the engine on the records dated up to the quarter's end and the metric
 * months begun by then (xf_assess_asof). People exempt that year, and
 * people under a policy without a requirement, are never listed.
 *
 * Returns 0; 1 when there is no such unit (no message); -1 with messages
 * in errs (bad quarter or year, no policy in the unit's tree for the year:
 * bad input; a database or write failure: internal). */
#ifndef XF_SERVICE_QUARTERLY_H
#define XF_SERVICE_QUARTERLY_H

#include <stdio.h>

#include "core/errs.h"
#include "store/store.h"

/* {"unit": {"id", "code", "name"}, "year", "quarter", "date" (the quarter's
 * last day), "share" (quarter / 4), "people" (assessed), "below" (listed),
 * "units": [{"id", "code", "name", "people": [{"id", "code", "name",
 * "required", "expected", "credits", "gap"}]}]} — units by code, people by
 * gap, largest first. required is the year's 应修 (prorated as the policy
 * says), expected 按进度应达, credits 已得, gap 差额. */
int xf_quarterly_json(xf_store *s, long long unit_id, int year, int quarter, FILE *f,
		      xf_errs *errs);

/* The same as a workbook at path (through a temporary file renamed over
 * it): sheet 季度通报 (序号, 单位, 姓名, 编码, 应修学分（年度）, 按进度应达,
 * 已得, 差额) and sheet 说明 (the rule, the date, who exported it). */
int xf_quarterly_xlsx(xf_store *s, long long unit_id, int year, int quarter, const char *actor,
		      const char *path, xf_errs *errs);

#endif
