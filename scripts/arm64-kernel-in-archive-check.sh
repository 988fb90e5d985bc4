#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host test of scripts/arm64-kernel-in-archive.sh: against a local archive
# (a flat file: repository of Packages stanzas, read by a private apt
# configuration; no network, nothing installed), the arm64 build of the
# host's 6.12 is found when the archive carries it, and when it does not,
# one line names the builds it does carry.  TAP, with the totals line.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
check=$top/scripts/arm64-kernel-in-archive.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 pass=0 fail=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
		pass=$((pass + 1))
	else
		echo "not ok $n $2"
		fail=$((fail + 1))
	fi
}

stanza() {	# package name
	printf 'Package: %s\nVersion: 1\nArchitecture: arm64\nFilename: ./%s_1_arm64.deb\nSize: 1\nDescription: test\n\n' \
		"$1" "$1"
}

# An archive of these arm64 packages, its apt configuration in APT_CONFIG.
archive() {
	local d=$tmp/$1 p
	shift
	mkdir -p "$d/repo" "$d/etc/sources.list.d" "$d/etc/preferences.d" \
		"$d/state/lists/partial" "$d/cache/archives/partial"
	for p in "$@"; do stanza "$p"; done >"$d/repo/Packages"
	: >"$d/state/status"
	echo "deb [trusted=yes] file:$d/repo ./" >"$d/etc/sources.list.d/test.list"
	cat >"$d/apt.conf" <<EOT
APT::Architecture "arm64";
APT::Architectures { "arm64"; };
Dir::State "$d/state";
Dir::State::status "$d/state/status";
Dir::Cache "$d/cache";
Dir::Etc "$d/etc";
EOT
	export APT_CONFIG=$d/apt.conf
	apt-get update -q >/dev/null 2>&1
}

archive carries linux-image-6.12.118+deb12-arm64-unsigned \
	linux-headers-6.12.118+deb12-arm64 linux-image-6.12.118+deb12-arm64
"$check" 6.12.118+deb12-arm64 2>"$tmp/err"
ok $? "the host's 6.12.118+deb12 in the archive: found"
[ ! -s "$tmp/err" ]
ok $? "found: nothing said"

# The archive moved on to .120 while the host still runs .118.
# Other flavours and other releases' builds are not named.
archive moved linux-image-6.12.120+deb12-arm64-unsigned \
	linux-headers-6.12.120+deb12-arm64 linux-image-6.1.0-57-arm64-unsigned \
	linux-image-6.12.120+deb12-cloud-arm64-unsigned \
	linux-image-6.12.120+deb12-arm64-16k-unsigned \
	linux-image-6.12.117+deb13-arm64-unsigned
"$check" 6.12.118+deb12-arm64 2>"$tmp/err"
[ $? = 1 ]
ok $? "the host's 6.12.118+deb12 not in the archive: exit 1"
grep -q "^lde: the archive has no arm64 build of 6.12.118+deb12, the host's installed 6.12 x86 kernel (it carries 6.12.120+deb12): update" "$tmp/err"
ok $? "it names the 6.12 build the archive carries, and only that: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/err")" = 1 ]
ok $? "in one line"

# The image without its headers is not a build lde can use.
archive no-headers linux-image-6.12.118+deb12-arm64-unsigned
"$check" 6.12.118+deb12-arm64 2>/dev/null
[ $? = 1 ]
ok $? "the image without its headers: not carried"

# No 6.12 build of this release at all: still the one line, naming none
# (grep finding nothing must not end the script under pipefail first).
archive other-release linux-image-6.12.117+deb13-arm64-unsigned \
	linux-headers-6.12.117+deb13-arm64
"$check" 6.12.118+deb12-arm64 2>"$tmp/err"
[ $? = 1 ]
ok $? "no build of this release: exit 1"
grep -q "(it carries no 6.12 arm64 kernel)" "$tmp/err"
ok $? "no build of this release: the line says it carries none: $(cat "$tmp/err")"

echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" -eq 0 ]
