#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetch what an arm64 guest needs into build/arm64/, without touching the
# host's package state: the arm64 kernel image and headers of one release,
# and a small arm64 root for virtme-ng (vng --arch arm64 --root).
#
#   usage: arm64-fetch.sh [BUILD_DIR]        (default: <top>/build/arm64)
#
# Lays out, idempotently:
#   apt/          a private apt configuration (own state, cache and an empty
#                 dpkg status, APT::Architecture arm64, the machine's own
#                 sources), so `apt-get download` fetches arm64 .debs and
#                 nothing is installed.  A multiarch install of the arm64
#                 headers package is never an option: its gcc-12 dependency
#                 resolves to gcc-12:arm64 and apt would remove the host's
#                 compilers.
#   debs/         the downloaded .debs
#   headers/      the arch headers package and the host's own -common
#                 headers of the same version, with scripts/ and tools/
#                 pointed at the host's linux-kbuild-$SERIES (the package's
#                 are arm64 binaries, which fail with "Exec format error")
#   root/         the guest root: the kernel image package (boot/vmlinuz-$KVER
#                 and its modules, which vng finds beside the image),
#                 busybox, bash, libc, python3, util-linux's setpriv, a
#                 udevd stand-in; the shared libraries lde-trace and
#                 lde-bench run with (libbpf, libelf, zlib, zstd, json-c,
#                 libseccomp, and what they need), and strace, which the
#                 kselftests hold lde-trace against
#   sysroot/      the arm64 -dev packages lde-trace and lde-bench link
#                 against (headers and the .so links) and their libraries,
#                 beside the cross compiler's own libc
#
# Needs `scripts/setup.sh arm64` (the cross compiler, qemu-system-arm) for
# building and booting, not for fetching.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/arm64}
# The host's own 6.12 release, for arm64: the host's -common headers and
# linux-kbuild must be of the same version.
KVER=$("$top/scripts/kernel-release.sh" --arm64)
series=${KVER%-arm64}
common=/usr/src/linux-headers-$series-common
kbuild=/usr/lib/linux-kbuild-$series
# What the guest root holds: busybox for the tools (and vng's initramfs),
# bash for virtme-init, and the libraries bash links against; python3 (its
# minimal interpreter and the standard library's pure-Python modules, json
# and re among them; its version is the release's, below) for the
# kselftests' checks of lde-trace's JSON.
ROOT_PKGS=(busybox-static bash libc6 libtinfo6 libgcc-s1
	python3-minimal libexpat1 zlib1g libcap-ng0)
# Single files of a package, PACKAGE:PATH: util-linux's setpriv (busybox's
# has no --reuid), which the kselftests drop privileges with, as in the
# x86 guests; with libcap-ng0 above, all it links.  Not the whole
# package: its mount and the rest would shadow busybox's applets, which
# virtme-init runs, and need a dozen more libraries.
ROOT_FILES=(util-linux:usr/bin/setpriv)
# The libraries the arm64 lde-trace and lde-bench link (libbpf for the
# live session; libelf, which libbpf and lde-bench --check read ELF with,
# and zlib, which libelf and libbpf need; zstd, json-c and libseccomp for
# trace files and system-call names).  They link dynamically, and run
# with the root's loader and these libraries: Debian 13's libelf.a
# (elfutils 0.192) calls eu_search_tree_init, which no archive of the
# release defines, so a static link fails there; the shared libraries
# link on both releases.
SYSROOT_PKGS=(libbpf-dev libelf-dev zlib1g-dev libzstd-dev libjson-c-dev
	libseccomp-dev)
# What the root runs besides: strace (lde_trace_test compares lde-trace
# with it, call by call).  Not perf: its package needs Perl, Python and
# a dozen more libraries, and its switch-by-switch cross-check would take
# many times an x86 guest's 302 s under arm64's TCG (not measured).
ROOT_TOOL_PKGS=(strace)

die() { echo "arm64-fetch: $*" >&2; exit 1; }
[ -d "$common" ] || die "missing $common: install linux-headers-$series-common (the host's own) first"
[ -d "$kbuild" ] || die "missing $kbuild: install linux-kbuild-$series first"

mkdir -p "$out"/apt/etc/apt.conf.d "$out"/apt/etc/preferences.d \
	"$out"/apt/etc/sources.list.d "$out"/apt/state/lists/partial \
	"$out"/apt/cache/archives/partial "$out"/debs
out=$(cd "$out" && pwd)
aptdir=$out/apt
: >"$aptdir/state/status"
# The machine's own sources, nothing else.
for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
	/etc/apt/sources.list; do
	[ -f "$f" ] && cp "$f" "$aptdir/etc/sources.list.d/"
