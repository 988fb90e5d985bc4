/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lde-trace's trace files (-w to write, -r to read): JSON Lines, version 2.
 *
 *   {"stage":"header","format":3,"version":..,"kernel":..,"arch":..,"cpus":..,
 *    "clock":"CLOCK_MONOTONIC","order":"time"|"cpu","stages":[..],
 *    "syscalls":{"257":"openat(int dfd, const char * filename, ..)",..},
 *    "types":{"umode_t":"short unsigned int",..},"boot":{..}}
 *   one object per event, as -j prints it (ts_ns from the start)
 *   {"stage":"end","lost":N,"lost_processes":N}
 *
 * A reader needs nothing of the machine that recorded it: the header
 * carries what only the live system knew (the kernel, its architecture,
 * the boot facts, which stages were traced, each system call's name and
 * arguments as its format described them, and the typedefs they name).
 * Format 1 had no arguments.  The whole file may be one zstd frame.
 *
 * Writing is lde_trace_file.c; reading, lde_trace_file_read.c (lines,
 * bounded, plain or zstd) and lde_trace_json.c (each line into C).
 */
#ifndef _LDE_TRACE_FILE_H
#define _LDE_TRACE_FILE_H

#include <stdbool.h>
#include <stdio.h>

#include "lde_boot.h"
#include "lde_trace.h"

/*
 * Format 3 added the header's arch, a toy trap's args, and files written
 * compressed: -w FILE.zst writes the same lines through zstd, and -r
 * reads a file either way, by its first bytes (zstd's magic), not its
 * name.  A reader takes formats 2 and 3.
 */
#define LDE_TRACE_FORMAT	3
#define LDE_TRACE_FORMAT_OLDEST	2
/* Fast: a trace compresses 5-10 times at level 1 (3 gains next to none). */
#define LDE_TRACE_ZSTD_LEVEL	1
/* A zstd window of at most 8 MiB (level 1 uses 512 KiB): bounded memory. */
#define LDE_TRACE_ZSTD_WINDOW_LOG	23

/*
 * What the reader takes of a file it was handed, at most: the header line
 * (about 40 KB on 6.12: ~370 signatures), an event line (the writer's
 * longest is under LDE_EVENT_TEXT_MAX, 16 KiB), and JSON nested two deep
 * (an event's args object; json-c counts the values inside as one more).
 */
#define LDE_TRACE_HEADER_MAX	(1 << 20)
#define LDE_TRACE_LINE_MAX	(1 << 16)
#define LDE_TRACE_DEPTH		3

struct lde_trace_header {
	int format;
	char version[32];
	char kernel[64];
	/* uname's machine, libseccomp's name for it: "" (before it was
	 * written) is x86_64, the only one lde recorded on then. */
	char arch[32];
	int cpus;
	unsigned int stages;	/* bit per enum lde_stage traced */
	/*
	 * "order":"cpu": the events come a batch per CPU at a time (a
	 * recording with -j, -q or -s alone, or -x or -M): in order per CPU
	 * and per thread, not across CPUs; a replay for people sorts them.
	 * "time" (or no "order", as before it was written): in time order,
	 * as the views for people were shown them.
	 */
	bool cpu_order;
	struct lde_boot boot;
};

struct lde_trace_end {
	bool seen;		/* the file was closed whole */
	unsigned long long lost, lost_processes;
};

/* Writing (-w): each file its own writer, none shared. */
struct lde_trace_writer;
/*
 * Creates path (through zstd for FILE.zst) and writes the header: 0 and
 * *w, or -errno (nothing left open, *w NULL).
 */
int lde_trace_file_create(struct lde_trace_writer **w, const char *path,
			  const struct lde_trace_header *h);
/* Times are written from start_ns, as -j prints them. */
void lde_trace_file_event(struct lde_trace_writer *w,
			  const struct lde_event *e,
			  unsigned long long start_ns);
/*
 * Closes the file with its end object and frees w: 0, or -errno if any
 * write failed.
 */
int lde_trace_file_close(struct lde_trace_writer *w, unsigned long long lost,
			 unsigned long long lost_processes);

/*
 * Reading (-r): calls show(ctx, event) for each event, in the file's
 * order; what a reader keeps is in its struct, so two can be read.
 */
struct lde_trace_input;

struct lde_trace_reader {
	const char *path;
	FILE *f;
	unsigned long line;
	struct lde_trace_header header;
	struct lde_trace_end end;
	struct lde_trace_input *in;	/* lde_trace_file_read.c's */
};

/*
 * Opens and reads the header: 0, or prints why not (FILE:LINE: what),
 * frees what it took and returns -1.
 */
int lde_trace_file_open(struct lde_trace_reader *r, const char *path);
/* The same from f, named path in what is said; the reader closes f. */
int lde_trace_file_open_stream(struct lde_trace_reader *r, FILE *f,
			       const char *path);
/*
 * Every event after the header, then the end object.  -1 on bad input
 * (said on stderr with the file and line); a truncated last line is a
 * warning, the events before it are shown.
 */
int lde_trace_file_replay(struct lde_trace_reader *r,
			  void (*show)(void *ctx, const struct lde_event *e),
			  void *ctx);
void lde_trace_file_close_reader(struct lde_trace_reader *r);

/* Parses one JSON event line into e: 0, or -1 if it is not one. */
int lde_trace_parse_event(const char *line, struct lde_event *e);
/* Why the last lde_trace_parse_event() said -1. */
const char *lde_trace_parse_error(void);

#endif /* _LDE_TRACE_FILE_H */
