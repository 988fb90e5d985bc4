/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where libbpf's lines go in lde-trace's live session: as libbpf-bootstrap
 * prints them (warnings and errors always, debug under -v), except while
 * an attach runs whose one expected failure lde-trace says in its own
 * line: then they are held, and let out after it, all but the lines of
 * that failure.
 */
#ifndef _LDE_LIBBPF_LOG_H
#define _LDE_LIBBPF_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include <bpf/libbpf.h>

/* verbose (-v): every line, debug too, as it comes; to: stderr. */
void lde_libbpf_log_init(bool verbose, FILE *to);
/* libbpf's print callback (libbpf_set_print()). */
int lde_libbpf_print(enum libbpf_print_level level, const char *fmt,
		     va_list args);
/* From here, libbpf's lines wait (unless verbose: printed already). */
void lde_libbpf_hold(void);
/*
 * Lets the held lines out, in order, and stops holding; with expected_err
 * (a -errno, 0 for none), the lines that name that error are dropped:
 * lde-trace has said it in its own words.
 */
void lde_libbpf_release(int expected_err);

#endif /* _LDE_LIBBPF_LOG_H */
