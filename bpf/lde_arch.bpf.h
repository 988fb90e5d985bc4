/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place the target's arch header is picked, by the
 * __TARGET_ARCH_* the BPF object is built with (the Makefile's -D).  Each
 * lde_arch_<arch>.bpf.h gives the same names (listed at the top of
 * lde_arch_x86.bpf.h); a new arch adds its header and one line here.
 */
#ifndef _LDE_ARCH_BPF_H
#define _LDE_ARCH_BPF_H

#if defined(__TARGET_ARCH_x86)
#include "lde_arch_x86.bpf.h"
#elif defined(__TARGET_ARCH_arm64)
#include "lde_arch_arm64.bpf.h"
#else
#error "lde: no lde_arch_*.bpf.h for this target arch (-D__TARGET_ARCH_...)"
#endif

#endif /* _LDE_ARCH_BPF_H */
