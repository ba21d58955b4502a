#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""passthroughctl against another host over qemu+ssh://: a real sshd and a
real libvirtd (system mode, the QEMU driver) on 127.0.0.1, key
authentication set up by the test. The other host happens to be this
machine, which is the hard case: its node devices are read through libvirt
over SSH, and no change may ever reach this computer's helper.

Everything runs from a private directory: sshd on a free port with its own
host key and authorized_keys, libvirtd with its own socket directory (the
machine's own libvirt socket, if any, is not used nor replaced).

Usage: test-remote-ssh.py PASSTHROUGHCTL
Prints TAP; skips when run as an ordinary user (sshd needs root to log in)
or when sshd, libvirtd or nc are missing.
"""

import json
import os
import re
import shutil
import subprocess
import sys

import ssh_host
from tapcases import case, run_cases

ctl = os.path.realpath(sys.argv[1])


def skip(reason):
    print(f"1..0 # SKIP {reason}")
    sys.exit(0)


reason = ssh_host.missing()
if reason is not None:
    skip(reason)

host = ssh_host.SshHost()
work = host.work
port = host.port
URI = host.uri()


def ctl_run(*args, trace=False):
    command = [ctl, "--connect", URI, *args]
    env = dict(os.environ, LC_ALL="C.UTF-8", HOME=work, PATH=host.path_with_ssh())
    if not trace or shutil.which("strace") is None:
        return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env), None
    log = os.path.join(work, "strace.log")
    r = subprocess.run(["strace", "-f", "-qq", "-o", log, "-e", "trace=execve", *command],
                       capture_output=True, text=True, timeout=120, env=env)
    return r, [os.path.basename(p) for p in re.findall(r'execve\("([^"]+)"', open(log).read())]


# This machine, the other host here, may have no IOMMU (a CI VM has none):
# then a bind is refused by the verdict before anything else, as on any host.
IOMMU_ON = os.path.isdir("/sys/kernel/iommu_groups") and len(os.listdir("/sys/kernel/iommu_groups")) > 0


@case("the other host's devices come through libvirt over SSH, and what it uses them for is unknown")
def _():
    r, _ = ctl_run("devices", "--json")
    assert r.returncode == 0, r.stderr
    devices = json.loads(r.stdout)
    local = sorted(os.listdir("/sys/bus/pci/devices"))
    assert sorted(d["address"] for d in devices) == local, ([d["address"] for d in devices], local)
    for device in devices:
        assert device["host_use"] is None and device["reset_methods"] is None, device
        assert device["state_unknown"] == "State unknown on a remote host", device
    r, _ = ctl_run("groups")
    assert r.returncode == 0, r.stderr
    assert "Ready for passthrough" not in r.stdout, r.stdout


def driver(address):
    link = f"/sys/bus/pci/devices/{address}/driver"
    return os.path.basename(os.readlink(link)) if os.path.islink(link) else None


@case("bind, unbind and boot changes print the command for that host and never start this computer's helper")
def _():
    address = ssh_host.first_endpoint()
    for args in (["bind", address], ["bind", address, "--force"], ["unbind", address],
                 ["boot", "enable-iommu"], ["boot", "early-bind", "--by-address", address]):
        r, started = ctl_run(*args, trace=True)
        if started is not None:
            assert not any(p in ("pkexec", "passthrough-helper") for p in started), (args, started)
            # A device change reads that host's devices over SSH; a boot change reads nothing.
            assert ("ssh" in started) == (args[0] != "boot"), (args, started)
        if args[0] == "bind" and not IOMMU_ON:
            assert r.returncode == 2 and "The IOMMU is off" in r.stderr, (args, r.stderr)
            continue
        if args[0] == "unbind" and driver(address) != "vfio-pci":
            assert r.returncode == 0 and "is not on vfio-pci; nothing to return" in r.stdout, (args, r.stdout)
            continue
        assert r.returncode == 2, (args, r.returncode, r.stdout, r.stderr)
        assert "is not this computer" in r.stderr and "nothing was changed" in r.stderr, (args, r.stderr)
        expected = f"ssh -t root@127.0.0.1 -p {port} passthroughctl {' '.join(args)}"
        assert r.stderr.rstrip().endswith(expected), (args, expected, r.stderr)
    # Whatever the outcome, the risk of not seeing that host is named.
    r, _ = ctl_run("unbind", address, "--dry-run")
    assert "State unknown on a remote host" in r.stderr, r.stderr


if __name__ == "__main__":
    host.start()
    run_cases(cleanup=host.stop)
