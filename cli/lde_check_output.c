// SPDX-License-Identifier: GPL-2.0
/*
 * lde-bench --check: reading the student's program's standard output, a
 * line at a time, for the figures it printed (see lde_check.h for what a
 * figure looks like) and the timers it names.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lde_check.h"
#include "lde_check_state.h"

/* A unit word's scale to ns, or 0. */
static double unit_scale(const char *w, size_t n)
{
	static const struct {
		const char *word;
		double scale;
	} units[] = {
		{ "ns", 1 }, { "nsec", 1 }, { "nsecs", 1 },
		{ "nanosecond", 1 }, { "nanoseconds", 1 },
		{ "us", 1e3 }, { "usec", 1e3 }, { "usecs", 1e3 },
		{ "\xc2\xb5s", 1e3 },	/* MICRO SIGN */
		{ "\xce\xbcs", 1e3 },	/* GREEK SMALL LETTER MU */
		{ "microsecond", 1e3 }, { "microseconds", 1e3 },
		{ "ms", 1e6 }, { "msec", 1e6 }, { "msecs", 1e6 },
		{ "millisecond", 1e6 }, { "milliseconds", 1e6 },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].word) == n && !strncmp(units[i].word, w, n))
			return units[i].scale;
	return 0;
}

static bool word_byte(unsigned char ch)
{
	return isalpha(ch) || ch >= 0x80;
}

int lde_check_parse_figure(const char *line, enum lde_figure_kind *kind,
			   double *ns)
{
	char low[512];
	const char *p;
	size_t i;

	for (i = 0; line[i] && i < sizeof(low) - 1; i++)
		low[i] = tolower((unsigned char)line[i]);
	low[i] = '\0';
	if (strstr(low, "switch"))
		*kind = LDE_FIGURE_SWITCH;
	else if (strstr(low, "syscall") || strstr(low, "system call") ||
		 strstr(low, "system-call") || strstr(low, "sys call"))
		*kind = LDE_FIGURE_SYSCALL;
	else
		return 0;
	for (p = low; *p; p++) {
		const char *w;
		char *end;
		double v, scale;

		/* A number starts at a digit not inside a word (x86, 2nd). */
		if (!isdigit((unsigned char)*p) ||
		    (p > low && (word_byte(p[-1]) || isdigit((unsigned char)p[-1]) ||
				 p[-1] == '.')))
			continue;
		v = strtod(p, &end);
		for (w = end; *w == ' ' || *w == '\t'; w++)
			;
		for (i = 0; word_byte(w[i]); i++)
			;
		scale = unit_scale(w, i);
		if (scale && v >= 0) {
			*ns = v * scale;
			return 1;
		}
		p = end - 1;
	}
	return 0;
}

unsigned int lde_check_timers_named(const char *text)
{
	char low[512];
	unsigned int t = 0;
	size_t i;

	for (i = 0; text[i] && i < sizeof(low) - 1; i++)
		low[i] = tolower((unsigned char)text[i]);
	low[i] = '\0';
	if (strstr(low, "gettimeofday"))
		t |= LDE_TIMER_GETTIMEOFDAY;
	if (strstr(low, "clock_gettime"))
		t |= LDE_TIMER_CLOCK_GETTIME;
	if (strstr(low, "rdtsc") || strstr(low, "tsc"))
		t |= LDE_TIMER_RDTSC;
	return t;
}

void lde_check_output_line(struct lde_check *c, const char *line)
{
	struct figure *f;

	c->timers_named |= lde_check_timers_named(line);
	if (c->nfigures == MAX_FIGURES)
		return;
	f = &c->figures[c->nfigures];
	if (lde_check_parse_figure(line, &f->kind, &f->ns)) {
		snprintf(f->line, sizeof(f->line), "%s", line);
		c->nfigures++;
	}
}
