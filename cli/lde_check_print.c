// SPDX-License-Identifier: GPL-2.0
/*
 * lde-bench --check's report: the findings as text for the student, or
 * as JSON Lines (-j), one object a finding.
 */
#include <string.h>

#include "lde_check.h"
#include "lde_line.h"

const char *lde_verdict_name(enum lde_verdict v)
{
	return v == LDE_VERDICT_OK ? "ok" : v == LDE_VERDICT_WRONG ? "wrong" :
	       "unknown";
}

static void json_str(FILE *f, const char *s)
{
	char buf[4096];
	struct lde_line l;

	lde_line_start(&l, buf, sizeof(buf));
	lde_line_json_str(&l, s, strlen(s) + 1);
	lde_line_flush(&l, f);
}

int lde_check_print(FILE *f, const struct lde_finding *fs, int n, bool json)
{
	int i, wrong = 0;

	for (i = 0; i < n; i++) {
		const struct lde_finding *x = &fs[i];

		wrong += x->verdict == LDE_VERDICT_WRONG;
		if (json) {
			fputs("{\"check\":", f);
			json_str(f, x->check);
			fprintf(f, ",\"verdict\":\"%s\",\"evidence\":",
				lde_verdict_name(x->verdict));
			json_str(f, x->evidence);
			fputs(",\"advice\":", f);
			json_str(f, x->advice);
			fputs("}\n", f);
			continue;
		}
		fprintf(f, "%-7s %s: %s\n", lde_verdict_name(x->verdict),
			x->check, x->evidence);
		if (x->advice[0])
			fprintf(f, "        advice: %s\n", x->advice);
	}
	if (!json)
		fprintf(f, "%d wrong, %d findings\n", wrong, n);
	return wrong;
}
