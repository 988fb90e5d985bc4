#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In a guest (any ISA): load lde.ko and print its debugfs boot object, the
# trap table and timer the CPU holds since boot.  Plain sh: the arm64
# guest root has busybox, not the host's tools.
#
#   usage: guest-boot-facts.sh LDE_KO
set -eu
ko=${1:?usage: guest-boot-facts.sh LDE_KO}
echo "lde: $(uname -m) guest, kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime) s"
grep -q ' /sys/kernel/debug ' /proc/mounts ||
	mount -t debugfs debugfs /sys/kernel/debug
insmod "$ko"
trap 'rmmod lde' EXIT
cat /sys/kernel/debug/lde/boot
