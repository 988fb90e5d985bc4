// SPDX-License-Identifier: GPL-2.0
/*
 * A trace file's frame, JSON into C: the header line (its keys, the boot
 * object's, the recording's call names) into struct lde_trace_header, and
 * each later line either the end object, into struct lde_trace_end, or
 * an event (lde_trace_json_event.c).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lde_arch_words.h"
#include "lde_names.h"
#include "lde_syscalls.h"
#include "lde_trace_json.h"
#include "lde_trace_json_fields.h"

#define HD(m)		offsetof(struct lde_trace_header, m), \
			sizeof(((struct lde_trace_header *)0)->m)
#define BT(m)		offsetof(struct lde_boot, m), \
			sizeof(((struct lde_boot *)0)->m)

static struct field_index header_index, boot_index, end_index;

static int set_header_stage(struct parsed *pe, struct json_object *v)
{
	if (strcmp(json_object_get_string(v), "header")) {
		snprintf(pe->why, pe->why_size, "the first line is not a header object");
		return -1;
	}
	return 0;
}

static int set_order(struct parsed *pe, struct json_object *v)
{
	const char *order = json_object_get_string(v);

	if (!strcmp(order, "cpu"))
		pe->header->cpu_order = true;
	else if (strcmp(order, "time"))
		return lde_trace_json_bad(pe, "order", "is neither \"time\" nor \"cpu\"");
	return 0;
}

static int set_stages(struct parsed *pe, struct json_object *v)
{
	size_t i, n = json_object_array_length(v);

	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(v, i);
		int stage;

		if (!json_object_is_type(s, json_type_string))
			return lde_trace_json_bad(pe, "stages", "holds something not a stage");
		stage = lde_stage_of(json_object_get_string(s));
		if (stage >= 0)
			pe->header->stages |= 1U << stage;
	}
	return 0;
}

/* "syscalls":{"257":"openat(int dfd, ...)"}: as the recording knew them. */
static int set_syscalls(struct parsed *pe, struct json_object *v)
{
	json_object_object_foreach(v, key, sig) {
		char *end;
		long nr;

		errno = 0;
		nr = strtol(key, &end, 10);
		if (!*key || *end || errno || nr < 0 || nr >= LDE_MAX_SYSCALLS)
			return lde_trace_json_bad(pe, "syscalls", "has a key that is not a system-call number");
		if (!json_object_is_type(sig, json_type_string) ||
		    lde_syscalls_define(nr, json_object_get_string(sig))) {
			snprintf(pe->why, pe->why_size, "\"syscalls\": \"%ld\" is not a signature",
				 nr);
			return -1;
		}
	}
	return 0;
}

static int set_types(struct parsed *pe, struct json_object *v)
{
	json_object_object_foreach(v, key, base) {
		if (!json_object_is_type(base, json_type_string))
			return lde_trace_json_bad(pe, "types", "holds something not a type");
		lde_syscalls_define_type(key, json_object_get_string(base));
	}
	return 0;
}

static struct field boot_fields[] = {
	SKIP("stage"),
	{ "syscall_entry", F_STR, json_type_string, 0, BT(syscall_entry), NULL },
	{ "timer_vector", F_SINT, json_type_int, 0, BT(timer_vector), NULL },
	{ "timer_handler", F_STR, json_type_string, 0, BT(timer_handler), NULL },
	{ "fault_vector", F_SINT, json_type_int, 0, BT(fault_vector), NULL },
	{ "fault_handler", F_STR, json_type_string, 0, BT(fault_handler), NULL },
	{ "trap_table", F_STR, json_type_string, 0, BT(trap_table), NULL },
	{ "timer_irq", F_SINT, json_type_int, 0, BT(timer_irq), NULL },
	{ "timer_hwirq", F_UINT, json_type_int, 0, BT(timer_hwirq), NULL },
	{ "timer_irq_handler", F_STR, json_type_string, 0, BT(timer_irq_handler), NULL },
	{ "timer_counter_hz", F_UINT, json_type_int, 0, BT(timer_counter_hz), NULL },
	{ "kernel_level", F_UINT, json_type_int, 0, BT(kernel_level), NULL },
	{ "cpus", F_SINT, json_type_int, 0, BT(cpus), NULL },
	{ "same_on_all_cpus", F_BOOL, json_type_boolean, 0, BT(same_on_all_cpus), NULL },
	{ "hz", F_SINT, json_type_int, 0, BT(hz), NULL },
	{ "kernel_stack_size", F_UINT, json_type_int, 0, BT(kernel_stack_size), NULL },
	{ "toy_trap_table_entries", F_SINT, json_type_int, 0, BT(toy_entries), NULL },
	{ "toy_trap_table_read_only", F_BOOL, json_type_boolean, 0, BT(toy_read_only), NULL },
	{ "clockevent", F_STR, json_type_string, 0, BT(clockevent), NULL },
	{ "clockevent_same_on_all_cpus", F_BOOL, json_type_boolean, 0, BT(clockevent_same), NULL },
};

