#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Print the release of the Debian kernel that lde builds against and boots:
# the one Debian's linux-image-amd64 currently depends on (its ABI number
# moves with Debian updates).  KVER=... in the environment overrides.
#
# With --all: every kernel series the host's release ships and has
# installed, one release a line, the default first: the release each
# installed meta-package (linux-image-amd64, linux-image-6.12-amd64, ...)
# depends on.  Debian 12 has 6.1 and 6.12; Debian 13 has 6.12.
set -euo pipefail

meta_release() {	# the release a linux-image meta-package depends on
	dpkg-query -W -f='${Depends}' "$1" 2>/dev/null |
		grep -o 'linux-image-[^ ,]*-amd64' | head -n1 |
		sed 's/^linux-image-//' || true
}

# --arm64: the arm64 guest's release (issue 27; arm64 is 6.12 only): the
# host's own installed 6.12 x86 kernel (the one --all lists), whose
# -common headers and linux-kbuild the arm64 headers build against, with
# -arm64 for -amd64: both arches run the same version.  Whether the
# archive still carries that build is arm64-fetch.sh's to ask
# (arm64-kernel-in-archive.sh), with its arm64 apt index; this answers
# without one, as the Makefile asks.  ARM64_KVER overrides.
if [ "${1:-}" = "--arm64" ]; then
	if [ -n "${ARM64_KVER:-}" ]; then
		echo "$ARM64_KVER"
		exit 0
	fi
	rel=$(KVER= "$0" --all | grep -m1 '^6\.12\.' || true)
	if [ -z "$rel" ]; then
		echo "lde: no Debian 6.12 amd64 kernel installed, whose series the arm64 guest boots (run scripts/setup.sh)" >&2
		exit 1
	fi
	echo "${rel%-amd64}-arm64"
	exit 0
fi
if [ "${1:-}" = "--all" ]; then
	default=$(KVER= "$0")
	echo "$default"
	dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' 'linux-image-[0-9]*.[0-9]*-amd64' \
		2>/dev/null | awk '$2 == "ii" { print $1 }' |
		while read -r meta; do
			rel=$(meta_release "$meta")
			[ -n "$rel" ] && [ "$rel" != "$default" ] &&
				[ -d "/lib/modules/$rel/build" ] && echo "$rel"
		done | sort -u
	exit 0
fi
if [ -n "${KVER:-}" ]; then
	echo "$KVER"
	exit 0
fi
rel=$(meta_release linux-image-amd64)
if [ -z "$rel" ]; then
	# No meta-package: the newest installed image with headers.
	rel=$(ls -1 /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|.*/vmlinuz-||' |
	      while read -r r; do [ -d "/lib/modules/$r/build" ] && echo "$r"; done |
	      sort -V | tail -n1)
fi
if [ -z "$rel" ]; then
	echo "lde: no Debian amd64 kernel installed (run scripts/setup.sh)" >&2
	exit 1
fi
echo "$rel"
