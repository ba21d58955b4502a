#!/bin/bash
# pt-runner — runs what the host put on the disk with the serial "ptscript"
# (a tar archive: run.sh and any files it needs), prints everything on the
# serial console and powers off (tests/system/vmtools.py starts QEMU with
# -no-reboot, so a reboot is a new boot by the host).
#
# SPDX-License-Identifier: GPL-3.0-or-later
exec > /dev/ttyS0 2>&1
disk=/dev/disk/by-id/virtio-ptscript
for i in $(seq 100); do [ -b $disk ] && break; sleep 0.2; done
echo "PT-RUNNER-START $(cut -d' ' -f1 /proc/uptime)"
rm -rf /run/pt && mkdir -p /run/pt && tar -xf $disk -C /run/pt
cd /run/pt && bash ./run.sh
echo "PT-RUNNER-EXIT $?"
sync
systemctl poweroff
