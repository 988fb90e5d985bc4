#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, from Debian's own registry, everything lde needs to build, boot
# and test.  Idempotent: when everything is present it only checks (well
# under a second) and says nothing.
#
# The release is read from /etc/os-release.  Debian 13 (trixie) and later
# have every package in their own suite.  Debian 12 (bookworm) lacks
# virtme-ng, so the trixie suite is added with a low pin priority (100):
# only packages asked for explicitly as pkg/trixie come from it, nothing
# else moves.
set -euo pipefail

# shellcheck disable=SC1091
. /etc/os-release 2>/dev/null || true
case "${ID:-}:${VERSION_CODENAME:-}" in
debian:bookworm) NEEDS_TRIXIE=1 ;;
debian:trixie | debian:forky | debian:sid) NEEDS_TRIXIE=0 ;;
*)
	echo "lde: supported hosts are Debian 12 (bookworm) and Debian 13 (trixie), x86_64; this is ${PRETTY_NAME:-an unknown system}. On another system install by hand: a kernel with its headers and source, qemu-system-x86, virtme-ng, clang (with libFuzzer), llvm, bpftool, libbpf, libelf, zlib, libseccomp, json-c, libzstd, pkg-config, python3, strace, perf, bpftrace, trace-cmd." >&2
	exit 1 ;;
esac

# Packages and why:
#   kernel to build against and boot in the guest (linux-source carries the
#   kselftest headers, checkpatch.pl and .clang-format);
#   qemu + virtme-ng to boot it; clang/llvm/bpftool/libbpf for CO-RE BPF;
#   libseccomp for syscall names; json-c to read trace files (unlike
#   jansson it keeps the unsigned 64-bit numbers they hold, and bounds
#   nesting per parser), libzstd to write and read them compressed;
#   libclang-rt-dev for clang's libFuzzer and
#   sanitizers (clang only recommends it); peers and tools used in the
#   guest.
#   `setup.sh debug` (make check-debug) adds what building a kernel from
#   linux-source takes: gcc, flex, bison, bc, libssl, cpio, and pahole for
#   the kernel's BTF.
PKGS=(
	linux-image-amd64 linux-headers-amd64 linux-source
	qemu-system-x86 busybox-static
	clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev pkg-config
	libseccomp-dev libjson-c-dev libzstd-dev libclang-rt-dev python3 xz-utils
	zstd kmod
	strace linux-perf bpftrace trace-cmd dkms
	chromium	# make check-host opens each handout headless (issue 26)
)
# virtme-ng's guest init ends with `poweroff -f`, run from this machine's
# root (on its own PATH); a container or chroot with no init package has
# no poweroff, and the guest's init then exits (a kernel panic after the
# tests).
# systemd-sysv, Debian's default init, provides it, and its poweroff -f
# powers off through reboot(2) without systemd running.  Only when none
# is there: an installed init that provides one is left alone.
if ! PATH=/bin:/sbin:/usr/bin:/usr/sbin:/usr/local/bin command -v poweroff >/dev/null; then
	PKGS+=(systemd-sysv)
fi
if [ "${1:-}" = debug ]; then
	PKGS+=(build-essential flex bison bc libssl-dev cpio pahole)
fi
#   `setup.sh arm64` (make check, which boots the arm64 guest too, and the
#   arm64-* goals) adds the host's cross compiler and the arm64 QEMU; the
#   arm64 kernel, headers and guest root come from scripts/arm64-fetch.sh
#   into build/arm64/, never through a multiarch install.
if [ "${1:-}" = arm64 ]; then
	PKGS+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm)
fi
if [ "$NEEDS_TRIXIE" = 1 ]; then
	# Debian 12 ships a second kernel series, 6.12: make check boots both.
	PKGS+=(linux-image-6.12-amd64 linux-headers-6.12-amd64)
	TRIXIE_PKGS=(virtme-ng)
else
	PKGS+=(virtme-ng)
	TRIXIE_PKGS=()
fi

missing=()
status=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' \
	"${PKGS[@]}" "${TRIXIE_PKGS[@]+"${TRIXIE_PKGS[@]}"}" 2>/dev/null || true)
for p in "${PKGS[@]}" "${TRIXIE_PKGS[@]+"${TRIXIE_PKGS[@]}"}"; do
	grep -q "^$p ii" <<<"$status" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	if [ "$NEEDS_TRIXIE" = 1 ]; then
		echo "lde: missing packages; as root run $0, which runs: apt-get install ${missing[*]/virtme-ng/virtme-ng/trixie} (trixie pinned at 100)" >&2
	else
		echo "lde: missing packages; as root run $0, which runs: apt-get install ${missing[*]}" >&2
	fi
	exit 1
fi

# The URI of the machine's existing bookworm source, whichever format holds it.
debian_uri() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			function found() { return uri && suites ~ / bookworm / }
			/^[[:space:]]*$/ { if (found()) exit; uri = ""; suites = "" }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { $1 = ""; suites = $0 " " }
			END { if (found()) print uri }
		' "$f" | head -n1
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		grep -v '^[[:space:]]*#' |
		awk '$1 == "deb" && $0 ~ / bookworm / {
			for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; exit }
		}' || true
}

TRIXIE_LIST=/etc/apt/sources.list.d/lde-trixie.sources
TRIXIE_PIN=/etc/apt/preferences.d/lde-trixie
need_update=0
if [ "$NEEDS_TRIXIE" = 1 ] && [ ! -f "$TRIXIE_LIST" ]; then
	uri=$(debian_uri | head -n1)
	if [ -z "$uri" ]; then
		echo "lde: cannot find the machine's Debian bookworm source in /etc/apt" >&2
		exit 1
	fi
	echo "lde: adding the trixie suite from $uri at pin priority 100 (for virtme-ng)"
	cat >"$TRIXIE_LIST" <<EOT
Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	need_update=1
fi
if [ "$NEEDS_TRIXIE" = 1 ] && [ ! -f "$TRIXIE_PIN" ]; then
	cat >"$TRIXIE_PIN" <<EOT
Package: *
Pin: release n=trixie
Pin-Priority: 100
EOT
	need_update=1
fi

export DEBIAN_FRONTEND=noninteractive
echo "lde: installing: ${missing[*]}"
if [ $need_update -eq 1 ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
	apt-get update -q
fi
install_list=()
for p in "${missing[@]}"; do
	if [[ " ${TRIXIE_PKGS[*]+"${TRIXIE_PKGS[*]}"} " == *" $p "* ]]; then
		install_list+=("$p/trixie")
	else
		install_list+=("$p")
	fi
done
if ! apt-get install -y -q --no-install-recommends "${install_list[@]}"; then
	# A stale package index is the usual cause: refresh once and retry.
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${install_list[@]}"
fi
echo "lde: packages ready"
