/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lde-bench --check's two entry points: the checker, and what it runs
 * inside the trace (lde_check_run.c); and what the program imports to
 * read the time (lde_check_imports.c).
 */
#ifndef _LDE_CHECK_RUN_H
#define _LDE_CHECK_RUN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Runs argv under lde-trace with lde-bench's reference before it, prints
 * the findings (text, or JSON Lines with json); the exit status: 0 nothing
 * wrong, 1 something wrong, 2 the check could not be made.
 */
int lde_check_main(char **argv, bool json);
/* Inside the trace (--check-run FD): the reference to fd, then argv. */
int lde_check_child(int fd, char **argv);

/* PROGRAM as execvp would find it, into buf: 0, or -1. */
int lde_check_program_path(const char *name, char *buf, size_t size);
/*
 * The clocks a dynamically linked program takes from the C library (its
 * undefined dynamic symbols): LDE_TIMER_*, 0 if none or not an ELF file.
 */
unsigned int lde_check_imported_timers(const char *path);

#endif /* _LDE_CHECK_RUN_H */
