#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host test: every global name lde-trace and lde-bench define themselves
# starts lde_ or bench_, so files that a tool links from the other's side
# (lde-bench --check links lde-trace's reader) never meet on a generic
# name like env or results.  Not counted: the C runtime's (_start, main,
# names with a leading _), argp's variables, and what a shared library
# lends (name@VERSION).  TAP, with the harness's totals line.
set -u
n=0 pass=0 fail=0
for bin in "$@"; do
	n=$((n + 1))
	if ! syms=$(nm -g --defined-only "$bin" 2>&1); then
		echo "not ok $n $bin: nm: $syms"
		fail=$((fail + 1))
		continue
	fi
	bad=$(awk '{ print $3 }' <<<"$syms" |
	      grep -v -e '^lde_' -e '^bench_' -e '^_' -e '@' \
		      -e '^main$' -e '^data_start$' -e '^argp_program_' |
	      tr '\n' ' ')
	if [ -z "$bad" ]; then
		echo "ok $n $(basename "$bin"): every global it defines is lde_ or bench_"
		pass=$((pass + 1))
	else
		echo "not ok $n $(basename "$bin"): globals without lde_ or bench_: $bad"
		fail=$((fail + 1))
	fi
done
echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" -eq 0 ]
