#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Generate vmlinux.h from the BTF of a kernel image (bzImage), for CO-RE BPF
# programs.  Debian's headers package has no extract-vmlinux, so the ELF is
# decompressed from the payload's magic, as that script does.
#   usage: extract-btf.sh VMLINUZ OUT.h
set -euo pipefail
vmlinuz=$1
out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

try() {		# try MAGIC DECOMPRESSOR...
	local magic=$1 off
	shift
	for off in $(LC_ALL=C grep -obUaP "$magic" "$vmlinuz" | cut -d: -f1); do
		tail -c +$((off + 1)) "$vmlinuz" | "$@" >"$tmp/vmlinux" 2>/dev/null || true
		if [ "$(head -c 4 "$tmp/vmlinux" 2>/dev/null)" = $'\x7fELF' ]; then
			return 0
		fi
	done
	return 1
}

try '\xfd7zXZ\x00' xz -dc --single-stream ||
	try '\x28\xb5\x2f\xfd' zstd -dc ||
	try '\x1f\x8b\x08' gzip -dc || {
	echo "lde: cannot find the kernel ELF inside $vmlinuz" >&2
	exit 1
}
bpftool btf dump file "$tmp/vmlinux" format c >"$tmp/vmlinux.h"
mv "$tmp/vmlinux.h" "$out"
