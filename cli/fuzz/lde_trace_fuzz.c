// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a trace file, whatever its bytes, through the reader
 * (lde_trace_file_read.c) and then every view a replay can draw: the
 * columns, -j, -P, -S, -m, the summary (-s, text and JSON), the Perfetto
 * file (-o), the trace-file writer (-w), and every view of lde_views.c
 * (the card -F, the timeline and sequence pictures, the handout).  Every event the
 * reader gives goes to every view, as lde-trace -r would send it to the
 * one chosen.  Built with clang -fsanitize=fuzzer,address,undefined; run
 * by scripts/fuzz-check.sh (make check-host) over the recorded traces.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lde_render.h"
#include "lde_trace_file.h"
#include "lde_view.h"

static FILE *sink;		/* /dev/null: what the views print */

/* One line per view: a view appends to its own, as lde-trace's would. */
enum { COLUMNS, JSON, PROTOCOL, STRACE, MAP, NR_VIEWS };
static char text[NR_VIEWS][1 << 16];
static struct lde_line lines[NR_VIEWS];

/* The views of lde_views.c, each started whatever the options would ask. */
static const struct lde_view_ops *const views[] = {
	&lde_card_view, &lde_svg_view, &lde_sequence_view, &lde_html_view,
};
#define NR_OPS	(sizeof(views) / sizeof(views[0]))
static void *view_state[NR_OPS];
static char view_text[1 << 16];
static struct lde_line view_line;

static void room(struct lde_line *l)
{
	if (lde_line_room(l) < LDE_EVENT_TEXT_MAX)
		lde_line_flush(l, sink);
}

static void every_view(const struct lde_event *e)
{
	int v;

	for (v = 0; v < NR_VIEWS; v++)
		room(&lines[v]);
	lde_columns_event(&lines[COLUMNS], e, 0);
	lde_json_event(&lines[JSON], e, 0);
	lde_protocol_event(&lines[PROTOCOL], e, 0);
	lde_strace_event(&lines[STRACE], e);
	lde_map_event(&lines[MAP], e, 0);
	lde_summary_account(e);
	lde_perfetto_event(e, 0);
	lde_trace_file_event(e, 0);
	for (v = 0; v < (int)NR_OPS; v++) {
		room(&view_line);
		if (view_state[v])
			views[v]->event(view_state[v], &view_line, e);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lde_protocol_opts popts = { .width = 132 };
	struct lde_map_opts mopts = { 0 };
	struct lde_view_env venv = {
		.width = 132, .figure = true, .output_path = "/dev/null",
	};
	struct lde_view_end vend = { .title = "fuzz", .kernel = "fuzz" };
	struct lde_trace_reader r;
	FILE *f;
	int v;

	if (!sink)
		sink = fopen("/dev/null", "we");
	/* fmemopen() wants at least one byte; an empty file is one too. */
	f = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "re");
	if (!sink || !f)
		abort();
	if (lde_trace_file_open_stream(&r, f, "fuzz"))
		return 0;
	for (v = 0; v < NR_VIEWS; v++)
		lde_line_start(&lines[v], text[v], sizeof(text[v]));
	popts.traps = r.header.stages & 1U << LDE_STAGE_TRAP;
	popts.all = size & 1;	/* folded and unfolded, by turns */
	lde_columns_header(&lines[COLUMNS]);
	lde_columns_boot(&lines[COLUMNS], &r.header.boot);
	lde_json_boot(&lines[JSON], &r.header.boot);
	lde_protocol_start(&lines[PROTOCOL], &r.header.boot, &popts);
	mopts.ncpus = r.header.cpus > 0 ? r.header.cpus : 1;
	lde_map_start(&mopts);
	if (lde_perfetto_open("/dev/null") ||
	    lde_trace_file_create("/dev/null", &r.header))
		abort();
	venv.boot = &r.header.boot;
	venv.stages = r.header.stages;
	venv.all = popts.all;
	lde_line_start(&view_line, view_text, sizeof(view_text));
	for (v = 0; v < (int)NR_OPS; v++)
		view_state[v] = views[v]->start(&venv, &view_line);

	lde_trace_file_replay(&r, every_view);

	lde_protocol_end(&lines[PROTOCOL]);
	lde_strace_end(&lines[STRACE]);
	lde_map_end(&lines[MAP]);
	for (v = 0; v < NR_VIEWS; v++)
		lde_line_flush(&lines[v], sink);
	lde_summary_print_text(sink, r.end.lost);
	lde_summary_print_json(sink, r.end.lost);
	lde_perfetto_close();
	for (v = 0; v < (int)NR_OPS; v++)
		if (view_state[v])
			views[v]->end(view_state[v], &view_line, &vend);
	lde_line_flush(&view_line, sink);
	lde_trace_file_close(r.end.lost, r.end.lost_processes);
	lde_trace_file_close_reader(&r);
	return 0;
}
