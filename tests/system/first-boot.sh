#!/bin/bash
# The image's first boot (straight into the kernel, no boot loader yet):
# install GRUB on the real disk, switch initramfs-tools to MODULES=dep (the
# default, most, takes over ten minutes under TCG) and write grub.cfg for
# a host whose IOMMU is turned off on the kernel command line.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -ex
rm /etc/initramfs-tools/conf.d/pt-image-build /etc/initramfs-tools/hooks/pt-image-build
echo MODULES=dep > /etc/initramfs-tools/conf.d/pt-modules-dep
# Debian 12's kernel turns the Intel IOMMU on by default
# (CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF): this host had it turned off.
sed -i 's/^GRUB_TIMEOUT=.*/GRUB_TIMEOUT=0/; s/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX="console=ttyS0"/
        s/^GRUB_CMDLINE_LINUX_DEFAULT=.*/GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=off"/' \
    /etc/default/grub
printf 'GRUB_TERMINAL=serial\nGRUB_SERIAL_COMMAND="serial --speed=115200"\n' >> /etc/default/grub
grub-install --target=i386-pc "$(readlink -f /dev/disk/by-id/virtio-ptroot)"
update-initramfs -u
update-grub
echo PT-FIRST-BOOT-DONE
