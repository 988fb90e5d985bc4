// SPDX-License-Identifier: GPL-2.0
/* libbpf's lines in lde-trace's live session: see lde_libbpf_log.h. */
#include <stdlib.h>
#include <string.h>

#include "lde_libbpf_log.h"

/*
 * libbpf's print callback has no context: one log a process, as lde-trace
 * has one live session.  What an attach says is a few lines: the held
 * lines are bounded, and what did not fit is counted, never lost unsaid.
 */
#define HELD_MAX	8192

static struct {
	bool verbose;
	FILE *to;
	bool holding;
	char held[HELD_MAX];	/* the lines, each ends in '\n' */
	size_t len;
	unsigned long cut;	/* lines that did not fit */
} log_state;

void lde_libbpf_log_init(bool verbose, FILE *to)
{
	log_state.verbose = verbose;
	log_state.to = to;
	log_state.holding = false;
	log_state.len = 0;
	log_state.cut = 0;
}

static FILE *log_to(void)
{
	return log_state.to ? log_state.to : stderr;
}

int lde_libbpf_print(enum libbpf_print_level level, const char *fmt,
		     va_list args)
{
	size_t room = HELD_MAX - log_state.len;
	int n;

	if (level == LIBBPF_DEBUG && !log_state.verbose)
		return 0;
	if (!log_state.holding || log_state.verbose)
		return vfprintf(log_to(), fmt, args);
	n = vsnprintf(log_state.held + log_state.len, room, fmt, args);
	/* A line that does not fit whole (with its '\n') is not kept. */
	if (n < 0 || (size_t)n + 1 >= room) {
		log_state.held[log_state.len] = '\0';
		log_state.cut++;
		return n;
	}
	log_state.len += n;
	if (!n || log_state.held[log_state.len - 1] != '\n')
		log_state.held[log_state.len++] = '\n';
	log_state.held[log_state.len] = '\0';
	return n;
}

void lde_libbpf_hold(void)
{
	log_state.holding = true;
	log_state.len = 0;
	log_state.cut = 0;
}

/*
 * Does line (len bytes) name err?  libbpf says a failed attach as
 * "failed to attach: Unknown error 524" (strerror's words) and "failed to
 * auto-attach program 'x': -524": its number, standing alone.
 */
static bool names_err(const char *line, size_t len, int err)
{
	char num[16];
	size_t k;
	const char *p;

	snprintf(num, sizeof(num), "%d", err < 0 ? -err : err);
	k = strlen(num);
	for (p = line; p + k <= line + len; p++) {
		if (memcmp(p, num, k))
			continue;
		if ((p == line || !(p[-1] >= '0' && p[-1] <= '9')) &&
		    (p + k == line + len || !(p[k] >= '0' && p[k] <= '9')))
			return true;
	}
	return false;
}

void lde_libbpf_release(int expected_err)
{
	const char *line = log_state.held, *end;
	FILE *to = log_to();

	while (*line) {
		end = strchr(line, '\n');
		if (!expected_err || !names_err(line, end - line, expected_err))
			fwrite(line, 1, end + 1 - line, to);
		line = end + 1;
	}
	if (log_state.cut)
		fprintf(to, "libbpf: (%lu more lines while attaching, not kept)\n",
			log_state.cut);
	log_state.holding = false;
	log_state.len = 0;
	log_state.cut = 0;
}
