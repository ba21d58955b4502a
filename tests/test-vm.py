#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The helper and the scanner on a real Linux kernel, in QEMU with an
emulated Intel IOMMU (TCG: there is no KVM here).

Gets Debian's kernel (the package linux-image-amd64 depends on) and
busybox-static and udev with `apt-get download`, builds an initramfs with busybox,
the vfio modules and the emulated devices' drivers (with their
dependencies), the project as `meson install` lays it out (passthroughctl,
passthrough-helper, their shared libraries, pci.ids) and a small VFIO
group-status tool, and boots it with two identical e1000e NICs, a
virtio-net NIC carrying the default route, and an NVMe with SR-IOV behind
a PCIe root port. tests/vm/guest-init.sh runs the checks in the guest; this
script compares what passthroughctl said with the guest's sysfs and turns
the guest's report into TAP. Without QEMU or the packages it skips.

Usage: test-vm.py BUILD_ROOT VFIO_GROUP_STATUS [--amd-iommu]
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from tapcases import case, run_cases

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "system"))
from vmtools import MACHINE, INTEL_IOMMU, sh, skip  # noqa: E402

build, group_status = sys.argv[1], sys.argv[2]
amd = "--amd-iommu" in sys.argv
here = os.path.dirname(os.path.abspath(__file__))
cache = os.path.join(build, "tests", "vm-cache")
MODULES = ["vfio-pci", "vfio_iommu_type1", "e1000e", "virtio_net", "virtio_pci", "nvme"]


qemu = shutil.which("qemu-system-x86_64")
if qemu is None:
    skip("qemu-system-x86_64 is not installed (package qemu-system-x86)")
for tool in ("apt-get", "dpkg-deb", "depmod", "cpio", "ldd"):
    if shutil.which(tool) is None:
        skip(f"{tool} is missing (build-aux/dev test installs kmod and cpio)")


def fetch(package):
    """Downloads a package by name into the cache once; returns the .deb."""
    os.makedirs(cache, exist_ok=True)
    found = glob.glob(os.path.join(cache, package.split("=")[0] + "_*.deb"))
    if found:
        return found[0]
    r = subprocess.run(["apt-get", "download", package], cwd=cache, capture_output=True, text=True)
    found = glob.glob(os.path.join(cache, package.split("=")[0] + "_*.deb"))
    if r.returncode != 0 or not found:
        skip(f"cannot download {package}: {r.stderr.strip()[-200:]}")
    return found[0]


def kernel_package():
    r = subprocess.run(["apt-cache", "depends", "linux-image-amd64"], capture_output=True, text=True)
    m = re.search(r"Depends: (linux-image-\S+-amd64)", r.stdout)
    if not m:
        skip("apt-cache does not know linux-image-amd64")
    return m.group(1)


