// SPDX-License-Identifier: GPL-2.0
/*
 * The -w view: the trace file, every event the views are fed, written
 * by lde_trace_file.c (JSON Lines, through zstd for FILE.zst) under the
 * header the live session made, closed with what was lost.
 */
#include <errno.h>
#include <stdlib.h>

#include "lde_trace_file.h"
#include "lde_view.h"

struct write_view {
	struct lde_trace_writer *file;
	unsigned long long start_ns;
};

static bool write_wanted(const struct lde_view_env *env)
{
	return env->write_path && env->header;
}

static void *write_start(const struct lde_view_env *env, struct lde_line *out)
{
	struct write_view *v = calloc(1, sizeof(*v));
	int err;

	if (!v)
		return NULL;
	err = lde_trace_file_create(&v->file, env->write_path, env->header);
	if (err) {
		free(v);
		errno = -err;
		return NULL;
	}
	v->start_ns = env->start_ns;
	return v;
}

static void write_event(void *state, struct lde_line *out,
			const struct lde_event *e)
{
	struct write_view *v = state;

	lde_trace_file_event(v->file, e, v->start_ns);
}

static int write_end(void *state, struct lde_line *out,
		     const struct lde_view_end *end)
{
	struct write_view *v = state;
	int err = lde_trace_file_close(v->file, end->lost, end->lost_processes);

	free(v);
	return err;
}

const struct lde_view_ops lde_write_view = {
	.name = "the trace file (-w)",
	.file = LDE_VIEW_WRITE,
	.wanted = write_wanted,
	.start = write_start,
	.event = write_event,
	.end = write_end,
};
