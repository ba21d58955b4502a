#!/bin/sh
# mmdebstrap's essential hook ($1: the new root), before the kernel is
# installed: its initramfs, generated on this machine and rebuilt by every
# trigger, holds only what the first boot needs (MODULES=list and these
# modules), which makes it seconds instead of minutes. first-boot.sh removes
# both files and generates the real one with MODULES=dep.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -e
mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/etc/initramfs-tools/hooks"
echo MODULES=list > "$1/etc/initramfs-tools/conf.d/pt-image-build"
cat > "$1/etc/initramfs-tools/hooks/pt-image-build" <<'HOOK'
#!/bin/sh
[ "$1" = prereqs ] && exit 0
. /usr/share/initramfs-tools/hook-functions
manual_add_modules virtio_pci virtio_blk ext4
HOOK
chmod 755 "$1/etc/initramfs-tools/hooks/pt-image-build"
