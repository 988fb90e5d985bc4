/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events made on the host for the trace-file tests (lde_trace_file_test.c,
 * lde_trace_replay_test.c): a task's event of any stage, the calls the
 * 6.1 kernel's formats describe, an openat trap.
 */
#ifndef _LDE_TRACE_TEST_EVENTS_H
#define _LDE_TRACE_TEST_EVENTS_H

#include <string.h>

#include "lde_syscalls.h"
#include "lde_trace.h"

static inline struct lde_event base(unsigned int stage)
{
	struct lde_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ns = 123456789012ULL;
	e.cpu = 1;
	e.pid = 4242;
	e.tid = 4243;
	e.stage = stage;
	/* Quotes, a backslash, control bytes and a byte above 0x7f. */
	memcpy(e.comm, "a\"b\\c\001\t\xe9z", 10);
	return e;
}

/* openat and mmap as the 6.1 kernel's formats describe them. */
static inline int define_syscalls(void)
{
	int err = 0;

	err |= lde_syscalls_define(257, "openat(int dfd, const char * filename, int flags, umode_t mode)");
	err |= lde_syscalls_define(9, "mmap(unsigned long addr, unsigned long len, unsigned long prot, unsigned long flags, unsigned long fd, unsigned long off)");
	err |= lde_syscalls_define(1, "write(unsigned int fd, const char * buf, size_t count)");
	err |= lde_syscalls_define(39, "getpid()");
	lde_syscalls_define_type("umode_t", "short unsigned int");
	lde_syscalls_define_type("size_t", "long unsigned int");
	lde_syscalls_classify();
	return err;
}

/* openat(AT_FDCWD, path, O_RDONLY|O_CLOEXEC, 0644) */
static inline void openat_trap(struct lde_event *e)
{
	e->trap.nr = 257;
	e->trap.ip = 0x7f0011223344ULL;
	e->trap.sp = 0x7ffd00112233ULL;
	e->trap.cpl = 3;
	e->trap.args[0] = (unsigned long long)-100LL;
	e->trap.args[1] = 0x5600aa00ULL;
	e->trap.args[2] = 0x80000;
	e->trap.args[3] = 0644;
}

#endif /* _LDE_TRACE_TEST_EVENTS_H */
