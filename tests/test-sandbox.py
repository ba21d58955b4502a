#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""passthroughctl inside the view a Flatpak gets of this computer, made with
bwrap: only /sys/{block,bus,class,dev,devices}, /proc, the host's os-release
at /run/host/os-release, a /.flatpak-info and the runtime's own /etc.
It must read what it can see (the devices, the kernel command line, the
host's operating system), say "unknown" for the rest, and answer every host
change with one message: the native package to install and the command.

Usage: test-sandbox.py PASSTHROUGHCTL
Prints TAP; skips when bwrap cannot make a sandbox here.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import flatpak_view
from tapcases import case, run_cases

ctl = os.path.realpath(sys.argv[1])
build = os.path.dirname(os.path.dirname(os.path.dirname(ctl)))
work = tempfile.mkdtemp(prefix="pt-sandbox-")



def sandbox(host, *args, trace=None):
    """passthroughctl ARGS in a Flatpak-like sandbox of a HOST (see flatpak_view)."""
    command = flatpak_view.command(work, host, [ctl, *args], binds=[build],
                                   env=dict(os.environ, LC_ALL="C.UTF-8"))
    if trace is not None:
        command = ["strace", "-f", "-qq", "-o", trace, "-e", "trace=execve", *command]
    return subprocess.run(command, capture_output=True, text=True)


def first_address():
    return sorted(os.listdir("/sys/bus/pci/devices"))[0]


@case("check reads the host's os-release and runs only the checks the sandbox can see")
def _():
    r = sandbox("debian", "check", "--json")
    assert r.returncode in (0, 1), (r.returncode, r.stderr)
    report = json.loads(r.stdout)
    assert report["boot"]["os_name"] == "Debian GNU/Linux 12 (bookworm)", report["boot"]
    assert report["boot"]["bootloader"] is None and report["boot"]["initramfs"] is None, report["boot"]
    ids = [check["id"] for check in report["checks"]]
    assert {"cpu-virtualization", "iommu-kernel", "kernel-cmdline", "sandbox"} <= set(ids), ids
    # What hides behind the sandbox is not checked (it would be the runtime's files).
    assert not {"iommu-firmware", "vfio-modules", "vfio-device", "bootloader", "initramfs"} & set(ids), ids
    sandbox_check = next(c for c in report["checks"] if c["id"] == "sandbox")
    assert sandbox_check["status"] == "warn" and "cannot" in sandbox_check["summary"], sandbox_check
    assert report["ready"] is False


@case("devices are read from /sys, and what the host uses them for is unknown, never free")
def _():
    r = sandbox("debian", "devices", "--json")
    assert r.returncode == 0, r.stderr
    devices = json.loads(r.stdout)
    assert len(devices) == len(os.listdir("/sys/bus/pci/devices")), len(devices)
    for device in devices:
        assert device["host_use"] is None, device
        assert device["state_unknown"] == "State unknown in the sandbox", device
    r = sandbox("debian", "groups", "--json")
    assert r.returncode == 0, r.stderr
    for group in json.loads(r.stdout):
        assert group["ready"] is False and group["state"] != "Ready for passthrough", group


@case("a host change says which package to install and the command, and starts no helper")
def _():
    address = first_address()
    for host, install in (("debian", "sudo apt install passthrough"),
                          ("openeuler", "sudo dnf install passthrough")):
        for args, command in ((["bind", address], f"passthroughctl bind {address}"),
                              (["boot", "enable-iommu"], "passthroughctl boot enable-iommu")):
            trace = os.path.join(work, "trace")
            r = sandbox(host, *args, trace=trace if shutil.which("strace") else None)
            assert r.returncode == 2, (args, r.returncode, r.stdout, r.stderr)
            assert "Flatpak sandbox, which cannot change this computer" in r.stderr, r.stderr
            assert install in r.stderr and command in r.stderr, (host, r.stderr)
            assert "host root" not in r.stderr, r.stderr
            if shutil.which("strace"):
                started = [line.split('"')[1] for line in open(trace) if "execve(" in line and '"' in line]
                assert not any(p.endswith(("pkexec", "passthrough-helper")) for p in started), started


if __name__ == "__main__":
    why = flatpak_view.unavailable()
    if why is not None:
        print(f"1..0 # SKIP {why}")
        sys.exit(0)
    run_cases(cleanup=lambda: shutil.rmtree(work, ignore_errors=True))
