// SPDX-License-Identifier: GPL-2.0
/*
 * lde-trace -r: reads a trace file (see lde_trace_file.h), plain or
 * zstd, line by line, each line bounded (LDE_TRACE_HEADER_MAX,
 * LDE_TRACE_LINE_MAX) and given to lde_trace_json.c, so every view draws
 * a replay as it drew the live trace.  A trace file is something someone
 * handed you: anything that is not what lde-trace writes is said in one
 * line, FILE:LINE: what is wrong.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "lde_syscalls.h"
#include "lde_trace_json.h"

/* -- lines, bounded ---------------------------------------------------------- */

struct lde_trace_input {
	int fd;			/* read(2) from it, or -1: fread() */
	char *buf;		/* cap bytes, up to INPUT_CAP */
	size_t cap;
	size_t start, end;	/* the bytes not yet returned */
	size_t scanned;		/* up to here, no newline */
	bool eof;
	/* A zstd file: its compressed bytes read, zpos..zend not used yet. */
	ZSTD_DCtx *dctx;
	char *zbuf;
	size_t zpos, zend;
	bool zeof;
	struct json_tokener *tok;
	char why[256];		/* what is wrong with the last line */
};

/* The most a line takes, its newline and a NUL; what it starts with. */
#define INPUT_CAP	(LDE_TRACE_HEADER_MAX + 2)
#define INPUT_START	(128 << 10)
#define ZBUF_SIZE	INPUT_START

enum line_status { LINE_OK, LINE_END, LINE_CUT, LINE_LONG, LINE_ERROR };

/* The file's bytes: read(2), so a pipe's lines come as they are written. */
static ssize_t read_raw(struct lde_trace_reader *r, char *to, size_t n)
{
	ssize_t got;

	if (r->in->fd >= 0) {
		do
			got = read(r->in->fd, to, n);
		while (got < 0 && errno == EINTR);
		return got;
	}
	got = fread(to, 1, n, r->f);
	return !got && ferror(r->f) ? -1 : got;
}

/* Up to n bytes of what the zstd frame holds; 0 at its end. */
static ssize_t read_zstd(struct lde_trace_reader *r, char *to, size_t n)
{
	struct lde_trace_input *in = r->in;
	ZSTD_outBuffer out = { to, n, 0 };

	while (!out.pos) {
		ZSTD_inBuffer zin = { in->zbuf, in->zend, in->zpos };
		size_t ret;

		if (in->zpos == in->zend) {
			ssize_t got;

			if (in->zeof)
				return 0;
			got = read_raw(r, in->zbuf, ZBUF_SIZE);
			if (got < 0)
				return -1;
			in->zeof = !got;
			in->zpos = 0;
			in->zend = got;
			continue;
		}
		ret = ZSTD_decompressStream(in->dctx, &out, &zin);
		in->zpos = zin.pos;
		if (ZSTD_isError(ret)) {
			snprintf(in->why, sizeof(in->why), "not a zstd stream lde-trace reads: %s",
				 ZSTD_getErrorName(ret));
			errno = 0;
			return -2;
		}
	}
	return out.pos;
}

/* More bytes after in->end, plain or from the zstd frame. */
static int fill(struct lde_trace_reader *r)
{
	struct lde_trace_input *in = r->in;
	size_t room;
	ssize_t n;

	/* Full of one line: room for a longer one, up to the bound. */
	if (in->end + 1 == in->cap && in->cap < INPUT_CAP) {
		size_t cap = in->cap * 2 < INPUT_CAP ? in->cap * 2 : INPUT_CAP;
		char *more = realloc(in->buf, cap);

		if (!more) {
			snprintf(in->why, sizeof(in->why), "out of memory");
			return -1;
		}
		in->buf = more;
		in->cap = cap;
	}
	room = in->cap - 1 - in->end;
	n = in->dctx ? read_zstd(r, in->buf + in->end, room) :
		       read_raw(r, in->buf + in->end, room);
	if (n == -2)
		return -1;
	if (n < 0) {
		snprintf(in->why, sizeof(in->why), "cannot read: %s",
			 strerror(errno ?: EIO));
		return -1;
	}
	in->end += n;
	in->eof = !n;
	return 0;
}

/*
 * A file that starts with zstd's magic is read through it: what was read
 * to see it becomes the first compressed bytes.  0, or -1 with why said.
 */
static int zstd_if_compressed(struct lde_trace_reader *r)
{
	static const unsigned char magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	struct lde_trace_input *in = r->in;

	if (fill(r))
		return -1;
	if (in->end < sizeof(magic) || memcmp(in->buf, magic, sizeof(magic)))
		return 0;
	in->dctx = ZSTD_createDCtx();
	in->zbuf = malloc(ZBUF_SIZE);
	if (!in->dctx || !in->zbuf ||
	    ZSTD_isError(ZSTD_DCtx_setParameter(in->dctx, ZSTD_d_windowLogMax,
						LDE_TRACE_ZSTD_WINDOW_LOG))) {
		snprintf(in->why, sizeof(in->why), "out of memory");
		return -1;
	}
	/* fill() read at most INPUT_START - 1 bytes: they fit. */
	memcpy(in->zbuf, in->buf, in->end);
	in->zpos = 0;
	in->zend = in->end;
	in->zeof = in->eof;
	in->end = 0;
	in->eof = false;
	return 0;
}

/*
 * The next line, its newline made a NUL: LINE_OK; LINE_CUT for a last
 * line with no newline; LINE_LONG past max bytes (never more than
 * INPUT_CAP is held, whatever the file).
 */