done
# Only what the host takes from a newer suite (setup.sh pins trixie at 100):
# the guest root must be bookworm's, like the kernel.
for f in /etc/apt/preferences.d/*; do
	[ -f "$f" ] && cp "$f" "$aptdir/etc/preferences.d/"
done
cat >"$aptdir/apt.conf" <<EOT
APT::Architecture "arm64";
APT::Architectures { "arm64"; };
Dir::State "$aptdir/state";
Dir::State::status "$aptdir/state/status";
Dir::Cache "$aptdir/cache";
Dir::Etc "$aptdir/etc";
Dir::Etc::Trusted "/etc/apt/trusted.gpg";
Dir::Etc::TrustedParts "/etc/apt/trusted.gpg.d";
EOT
export APT_CONFIG=$aptdir/apt.conf

if [ -z "$(find "$aptdir/state/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null)" ]; then
	echo "arm64-fetch: apt-get update (private arm64 index under $aptdir)"
	apt-get update -q >/dev/null
fi

# The release's python3 (3.11 on Debian 12, 3.13 on 13): what
# python3-minimal (pre-)depends on.
py=$(apt-cache depends python3-minimal 2>/dev/null |
	sed -n 's/^ *\(Pre\)\{0,1\}Depends: \(python3\.[0-9]*\)-minimal.*/\2/p' |
	head -n1)
[ -n "$py" ] || die "cannot tell which python3 python3-minimal depends on"
ROOT_PKGS+=("$py-minimal" "lib$py-minimal" "lib$py-stdlib")

# The shared libraries of the -dev packages: the one each names at its
# own version ("libelf-dev Depends: libelf1 (= 0.188-2.1)"; libelf1t64
# on Debian 13), so the library the tools run with is the one they link.
LIB_PKGS=()
for p in "${SYSROOT_PKGS[@]}"; do
	lib=$(apt-cache show --no-all-versions "$p" 2>/dev/null |
		sed -n 's/^Depends: //p' | tr ',' '\n' |
		sed -n 's/^ *\([^ ]*\) (= .*/\1/p' | head -n1)
	[ -n "$lib" ] || die "cannot tell which library package $p is for"
	LIB_PKGS+=("$lib")
done
# Those libraries and the root's tools with everything they depend on,
# as apt resolves it against an empty system (libc6, libgcc-s1, ...;
# strace's libunwind8 on Debian 13).
run_list=$(apt-get install -s -q --no-install-recommends \
	"${LIB_PKGS[@]}" "${ROOT_TOOL_PKGS[@]}" 2>/dev/null |
	sed -n 's/^Inst \([^ ]*\) .*/\1/p' | sort -u) ||
	die "apt cannot resolve ${LIB_PKGS[*]} ${ROOT_TOOL_PKGS[*]}"
