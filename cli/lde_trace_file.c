// SPDX-License-Identifier: GPL-2.0
/*
 * lde-trace -w: writes a trace file (see lde_trace_file.h).  The header
 * says what only the live system knows; each event is the -j renderer's
 * line, which lde_trace_file_read.c parses back.  A FILE.zst is written
 * through zstd as it goes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "lde_names.h"
#include "lde_render.h"
#include "lde_stats.h"
#include "lde_syscalls.h"
#include "lde_trace_file.h"

/* -- writing ---------------------------------------------------------------- */

/*
 * One trace file being written: each writer its own, so two can be
 * written in one process.
 */
struct lde_trace_writer {
	FILE *out;
	int err;		/* the first write's that failed: -errno */
	struct lde_line text;
	/* -j's texts kept from event to event, as the -j view keeps them. */
	struct lde_json_text json;
	char buf[1 << 16];
};

static void out_flush(struct lde_trace_writer *w)
{
	lde_line_flush(&w->text, w->out);
	if (ferror(w->out) && !w->err)
		w->err = errno ? -errno : -EIO;
}

/*
 * -w FILE.zst: one zstd frame, compressed as the text is written (a FILE
 * of its own, so the writer is the same for both), at LDE_TRACE_ZSTD_LEVEL.
 */
struct zst_out {
	FILE *f;
	ZSTD_CCtx *cctx;
	char buf[1 << 16];
};

/* Compresses what is in in, or all that is held with ZSTD_e_end. */
static int zst_push(struct zst_out *z, ZSTD_inBuffer *in,
		    ZSTD_EndDirective how)
{
	size_t left;

	do {
		ZSTD_outBuffer o = { z->buf, sizeof(z->buf), 0 };

		left = ZSTD_compressStream2(z->cctx, &o, in, how);
		if (ZSTD_isError(left)) {
			errno = EIO;
			return -1;
		}
		if (o.pos && fwrite(z->buf, 1, o.pos, z->f) != o.pos)
			return -1;
	} while (how == ZSTD_e_end ? left : in->pos < in->size);
	return 0;
}

static ssize_t zst_write(void *cookie, const char *buf, size_t size)
{
	ZSTD_inBuffer in = { buf, size, 0 };

	return zst_push(cookie, &in, ZSTD_e_continue) ? -1 : (ssize_t)size;
}

static int zst_close(void *cookie)
{
	struct zst_out *z = cookie;
	ZSTD_inBuffer none = { NULL, 0, 0 };
	int err = zst_push(z, &none, ZSTD_e_end) ? errno : 0;

	if (fclose(z->f) && !err)
		err = errno;
	ZSTD_freeCCtx(z->cctx);
	free(z);
	errno = err;
	return err ? -1 : 0;
}

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), e = strlen(end);

	return n >= e && !strcmp(s + n - e, end);
}

static FILE *open_zst(const char *path)
{
	static const cookie_io_functions_t io = {
		.write = zst_write,
		.close = zst_close,
	};
	struct zst_out *z = calloc(1, sizeof(*z));
	FILE *f;

	if (!z)
		return NULL;
	z->cctx = ZSTD_createCCtx();
	if (!z->cctx ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel,
						LDE_TRACE_ZSTD_LEVEL)))
		goto fail;
	z->f = fopen(path, "we");
	if (!z->f)
		goto fail;
	f = fopencookie(z, "w", io);
	if (f)
		return f;
	fclose(z->f);
fail:
	ZSTD_freeCCtx(z->cctx);
	free(z);
	if (!errno)
		errno = ENOMEM;
	return NULL;
}

int lde_trace_file_create(struct lde_trace_writer **wp, const char *path,
			  const struct lde_trace_header *h)
{
	struct lde_trace_writer *w;
	char boot[2048];
	struct lde_line b;
	int i, first = 1, err;
	FILE *out;

	*wp = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	errno = 0;
	out = ends_with(path, ".zst") ? open_zst(path) : fopen(path, "we");
	if (!out) {
		err = -errno;
		free(w);
		return err;
	}
	w->out = out;
	if (lde_json_text_init(&w->json)) {
		fclose(out);
		free(w);
		return -ENOMEM;
	}
	lde_line_start(&w->text, w->buf, sizeof(w->buf));
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
	fprintf(out, ",\"cpus\":%d,\"clock\":\"CLOCK_MONOTONIC\",\"order\":\"%s\",\"stages\":[",
		h->cpus, h->cpu_order ? "cpu" : "time");
	for (i = 0; i < LDE_NR_STAGES; i++) {
		if (!(h->stages & 1U << i))
			continue;
		fprintf(out, "%s\"%s\"", first ? "" : ",", lde_stage_names[i]);
		first = 0;
	}
	fputc(']', out);
	lde_syscalls_write_json(out);
	fprintf(out, ",\"boot\":%.*s}\n", (int)(b.end - b.buf), b.buf);
	out_flush(w);
	if (w->err) {
		/* What was opened is closed; the error is the header's. */
		err = w->err;
		lde_trace_file_close(w, 0, 0);
		return err;
	}
	*wp = w;
	return 0;
}

void lde_trace_file_event(struct lde_trace_writer *w,
			  const struct lde_event *e,
			  unsigned long long start_ns)
{
	if (lde_line_room(&w->text) < LDE_EVENT_TEXT_MAX)
		out_flush(w);
	/* Times in the file count from the start, as -j prints them. */
	lde_json_text_event(&w->json, &w->text, e, start_ns);
}

int lde_trace_file_close(struct lde_trace_writer *w, unsigned long long lost,
			 unsigned long long lost_processes)
{
	int err;

	if (!w)
		return 0;
	out_flush(w);
	fprintf(w->out, "{\"stage\":\"end\",\"lost\":%llu,\"lost_processes\":%llu}\n",
		lost, lost_processes);
	if (fflush(w->out) && !w->err)
		w->err = -errno;
	if (fclose(w->out) && !w->err)
		w->err = -errno;
	lde_json_text_free(&w->json);
	err = w->err;
	free(w);
	return err;
}
