/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lde-trace's trace files (-w to write, -r to read): JSON Lines, version 2.
 *
 *   {"stage":"header","format":2,"version":..,"kernel":..,"cpus":..,
 *    "clock":"CLOCK_MONOTONIC","stages":[..],
 *    "syscalls":{"257":"openat(int dfd, const char * filename, ..)",..},
 *    "types":{"umode_t":"short unsigned int",..},"boot":{..}}
 *   one object per event, as -j prints it (ts_ns from the start)
 *   {"stage":"end","lost":N,"lost_processes":N}
 *
 * A reader needs nothing of the machine that recorded it: the header
 * carries what only the live system knew (the kernel, the boot facts,
 * which stages were traced, each system call's arguments as its format
 * described them, and the typedefs they name).  Format 1 had no
 * arguments.
 */
#ifndef _LDE_TRACE_FILE_H
#define _LDE_TRACE_FILE_H

#include <stdbool.h>
#include <stdio.h>

#include "lde_boot.h"
#include "lde_trace.h"

#define LDE_TRACE_FORMAT	2

struct lde_trace_header {
	int format;
	char version[32];
	char kernel[64];
	int cpus;
	unsigned int stages;	/* bit per enum lde_stage traced */
	struct lde_boot boot;
};

struct lde_trace_end {
	bool seen;		/* the file was closed whole */
	unsigned long long lost, lost_processes;
};

/* Writing (-w). */
int lde_trace_file_create(const char *path, const struct lde_trace_header *h);
/* Times are written from start_ns, as -j prints them. */
void lde_trace_file_event(const struct lde_event *e,
			  unsigned long long start_ns);
/* Closes the file with its end object; 0, or -errno if any write failed. */
int lde_trace_file_close(unsigned long long lost,
			 unsigned long long lost_processes);

/* Reading (-r): calls show() for each event, in the file's order. */
struct lde_trace_reader {
	const char *path;
	FILE *f;
	unsigned long line;
	struct lde_trace_header header;
	struct lde_trace_end end;
};

/* Opens and reads the header: 0, or prints why not and returns -1. */
int lde_trace_file_open(struct lde_trace_reader *r, const char *path);
/*
 * Every event after the header, then the end object.  -1 on bad input
 * (said on stderr with the file and line); a truncated last line is a
 * warning, the events before it are shown.
 */
int lde_trace_file_replay(struct lde_trace_reader *r,
			  void (*show)(const struct lde_event *e));
void lde_trace_file_close_reader(struct lde_trace_reader *r);

/* Parses one JSON event line into e: 0, or -1 if it is not one. */
int lde_trace_parse_event(const char *line, struct lde_event *e);

#endif /* _LDE_TRACE_FILE_H */
