/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the reorder's host tests share (lde_reorder_test.c,
 * lde_reorder_batch_test.c): events made to order, and a sink that keeps
 * what went out.
 */
#ifndef _LDE_REORDER_TEST_H
#define _LDE_REORDER_TEST_H

#include <stdbool.h>
#include <string.h>

#include "lde_reorder.h"

#define MAX_OUT 200000

struct sink {
	unsigned long long ts[MAX_OUT];
	unsigned int tid[MAX_OUT], stage[MAX_OUT];
	size_t n;
};

static inline void collect(void *ctx, const struct lde_event *e)
{
	struct sink *s = ctx;

	if (s->n < MAX_OUT) {
		s->ts[s->n] = e->ts_ns;
		s->tid[s->n] = e->tid;
		s->stage[s->n] = e->stage;
	}
	s->n++;
}

static inline struct lde_event event(unsigned int stage, unsigned int cpu,
				     unsigned int tid, unsigned long long ts)
{
	struct lde_event e;

	memset(&e, 0, sizeof(e));
	e.stage = stage;
	e.cpu = cpu;
	e.tid = tid;
	e.pid = tid;
	e.ts_ns = ts;
	return e;
}

/* One event made and added. */
static inline void add(struct lde_reorder *r, unsigned int stage,
		       unsigned int cpu, unsigned int tid, unsigned long long ts)
{
	struct lde_event e = event(stage, cpu, tid, ts);

	lde_reorder_add(r, &e);
}

static inline bool in_order(const struct sink *s)
{
	size_t i;

	for (i = 1; i < s->n; i++)
		if (s->ts[i] < s->ts[i - 1])
			return false;
	return true;
}

/* How many events came out after a later one. */
static inline unsigned long long after_later_ones(const struct sink *s)
{
	unsigned long long newest = 0, n = 0;
	size_t i;

	for (i = 0; i < s->n && i < MAX_OUT; i++) {
		if (s->ts[i] < newest)
			n++;
		else
			newest = s->ts[i];
	}
	return n;
}

#endif /* _LDE_REORDER_TEST_H */
