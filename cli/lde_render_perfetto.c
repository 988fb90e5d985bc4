// SPDX-License-Identifier: GPL-2.0
/*
 * Chrome/Perfetto trace-event JSON (-o): system calls as slices on each
 * task's track, switches on a track per CPU (pid 0, one "thread" per CPU).
 */
#include <errno.h>
#include <string.h>

#include "lde_names.h"
#include "lde_render.h"
#include "lde_stats.h"

static FILE *perfetto;
static bool perfetto_first = true;

int lde_perfetto_open(const char *path)
{
	perfetto = fopen(path, "we");
	if (!perfetto)
		return -errno;
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", perfetto);
	return 0;
}

void lde_perfetto_close(void)
{
	if (!perfetto)
		return;
	fputs("\n]}\n", perfetto);
	fclose(perfetto);
	perfetto = NULL;
}

void lde_perfetto_event(const struct lde_event *e, unsigned long long start_ns)
{
	double ts;

	if (!perfetto)
		return;
	ts = (e->ts_ns - start_ns) / 1e3;	/* microseconds */
	fputs(perfetto_first ? "\n" : ",\n", perfetto);
	perfetto_first = false;
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
		fprintf(perfetto, "{\"ph\":\"B\",\"ts\":%.3f,\"pid\":%u,\"tid\":%u,"
			"\"name\":\"%s\",\"cat\":\"trap\"}", ts, e->pid, e->tid,
			lde_call_name(e->trap.nr, e->trap.compat));
		return;
	case LDE_STAGE_RETURN:
	case LDE_EVENT_EXEC_RETURN:
		fprintf(perfetto, "{\"ph\":\"E\",\"ts\":%.3f,\"pid\":%u,\"tid\":%u,"
			"\"args\":{\"ret\":%lld}}", ts, e->pid, e->tid,
			e->ret.ret);
		return;
	case LDE_STAGE_SWITCH:
	case LDE_STAGE_LDE_SWITCH:
		fprintf(perfetto, "{\"ph\":\"i\",\"s\":\"t\",\"ts\":%.3f,\"pid\":0,"
			"\"tid\":%u,\"name\":\"%s %s\",\"cat\":\"switch\","
			"\"args\":{\"prev_tid\":%u,\"next_tid\":%u,\"next_comm\":",
			ts, e->cpu, lde_kind_name(e->stage),
			e->sw.nonvoluntary ? "preempted" : "voluntary", e->tid,
			e->sw.next_tid);
		lde_json_str(perfetto, e->sw.next_comm, LDE_COMM_LEN);
		fputs("}}", perfetto);
		return;
	default:
		fprintf(perfetto, "{\"ph\":\"i\",\"s\":\"t\",\"ts\":%.3f,\"pid\":%u,"
			"\"tid\":%u,\"name\":\"%s\",\"cat\":\"%s\",\"args\":{\"comm\":",
			ts, e->pid, e->tid, lde_kind_name(e->stage),
			lde_kind_name(e->stage));
		lde_json_str(perfetto, e->comm, LDE_COMM_LEN);
		fputs("}}", perfetto);
	}
}
