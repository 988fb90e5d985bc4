/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lde-bench --check's two entry points: the checker, and what it runs
 * inside the trace (lde_check_run.c).
 */
#ifndef _LDE_CHECK_RUN_H
#define _LDE_CHECK_RUN_H

#include <stdbool.h>

/*
 * Runs argv under lde-trace with lde-bench's reference before it, prints
 * the findings (text, or JSON Lines with json); the exit status: 0 nothing
 * wrong, 1 something wrong, 2 the check could not be made.
 */
int lde_check_main(char **argv, bool json);
/* Inside the trace (--check-run FD): the reference to fd, then argv. */
int lde_check_child(int fd, char **argv);

#endif /* _LDE_CHECK_RUN_H */
