# SPDX-License-Identifier: GPL-2.0
#
# lde: OSTEP chapter 6, "Limited Direct Execution", live on Linux.
#
#   make demo    boot the guest, load lde.ko, show the live LDE sequence
#   make check   host checks, then one guest boot running every kselftest
#   make bench   the chapter's measurement homework, in the guest
#   make         build lde.ko, the BPF objects, the tools and the tests
#
# Every goal first makes sure the machine has what lde needs
# (scripts/setup.sh: installs what is missing, a no-op otherwise), then
# runs again with the kernel release known.  KVER=<release> overrides the
# Debian kernel to build against and boot.

GOALS := all check-host demo bench lint install
.PHONY: $(GOALS) check check-debug clean uninstall

ifndef LDE_READY

.DEFAULT_GOAL := all
$(GOALS):
	@./scripts/setup.sh $(if $(filter arm64,$(ARCH))$(filter bench,$@),arm64)
	@$(MAKE) --no-print-directory LDE_READY=1 $@

# make check boots the arm64 guest too: the cross compiler and
# qemu-system-arm (scripts/setup.sh arm64).
check:
	@./scripts/setup.sh arm64
	@$(MAKE) --no-print-directory LDE_READY=1 $@

# Also what building a kernel takes.
check-debug:
	@./scripts/setup.sh debug
	@$(MAKE) --no-print-directory LDE_READY=1 $@

# The arm64 guest alone (issue 27; make check boots it beside the x86
# ones): the cross compiler and qemu-system-arm too.
arm64-module arm64-boot arm64-selftests arm64-check arm64-bpf:
	@./scripts/setup.sh arm64
	@$(MAKE) --no-print-directory LDE_READY=1 $@
.PHONY: arm64-module arm64-boot arm64-selftests arm64-check arm64-bpf

# make bench's arm64 boot alone: lde-bench in the arm64 guest.
bench-arm64:
	@./scripts/setup.sh arm64
	@$(MAKE) --no-print-directory LDE_READY=1 $@
.PHONY: bench-arm64

clean:
	rm -rf build

uninstall:
	@$(MAKE) --no-print-directory LDE_READY=1 $@

else # LDE_READY: dependencies are installed

# What make install lays out (PREFIX and DESTDIR as usual); the module's
# source goes where DKMS looks for it.
VERSION    := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
PREFIX     ?= /usr/local
BINDIR     := $(PREFIX)/bin
MANDIR     := $(PREFIX)/share/man/man1
LIBEXECDIR := $(PREFIX)/libexec/lde
DKMSSRC    := /usr/src/lde-$(VERSION)

TOP     := $(CURDIR)
KVER    ?= $(shell ./scripts/kernel-release.sh)
KDIR    ?= /lib/modules/$(KVER)/build
B       := $(TOP)/build
KSRC    := $(B)/linux-source
# A hang guard, not a timing: make check's x86 guests took 607-682 s with
# the arm64 guest beside them on 2 cores, and ran past 900 s with one
# more guest beside, 1,600-1,760 s with five guests on 2 cores; the arm64
# guest gets half again (scripts/check.sh).
VM_TIMEOUT ?= 3000

# One module build per kernel release: a module only loads into its own.
KMOD    := $(B)/$(KVER)/kmod
LDE_KO  := $(KMOD)/module/lde.ko

CFLAGS  ?= -O2 -g
CFLAGS  += -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -D_GNU_SOURCE
UAPI    := -I$(TOP)/include/uapi

# -- kernel tools from Debian's linux-source, extracted once ----------------
# The newest source the linux-source package installed (6.1 on Debian 12,
# 6.12 on Debian 13).
KSRC_TAR   := $(lastword $(sort $(wildcard /usr/src/linux-source-*.tar.xz)))
KSRC_TOP   := $(basename $(basename $(notdir $(KSRC_TAR))))
KSRC_FILES := tools/testing/selftests/kselftest_harness.h \
	      tools/testing/selftests/kselftest.h \
	      scripts/checkpatch.pl scripts/spelling.txt \
	      scripts/const_structs.checkpatch .clang-format
KSRC_STAMP := $(KSRC)/.extracted

$(KSRC_STAMP): $(KSRC_TAR)
	@echo "  EXTRACT kselftest headers, checkpatch.pl from $(notdir $<)"
	@rm -rf $(KSRC) && mkdir -p $(KSRC)
	@tar -xJf $< -C $(KSRC) --strip-components=1 \
		$(addprefix $(KSRC_TOP)/,$(KSRC_FILES))
	@touch $@