read -ra RUN_PKGS <<<"$(echo $run_list)"
[ ${#RUN_PKGS[@]} -gt 0 ] || die "apt resolved nothing for ${LIB_PKGS[*]} ${ROOT_TOOL_PKGS[*]}"

# Download package $1 once; print the path of its .deb.
fetch() {
	local p=$1 debs
	shopt -s nullglob
	debs=("$out/debs/${p}_"*.deb)
	if [ ${#debs[@]} -eq 0 ]; then
		(cd "$out/debs" && apt-get download -q "$p" >/dev/null) ||
			die "apt-get download $p failed"
		debs=("$out/debs/${p}_"*.deb)
	fi
	shopt -u nullglob
	[ ${#debs[@]} -gt 0 ] || die "no .deb for $p"
	echo "${debs[0]}"
}

# The kernel and its headers: the arm64 build of the host's own 6.12, if
# the archive carries it (not fetched already); else say so, in one line.
shopt -s nullglob
cached=("$out/debs/linux-image-$KVER-unsigned_"*.deb)
shopt -u nullglob
[ ${#cached[@]} -gt 0 ] || "$top/scripts/arm64-kernel-in-archive.sh" "$KVER" ||
	exit 1
image_deb=$(fetch "linux-image-$KVER-unsigned")
headers_deb=$(fetch "linux-headers-$KVER")
hdr=$out/headers/usr/src/linux-headers-$KVER
if [ ! -e "$hdr/.lde-ready" ]; then
	rm -rf "$out/headers"
	dpkg -x "$headers_deb" "$out/headers"
	# The arch package links into ../linux-headers-$series-common: that
	# is the host's own, identical for both arches.
	ln -sfn "$common" "$out/headers/usr/src/linux-headers-$series-common"
	# Host (x86) build tools of the same version, not the package's arm64 ones.
	rm -rf "$hdr/scripts" "$hdr/tools"
	ln -s "$kbuild/scripts" "$hdr/scripts"
	ln -s "$kbuild/tools" "$hdr/tools"
	touch "$hdr/.lde-ready"
fi

# The guest root.
root=$out/root
# Redone when what it is made of changes: the .debs by file name (package,
# version, arch; a .deb is fetched once and kept until build/arm64/debs is
# emptied), the single files taken, the kernel (the host's 6.12 updated).
# Every .deb is fetched (or found) before anything is removed: one that
# cannot be stops the script here, the root left as it was.
debs_key() {
	local p d
	for p in "$@"; do
		d=$(fetch "$p") || exit 1
		printf '%s ' "${d##*/}"
	done
}
root_ready="${image_deb##*/} $(debs_key "${ROOT_PKGS[@]}" "${RUN_PKGS[@]}" \
	"${ROOT_FILES[@]%%:*}")${ROOT_FILES[*]}"
if [ "$(cat "$root/.lde-ready" 2>/dev/null)" != "$root_ready" ] ||
	[ ! -e "$root/boot/vmlinuz-$KVER" ]; then
	rm -rf "$root"
	mkdir -p "$root"
	dpkg -x "$image_deb" "$root"
	for p in "${ROOT_PKGS[@]}" "${RUN_PKGS[@]}"; do
		dpkg -x "$(fetch "$p")" "$root"
	done
	for f in "${ROOT_FILES[@]}"; do
		dpkg-deb --fsys-tarfile "$(fetch "${f%%:*}")" |
			tar -x -C "$root" "./${f#*:}" ||
			die "no ${f#*:} in ${f%%:*}"
	done
	# Debian 12's packages still install into /bin and /lib; merge /usr
	# the way the host is laid out, so vng's paths (/usr/bin/...) resolve.
	for d in bin sbin lib; do
		mkdir -p "$root/usr/$d"
		if [ -d "$root/$d" ] && [ ! -L "$root/$d" ]; then
			cp -a "$root/$d/." "$root/usr/$d/"
			rm -rf "${root:?}/$d"
		fi
		ln -sfn "usr/$d" "$root/$d"
	done
	# busybox's applets as links; the host's busybox-static is the same
	# Debian version and lists the same applets (the arm64 one cannot run
	# here).  Never over a real binary (bash).
	applets=$(busybox --list-full 2>/dev/null) ||
		die "the host's busybox (busybox-static) is needed to list applets"
	while read -r a; do
		[ -e "$root/$a" ] || [ -L "$root/$a" ] && continue
		mkdir -p "$root/$(dirname "$a")"
		ln -s /bin/busybox "$root/$a"
	done <<<"$applets"
	ln -sfn bash "$root/usr/bin/sh"
	# Mount points vng binds over, and what virtme-init reads.
	mkdir -p "$root"/{proc,sys,dev,run,tmp,root,home,opt,srv,mnt,var/tmp,var/log,etc/lvm,lib/modules}
	printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	printf 'lde-arm64\n' >"$root/etc/hostname"
	# virtme-init waits for udev to name the virtio console ports
	# (/dev/virtio-ports/virtme.*).  This root has no udev: the stand-in
	# makes the same links from sysfs, inside this root only.
	cat >"$root/usr/sbin/udevd" <<'EOT'
#!/bin/sh
# Stand-in for udevd in lde's arm64 guest root: name the virtio ports as
# udev's rule would (/dev/virtio-ports/<name>), then exit.
mkdir -p /dev/virtio-ports
for p in /sys/class/virtio-ports/*; do
	[ -r "$p/name" ] || continue
	ln -sf "../${p##*/}" "/dev/virtio-ports/$(cat "$p/name")"
done
exit 0
EOT
	cat >"$root/usr/sbin/udevadm" <<'EOT'
#!/bin/sh
# Stand-in for udevadm in lde's arm64 guest root: udevd did all there is.
exit 0
EOT
	chmod 0755 "$root/usr/sbin/udevd" "$root/usr/sbin/udevadm"
	echo "$root_ready" >"$root/.lde-ready"
fi

# The sysroot the tools link against, redone when its .debs change.
sysroot=$out/sysroot
sysroot_ready=$(debs_key "${SYSROOT_PKGS[@]}" "${LIB_PKGS[@]}")
if [ "$(cat "$sysroot/.lde-ready" 2>/dev/null)" != "$sysroot_ready" ]; then
	rm -rf "$sysroot"
	mkdir -p "$sysroot"
	for p in "${SYSROOT_PKGS[@]}" "${LIB_PKGS[@]}"; do
		dpkg -x "$(fetch "$p")" "$sysroot"
	done
	# A link that names an absolute path (zlib1g-dev's libz.so ->
	# /lib/aarch64-linux-gnu/libz.so.1...) means that path inside the
	# sysroot, not on the host.
	find "$sysroot" -type l | while read -r l; do
		t=$(readlink "$l")
		case $t in /*) ln -sfn "$sysroot$t" "$l" ;; esac
	done
	echo "$sysroot_ready" >"$sysroot/.lde-ready"
fi

echo "arm64-fetch: kernel $root/boot/vmlinuz-$KVER"
echo "arm64-fetch: sysroot $sysroot"
echo "arm64-fetch: headers $hdr"
echo "arm64-fetch: root $root"
