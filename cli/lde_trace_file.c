// SPDX-License-Identifier: GPL-2.0
/*
 * lde-trace -w: writes a trace file (see lde_trace_file.h).  The header
 * says what only the live system knows; each event is the -j renderer's
 * line, which lde_trace_file_read.c parses back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lde_names.h"
#include "lde_render.h"
#include "lde_stats.h"
#include "lde_syscalls.h"
#include "lde_trace_file.h"

/* -- writing ---------------------------------------------------------------- */

static FILE *out;
static int out_err;
static char out_buf[1 << 16];
static struct lde_line out_text;

static void out_flush(void)
{
	lde_line_flush(&out_text, out);
	if (ferror(out) && !out_err)
		out_err = errno ? -errno : -EIO;
}

int lde_trace_file_create(const char *path, const struct lde_trace_header *h)
{
	char boot[2048];
	struct lde_line b;
	int i, first = 1;

	out = fopen(path, "we");
	if (!out)
		return -errno;
	lde_line_start(&out_text, out_buf, sizeof(out_buf));
	lde_line_start(&b, boot, sizeof(boot));
	lde_json_boot(&b, &h->boot);
	/* The boot object without its newline, nested in the header. */
	if (b.end > b.buf && b.end[-1] == '\n')
		b.end--;
	fprintf(out, "{\"stage\":\"header\",\"format\":%d,\"version\":",
		LDE_TRACE_FORMAT);
	lde_json_str(out, h->version, sizeof(h->version));
	fputs(",\"kernel\":", out);
	lde_json_str(out, h->kernel, sizeof(h->kernel));
	fputs(",\"arch\":", out);
	lde_json_str(out, h->arch, sizeof(h->arch));
	fprintf(out, ",\"cpus\":%d,\"clock\":\"CLOCK_MONOTONIC\",\"stages\":[",
		h->cpus);
	for (i = 0; i < LDE_NR_STAGES; i++) {
		if (!(h->stages & 1U << i))
			continue;
		fprintf(out, "%s\"%s\"", first ? "" : ",", lde_stage_names[i]);
		first = 0;
	}
	fputc(']', out);
	lde_syscalls_write_json(out);
	fprintf(out, ",\"boot\":%.*s}\n", (int)(b.end - b.buf), b.buf);
	out_flush();
	return out_err;
}

void lde_trace_file_event(const struct lde_event *e,
			  unsigned long long start_ns)
{
	if (!out)
		return;
	if (lde_line_room(&out_text) < LDE_EVENT_TEXT_MAX)
		out_flush();
	/* Times in the file count from the start, as -j prints them. */
	lde_json_event(&out_text, e, start_ns);
}

int lde_trace_file_close(unsigned long long lost,
			 unsigned long long lost_processes)
{
	int err;

	if (!out)
		return 0;
	out_flush();
	fprintf(out, "{\"stage\":\"end\",\"lost\":%llu,\"lost_processes\":%llu}\n",
		lost, lost_processes);
	if (fflush(out) && !out_err)
		out_err = -errno;
	if (fclose(out) && !out_err)
		out_err = -errno;
	out = NULL;
	err = out_err;
	out_err = 0;
	return err;
}