# -- lde.ko -----------------------------------------------------------------
# Kbuild writes its objects beside the sources, so it builds in a tree of
# symbolic links under build/ and the source tree stays clean.
MODULE_SRCS := Kbuild $(wildcard module/* include/uapi/linux/*.h)

$(LDE_KO): $(MODULE_SRCS)
	@mkdir -p $(KMOD)
	@cp -rsf $(TOP)/Kbuild $(TOP)/module $(TOP)/include $(KMOD)/
	$(MAKE) -C $(KDIR) M=$(KMOD) modules

module: $(LDE_KO)

# lde.ko for the arm64 guest: scripts/arm64-fetch.sh lays out the arm64
# kernel, headers and guest root under build/arm64/; the headers'
# .kernelvariables set ARCH and CROSS_COMPILE.  `make arm64-boot` boots
# that kernel, loads the module and prints its debugfs boot object.
ARM64_KVER ?= $(shell ./scripts/kernel-release.sh --arm64 2>/dev/null)
ARM64_DIR  := $(B)/arm64
ARM64_KDIR := $(ARM64_DIR)/headers/usr/src/linux-headers-$(ARM64_KVER)
ARM64_KO   := $(B)/$(ARM64_KVER)/kmod/module/lde.ko

# The headers, the guest root and the sysroot: one run of the script lays
# them out, and again when it changes (it redoes only what changed).
ARM64_ROOT_READY := $(ARM64_DIR)/root/.lde-ready
ARM64_SYSROOT_READY := $(ARM64_DIR)/sysroot/.lde-ready
$(ARM64_KDIR)/.lde-ready $(ARM64_ROOT_READY) $(ARM64_SYSROOT_READY) &: \
		scripts/arm64-fetch.sh
	ARM64_KVER=$(ARM64_KVER) ./scripts/arm64-fetch.sh $(ARM64_DIR)
	@touch $(ARM64_KDIR)/.lde-ready $(ARM64_ROOT_READY) $(ARM64_SYSROOT_READY)

$(ARM64_KO): $(MODULE_SRCS) $(ARM64_KDIR)/.lde-ready
	@mkdir -p $(B)/$(ARM64_KVER)/kmod
	@cp -rsf $(TOP)/Kbuild $(TOP)/module $(TOP)/include $(B)/$(ARM64_KVER)/kmod/
	$(MAKE) -C $(ARM64_KDIR) M=$(B)/$(ARM64_KVER)/kmod modules

arm64-module: $(ARM64_KO)

# The kselftests in the arm64 guest alone: make check's arm64 boot.
arm64-check: $(ARM64_KO) arm64-selftests $(ARM64_ROOT_READY)
	LDE_ARM64_SELFTESTS=$(ARM64_SELFTEST) LDE_ARM64_TRACE=$(ARM64_TRACE) \
	LDE_TRACE=$(LDE_TRACE) VM_TIMEOUT=$(VM_TIMEOUT) LDE_NO_HOST_RESULTS=1 \
		./scripts/check.sh $(ARM64_KVER):$(ARM64_KO): -- $(SELFTEST_BINS)

arm64-boot: $(ARM64_KO) $(ARM64_ROOT_READY)
	ARM64_KVER=$(ARM64_KVER) ./scripts/vm-run.sh -a arm64 -t $(VM_TIMEOUT) \
		-o $(B)/vm-arm64 -- sh $(TOP)/scripts/guest-boot-facts.sh $(ARM64_KO)

# -- BPF objects and skeletons, lde-trace ------------------------------------
# vmlinux.h comes from the BTF of the kernel the guest boots (never committed).
VMLINUX_H  := $(B)/$(KVER)/vmlinux.h
BPF_OUT    := $(B)/bpf
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall
BPF_OBJS   := $(BPF_OUT)/lde_trace.bpf.o
CLI_LIBS   := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz) -lseccomp \
	      -ljson-c -lzstd
# Both tools say the version dkms.conf gives the package.
CLI_VERSION := -DLDE_VERSION=\"$(VERSION)\"
CLI_CFLAGS := $(CFLAGS) -Wno-missing-field-initializers $(UAPI) -I$(TOP)/bpf -I$(BPF_OUT) \
	      $(CLI_VERSION)
LDE_TRACE  := $(B)/lde-trace

$(VMLINUX_H): /boot/vmlinuz-$(KVER) scripts/extract-btf.sh
	@mkdir -p $(@D)
	@echo "  BTF     $@"
	@./scripts/extract-btf.sh $< $@

# Every header in bpf/: the programs include the .bpf.h helpers and the
# headers they share with lde-trace.
BPF_HDRS   := $(wildcard bpf/*.h)

$(BPF_OUT)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(VMLINUX_H)
	@mkdir -p $(@D)
	@echo "  BPF     $@"
	@clang $(BPF_CFLAGS) -I$(dir $(VMLINUX_H)) -I$(TOP)/bpf -c $< -o $@

$(BPF_OUT)/%.skel.h: $(BPF_OUT)/%.bpf.o
	@echo "  GENSKEL $@"
	@bpftool gen skeleton $< >$@.tmp && mv $@.tmp $@

# What lde-trace and lde-bench share: statistics, JSON, line building.
CLI_COMMON := cli/lde_stats.c cli/lde_line.c
CLI_COMMON_DEPS := $(CLI_COMMON) cli/lde_stats.h cli/lde_line.h

# lde-trace: main (lde_trace.c) opens a source, the live session
# (lde_trace_live.c, reading the BPF object in lde_trace_drain.c) or a
# trace file (lde_trace_replay.c), which feeds one event stream to the
# views (lde_views.c: lde_render_*.c, lde_view_*.c, lde_svg_*.c,
# lde_card_draw.c, lde_summary.c); options, names, boot facts and each
# ISA's words apart.
TRACE_SRCS := cli/lde_trace.c cli/lde_trace_opts.c cli/lde_trace_live.c \
	      cli/lde_trace_drain.c cli/lde_trace_batches.c \
	      cli/lde_trace_progs.c cli/lde_trace_replay.c \
	      cli/lde_libbpf_log.c \
	      cli/lde_names.c cli/lde_boot.c cli/lde_arch_words.c \
	      cli/lde_syscalls.c cli/lde_syscalls_tracefs.c \
	      cli/lde_render_columns.c cli/lde_render_json.c \
	      cli/lde_render_protocol.c cli/lde_render_protocol_rows.c \
	      cli/lde_render_perfetto.c \
	      cli/lde_render_strace.c cli/lde_render_svg.c \
	      cli/lde_svg_events.c cli/lde_svg_lanes.c cli/lde_summary.c \
	      cli/lde_sched_summary.c cli/lde_render_map.c \
	      cli/lde_tid_table.c cli/lde_trace_file.c cli/lde_trace_file_read.c \
	      cli/lde_trace_json.c cli/lde_trace_json_event.c \
	      cli/lde_trace_json_header.c cli/lde_log2_hist.c \
	      cli/lde_story.c cli/lde_views.c cli/lde_view_card.c \
	      cli/lde_card_draw.c \
	      cli/lde_view_protocol.c cli/lde_view_write.c \
	      cli/lde_render_sequence.c cli/lde_render_html.c \
	      cli/lde_reorder.c cli/lde_reorder_queue.c
TRACE_HDRS := cli/lde_names.h cli/lde_boot.h cli/lde_arch_words.h cli/lde_render.h \
	      cli/lde_kept_line.h \
	      cli/lde_syscalls.h cli/lde_trace_file.h cli/lde_sched_summary.h \
	      cli/lde_tid_table.h cli/lde_trace_json.h cli/lde_trace_json_fields.h \
	      cli/lde_log2_hist.h \
	      cli/lde_story.h cli/lde_view.h cli/lde_svg.h cli/lde_svg_internal.h \
	      cli/lde_trace_cli.h cli/lde_trace_live.h cli/lde_libbpf_log.h \
	      cli/lde_trace_batches.h cli/lde_protocol.h cli/lde_reorder.h \
	      cli/lde_reorder_queue.h \
	      bpf/lde_trace.h \
	      bpf/lde_sched_sum.h
# What reads the live kernel, and lde-trace's main and options; the rest
# (the views, the trace-file reader, the reorder) also runs on a trace file.
TRACE_LIVE := cli/lde_trace.c cli/lde_trace_opts.c cli/lde_trace_live.c \
	      cli/lde_trace_drain.c cli/lde_trace_progs.c cli/lde_trace_replay.c \
	      cli/lde_syscalls_tracefs.c cli/lde_libbpf_log.c

$(LDE_TRACE): $(TRACE_SRCS) $(TRACE_HDRS) $(BPF_OUT)/lde_trace.skel.h \
	      include/uapi/linux/lde.h $(CLI_COMMON_DEPS) dkms.conf
	$(CC) $(CLI_CFLAGS) -I$(TOP)/cli -o $@ $(TRACE_SRCS) $(CLI_COMMON) \
		$(CLI_LIBS)

LDE_BENCH := $(B)/lde-bench
# lde-bench: options, main and output (lde_bench.c), the timers, the
# context switch, and the cross-check against perf bench.
BENCH_SRCS := cli/lde_bench.c cli/lde_bench_timers.c cli/lde_bench_switch.c \
	      cli/lde_bench_perf.c
BENCH_HDRS := cli/lde_bench.h cli/lde_counter.h
# lde-bench --check reads lde-trace's trace files: the reader and what it
# needs, without the live session.
TRACE_FILE_SRCS := $(filter-out $(TRACE_LIVE),$(TRACE_SRCS))
# lde-bench --check: what reads the events and the output (CHECK_CORE,
# which the host test builds too), and what runs the program.
CHECK_CORE := cli/lde_check.c cli/lde_check_output.c \
	      cli/lde_check_findings.c cli/lde_check_print.c
CHECK_SRCS := $(CHECK_CORE) cli/lde_check_run.c cli/lde_check_imports.c
# The program's imports (which clock it reads) come from its ELF file.
LIBELF     := $(shell pkg-config --libs libelf 2>/dev/null || echo -lelf)

$(LDE_BENCH): $(BENCH_SRCS) $(BENCH_HDRS) $(CHECK_SRCS) cli/lde_check.h cli/lde_check_run.h \
	      cli/lde_check_state.h \
	      $(TRACE_FILE_SRCS) $(TRACE_HDRS) $(BPF_OUT)/lde_trace.skel.h \
	      $(CLI_COMMON_DEPS) include/uapi/linux/lde.h dkms.conf
	$(CC) $(CLI_CFLAGS) -I$(TOP)/cli \
		-o $@ $(BENCH_SRCS) $(CHECK_SRCS) $(TRACE_FILE_SRCS) \
		$(CLI_COMMON) $(CLI_LIBS) $(LIBELF) -lm -lpthread

tools: $(LDE_TRACE) $(LDE_BENCH)

# The BPF object built for arm64 (its own pt_regs: -D__TARGET_ARCH_arm64
# picks bpf/lde_arch_arm64.bpf.h) against the BTF of the arm64 kernel's
# headers, and its skeleton, for the arm64 lde-trace: make arm64-bpf.
ARM64_VMLINUX_H := $(B)/$(ARM64_KVER)/vmlinux.h
ARM64_BPF_OUT   := $(ARM64_DIR)/bpf

$(ARM64_VMLINUX_H): $(ARM64_KDIR)/.lde-ready
	@mkdir -p $(@D)
	@echo "  BTF     $@"
	@bpftool btf dump file $(ARM64_KDIR)/vmlinux format c >$@.tmp && mv $@.tmp $@

$(ARM64_BPF_OUT)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(ARM64_VMLINUX_H)
	@mkdir -p $(@D)
	@echo "  BPF     $@"
	@clang -g -O2 -target bpf -D__TARGET_ARCH_arm64 -Wall \
		-I$(dir $(ARM64_VMLINUX_H)) -I$(TOP)/bpf -c $< -o $@

$(ARM64_BPF_OUT)/%.skel.h: $(ARM64_BPF_OUT)/%.bpf.o
	@echo "  GENSKEL $@"
	@bpftool gen skeleton $< >$@.tmp && mv $@.tmp $@

arm64-bpf: $(ARM64_BPF_OUT)/lde_trace.skel.h $(ARM64_BPF_OUT)/lde_trace.bpf.o

# -- selftests ----------------------------------------------------------------
SELFTEST_DIR  := $(TOP)/selftests/lde
SELFTEST_OUT  := $(B)/selftests
# Order matters: the life-cycle test leaves lde.ko unloaded, the rest load it.
SELFTESTS     := lde_module_test lde_trap_test lde_switch_test lde_layout_test \
		 lde_trace_test lde_fuzz_test lde_unpriv_test lde_stress_test \
		 lde_check_test
SELFTEST_BINS := $(addprefix $(SELFTEST_OUT)/,$(SELFTESTS))
SELFTEST_HELPERS := $(SELFTEST_OUT)/lde_workload $(SELFTEST_OUT)/lde_lifecycle \
		    $(SELFTEST_OUT)/lde_args_vs_strace.py \
		    $(SELFTEST_OUT)/lde_calls_vs_strace.py \
		    $(SELFTEST_OUT)/lde_sched_vs_perf.py \
		    $(SELFTEST_OUT)/homework_careful \
		    $(SELFTEST_OUT)/homework_gettimeofday_loop

$(SELFTEST_OUT)/%: $(SELFTEST_DIR)/%.c $(SELFTEST_DIR)/lde_test_util.h \
		   include/uapi/linux/lde.h bpf/lde_module_events.h $(KSRC_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(UAPI) -I$(TOP)/bpf -I$(KSRC)/tools/testing/selftests \
		-o $@ $< -lpthread

# Static: its protocol view is the chapter's, without the dynamic loader's
# own system calls.
$(SELFTEST_OUT)/lde_lifecycle: $(SELFTEST_DIR)/lde_lifecycle.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -o $@ $<

# The homework's example answers (Documentation/homework.rst), which
# lde_check_test runs lde-bench --check on.
$(SELFTEST_OUT)/homework_%: Documentation/homework/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

$(SELFTEST_OUT)/%.py: $(SELFTEST_DIR)/%.py
	@mkdir -p $(@D)
	cp $< $@

selftests: $(SELFTEST_BINS) $(SELFTEST_HELPERS)

# The selftests and their helpers, static for the arm64 guest's busybox root.
ARM64_CC       ?= aarch64-linux-gnu-gcc
ARM64_SELFTEST := $(B)/arm64/selftests
$(ARM64_SELFTEST)/%: $(SELFTEST_DIR)/%.c $(SELFTEST_DIR)/lde_test_util.h \
		     include/uapi/linux/lde.h bpf/lde_module_events.h $(KSRC_STAMP)
	@mkdir -p $(@D)
	$(ARM64_CC) $(CFLAGS) -static $(UAPI) -I$(TOP)/bpf \
		-I$(KSRC)/tools/testing/selftests -o $@ $< -lpthread

# The homework's answers as a student builds them, dynamic (the root has
# arm64's libc): lde-bench --check reads the clocks a program imports
# from the C library, and a static one imports none.
$(ARM64_SELFTEST)/homework_%: Documentation/homework/%.c
	@mkdir -p $(@D)
	$(ARM64_CC) $(CFLAGS) -o $@ $<

# lde-bench for the arm64 guest, linked against the arm64 -dev packages
# and libraries scripts/arm64-fetch.sh unpacks into build/arm64/sysroot
# (the cross compiler brings its own libc); it takes its cycle counter
# from cli/lde_counter.h.  Dynamic, on both releases (Debian 13's libelf.a
# cannot link static): in the guest it runs with the arm64 root's loader
# and the same libraries, which arm64-libs-check.sh finds there.
ARM64_SYSROOT := $(ARM64_DIR)/sysroot
ARM64_CLI_FLAGS := -I$(ARM64_SYSROOT)/usr/include \
		   -I$(ARM64_SYSROOT)/usr/include/aarch64-linux-gnu \
		   -L$(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu \
		   -Wl,-rpath-link,$(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu \
		   -Wl,-rpath-link,$(ARM64_SYSROOT)/lib/aarch64-linux-gnu
ARM64_BENCH := $(ARM64_DIR)/lde-bench
ARM64_LIBS_CHECK = ./scripts/arm64-libs-check.sh $(ARM64_DIR)/root $@

$(ARM64_BENCH): $(BENCH_SRCS) $(BENCH_HDRS) $(CHECK_SRCS) cli/lde_check.h \
		cli/lde_check_run.h $(TRACE_FILE_SRCS) $(TRACE_HDRS) \
		$(CLI_COMMON_DEPS) include/uapi/linux/lde.h dkms.conf \
		$(ARM64_SYSROOT_READY) $(ARM64_ROOT_READY)
	$(ARM64_CC) $(CFLAGS) -Wno-missing-field-initializers $(UAPI) \
		-I$(TOP)/bpf -I$(TOP)/cli $(CLI_VERSION) $(ARM64_CLI_FLAGS) \
		-o $@ $(BENCH_SRCS) $(CHECK_SRCS) $(TRACE_FILE_SRCS) \
		$(CLI_COMMON) -lseccomp -ljson-c -lzstd -lelf -lm -lpthread
	@$(ARM64_LIBS_CHECK) || { rm -f $@; exit 1; }

# lde-trace for the arm64 guest: the CLI on the arm64 skeleton (make
# arm64-bpf), linked against the sysroot's libbpf, dynamic as lde-bench.
ARM64_TRACE     := $(ARM64_DIR)/lde-trace

$(ARM64_TRACE): $(TRACE_SRCS) $(TRACE_HDRS) $(ARM64_BPF_OUT)/lde_trace.skel.h \
		include/uapi/linux/lde.h $(CLI_COMMON_DEPS) dkms.conf \
		$(ARM64_SYSROOT_READY) $(ARM64_ROOT_READY)
	$(ARM64_CC) $(CFLAGS) -Wno-missing-field-initializers $(UAPI) \
		-I$(TOP)/bpf -I$(ARM64_BPF_OUT) -I$(TOP)/cli $(CLI_VERSION) \
		$(ARM64_CLI_FLAGS) -o $@ $(TRACE_SRCS) $(CLI_COMMON) \
		-lbpf -lseccomp -ljson-c -lzstd -lm
	@$(ARM64_LIBS_CHECK) || { rm -f $@; exit 1; }

# The tests' Python checks, as for x86 (the root has python3).
$(ARM64_SELFTEST)/%.py: $(SELFTEST_DIR)/%.py
	@mkdir -p $(@D)
	cp $< $@

arm64-selftests: $(addprefix $(ARM64_SELFTEST)/,$(SELFTESTS) lde_workload lde_lifecycle \
		   homework_careful homework_gettimeofday_loop \
		   lde_args_vs_strace.py lde_calls_vs_strace.py \
		   lde_sched_vs_perf.py) $(ARM64_BENCH) $(ARM64_TRACE)

all: module tools selftests

# -- checks -----------------------------------------------------------------
# checkpatch: ENOSYS is exactly "no such toy system call" here, and yield()
# is the toy sched_yield(); both warnings are about other uses.  Then no
# file of bpf/ but lde_arch_x86.bpf.h names an x86 register or layout.
lint: $(KSRC_STAMP)
	@perl $(KSRC)/scripts/checkpatch.pl --no-tree --quiet --show-types \
		--ignore ENOSYS,YIELD \
		-f module/*.c module/*.h include/uapi/linux/*.h && \
		echo "ok - checkpatch: module/ and include/uapi/ are clean"
	@./scripts/bpf-arch-check.sh bpf

# Host-side unit tests: lde-bench's arithmetic, lde-trace's line building
# and per-task tables, trace files read back as written.
HOST_TESTS := $(B)/host/lde_stats_test $(B)/host/lde_line_test \
	      $(B)/host/lde_tid_table_test $(B)/host/lde_trace_file_test \
	      $(B)/host/lde_trace_replay_test \
	      $(B)/host/lde_view_state_test $(B)/host/lde_check_test \
	      $(B)/host/lde_arch_words_test $(B)/host/lde_libbpf_log_test \
	      $(B)/host/lde_reorder_test $(B)/host/lde_reorder_batch_test \
	      $(B)/host/lde_trace_batches_test

# libbpf's lines in the live session: held while attaching, and let out.
$(B)/host/lde_libbpf_log_test: cli/lde_libbpf_log_test.c cli/lde_libbpf_log.c \
		cli/lde_libbpf_log.h $(KSRC_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I$(TOP)/cli -I$(KSRC)/tools/testing/selftests \
		-o $@ $< cli/lde_libbpf_log.c

# Each ISA's words for the rows, and arm64's boot facts as they read.
$(B)/host/lde_arch_words_test: cli/lde_arch_words_test.c cli/lde_arch_words.c \
		cli/lde_arch_words.h cli/lde_boot.c cli/lde_boot.h \
		cli/lde_line.c cli/lde_line.h $(KSRC_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I$(TOP)/cli -I$(KSRC)/tools/testing/selftests \
		-o $@ $< cli/lde_arch_words.c cli/lde_boot.c cli/lde_line.c

# lde-bench --check's findings, from events made on the host.
$(B)/host/lde_check_test: cli/lde_check_test.c $(CHECK_CORE) cli/lde_check.h \
		cli/lde_check_state.h cli/lde_names.c $(CLI_COMMON_DEPS) $(KSRC_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I$(TOP)/cli -I$(TOP)/bpf $(UAPI) \
		-I$(KSRC)/tools/testing/selftests -o $@ $< $(CHECK_CORE) \
		cli/lde_names.c $(CLI_COMMON) -lseccomp -lm

# What lde-trace reads of the batches, on batches laid out on the host.
$(B)/host/lde_trace_batches_test: cli/lde_trace_batches_test.c \
		cli/lde_trace_batches.c cli/lde_trace_batches.h bpf/lde_trace.h \
		$(KSRC_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I$(TOP)/cli -I$(TOP)/bpf $(UAPI) \
		-I$(KSRC)/tools/testing/selftests -o $@ $< cli/lde_trace_batches.c

$(B)/host/lde_tid_table_test: cli/lde_tid_table_test.c cli/lde_tid_table.c \
		cli/lde_tid_table.h $(KSRC_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I$(TOP)/cli -I$(KSRC)/tools/testing/selftests \
		-o $@ $< cli/lde_tid_table.c

# The live reader's reorder: CPUs' events back in time order, late ones
# counted, memory bounded.
$(B)/host/lde_reorder_test $(B)/host/lde_reorder_batch_test: \
		$(B)/host/%: cli/%.c cli/lde_reorder_test.h cli/lde_reorder.c \
		cli/lde_reorder_queue.c cli/lde_reorder_queue.h \
		cli/lde_reorder.h bpf/lde_trace.h $(KSRC_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I$(TOP)/cli -I$(TOP)/bpf $(UAPI) \
		-I$(KSRC)/tools/testing/selftests -o $@ $< cli/lde_reorder.c \
		cli/lde_reorder_queue.c

# Renderers and the trace-file reader, without the live session.
$(B)/host/lde_trace_file_test $(B)/host/lde_trace_replay_test \
		$(B)/host/lde_view_state_test: \
		$(B)/host/%: cli/%.c $(TRACE_SRCS) cli/lde_trace_test_events.h \
		$(TRACE_HDRS) $(CLI_COMMON_DEPS) $(KSRC_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I$(TOP)/cli -I$(TOP)/bpf $(UAPI) \
		-I$(KSRC)/tools/testing/selftests -o $@ $< \
		$(filter-out $(TRACE_LIVE),$(TRACE_SRCS)) $(CLI_COMMON) -lseccomp \
		-ljson-c -lzstd -lm

$(B)/host/%_test: cli/%_test.c $(CLI_COMMON_DEPS) $(KSRC_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I$(TOP)/cli -I$(KSRC)/tools/testing/selftests \
		-o $@ $< $(CLI_COMMON) -lm

# The trace-file reader and every view under libFuzzer, ASan and UBSan
# (cli/fuzz/): a file someone hands lde-trace -r must never crash it.
FUZZ := $(B)/fuzz/lde_trace_fuzz

$(FUZZ): cli/fuzz/lde_trace_fuzz.c $(TRACE_SRCS) $(TRACE_HDRS) \
		$(CLI_COMMON_DEPS) include/uapi/linux/lde.h
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -D_GNU_SOURCE -I$(TOP)/cli \
		-I$(TOP)/bpf $(UAPI) -o $@ $< \
		$(filter-out $(TRACE_LIVE),$(TRACE_SRCS)) $(CLI_COMMON) -lseccomp \
		-ljson-c -lzstd -lm

# The replay check runs lde-trace -r on the host: no root, no BPF; the
# help check reads what each tool says of itself; the fuzz check replays
# every crash ever found, then fuzzes for a bounded time; the symbols check
# holds the tools' global names to lde_ and bench_; the archive check asks
# a local archive for the arm64 build of the host's 6.12; the console
# check tells a guest that could not power off from a kernel splat; the
# bench report check puts two recorded homeworks side by side; the failures
# check holds what make check says again of a failure at its end.
check-host: lint $(HOST_TESTS) $(LDE_TRACE) $(LDE_BENCH) $(FUZZ)
	@./scripts/host-check.sh $(HOST_TESTS) \
		"./scripts/fuzz-check.sh $(FUZZ)" \
		"./scripts/replay-check.sh $(LDE_TRACE)" \
		"./scripts/handout-check.sh $(LDE_TRACE)" \
		"./scripts/help-check.sh $(LDE_TRACE) $(LDE_BENCH)" \
		"./scripts/symbols-check.sh $(LDE_TRACE) $(LDE_BENCH)" \
		./scripts/arm64-kernel-in-archive-check.sh \
		./scripts/console-verdict-check.sh ./scripts/bench-report-check.sh \
		./scripts/tap-failures-check.sh

# Every kernel series the host's Debian ships (6.1 and 6.12 on Debian 12,
# 6.12 on 13), one boot each, with the same sources and the same CO-RE BPF
# object.  In each, the module tests run twice: with the module built here,
# and with the one dkms builds from what make install lays out.
KVERS ?= $(shell ./scripts/kernel-release.sh --all)

# The arm64 guest (6.12 only: README) boots beside them with the same
# tests built for arm64 (scripts/check.sh), its lde.ko built here.
check: all check-host $(ARM64_KO) arm64-selftests $(ARM64_ROOT_READY)
	@set -e; specs=; \
	for k in $(KVERS); do \
		$(MAKE) --no-print-directory KVER=$$k module; \
		specs="$$specs $$k:$(B)/$$k/kmod/module/lde.ko:$$(./scripts/dkms-build.sh $$k)"; \
	done; \
	specs="$$specs $(ARM64_KVER):$(ARM64_KO):"; \
	LDE_TRACE=$(LDE_TRACE) VM_TIMEOUT=$(VM_TIMEOUT) \
	LDE_ARM64_SELFTESTS=$(ARM64_SELFTEST) LDE_ARM64_TRACE=$(ARM64_TRACE) \
		./scripts/check.sh $$specs -- $(SELFTEST_BINS)

# The whole suite once more on a debug kernel built from Debian's own
# source (KASAN, lockdep, kmemleak, UBSAN: scripts/debug-kernel.config),
# the fuzzers at a million calls, and a kmemleak scan after the last
# rmmod.  Not part of make check: the kernel takes about 20 minutes to
# build here (once, cached in build/debug-kernel), the guest about 7 minutes
# to boot to the suite, and the suite over an hour (README).
DEBUG_DIR := $(B)/debug-kernel
DEBUG_TIMEOUT ?= 9000
check-debug: all
	@set -e; rel=$$(./scripts/debug-kernel.sh $(DEBUG_DIR)); \
	ko=$(B)/$$rel/kmod/module/lde.ko; \
	[ $$ko -nt $(DEBUG_DIR)/built ] || rm -rf $(B)/$$rel/kmod; \
	$(MAKE) --no-print-directory KVER=$$rel KDIR=$(DEBUG_DIR)/src module; \
	LDE_KERNEL_IMAGE=$(DEBUG_DIR)/src/arch/x86/boot/bzImage \
	LDE_GUEST_ENV="LDE_FUZZ_CALLS=1000000 LDE_FUZZ_CHURN_CALLS=20000 LDE_KMEMLEAK=1 LDE_TEST_TIMEOUT_SCALE=20" \
	LDE_NO_HOST_RESULTS=1 LDE_TRACE=$(LDE_TRACE) VM_TIMEOUT=$(DEBUG_TIMEOUT) \
	LDE_VM_NICE=$${LDE_VM_NICE--20} \
	LDE_VM_UDEV_RULES=$${LDE_VM_UDEV_RULES-default} \
		./scripts/check.sh $$rel:$(B)/$$rel/kmod/module/lde.ko: -- \
		$(SELFTEST_BINS)

# ARCH=arm64: the same chapter in the arm64 guest, in arm64's words.
ifeq ($(ARCH),arm64)
demo: $(ARM64_KO) arm64-selftests $(ARM64_ROOT_READY)
	@./scripts/vm-run.sh -a arm64 -t $(VM_TIMEOUT) -- \
		env LDE_KO=$(ARM64_KO) LDE_TRACE=$(ARM64_TRACE) \
		LDE_SELFTESTS=$(ARM64_SELFTEST) ./scripts/guest-demo.sh
else
demo: all
	@./scripts/vm-run.sh -t $(VM_TIMEOUT) -- \
		env LDE_KO=$(LDE_KO) LDE_TRACE=$(LDE_TRACE) ./scripts/guest-demo.sh
endif

# Four boots: the homework in the arm64 guest (bench-arm64, a
# prerequisite, so first), then the hook's cost and the homework
# (single-threaded TCG, as every test), then the tracers compared under
# multi- and single-threaded TCG (see scripts/guest-bench-tracers.sh);
# the report puts arm64's homework beside x86's as ratios.
bench: all bench-arm64
	@mkdir -p $(B)/bench/tracers-multi $(B)/bench/tracers-single
	@./scripts/vm-run.sh -t $(VM_TIMEOUT) -o $(B)/bench -- \
		env LDE_KO=$(LDE_KO) LDE_BENCH=$(LDE_BENCH) ./scripts/guest-bench.sh
	@for mode in multi single; do \
		LDE_TCG_THREAD=$$mode ./scripts/vm-run.sh -t $(VM_TIMEOUT) \
			-o $(B)/bench/tracers-$$mode -- env LDE_TCG_MODE=$$mode \
			LDE_TRACE=$(LDE_TRACE) ./scripts/guest-bench-tracers.sh || \
			exit 1; \
	done
	@./scripts/bench-report.sh $(B)/bench
	@echo "lde: results in build/bench/bench.md and build/bench/bench.json"

bench-arm64: $(ARM64_KO) arm64-selftests $(ARM64_ROOT_READY)
	@mkdir -p $(B)/bench/arm64
	@./scripts/vm-run.sh -a arm64 -t $(VM_TIMEOUT) -o $(B)/bench/arm64 -- \
		env LDE_KO=$(ARM64_KO) LDE_BENCH=$(ARM64_BENCH) ./scripts/guest-bench.sh
.PHONY: bench-arm64

# lde-trace, lde-bench and their man pages; the selftests and their
# helpers under libexec (run them as selftests/lde/README says, with
# LDE_TRACE and LDE_KO set); lde.ko's source for DKMS.
install: tools selftests
	install -D -m 0755 $(LDE_TRACE) $(DESTDIR)$(BINDIR)/lde-trace
	install -D -m 0755 $(LDE_BENCH) $(DESTDIR)$(BINDIR)/lde-bench
	install -D -m 0644 Documentation/lde-trace.1 $(DESTDIR)$(MANDIR)/lde-trace.1
	install -D -m 0644 Documentation/lde-bench.1 $(DESTDIR)$(MANDIR)/lde-bench.1
	install -d $(DESTDIR)$(LIBEXECDIR)/selftests
	install -m 0755 $(SELFTEST_BINS) $(SELFTEST_HELPERS) \
		$(DESTDIR)$(LIBEXECDIR)/selftests/
	install -D -m 0644 dkms.conf $(DESTDIR)$(DKMSSRC)/dkms.conf
	install -D -m 0644 Kbuild $(DESTDIR)$(DKMSSRC)/Kbuild
	install -d $(DESTDIR)$(DKMSSRC)/module $(DESTDIR)$(DKMSSRC)/include/uapi/linux
	install -m 0644 $(wildcard module/*.c module/*.h) module/Kbuild \
		$(DESTDIR)$(DKMSSRC)/module/
	install -m 0644 include/uapi/linux/lde.h \
		$(DESTDIR)$(DKMSSRC)/include/uapi/linux/
	@echo "lde: installed under $(DESTDIR)$(PREFIX); lde.ko's source in $(DESTDIR)$(DKMSSRC): dkms install lde/$(VERSION)"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/lde-trace $(DESTDIR)$(BINDIR)/lde-bench \
		$(DESTDIR)$(MANDIR)/lde-trace.1 $(DESTDIR)$(MANDIR)/lde-bench.1
	rm -rf $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DKMSSRC)

.PHONY: module tools selftests

endif
