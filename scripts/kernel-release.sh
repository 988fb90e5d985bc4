#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Print the release of the Debian kernel that lde builds against and boots:
# the one Debian's linux-image-amd64 currently depends on (its ABI number
# moves with Debian updates).  KVER=... in the environment overrides.
set -euo pipefail
if [ -n "${KVER:-}" ]; then
	echo "$KVER"
	exit 0
fi
dep=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null || true)
rel=$(grep -o 'linux-image-[^ ,]*-amd64' <<<"$dep" | head -n1 | sed 's/^linux-image-//' || true)
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
