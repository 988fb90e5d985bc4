// SPDX-License-Identifier: GPL-2.0
/* Names lde-trace prints: see lde_names.h. */
#include <stdio.h>
#include <string.h>

#include <seccomp.h>

#include <linux/lde.h>
#include "lde_names.h"

const char *const lde_stage_names[LDE_NR_STAGES] = {
	[LDE_STAGE_TRAP] = "trap",
	[LDE_STAGE_RETURN] = "return",
	[LDE_STAGE_SWITCH] = "switch",
	[LDE_STAGE_TIMER] = "timer",
	[LDE_STAGE_EXEC] = "exec",
	[LDE_STAGE_EXIT] = "exit",
	[LDE_STAGE_FAULT] = "fault",
	[LDE_STAGE_LDE_TRAP] = "lde_trap",
	[LDE_STAGE_LDE_RETURN] = "lde_return",
	[LDE_STAGE_LDE_SWITCH] = "lde_switch",
	[LDE_STAGE_FORK] = "fork",
	[LDE_STAGE_REAP] = "reap",
};

static const char *const toy_names[LDE_NR_SYSCALLS] = LDE_SYSCALL_NAMES;

int lde_stage_of(const char *name)
{
	int i;

	for (i = 0; i < LDE_NR_STAGES; i++)
		if (!strcmp(name, lde_stage_names[i]))
			return i;
	return -1;
}

const char *lde_kind_name(unsigned int kind)
{
	return lde_stage_names[lde_kind_stage(kind)];
}

const char *lde_syscall_name(long long nr)
{
	static char *cache[LDE_MAX_SYSCALLS];
	static char unknown[32];

	if (nr >= 0 && nr < LDE_MAX_SYSCALLS) {
		if (!cache[nr])
			cache[nr] = seccomp_syscall_resolve_num_arch(
				SCMP_ARCH_NATIVE, nr);
		if (cache[nr])
			return cache[nr];
	}
	snprintf(unknown, sizeof(unknown), "syscall_%lld", nr);
	return unknown;
}

const char *lde_toy_syscall_name(long long nr)
{
	if (nr >= 0 && nr < LDE_NR_SYSCALLS && toy_names[nr])
		return toy_names[nr];
	return "unknown";
}

const char *lde_signal_name(int sig)
{
	static char buf[16];
	const char *abbrev = sigabbrev_np(sig);

	snprintf(buf, sizeof(buf), "SIG%s", abbrev ? abbrev : "?");
	return buf;
}
