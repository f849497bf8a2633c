/* demo: a realistic demonstration organisation for `xuefen serve --demo`.
 *
 * Into an empty, initialised store: a 区大数据发展局 with its 4 科室 and
 * about 40 people under the bigdata-bureau policy, and a 昆山 group of
 * cadres under kunshan-cadre, each with a year of plausible records (some
 * people well above their requirement, some short of it, one on
 * secondment, one new this year...) and 学习强国/online-college metrics;
 * a small 规划局机关党支部 under planning-bureau-member whose members keep
 * scorecards (学习型党员考核细则: one draft, one submitted, one reviewed);
 * the workflow under way in the bureau (claims in every state, an approved
 * training activity whose attendees got their records); and one account
 * per role: an admin, an auditor, an approver (分管领导, the whole bureau),
 * a reviewer (科长 of one 科室) and members, then — appended, so that the
 * earlier ones keep their order — the head (局长, 主要领导: an approver of
 * the whole bureau, the second step of a training activity), the branch's
 * member and the branch's reviewer (支部书记). Passwords are random,
 * satisfy the default password rule, and are reported to the caller to
 * print. Deterministic but for the passwords (seeded data) and the
 * workflow's dates, which are placed in the year up to today. */
#ifndef XF_SERVICE_DEMO_H
#define XF_SERVICE_DEMO_H

#include "core/errs.h"
#include "store/store.h"

#define XF_DEMO_MAX_LOGINS 12

typedef struct xf_demo_login {
	char role[16];        /* "admin", "auditor", "approver", "reviewer", "member", "head" */
	char username[32];
	char password[32];
	char who[64];         /* "张伟（综合科 科员）" */
} xf_demo_login;

/* The logins, in this order (tests pick them by role and position):
 * admin, auditor, approver (分管副局长, the bureau), reviewer (数据资源科
 * 科长), member (数据资源科, above the requirement), member (数据资源科,
 * short of it), member (昆山), head (局长, approver of the bureau), member
 * (规划局机关党支部, a draft scorecard), reviewer (its 支部书记). */
typedef struct xf_demo_report {
	int units;
	int people;
	long long records;     /* every record, those of the workflow included */
	int claims;            /* claims, in every state */
	int activities;        /* training activities */
	int scorecards;        /* scorecards (draft, submitted, reviewed) */
	xf_demo_login logins[XF_DEMO_MAX_LOGINS];
	int nlogins;
} xf_demo_report;

/* Fills the store (which must hold no people yet) with the demo
 * organisation for `year`, in one transaction. */
int xf_demo_create(xf_store *s, int year, xf_demo_report *rep, xf_errs *errs);

#endif
