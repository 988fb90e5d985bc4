// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a trace file, whatever its bytes, through the reader
 * (lde_trace_file_read.c) and then every view of lde_views.c's table, each
 * started whatever the options would ask: the columns, -j, -P, -S, -m,
 * the summary (-s), the trace-file writer (-w), the Perfetto file (-o),
 * the card -F, the timeline and sequence pictures, the handout.  Every
 * event the reader gives goes to every view, as lde-trace -r sends it to
 * the ones chosen; through the reorder first where the header says the
 * file came a batch per CPU, with little memory, so that its letting out
 * early is driven too, its events taken one by one or, by turns, laid
 * back to back as the kernel's batches and taken whole.  Built with clang -fsanitize=fuzzer,address,undefined;
 * run by scripts/fuzz-check.sh (make check-host) over the recorded traces.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lde_render.h"
#include "lde_reorder.h"
#include "lde_trace_file.h"
#include "lde_view.h"

static FILE *sink;		/* /dev/null: what the views print */

/* One line per view: a view appends to its own, as lde-trace's would. */
#define MAX_VIEWS	16
static char text[MAX_VIEWS][1 << 16];
static struct lde_line lines[MAX_VIEWS];
static void *state[MAX_VIEWS];

static void every_view(void *ctx, const struct lde_event *e)
{
	unsigned int v;

	for (v = 0; v < lde_views_count; v++) {
		if (!state[v])
			continue;
		if (lde_line_room(&lines[v]) < LDE_EVENT_TEXT_MAX)
			lde_line_flush(&lines[v], sink);
		lde_views_all[v]->event(state[v], &lines[v], e);
	}
}

static void reorder_add(void *order, const struct lde_event *e)
{
	lde_reorder_add(order, e);
}

/* Events laid back to back as the kernel's batches, taken whole. */
struct batcher {
	struct lde_reorder *order;
	size_t len;
	unsigned char buf[LDE_BATCH_BYTES] __attribute__((aligned(8)));
};

static void batch_send(struct batcher *b)
{
	if (lde_reorder_add_batch(b->order, b->buf, b->len) != b->len)
		abort();	/* whole events, all of them taken */
	b->len = 0;
}

static void batch_add(void *ctx, const struct lde_event *e)
{
	struct batcher *b = ctx;
	size_t size = lde_event_size(e->stage);

	if (b->len + size > sizeof(b->buf))
		batch_send(b);
	memcpy(b->buf + b->len, e, size);
	b->len += size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lde_view_env venv = {
		.width = 132, .figure = true, .output_path = "/dev/null",
		.write_path = "/dev/null", .boot_rows = true,
	};
	struct lde_view_end vend = { .title = "fuzz", .kernel = "fuzz" };
	struct lde_trace_reader r;
	unsigned int v;
	FILE *f;

	if (!sink)
		sink = fopen("/dev/null", "we");
	/* fmemopen() wants at least one byte; an empty file is one too. */
	f = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "re");
	if (!sink || !f || lde_views_count > MAX_VIEWS)
		abort();
	if (lde_trace_file_open_stream(&r, f, "fuzz"))
		return 0;
	venv.boot = &r.header.boot;
	venv.stages = r.header.stages;
	venv.all = size & 1;	/* -P folded and unfolded, by turns */
	venv.json = size & 2;	/* the summary as text and as JSON */
	venv.trace_cpus = r.header.cpus;
	venv.header = &r.header;
	venv.screen = sink;
	for (v = 0; v < lde_views_count; v++) {
		lde_line_start(&lines[v], text[v], sizeof(text[v]));
		state[v] = lde_views_all[v]->start(&venv, &lines[v]);
		/* Each view starts here, whether asked for or not. */
		if (!state[v])
			abort();
	}

	if (r.header.cpu_order) {
		struct lde_reorder order;

		/* As lde_trace_replay.c does, but for the memory bound. */
		lde_reorder_init(&order, LDE_REORDER_MAX_CPUS,
				 LDE_REORDER_NO_WINDOW, 8 << 10, every_view,
				 NULL);
		/* Event by event, or as batches taken whole, by turns. */
		if (size & 4) {
			static struct batcher b;

			b.order = &order;
			b.len = 0;
			lde_trace_file_replay(&r, batch_add, &b);
			batch_send(&b);
		} else {
			lde_trace_file_replay(&r, reorder_add, &order);
		}
		lde_reorder_flush(&order);
		lde_reorder_free(&order);
	} else {
		lde_trace_file_replay(&r, every_view, NULL);
	}

	vend.lost = r.end.lost;
	vend.lost_processes = r.end.lost_processes;
	for (v = 0; v < lde_views_count; v++) {
		lde_views_all[v]->end(state[v], &lines[v], &vend);
		state[v] = NULL;
		lde_line_flush(&lines[v], sink);
	}
	lde_trace_file_close_reader(&r);
	return 0;
}