static int set_boot(struct parsed *pe, struct json_object *v)
{
	struct lde_boot *b = &pe->header->boot;

	/* lde.ko's facts come together: the syscall entry says they are. */
	b->module = json_object_object_get_ex(v, "syscall_entry", NULL);
	b->has_kernel_level = json_object_object_get_ex(v, "kernel_level", NULL);
	return lde_trace_json_set_fields(pe, &boot_index, v, b);
}

static struct field header_fields[] = {
	FN("stage", json_type_string, set_header_stage),
	{ "format", F_SINT, json_type_int, 0, HD(format), NULL },
	{ "version", F_STR, json_type_string, 0, HD(version), NULL },
	{ "kernel", F_STR, json_type_string, 0, HD(kernel), NULL },
	{ "arch", F_STR, json_type_string, 0, HD(arch), NULL },
	{ "cpus", F_SINT, json_type_int, 0, HD(cpus), NULL },
	SKIP("clock"),
	FN("order", json_type_string, set_order),
	FN("stages", json_type_array, set_stages),
	FN("syscalls", json_type_object, set_syscalls),
	FN("types", json_type_object, set_types),
	FN("boot", json_type_object, set_boot),
};

static struct field end_fields[] = {
	SKIP("stage"),
	{ "lost", F_UINT, json_type_int, 0,
	  offsetof(struct lde_trace_end, lost), sizeof(unsigned long long), NULL },
	{ "lost_processes", F_UINT, json_type_int, 0,
	  offsetof(struct lde_trace_end, lost_processes),
	  sizeof(unsigned long long), NULL },
};

static void index_tables(void)
{
	static bool indexed;

	if (indexed)
		return;
	lde_trace_json_index(&header_index, header_fields, N_OF(header_fields));
	lde_trace_json_index(&boot_index, boot_fields, N_OF(boot_fields));
	lde_trace_json_index(&end_index, end_fields, N_OF(end_fields));
	indexed = true;
}

/*
 * Calls are named as the recording named them, not as this machine
 * would: by the header's signatures ("257":"openat(...)"), and for a
 * number with none, by libseccomp for the recording's arch.
 */
static int name_by_recording(const struct lde_trace_header *h,
			     struct json_object *o, char *why, size_t why_size)
{
	const char *arch = h->arch[0] ? h->arch : "x86_64";
	struct json_object *syscalls;

	if (lde_syscall_names_arch(arch)) {
		snprintf(why, why_size,
			 "the recording's arch \"%.32s\" is not one libseccomp knows",
			 arch);
		return -1;
	}
	/* The rows in the recording's words too, where lde has them. */
	lde_arch_words_use(arch);
	lde_arch_use_kernel_level(h->boot.has_kernel_level ?
				  (int)h->boot.kernel_level : -1);
	if (!json_object_object_get_ex(o, "syscalls", &syscalls))
		return 0;
	/* set_syscalls() checked each key and signature. */
	json_object_object_foreach(syscalls, key, sig) {
		const char *s = json_object_get_string(sig);
		char name[64];
		size_t len = strcspn(s, "( ");

		if (len >= sizeof(name))
			continue;
		memcpy(name, s, len);
		name[len] = '\0';
		lde_syscall_name_set(strtol(key, NULL, 10), name);
	}
	return 0;
}

int lde_trace_json_header(struct json_tokener *tok, const char *line,
			  size_t len, struct lde_trace_header *h, char *why,
			  size_t why_size)
{
	struct parsed pe = {
		.why = why,
		.why_size = why_size,
		.header = h,
	};
	struct json_object *o;
	int ret = -1;

	index_tables();
	o = lde_trace_json_parse(tok, line, len, why, why_size);
	if (!o)
		return -1;
	if (!json_object_object_get_ex(o, "stage", NULL)) {
		snprintf(why, why_size, "the first line is not a header object");
		goto out;
	}
	if (lde_trace_json_set_fields(&pe, &header_index, o, h))
		goto out;
	if (h->format <= 0) {
		snprintf(why, why_size, "the header says no format");
		goto out;
	}
	if (name_by_recording(h, o, why, why_size))
		goto out;
	ret = 0;
out:
	json_object_put(o);
	return ret;
}

int lde_trace_json_line(struct json_tokener *tok, const char *line,
			size_t len, struct lde_event *e,
			struct lde_trace_end *end, char *why, size_t why_size)
{
	struct json_object *o, *stage;
	int ret = -1;

	index_tables();
	o = lde_trace_json_parse(tok, line, len, why, why_size);
	if (!o)
		return -1;
	if (json_object_object_get_ex(o, "stage", &stage) &&
	    json_object_is_type(stage, json_type_string) &&
	    !strcmp(json_object_get_string(stage), "end")) {
		struct parsed pe = {
			.why = why,
			.why_size = why_size,
		};

		if (!lde_trace_json_set_fields(&pe, &end_index, o, end)) {
			end->seen = true;
			ret = 0;
		}
	} else if (!lde_trace_json_event(o, e, why, why_size)) {
		ret = 1;
	}
	json_object_put(o);
	return ret;
}
