#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Can this release's libraries link lde's arm64 tools static?  Prints
# nothing if so, else one line saying why not (make check then leaves the
# arm64 guest out and says so).  Debian 13's elfutils (0.192) builds a
# libelf.a whose elf_begin.o calls eu_search_tree_init, which no archive of
# the release defines (libbpf needs libelf, so lde-trace and lde-bench
# cannot be linked static).  The amd64 libelf.a is built from the same
# source as the arm64 one the sysroot gets, so the host's tells.
set -eu
lib=$(find /usr/lib -name libelf.a 2>/dev/null | head -n 1)
[ -n "$lib" ] || exit 0
syms=$(nm "$lib" 2>/dev/null) || exit 0
if printf '%s\n' "$syms" | grep -q ' U eu_search_tree_init$' &&
   ! printf '%s\n' "$syms" | grep -q ' T eu_search_tree_init$'; then
	ver=$(dpkg-query -W -f '${Version}' libelf-dev 2>/dev/null || echo '?')
	echo "this release's libelf.a (libelf-dev $ver) leaves eu_search_tree_init undefined: the static arm64 lde-trace and lde-bench cannot be linked here (Debian 12 can)"
fi
