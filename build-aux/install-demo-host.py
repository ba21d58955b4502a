#!/usr/bin/env python3
# install-demo-host.py — meson install script
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Install the demo host: its fixture tree and its libvirt test-driver host.

Usage: install-demo-host.py DEST TREE LIBVIRT_HOST

DEST is the installed folder (pkgdatadir/demo), under DESTDIR when meson
installs into one. The tree is a sysfs-like fixture whose symbolic links
(bus/pci/devices/…, driver, iommu_group) are relative and must stay links:
meson's own directory install would turn linked folders into empty ones.
"""

import os
import shutil
import sys

dest, tree, libvirt_host = sys.argv[1:4]
destdir = os.environ.get("DESTDIR", "")
if destdir:
    dest = os.path.join(destdir, os.path.relpath(dest, "/"))
os.makedirs(dest, exist_ok=True)

tree_dest = os.path.join(dest, os.path.basename(tree))
if os.path.lexists(tree_dest):
    shutil.rmtree(tree_dest)
shutil.copytree(tree, tree_dest, symlinks=True)
shutil.copy2(libvirt_host, os.path.join(dest, os.path.basename(libvirt_host)))
if not os.environ.get("MESON_INSTALL_QUIET"):
    print(f"Installing the demo host to {dest}")
