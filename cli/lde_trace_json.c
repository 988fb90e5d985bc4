// SPDX-License-Identifier: GPL-2.0
/*
 * A trace file's lines from JSON back into C (see lde_trace_json.h): the
 * machinery the reader's key tables go through.  json-c parses a line,
 * its nesting bounded (LDE_TRACE_DEPTH); keys are looked up in a table
 * (the event's in lde_trace_json_event.c, the header's, its boot
 * object's and the end object's in lde_trace_json_header.c), each key
 * with the JSON type it must have and where its value goes.  Keys a table
 * does not know are skipped, so a newer writer's additions do not stop
 * an older reader; anything else not as lde-trace writes it is said,
 * in a few words, for the FILE:LINE: line.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lde_trace_json.h"
#include "lde_trace_json_fields.h"

/* -- JSON values into C ------------------------------------------------------ */

struct json_tokener *lde_trace_json_tokener(void)
{
	struct json_tokener *tok = json_tokener_new_ex(LDE_TRACE_DEPTH);

	if (tok)
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	return tok;
}

void lde_trace_json_tokener_free(struct json_tokener *tok)
{
	if (tok)
		json_tokener_free(tok);
}

struct json_object *lde_trace_json_parse(struct json_tokener *tok,
					 const char *line, size_t len,
					 char *why, size_t why_size)
{
	struct json_object *o;
	enum json_tokener_error err;

	if (memchr(line, '\0', len)) {
		snprintf(why, why_size, "a NUL byte in the line");
		return NULL;
	}
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, line, len);
	err = json_tokener_get_error(tok);
	if (!o) {
		if (err == json_tokener_continue)
			snprintf(why, why_size, "not JSON: the line ends inside a value");
		else if (err == json_tokener_error_depth)
			snprintf(why, why_size, "not JSON that lde-trace writes: nested deeper than %d",
				 LDE_TRACE_DEPTH - 1);
		else
			snprintf(why, why_size, "not JSON: %s at byte %zu",
				 json_tokener_error_desc(err),
				 json_tokener_get_parse_end(tok) + 1);
		return NULL;
	}
	if (json_tokener_get_parse_end(tok) != len) {
		snprintf(why, why_size, "not JSON: text after the object at byte %zu",
			 json_tokener_get_parse_end(tok) + 1);
		json_object_put(o);
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(why, why_size, "not a JSON object");
		json_object_put(o);
		return NULL;
	}
	return o;
}

/*
 * A string as the writer writes it: each byte it holds is one code
 * point, U+0000..U+00FF (a byte above 0x7f escaped as \u00XX), which
 * json-c gives back in UTF-8.  Into dst (size bytes, NUL-padded), cut at
 * size - 1 bytes or at a NUL.
 */
void lde_trace_json_copy_str(char *dst, size_t size, struct json_object *v)
{
	const unsigned char *s = (const void *)json_object_get_string(v);
	size_t len = json_object_get_string_len(v), i, n = 0;

	memset(dst, 0, size);
	for (i = 0; i < len && n + 1 < size; i++) {
		unsigned char c = s[i];

		if ((c == 0xc2 || c == 0xc3) && i + 1 < len &&
		    (s[i + 1] & 0xc0) == 0x80)
			c = (c & 0x1f) << 6 | (s[++i] & 0x3f);
		if (!c)
			break;
		dst[n++] = c;
	}
}

unsigned long long lde_trace_json_int(struct json_object *v, bool *negative)
{
	long long s = json_object_get_int64(v);

	*negative = s < 0;
	return s < 0 ? (unsigned long long)s : json_object_get_uint64(v);
}

static const char *type_name(enum json_type t)
{
	switch (t) {
	case json_type_int:
		return "a number";
	case json_type_double:
		return "a fraction";
	case json_type_boolean:
		return "true or false";
	case json_type_string:
		return "a string";
	case json_type_array:
		return "an array";
	case json_type_object:
		return "an object";
	default:
		return "null";
	}
}

int lde_trace_json_bad(struct parsed *pe, const char *key, const char *what)
{
	snprintf(pe->why, pe->why_size, "\"%s\" %s", key, what);
	return -1;
}

static unsigned int key_hash(const char *key)
{
	unsigned int h = 2166136261u;

	while (*key)
		h = (h ^ (unsigned char)*key++) * 16777619u;
	return h;
}

void lde_trace_json_index(struct field_index *x, struct field *table,
			  size_t n)
{
	size_t i;

	x->table = table;
	x->n = n;
	for (i = 0; i < n; i++) {
		unsigned int h = key_hash(table[i].key);

		while (x->slot[h % INDEX_SLOTS])
			h++;
		x->slot[h % INDEX_SLOTS] = &table[i];
	}
}

static const struct field *field_of(const struct field_index *x,
				    const char *key)
{
	unsigned int h = key_hash(key);
	const struct field *f;

	while ((f = x->slot[h % INDEX_SLOTS])) {
		if (!strcmp(f->key, key))
			return f;
		h++;
	}
	return NULL;
}

/* An integer into an unsigned or signed C integer of f->size bytes. */
static int store_int(struct parsed *pe, const char *key, const struct field *f,
		     struct json_object *v, void *to)
{
	bool neg;
	unsigned long long u = lde_trace_json_int(v, &neg);
	int bits = f->size * 8;

	if (f->kind == F_UINT && neg)
		return lde_trace_json_bad(pe, key, "is negative");
	if (bits < 64) {
		long long s = (long long)u;

		if (f->kind == F_UINT ? u >> bits :
		    s < -(1LL << (bits - 1)) || s >= (1LL << (bits - 1)))
			return lde_trace_json_bad(pe, key, "is out of range");
	}
	switch (f->size) {
	case 1:
		*(unsigned char *)to = u;
		break;
	case 2:
		*(unsigned short *)to = u;
		break;
	case 4:
		*(unsigned int *)to = u;
		break;
	case 8:
		*(unsigned long long *)to = u;
		break;
	default:	/* no such field in the tables */
		return lde_trace_json_bad(pe, key, "has no integer of its size here");
	}
	return 0;
}

/* key: v, stored as the table says into base (an event, a header). */
static int set_field(struct parsed *pe, const struct field *f,
		     const char *key, struct json_object *v, void *base)
{
	enum json_type t = json_object_get_type(v);
	char *to = (char *)base + f->off;

	if (f->kind == F_SKIP)
		return 0;
	if (t != f->type && !(f->kind == F_FN && f->type == json_type_null)) {
		char what[48];

		snprintf(what, sizeof(what), "is %s, not %s", type_name(t),
			 type_name(f->type));
		return lde_trace_json_bad(pe, key, what);
	}
	switch (f->kind) {
	case F_UINT:
	case F_SINT:
		if (store_int(pe, key, f, v, to))
			return -1;
		break;
	case F_BOOL:
		memset(to, 0, f->size);
		*to = json_object_get_boolean(v);
		break;
	case F_STR:
		lde_trace_json_copy_str(to, f->size, v);
		break;
	case F_FN:
		return f->set(pe, v);
	}
	if (f->known)
		pe->e.sw.known |= f->known;
	return 0;
}

/* The keys the table does not know are skipped. */
int lde_trace_json_set_fields(struct parsed *pe, const struct field_index *x,
			      struct json_object *o, void *base)
{
	json_object_object_foreach(o, key, v) {
		const struct field *f = field_of(x, key);

		if (f && set_field(pe, f, key, v, base))
			return -1;
	}
	return 0;
}
