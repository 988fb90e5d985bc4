/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the trace-file reader's JSON half: a key's table entry (what
 * JSON type its value must have and where in a C struct it goes), the
 * line being read, and the table machinery (lde_trace_json.c) that the
 * event keys (lde_trace_json_event.c) and the header's and the end
 * object's (lde_trace_json_header.c) are read through.
 */
#ifndef _LDE_TRACE_JSON_FIELDS_H
#define _LDE_TRACE_JSON_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "lde_trace_file.h"

/* How a key's value is stored. */
enum field_kind {
	F_UINT,		/* an unsigned integer of size bytes at off */
	F_SINT,		/* a signed one */
	F_BOOL,		/* true/false into an integer of size bytes */
	F_STR,		/* a string into char[size] at off */
	F_FN,		/* its own setter */
	F_SKIP,		/* written for people; the event does not keep it */
};

struct parsed;

struct field {
	const char *key;
	unsigned char kind;		/* enum field_kind */
	unsigned char type;		/* enum json_type it must have; F_FN:
					 * json_type_null for any */
	unsigned char known;		/* LDE_KNOWN_* its presence says */
	unsigned short off, size;
	int (*set)(struct parsed *pe, struct json_object *v);
};

#define EV(m)		offsetof(struct lde_event, m), \
			sizeof(((struct lde_event *)0)->m)
#define UINT(k, m)	{ k, F_UINT, json_type_int, 0, EV(m), NULL }
#define SINT(k, m)	{ k, F_SINT, json_type_int, 0, EV(m), NULL }
#define BOOL(k, m)	{ k, F_BOOL, json_type_boolean, 0, EV(m), NULL }
#define STR(k, m)	{ k, F_STR, json_type_string, 0, EV(m), NULL }
#define FN(k, t, fn)	{ k, F_FN, t, 0, 0, 0, fn }
#define SKIP(k)		{ k, F_SKIP, json_type_null, 0, 0, 0, NULL }

/* One event line, as it is read. */
struct parsed {
	struct lde_event e;
	int stage;		/* -1: none yet */
	bool exec_ret;		/* a return with what a new program starts with */
	bool reason;		/* a switch with its reason (newer files) */
	bool blocked_in;	/* a switch with the call prev blocked in */
	unsigned long long ip;	/* a trap's or a timer's, by the stage */
	struct json_object *args, *args_cut;	/* read once the stage is */
	struct lde_trace_header *header;	/* the header's setters' */
	char *why;
	size_t why_size;
};

#define N_OF(a)		(sizeof(a) / sizeof((a)[0]))

/*
 * A table's keys by hash (FNV-1a), open addressing: one string compare
 * a key, where a search in order took six.  Slots: a power of two at
 * least twice the keys.
 */
#define INDEX_SLOTS	256

struct field_index {
	struct field *table;
	size_t n;
	const struct field *slot[INDEX_SLOTS];
};

/* The keys of table (n of them) into x: once, before the first lookup. */
void lde_trace_json_index(struct field_index *x, struct field *table,
			  size_t n);
/* Each key of o that x knows into base (an event, a header); 0, or -1. */
int lde_trace_json_set_fields(struct parsed *pe, const struct field_index *x,
			      struct json_object *o, void *base);
/* A line as one JSON object, or NULL with why said. */
struct json_object *lde_trace_json_parse(struct json_tokener *tok,
					 const char *line, size_t len,
					 char *why, size_t why_size);
/* A string value into dst (size bytes, NUL-padded), as the writer wrote it. */
void lde_trace_json_copy_str(char *dst, size_t size, struct json_object *v);
/* An integer's value, its sign kept: unsigned above INT64_MAX too. */
unsigned long long lde_trace_json_int(struct json_object *v, bool *negative);
/* why: "key" what; -1. */
int lde_trace_json_bad(struct parsed *pe, const char *key, const char *what);
/* An event object into e: 0, or -1 with why said. */
int lde_trace_json_event(struct json_object *o, struct lde_event *e,
			 char *why, size_t why_size);

#endif /* _LDE_TRACE_JSON_FIELDS_H */
