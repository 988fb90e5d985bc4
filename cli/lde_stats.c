// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdlib.h>

#include "lde_line.h"
#include "lde_stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double lde_percentile(const double *sorted, size_t n, double pct)
{
	size_t rank;

	if (!n)
		return 0;
	rank = (size_t)ceil(pct / 100.0 * n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

struct lde_summary lde_summarize(double *samples, size_t n)
{
	struct lde_summary s = { .n = n };
	double total = 0;
	size_t i;

	if (!n)
		return s;
	qsort(samples, n, sizeof(*samples), cmp_double);
	for (i = 0; i < n; i++)
		total += samples[i];
	s.min = samples[0];
	s.median = n % 2 ? samples[n / 2] :
		   (samples[n / 2 - 1] + samples[n / 2]) / 2;
	s.p99 = lde_percentile(samples, n, 99);
	s.mean = total / n;
	return s;
}

double lde_switch_cost(double round_trip, double pipe_transfer)
{
	double left = round_trip - 2 * pipe_transfer;

	return left > 0 ? left / 2 : NAN;
}

double lde_loop_cost(double total_ns, long loops, double one_ns)
{
	if (loops < 2 || one_ns > total_ns)
		return 0;
	return (total_ns - one_ns) / (loops - 1);
}

void lde_json_str(FILE *f, const char *s, size_t max)
{
	char text[2048];
	struct lde_line l;

	/* Escaped, a byte takes at most 6: a longer s is cut short. */
	lde_line_start(&l, text, sizeof(text));
	lde_line_json_str(&l, s, max);
	lde_line_flush(&l, f);
}

void lde_json_summary(FILE *f, const char *name, const struct lde_summary *s)
{
	lde_json_str(f, name, 256);
	fprintf(f, ":{\"n\":%zu,\"min\":%.3f,\"median\":%.3f,\"p99\":%.3f,\"mean\":%.3f}",
		s->n, s->min, s->median, s->p99, s->mean);
}
