// SPDX-License-Identifier: GPL-2.0
/*
 * The -P view: OSTEP's protocol on the screen, as wide as the terminal.
 * The rows are lde_render_protocol.c's, the steps lde_story.c's; this
 * file only starts, feeds and ends one of them for lde-trace.
 */
#include "lde_render.h"
#include "lde_view.h"

static bool protocol_wanted(const struct lde_view_env *env)
{
	return lde_view_text_wanted(env) && env->protocol;
}

static void *protocol_start(const struct lde_view_env *env,
			    struct lde_line *out)
{
	struct lde_protocol_opts o = {
		.width = env->width,
		.all = env->all,
		.traps = env->stages & 1U << LDE_STAGE_TRAP,
	};
	struct lde_protocol *p = lde_protocol_new(env->boot, &o);

	if (p)
		lde_protocol_head(p, out);
	return p;
}

static void protocol_event(void *state, struct lde_line *out,
			   const struct lde_event *e)
{
	lde_protocol_feed(state, out, e);
}

static int protocol_end(void *state, struct lde_line *out,
			const struct lde_view_end *end)
{
	lde_protocol_finish(state, out);
	lde_protocol_free(state);
	return 0;
}

const struct lde_view_ops lde_protocol_view = {
	.name = "the protocol (-P)",
	.story = true,
	.report = true,
	.time_order = true,
	.wanted = protocol_wanted,
	.start = protocol_start,
	.event = protocol_event,
	.end = protocol_end,
};
