// SPDX-License-Identifier: GPL-2.0
/*
 * lde.ko's trace events are read by lde-trace's BPF programs through the
 * layouts in bpf/lde_module_events.h, written by hand.  tracefs describes
 * the real records (events/lde/<name>/format): every field the BPF side
 * reads must sit at the offset, with the size, that file gives.
 */
#include <stddef.h>
#include <stdbool.h>
#include <linux/types.h>

#include "lde_test_util.h"
#include "lde_module_events.h"
#include "kselftest_harness.h"

struct field {
	const char *name;
	size_t offset, size;
};

#define FIELD(type, member) \
	{ #member, offsetof(type, member), sizeof(((type *)0)->member) }

static const struct field trap_fields[] = {
	FIELD(struct lde_trap_ctx, nr),
	FIELD(struct lde_trap_ctx, args),
	FIELD(struct lde_trap_ctx, user_ip),
	FIELD(struct lde_trap_ctx, user_cpl),
};

static const struct field return_fields[] = {
	FIELD(struct lde_return_ctx, nr),
	FIELD(struct lde_return_ctx, ret),
	FIELD(struct lde_return_ctx, kernel_ns),
};

static const struct field switch_fields[] = {
	FIELD(struct lde_switch_ctx, prev_pid),
	FIELD(struct lde_switch_ctx, prev_tid),
	FIELD(struct lde_switch_ctx, prev_comm),
	FIELD(struct lde_switch_ctx, next_pid),
	FIELD(struct lde_switch_ctx, next_tid),
	FIELD(struct lde_switch_ctx, next_comm),
	FIELD(struct lde_switch_ctx, nonvoluntary),
	FIELD(struct lde_switch_ctx, prev_state),
	FIELD(struct lde_switch_ctx, prev_stack_depth),
	FIELD(struct lde_switch_ctx, next_stack_depth),
};

/*
 * The offset and size tracefs gives a field, from a line such as
 * "\tfield:u64 args[6];\toffset:16;\tsize:48;\tsigned:0;".  -1: not there.
 */
static int format_field(const char *format, const char *name,
			size_t *offset, size_t *size)
{
	const char *line;

	for (line = format; line && *line; line = strchr(line, '\n')) {
		const char *semi, *start;
		size_t len = strlen(name);

		if (*line == '\n')
			line++;
		semi = strstr(line, ";\toffset:");
		if (!strncmp(line, "\tfield:", 7) && semi) {
			/* The name ends the declaration, maybe before [N]. */
			const char *end = memchr(line, '[', semi - line);

			end = end ? end : semi;
			start = end - len;
			if (start > line && start[-1] == ' ' &&
			    !strncmp(start, name, len))
				return sscanf(semi, ";\toffset:%zu;\tsize:%zu;",
					      offset, size) == 2 ? 0 : -1;
		}
	}
	return -1;
}

static char *read_format(const char *event)
{
	char path[256];
	static char buf[8192];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), TRACEFS "/events/lde/%s/format", event);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void check_event(struct __test_metadata *_metadata, const char *event,
			const struct field *fields, int n)
{
	char *format = read_format(event);
	size_t offset, size;
	int i;

	ASSERT_NE(NULL, format) TH_LOG("no tracefs format for lde:%s", event);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, format_field(format, fields[i].name, &offset,
					  &size))
			TH_LOG("lde:%s has no field %s", event, fields[i].name);
		EXPECT_EQ(fields[i].offset, offset)
			TH_LOG("lde:%s field %s", event, fields[i].name);
		EXPECT_EQ(fields[i].size, size)
			TH_LOG("lde:%s field %s", event, fields[i].name);
	}
}

FIXTURE(layout) {};

FIXTURE_SETUP(layout)
{
	if (lde_ensure_loaded())
		SKIP(return, "lde.ko cannot be loaded");
}

FIXTURE_TEARDOWN(layout) {}

TEST_F(layout, bpf_reads_lde_trap_where_tracefs_says)
{
	check_event(_metadata, "lde_trap", trap_fields,
		    sizeof(trap_fields) / sizeof(trap_fields[0]));
}

TEST_F(layout, bpf_reads_lde_return_where_tracefs_says)
{
	check_event(_metadata, "lde_return", return_fields,
		    sizeof(return_fields) / sizeof(return_fields[0]));
}

TEST_F(layout, bpf_reads_lde_switch_where_tracefs_says)
{
	check_event(_metadata, "lde_switch", switch_fields,
		    sizeof(switch_fields) / sizeof(switch_fields[0]));
}

LDE_HARNESS_MAIN
