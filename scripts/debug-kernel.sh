#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest kernel `make check-debug` boots: Debian's own kernel
# source (the newest linux-source installed, the series of the default
# guest) with virtme-ng's minimal config plus scripts/debug-kernel.config
# (KASAN, lockdep, kmemleak, UBSAN, list and object debugging, and the BPF
# and tracing options lde needs).  The tree is cached under DIR: a second
# run with the same source and fragment only checks, and prints the
# release.
#
#   usage: debug-kernel.sh DIR
#
# Prints, last, the kernel release; DIR/src is the tree to build modules
# against (KDIR) and DIR/src/arch/x86/boot/bzImage the image to boot.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mkdir -p "${1:?usage: debug-kernel.sh DIR}" && cd "$1" && pwd)
fragment=$top/scripts/debug-kernel.config
tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1)
[ -n "$tarball" ] || { echo "lde: no /usr/src/linux-source-*.tar.xz (package linux-source)" >&2; exit 1; }
src=$dir/src
stamp=$dir/built
want="$(basename "$tarball") $(stat -c %s-%Y "$tarball") $(sha256sum <"$fragment" | cut -c1-16)"

if [ -f "$stamp" ] && [ "$(head -n1 "$stamp")" = "$want" ] &&
	[ -f "$src/arch/x86/boot/bzImage" ]; then
	sed -n 2p "$stamp"
	exit 0
fi

mkdir -p "$dir"
rm -f "$stamp"
if [ ! -f "$src/.extracted" ] || [ "$(cat "$src/.extracted")" != "$(basename "$tarball")" ]; then
	echo "lde: extracting $(basename "$tarball") into $src" >&2
	rm -rf "$src" && mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	basename "$tarball" >"$src/.extracted"
fi

cd "$src"
echo "lde: configuring: virtme-ng's minimal config + $(basename "$fragment")" >&2
vng --kconfig --config "$fragment" >config.log 2>&1 ||
	{ cat config.log >&2; exit 1; }
# Every option the fragment asks for must have survived olddefconfig's
# dependency solving: a checker silently left out would prove nothing.
missing=0
while IFS= read -r line; do
	case $line in CONFIG_*=*) ;; *) continue ;; esac
	opt=${line%%=*} val=${line#*=}
	if [ "$val" = n ]; then
		grep -qx "$opt=y" .config && { echo "lde: $opt is still set" >&2; missing=1; }
	else
		grep -qxF "$line" .config || { echo "lde: $line did not survive the config" >&2; missing=1; }
	fi
done <"$fragment"
[ $missing -eq 0 ] || exit 1

jobs=$(($(nproc) + 1))
echo "lde: building the debug kernel ($(make -s kernelrelease)), make -j$jobs; about 30-60 minutes on 2 cores, once" >&2
start=$(date +%s)
make -j"$jobs" bzImage modules >build.log 2>&1 || { tail -n 40 build.log >&2; exit 1; }
echo "lde: built in $(( $(date +%s) - start )) s" >&2
release=$(make -s kernelrelease)
printf '%s\n%s\n' "$want" "$release" >"$stamp"
echo "$release"
