// SPDX-License-Identifier: GPL-2.0
/*
 * The table of views (see lde_view.h), and feeding the chosen ones: a new
 * view is one line in views[].
 */
#include <errno.h>
#include <string.h>

#include "lde_view.h"

static const struct lde_view_ops *const views[] = {
	&lde_card_view,		/* -F: Figures 6.2 and 6.3 on one screen */
	&lde_svg_view,		/* -o FILE.svg: the timeline picture */
	&lde_sequence_view,	/* -F -o FILE.svg: the figure as a sequence diagram */
	&lde_html_view,		/* -o FILE.html: the handout */
};

#define NVIEWS	(sizeof(views) / sizeof(views[0]))

bool lde_view_path_is(const char *path, const char *sfx)
{
	size_t n = path ? strlen(path) : 0, m = strlen(sfx);

	return n > m && !strcmp(path + n - m, sfx);
}

int lde_views_start(struct lde_views *v, const struct lde_view_env *env,
		    struct lde_line *out, const char **failed)
{
	unsigned int i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < NVIEWS && v->n < LDE_VIEWS_MAX; i++) {
		void *state;

		if (!views[i]->wanted(env))
			continue;
		errno = 0;
		state = views[i]->start(env, out);
		if (!state) {
			*failed = views[i]->name;
			return errno ? -errno : -ENOMEM;
		}
		v->ops[v->n] = views[i];
		v->state[v->n++] = state;
	}
	return 0;
}

void lde_views_event(struct lde_views *v, struct lde_line *out,
		     const struct lde_event *e)
{
	int i;

	for (i = 0; i < v->n; i++)
		v->ops[i]->event(v->state[i], out, e);
}

int lde_views_end(struct lde_views *v, struct lde_line *out,
		  const struct lde_view_end *end, const char **failed)
{
	int i, err = 0, e;

	for (i = 0; i < v->n; i++) {
		e = v->ops[i]->end(v->state[i], out, end);
		if (e && !err) {
			err = e;
			*failed = v->ops[i]->name;
		}
	}
	v->n = 0;
	return err;
}