def build_image(work):
    root = os.path.join(work, "root")
    unpacked = os.path.join(work, "unpacked")
    for deb in (fetch(kernel_package()), fetch("busybox-static"), fetch("udev")):
        sh("dpkg-deb", "-x", deb, unpacked)
    vmlinuz = glob.glob(os.path.join(unpacked, "boot", "vmlinuz-*"))[0]
    release = os.path.basename(vmlinuz)[len("vmlinuz-"):]

    # Busybox and the init script
    os.makedirs(os.path.join(root, "bin"))
    shutil.copy(os.path.join(unpacked, "bin", "busybox"), os.path.join(root, "bin", "busybox"))
    shutil.copy(os.path.join(here, "vm", "guest-init.sh"), os.path.join(root, "init"))
    shutil.copy(group_status, os.path.join(root, "bin", "vfio-group-status"))

    # udev, for early binding by address: the daemon is udevadm under another name
    shutil.copy(os.path.join(unpacked, "bin", "udevadm"), os.path.join(root, "bin", "udevadm"))
    os.makedirs(os.path.join(root, "lib", "systemd"))
    os.symlink("/bin/udevadm", os.path.join(root, "lib", "systemd", "systemd-udevd"))
    os.makedirs(os.path.join(root, "lib", "udev", "rules.d"))
    shutil.copy(os.path.join(unpacked, "lib", "udev", "rules.d", "80-drivers.rules"),
                os.path.join(root, "lib", "udev", "rules.d"))

    # The modules we need and what they depend on, then their own index
    moddir = os.path.join(unpacked, "lib", "modules", release)
    sh("depmod", "-b", unpacked, release)
    deps = {}
    with open(os.path.join(moddir, "modules.dep")) as f:
        for line in f:
            name, _, rest = line.partition(":")
            deps[os.path.basename(name).split(".ko")[0].replace("-", "_")] = (name, rest.split())
    wanted, todo = set(), [m.replace("-", "_") for m in MODULES]
    while todo:
        module = todo.pop()
        if module in wanted or module not in deps:
            continue
        wanted.add(module)
        todo += [os.path.basename(d).split(".ko")[0].replace("-", "_") for d in deps[module][1]]
    target_moddir = os.path.join(root, "lib", "modules", release)
    for module in wanted:
        rel = deps[module][0]
        os.makedirs(os.path.dirname(os.path.join(target_moddir, rel)), exist_ok=True)
        shutil.copy(os.path.join(moddir, rel), os.path.join(target_moddir, rel))
    for name in ("modules.builtin", "modules.builtin.modinfo", "modules.order"):
        shutil.copy(os.path.join(moddir, name), target_moddir)
    sh("depmod", "-b", root, release)

    # The project, installed as a distribution would, with its libraries
    sh("meson", "install", "-C", build, "--no-rebuild", "--destdir", root, "--quiet",
       env=dict(os.environ, LC_ALL="C.UTF-8"))
    binaries = [os.path.join(root, "usr/local/bin/passthroughctl"),
                os.path.join(root, "usr/local/libexec/passthrough-helper"),
                os.path.join(root, "bin/udevadm")]
    libraries = set()
    for binary in binaries:
        for line in sh("ldd", binary).stdout.splitlines():
            m = re.search(r"(/\S+) \(0x", line)
            if m:
                libraries.add(m.group(1))
    for library in libraries:
        target = os.path.join(root, library.lstrip("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy(library, target)
    os.makedirs(os.path.join(root, "lib64"), exist_ok=True)
    ids = sh("pkg-config", "--variable=idsdir", "libpci").stdout.strip() or "/usr/share/misc"
    os.makedirs(os.path.join(root, ids.lstrip("/")), exist_ok=True)
    shutil.copy(os.path.join(ids, "pci.ids"), os.path.join(root, ids.lstrip("/"), "pci.ids"))
    for name in ("usr/local/share/passthrough", "usr/local/share/help", "usr/local/share/icons"):
        shutil.rmtree(os.path.join(root, name), ignore_errors=True)

    initrd = os.path.join(work, "initrd.cpio.gz")
    files = sh("find", ".", cwd=root).stdout
    with open(initrd, "wb") as out:
        cpio = subprocess.Popen(["cpio", "-o", "-H", "newc", "--quiet", "-R", "0:0"], cwd=root,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        gzip = subprocess.Popen(["gzip", "-1"], stdin=cpio.stdout, stdout=out)
        cpio.stdin.write(files.encode())
        cpio.stdin.close()
        gzip.wait()
        cpio.wait()
    return vmlinuz, initrd, release


def boot(vmlinuz, initrd):
    iommu = ["-device", "amd-iommu,intremap=on"] if amd else INTEL_IOMMU
    # AMD's IOMMU is on by default (amd_iommu=on is not a valid value); the
    # CPU vendor follows the IOMMU, as on real machines (TCG's default is AMD).
    params = "iommu=pt" if amd else "intel_iommu=on iommu=pt"
    cpu = "qemu64" if amd else "qemu64,vendor=GenuineIntel"
    args = [qemu, *MACHINE, "-m", "1024",
            "-smp", "2", "-cpu", cpu, "-nographic", "-no-reboot", "-kernel", vmlinuz, "-initrd", initrd,
            "-append", f"console=ttyS0 {params} panic=-1 loglevel=3", *iommu,
            "-netdev", "user,id=n1", "-device", "e1000e,netdev=n1",
            "-netdev", "user,id=n2", "-device", "e1000e,netdev=n2",
            "-netdev", "user,id=n3", "-device", "virtio-net-pci,netdev=n3",
            "-device", "pcie-root-port,id=rp1,chassis=1,slot=1",
            "-device", "nvme-subsys,id=subsys0",
            "-device", "nvme,serial=pt0001,subsys=subsys0,bus=rp1,sriov_max_vfs=2,"
                       "sriov_vq_flexible=4,sriov_vi_flexible=2,sriov_max_vq_per_vf=2,"
                       "sriov_max_vi_per_vf=1,max_ioqpairs=6,msix_qsize=4"]
    started = time.monotonic()
    r = subprocess.run(args, capture_output=True, text=True, timeout=280)
    return r.stdout + r.stderr, time.monotonic() - started


work = tempfile.mkdtemp(prefix="pt-vm-")
try:
    vmlinuz, initrd, release = build_image(work)
    console, seconds = boot(vmlinuz, initrd)
finally:
    shutil.rmtree(work, ignore_errors=True)

with open(os.path.join(build, "tests", "vm-console.log"), "w") as f:
    f.write(console)

documents = {}
for m in re.finditer(r"VMTEST-BEGIN (\S+)\r?\n(.*?)VMTEST-END", console, re.S):
    documents[m.group(1)] = m.group(2).replace("\r", "")
checks = re.findall(r"^VMTEST (ok|not-ok) (.*?)(?: -- (.*))?\r?$", console, re.M)


@case(f"the guest ({release}, {'AMD' if amd else 'Intel'} IOMMU) booted and finished in {seconds:.0f} s")
def _():
    assert "VMTEST-DONE" in console, console[-3000:]


@case("passthroughctl devices agrees with the kernel's sysfs: addresses, drivers, IOMMU groups")
def _():
    devices = {d["address"]: d for d in json.loads(documents["devices"])}
    sysfs = {}
    for line in documents["sysfs"].splitlines():
        parts = line.split()
        sysfs[parts[0]] = parts[1] if len(parts) > 1 and parts[1] != "(null)" else None
    assert set(devices) == set(sysfs), (sorted(devices), sorted(sysfs))
    for address, driver in sysfs.items():
        assert devices[address]["driver"] == driver, (address, devices[address]["driver"], driver)
    groups = {}
    for line in documents["groups-sysfs"].splitlines():
        number, *members = line.split()
        for member in members:
            groups[member] = int(number)
    for address, device in devices.items():
        assert device["iommu_group"] == groups.get(address), (address, device["iommu_group"])


@case("passthroughctl groups and check agree: every group listed, the IOMMU found on")
def _():
    groups = json.loads(documents["groups"])
    listed = {member for g in groups for member in g["devices"]}
    in_sysfs = {member for line in documents["groups-sysfs"].splitlines() for member in line.split()[1:]}
    assert listed == in_sysfs, (sorted(listed), sorted(in_sysfs))
    checks_json = json.loads(documents["check"])
    status = {c["id"]: c["status"] for c in checks_json["checks"]}
    assert status.get("iommu-kernel") == "pass", status
    assert status.get("interrupt-remapping") == "pass", status


@case("with VFs enabled, passthroughctl names each VF's PF as the kernel's physfn link does")
def _():
    links = [line.split() for line in documents["sriov-links"].splitlines() if line.strip()]
    assert len(links) == 2, documents["sriov-links"]
    devices = {d["address"]: d for d in json.loads(documents["sriov-devices"])}
    for vf, target in links:
        pf = target.rsplit("/", 1)[-1]
        assert devices[vf]["physfn"] == pf, (vf, devices[vf]["physfn"], pf)
        assert vf in devices[pf]["sriov"]["vfs"], (vf, devices[pf]["sriov"])


for number, (result, name, detail) in enumerate(checks):
    def make(result=result, name=name, detail=detail):
        def check():
            assert result == "ok", detail or name
        return check
    case(name)(make())

run_cases()