static enum line_status next_line(struct lde_trace_reader *r, size_t max,
				  char **line, size_t *len)
{
	struct lde_trace_input *in = r->in;
	char *nl;

	for (;;) {
		nl = memchr(in->buf + in->scanned, '\n', in->end - in->scanned);
		if (nl)
			break;
		in->scanned = in->end;
		if (in->end - in->start > max) {
			r->line++;
			snprintf(in->why, sizeof(in->why),
				 "a line longer than %zu bytes", max);
			return LINE_LONG;
		}
		if (in->eof) {
			if (in->start == in->end)
				return LINE_END;
			r->line++;
			*line = in->buf + in->start;
			*len = in->end - in->start;
			in->buf[in->end] = '\0';
			in->start = in->end = in->scanned = 0;
			return LINE_CUT;
		}
		if (in->start) {
			memmove(in->buf, in->buf + in->start,
				in->end - in->start);
			in->end -= in->start;
			in->scanned -= in->start;
			in->start = 0;
		}
		if (fill(r)) {
			r->line++;
			return LINE_ERROR;
		}
	}
	r->line++;
	*nl = '\0';
	*line = in->buf + in->start;
	*len = nl - *line;
	in->start = in->scanned = nl + 1 - in->buf;
	if (*len > max) {
		snprintf(in->why, sizeof(in->why),
			 "a line longer than %zu bytes", max);
		return LINE_LONG;
	}
	return LINE_OK;
}

/* -- reading a file ---------------------------------------------------------- */

static void say(const struct lde_trace_reader *r, const char *what)
{
	fprintf(stderr, "lde-trace: %s:%lu: %s\n", r->path, r->line, what);
}

int lde_trace_file_open_stream(struct lde_trace_reader *r, FILE *f,
			       const char *path)
{
	char *line, msg[320];
	size_t len;
	enum line_status st;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->f = f;
	r->in = calloc(1, sizeof(*r->in));
	if (r->in) {
		r->in->cap = INPUT_START;
		r->in->buf = malloc(r->in->cap);
	}
	if (!r->in || !r->in->buf || !(r->in->tok = lde_trace_json_tokener())) {
		fprintf(stderr, "lde-trace: %s: out of memory\n", path);
		goto fail;
	}
	r->in->fd = fileno(f);
	if (zstd_if_compressed(r)) {
		r->line = 1;
		say(r, r->in->why);
		goto fail;
	}
	st = next_line(r, LDE_TRACE_HEADER_MAX, &line, &len);
	if (st == LINE_END) {
		r->line = 1;
		snprintf(r->in->why, sizeof(r->in->why), r->in->dctx ?
			 "the zstd stream ends before its first line" :
			 "the file is empty");
	}
	/* A header alone with no newline is still a header. */
	if ((st != LINE_OK && st != LINE_CUT) || lde_trace_json_header(r->in->tok, line, len, &r->header,
					  r->in->why, sizeof(r->in->why))) {
		snprintf(msg, sizeof(msg), "not an lde-trace trace file (%s)",
			 r->in->why);
		say(r, msg);
		goto fail;
	}
	if (r->header.format > LDE_TRACE_FORMAT) {
		fprintf(stderr, "lde-trace: %s:1: trace format %d is newer than this lde-trace reads (%d)\n",
			path, r->header.format, LDE_TRACE_FORMAT);
		goto fail;
	}
	if (r->header.format < LDE_TRACE_FORMAT_OLDEST) {
		fprintf(stderr, "lde-trace: %s:1: trace format %d has no system-call arguments; this lde-trace reads format %d: record it again\n",
			path, r->header.format, LDE_TRACE_FORMAT);
		goto fail;
	}
	lde_syscalls_classify();
	return 0;
fail:
	lde_trace_file_close_reader(r);
	return -1;
}

int lde_trace_file_open(struct lde_trace_reader *r, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;

	if (!f) {
		memset(r, 0, sizeof(*r));
		fprintf(stderr, "lde-trace: cannot read %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return lde_trace_file_open_stream(r, f, path);
}

int lde_trace_file_replay(struct lde_trace_reader *r,
			  void (*show)(void *ctx, const struct lde_event *e),
			  void *ctx)
{
	struct lde_event e;
	enum line_status st;
	char *line;
	size_t len;
	int got;

	while ((st = next_line(r, LDE_TRACE_LINE_MAX, &line, &len)) == LINE_OK) {
		if (!len)
			continue;
		got = lde_trace_json_line(r->in->tok, line, len, &e, &r->end,
					  r->in->why, sizeof(r->in->why));
		if (got < 0) {
			say(r, r->in->why);
			return -1;
		}
		if (got)
			show(ctx, &e);
	}
	switch (st) {
	case LINE_CUT:
		fprintf(stderr, "lde-trace: warning: %s:%lu: the last line is cut short (the trace was not closed); the events before it are shown\n",
			r->path, r->line);
		return 0;
	case LINE_LONG:
	case LINE_ERROR:
		say(r, r->in->why);
		return -1;
	default:
		break;
	}
	if (!r->end.seen)
		fprintf(stderr, "lde-trace: warning: %s: no end object (the trace was not closed); the events it holds are shown\n",
			r->path);
	return 0;
}

void lde_trace_file_close_reader(struct lde_trace_reader *r)
{
	if (r->f && r->f != stdin)
		fclose(r->f);
	r->f = NULL;
	if (r->in) {
		lde_trace_json_tokener_free(r->in->tok);
		ZSTD_freeDCtx(r->in->dctx);
		free(r->in->zbuf);
		free(r->in->buf);
		free(r->in);
		r->in = NULL;
	}
}
