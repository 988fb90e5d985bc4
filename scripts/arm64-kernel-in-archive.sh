#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Does the archive carry the arm64 kernel KVER (its -unsigned image and its
# headers)?  Asked of the apt index APT_CONFIG names (arm64-fetch.sh's
# private arm64 one).  Exit 0 if it does; else one line on stderr naming
# the arm64 builds of that series the archive does carry, and exit 1.
#
#   usage: arm64-kernel-in-archive.sh KVER      (e.g. 6.12.118+deb12-arm64)
#
# The arm64 guest boots the arm64 build of the host's own installed 6.12
# x86 kernel (kernel-release.sh --arm64), so that both arches run one
# version, against the host's -common headers and linux-kbuild of that
# version.  The archive keeps only the current build of a series: a host
# whose 6.12 has not been updated since names one it no longer carries.
set -euo pipefail

kver=${1:?usage: arm64-kernel-in-archive.sh KVER}
version=${kver%-arm64}
major=$(echo "$version" | cut -d. -f1-2)

if apt-cache show "linux-image-$kver-unsigned" >/dev/null 2>&1 &&
	apt-cache show "linux-headers-$kver" >/dev/null 2>&1; then
	exit 0
fi
# The plain arm64 flavour (not -16k, -cloud, -rt), of the host's Debian
# release (+deb12) where the version says it.
case $version in
*+*) release="+${version#*+}" ;;
*) release= ;;
esac
have=$(apt-cache pkgnames "linux-image-$major." 2>/dev/null |
	sed -n 's/^linux-image-\([^-]*\)-arm64-unsigned$/\1/p' |
	{ grep -F -e "$release" || true; } | sort -uV | paste -sd' ' -)
echo "lde: the archive has no arm64 build of $version, the host's installed $major x86 kernel (it carries ${have:-no $major arm64 kernel}): update the host's $major kernel and its headers (apt-get update; apt-get upgrade), so that the arm64 guest runs the same version as the x86 one" >&2
exit 1
