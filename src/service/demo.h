/* demo: a realistic demonstration organisation for `xuefen serve --demo`.
 *
 * Into an empty, initialised store: a 区大数据发展局 with its 4 科室 and
 * about 40 people under the bigdata-bureau policy, and a 昆山 group of
 * cadres under kunshan-cadre, each with a year of plausible records (some
 * people well above their requirement, some short of it, one on
 * secondment, one new this year...) and 学习强国/online-college metrics;
 * and one account per role: an admin, an auditor, an approver (分管领导,
 * the whole bureau), a reviewer (科长 of one 科室) and members. Passwords
 * are random, satisfy the default password rule, and are reported to the
 * caller to print. Deterministic but for the passwords (seeded data). */
#ifndef XF_SERVICE_DEMO_H
#define XF_SERVICE_DEMO_H

#include "core/errs.h"
#include "store/store.h"

#define XF_DEMO_MAX_LOGINS 8

typedef struct xf_demo_login {
	char role[16];        /* "admin", "auditor", "approver", "reviewer", "member" */
	char username[32];
	char password[32];
	char who[64];         /* "张伟（综合科 科员）" */
} xf_demo_login;

typedef struct xf_demo_report {
	int units;
	int people;
	long long records;
	xf_demo_login logins[XF_DEMO_MAX_LOGINS];
	int nlogins;
} xf_demo_report;

/* Fills the store (which must hold no people yet) with the demo
 * organisation for `year`, in one transaction. */
int xf_demo_create(xf_store *s, int year, xf_demo_report *rep, xf_errs *errs);

#endif
