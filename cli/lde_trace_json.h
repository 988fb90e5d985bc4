/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A trace file's lines, JSON into C (lde_trace_json.c and its key tables,
 * lde_trace_json_event.c and lde_trace_json_header.c), for the reader
 * (lde_trace_file_read.c), which finds and bounds the lines.  Each takes
 * one line (len bytes, no newline) and says what is wrong in why.
 */
#ifndef _LDE_TRACE_JSON_H
#define _LDE_TRACE_JSON_H

#include <stddef.h>

#include "lde_trace_file.h"

struct json_tokener;

/* A parser that takes only what the writer writes; NULL: no memory. */
struct json_tokener *lde_trace_json_tokener(void);
void lde_trace_json_tokener_free(struct json_tokener *tok);
/*
 * The header line into h, naming calls as the recording did (see
 * lde_names.h): 0, or -1.
 */
int lde_trace_json_header(struct json_tokener *tok, const char *line,
			  size_t len, struct lde_trace_header *h, char *why,
			  size_t why_size);
/* A line after it: 1, an event into e; 0, the end object into end; -1. */
int lde_trace_json_line(struct json_tokener *tok, const char *line,
			size_t len, struct lde_event *e,
			struct lde_trace_end *end, char *why, size_t why_size);

#endif /* _LDE_TRACE_JSON_H */
