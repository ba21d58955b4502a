# SPDX-License-Identifier: GPL-3.0-or-later
"""The system suite's Debian 12 disk image: built once with mmdebstrap from
Debian's packages and cached under the build directory (its name carries a
hash of this file and of the guest files it copies in, so a change to them
builds a new one).

The root file system is made without mounting anything (`mke2fs -d` at the
partition's offset of a raw disk with a hand-written MBR), then booted once
straight into its kernel to run tests/system/first-boot.sh inside: the real
`grub-install` on the real disk, `MODULES=dep` and `update-initramfs`, and
`update-grub`. The result is compressed to a qcow2 file that every step uses
as the backing file of its own overlay. The project itself is not in the
image: each run copies its `meson install` in (see test-system.py), so the
cache never holds stale code.
"""

import glob
import hashlib
import os
import shutil
import struct
import subprocess
import time

from vmtools import Guest, sh, skip

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE_MB = 4096
PART_START = 2048  # sectors: leaves GRUB its embedding area
PACKAGES = [
    "linux-image-amd64", "grub-pc", "initramfs-tools", "systemd", "systemd-sysv", "udev", "dbus",
    "kmod", "pciutils", "pci.ids", "e2fsprogs", "zstd", "procps",
    "libvirt-daemon-system", "libvirt-daemon-driver-qemu", "libvirt-clients", "qemu-system-x86",
    "polkitd", "pkexec",
    # what the project's binaries link to
    "libglib2.0-0", "libpci3", "libvirt0", "libvirt-glib-1.0-0", "libpolkit-gobject-1-0",
]
GUEST_FILES = ["image-hook.sh", "first-boot.sh", "runner.sh", "pt-runner.service"]
ROOT_UUID = "5a3e1c2d-0b1f-4d8e-9a57-1d2c3b4a5f60"


def cache_key():
    digest = hashlib.sha256()
    for name in [os.path.abspath(__file__)] + [os.path.join(HERE, n) for n in GUEST_FILES]:
        with open(name, "rb") as f:
            digest.update(f.read())
    digest.update(" ".join(PACKAGES).encode())
    return digest.hexdigest()[:12]


def customize(root):
    """What the image needs beyond its packages: the runner, a console on the
    serial port, a user who reaches the helper through pkexec as users do."""
    etc = os.path.join(root, "etc")
    with open(os.path.join(etc, "fstab"), "w") as f:
        f.write(f"UUID={ROOT_UUID} / ext4 errors=remount-ro 0 1\n")
    with open(os.path.join(etc, "hostname"), "w") as f:
        f.write("pt-system\n")
    shutil.copy(os.path.join(HERE, "runner.sh"), os.path.join(root, "usr/local/sbin/pt-runner"))
    os.chmod(os.path.join(root, "usr/local/sbin/pt-runner"), 0o755)
    shutil.copy(os.path.join(HERE, "pt-runner.service"), os.path.join(etc, "systemd/system"))
    # Also in rescue mode: `boot once-without` starts Debian's recovery entry
    for target in ("multi-user", "rescue"):
        wants = os.path.join(etc, f"systemd/system/{target}.target.wants")
        os.makedirs(wants, exist_ok=True)
        os.symlink("/etc/systemd/system/pt-runner.service", os.path.join(wants, "pt-runner.service"))
    # Nothing else on the console, nothing that wakes up on a timer
    for unit in ("serial-getty@ttyS0.service", "getty@tty1.service", "apt-daily.timer",
                 "apt-daily-upgrade.timer", "man-db.timer", "e2scrub_all.timer", "fstrim.timer",
                 "systemd-timesyncd.service", "libvirt-guests.service"):
        target = os.path.join(etc, "systemd/system", unit)
        if os.path.lexists(target):
            os.unlink(target)
        os.symlink("/dev/null", target)
    # An administrator who authenticates: polkit says yes to the helper's actions
    rules = os.path.join(etc, "polkit-1/rules.d")
    os.makedirs(rules, exist_ok=True)
    with open(os.path.join(rules, "50-pt-admin.rules"), "w") as f:
        f.write('polkit.addRule(function(action, subject) {\n'
                '  if (action.id.indexOf("org.example.Passthrough.") == 0 && subject.user == "pt")\n'
                '    return polkit.Result.YES;\n});\n')
    shutil.copy(os.path.join(HERE, "first-boot.sh"), os.path.join(root, "root/first-boot.sh"))


