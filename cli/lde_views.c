// SPDX-License-Identifier: GPL-2.0
/*
 * The table of views (see lde_view.h), and feeding the chosen ones: a new
 * view is its own file (lde_view.h says where) and one line in
 * lde_views_all[].
 */
#include <errno.h>
#include <string.h>

#include "lde_render.h"
#include "lde_view.h"

/* In this order they start, are fed each event, and end. */
const struct lde_view_ops *const lde_views_all[] = {
	&lde_columns_view,	/* the default: a line per event in columns */
	&lde_json_view,		/* -j: JSON Lines */
	&lde_protocol_view,	/* -P: OS | Hardware | Program */
	&lde_strace_view,	/* -S: strace-style lines */
	&lde_map_view,		/* -m: the CPU map */
	&lde_summary_view,	/* -s: counts and histograms at the end */
	&lde_write_view,	/* -w FILE: the trace file */
	&lde_perfetto_view,	/* -o FILE: Perfetto's trace-event JSON */
	&lde_card_view,		/* -F: Figures 6.2 and 6.3 on one screen */
	&lde_svg_view,		/* -o FILE.svg: the timeline picture */
	&lde_sequence_view,	/* -F -o FILE.svg: the figure as a sequence diagram */
	&lde_html_view,		/* -o FILE.html: the handout */
};

const unsigned int lde_views_count =
	sizeof(lde_views_all) / sizeof(lde_views_all[0]);

bool lde_view_path_is(const char *path, const char *sfx)
{
	size_t n = path ? strlen(path) : 0, m = strlen(sfx);

	return n > m && !strcmp(path + n - m, sfx);
}

/* No text view with -q, -F (a view of its own), or -s alone. */
bool lde_view_text_wanted(const struct lde_view_env *env)
{
	return !env->quiet && !env->figure &&
	       (!env->summary || env->json || env->protocol || env->strace ||
		env->map);
}

unsigned int lde_views_stages(const struct lde_view_env *env)
{
	unsigned int i;

	if (env->stages_given)
		return env->stages;
	for (i = 0; i < lde_views_count; i++)
		if (!lde_views_all[i]->story && lde_views_all[i]->wanted(env))
			return env->stages;
	return env->stages & ~(1U << LDE_STAGE_LDE_SWITCH);
}

bool lde_views_time_order(const struct lde_view_env *env)
{
	const struct lde_view_ops *ops;
	unsigned int i;

	for (i = 0; i < lde_views_count; i++) {
		ops = lde_views_all[i];
		if (ops->time_order && ops->wanted(env))
			return true;
	}
	return false;
}

static const char *view_path(const struct lde_views *v,
			     const struct lde_view_ops *ops)
{
	return ops->file == LDE_VIEW_WRITE ? v->write_path : v->output_path;
}

int lde_views_start(struct lde_views *v, const struct lde_view_env *env,
		    struct lde_line *out)
{
	const struct lde_view_ops *ops;
	struct lde_view_end none = { .title = "", .kernel = "" };
	unsigned int i;
	void *state;
	int err;

	memset(v, 0, sizeof(*v));
	v->screen = env->screen;
	v->output_path = env->output_path;
	v->write_path = env->write_path;
	for (i = 0; i < lde_views_count && v->n < LDE_VIEWS_MAX; i++) {
		ops = lde_views_all[i];
		if (!ops->wanted(env))
			continue;
		errno = 0;
		state = ops->start(env, out);
		if (state) {
			v->ops[v->n] = ops;
			v->no_lde_switch[v->n] = ops->story &&
						 !env->stages_given;
			v->state[v->n++] = state;
			continue;
		}
		err = errno ? -errno : -ENOMEM;
		if (ops->file == LDE_VIEW_SCREEN)
			fprintf(stderr, "lde-trace: cannot start %s: %s\n",
				ops->name, strerror(-err));
		else
			fprintf(stderr, "lde-trace: cannot write %s: %s\n",
				view_path(v, ops), strerror(-err));
		/* Those started end, their files closed, nothing said. */
		lde_views_end(v, out, &none, true);
		lde_views_end(v, out, &none, false);
		return err;
	}
	return 0;
}

void lde_views_event(struct lde_views *v, struct lde_line *out,
		     const struct lde_event *e)
{
	int i;

	if (lde_line_room(out) < LDE_EVENT_TEXT_MAX)
		lde_line_flush(out, v->screen);
	for (i = 0; i < v->n; i++)
		if (!(v->no_lde_switch[i] && e->stage == LDE_STAGE_LDE_SWITCH))
			v->ops[i]->event(v->state[i], out, e);
}

int lde_views_end(struct lde_views *v, struct lde_line *out,
		  const struct lde_view_end *end, bool report)
{
	const struct lde_view_ops *ops;
	int i, n = 0, err = 0, e;

	for (i = 0; i < v->n; i++) {
		ops = v->ops[i];
		if (ops->report != report) {
			v->ops[n] = ops;
			v->no_lde_switch[n] = v->no_lde_switch[i];
			v->state[n++] = v->state[i];
			continue;
		}
		e = ops->end(v->state[i], out, end);
		if (!e)
			continue;
		if (!err)
			err = e;
		if (ops->file == LDE_VIEW_OUTPUT)
			fprintf(stderr, "lde-trace: %s: cannot write %s: %s\n",
				ops->name, v->output_path, strerror(-e));
		else if (ops->file == LDE_VIEW_WRITE)
			fprintf(stderr, "lde-trace: cannot write %s: %s\n",
				v->write_path, strerror(-e));
		else
			fprintf(stderr, "lde-trace: %s: %s\n", ops->name,
				strerror(-e));
	}
	v->n = n;
	return err;
}
