#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build lde.ko the way a user's machine would: `make install` lays out the
# module's source as DKMS expects it, and dkms builds it for KVER.  Both go
# under build/dkms/KVER (--dkmstree, --sourcetree), never into the system's
# trees.  Prints the path of the module dkms built.
#   usage: dkms-build.sh KVER
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kver=$1
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
out=$top/build/dkms/$kver
rm -rf "$out/root" "$out/tree"
mkdir -p "$out/tree"
make -C "$top" --no-print-directory LDE_READY=1 KVER="$kver" install \
	DESTDIR="$out/root" >"$out/install.log"
# What make install promises (README): the tools, their man pages, the
# selftests under libexec.
for f in usr/local/bin/lde-trace usr/local/bin/lde-bench \
	usr/local/share/man/man1/lde-trace.1 usr/local/share/man/man1/lde-bench.1 \
	usr/local/libexec/lde/selftests/lde_trace_test \
	"usr/src/lde-$version/dkms.conf"; do
	[ -e "$out/root/$f" ] || { echo "lde: make install did not lay out /$f" >&2; exit 1; }
done
dkms build --dkmstree "$out/tree" --sourcetree "$out/root/usr/src" \
	-k "$kver" "lde/$version" >"$out/build.log" 2>&1 || {
	echo "lde: dkms build failed:" >&2
	tail -n 20 "$out/build.log" >&2
	exit 1
}
ko=$(find "$out/tree/lde/$version/$kver" -name 'lde.ko*' | head -n1)
[ -n "$ko" ] || { echo "lde: dkms built no lde.ko" >&2; exit 1; }
# dkms compresses the module as the kernel's own are (6.12: xz); the tests
# load it with a plain finit_module(), as insmod of a .ko does.
case $ko in
*.xz) xz -dc "$ko" >"${ko%.xz}"; ko=${ko%.xz} ;;
*.zst) zstd -qdc "$ko" >"${ko%.zst}"; ko=${ko%.zst} ;;
*.gz) gzip -dc "$ko" >"${ko%.gz}"; ko=${ko%.gz} ;;
esac
echo "$ko"