def remove(work):
    """Removes a work directory, unmounting first what an interrupted
    mmdebstrap left mounted inside (never deletes through a mount)."""
    with open("/proc/mounts") as f:
        mounts = [line.split()[1] for line in f]
    for mount in sorted((m for m in mounts if m.startswith(work + "/")), reverse=True):
        subprocess.run(["umount", "-l", mount], check=False)
    shutil.rmtree(work, ignore_errors=True)


def write_mbr(disk, sectors):
    entry = struct.pack("<B3sB3sII", 0x80, b"\x00\x02\x00", 0x83, b"\xfe\xff\xff",
                        PART_START, sectors - PART_START)
    with open(disk, "r+b") as f:
        f.seek(446)
        f.write(entry + b"\x00" * 48 + b"\x55\xaa")


def build(cache, qemu):
    """Returns the cached image's path, building it when missing."""
    for tool in ("mmdebstrap", "mke2fs", "qemu-img"):
        if shutil.which(tool) is None:
            skip(f"{tool} is missing (build-aux/dev test installs mmdebstrap, e2fsprogs, qemu-utils)")
    image = os.path.join(cache, f"debian12-{cache_key()}.qcow2")
    if os.path.exists(image):
        return image, None
    for old in glob.glob(os.path.join(cache, "debian12-*.qcow2")):
        os.unlink(old)
    os.makedirs(cache, exist_ok=True)
    started = time.monotonic()
    work = os.path.join(cache, "work")
    remove(work)
    root = os.path.join(work, "root")
    os.makedirs(work)
    sources = "/etc/apt/sources.list.d/debian.sources"
    r = subprocess.run(["mmdebstrap", "--variant=apt", "--mode=root",
                        "--include=" + ",".join(PACKAGES),
                        "--essential-hook=" + os.path.join(HERE, "image-hook.sh"),
                        "--aptopt=Acquire::Check-Valid-Until \"false\"",
                        "--customize-hook=echo 'root:pt' | chroot \"$1\" chpasswd",
                        "--customize-hook=chroot \"$1\" useradd -m -s /bin/bash pt",
                        "--customize-hook=rm -f \"$1\"/etc/machine-id; touch \"$1\"/etc/machine-id",
                        "bookworm", root] + ([sources] if os.path.exists(sources) else []),
                       capture_output=True, text=True)
    with open(os.path.join(cache, "mmdebstrap.log"), "w") as f:
        f.write(r.stderr)
    if r.returncode != 0:
        remove(work)
        skip(f"mmdebstrap could not build the image (see {cache}/mmdebstrap.log): "
             f"{r.stderr.strip()[-300:]}")
    customize(root)
    vmlinuz = sorted(glob.glob(os.path.join(root, "boot/vmlinuz-*")))[-1]
    initrd = sorted(glob.glob(os.path.join(root, "boot/initrd.img-*")))[-1]
    kernel = os.path.join(work, "vmlinuz")
    initramfs = os.path.join(work, "initrd.img")
    shutil.copy(vmlinuz, kernel)
    shutil.copy(initrd, initramfs)

    raw = os.path.join(work, "disk.raw")
    sectors = SIZE_MB * 2048
    with open(raw, "wb") as f:
        f.truncate(SIZE_MB * 1024 * 1024)
    write_mbr(raw, sectors)
    sh("mke2fs", "-q", "-t", "ext4", "-F", "-U", ROOT_UUID, "-L", "pt-root",
       "-E", f"offset={PART_START * 512}", "-d", root, raw, f"{(sectors - PART_START) // 2}k")
    shutil.rmtree(root)

    # The first boot, straight into the kernel: GRUB, MODULES=dep, update-grub.
    guest = Guest(qemu, raw, os.path.join(work, "first-boot.log"), fmt="raw")
    console = guest.boot(script="bash /root/first-boot.sh\n", kernel=kernel, initrd=initramfs,
                         append=f"root=UUID={ROOT_UUID} rw console=ttyS0 quiet", timeout=1200)
    if "PT-FIRST-BOOT-DONE" not in console:
        raise RuntimeError("the image's first boot did not finish:\n" + console[-3000:])
    sh("qemu-img", "convert", "-O", "qcow2", raw, image + ".tmp")
    os.rename(image + ".tmp", image)
    remove(work)
    return image, time.monotonic() - started
