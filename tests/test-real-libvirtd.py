#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""passthroughctl against a real libvirtd with the QEMU driver.

Usage: test-real-libvirtd.py PASSTHROUGHCTL

Uses qemu:///session of an unprivileged user (nobody, when run as root) in a
private directory, so nothing of the machine's own libvirt is touched: the
client starts that user's libvirtd itself. Defines a q35 domain, gives it a
GPU and its audio function, reads the definition back with virsh, refuses a
device another VM has, takes the devices back, and stops the daemon.
Prints TAP; skips (not passes) when libvirtd, virsh or QEMU are missing.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from tapcases import case, run_cases

CTL = sys.argv[1]
URI = "qemu:///session"
DOMAIN = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices><emulator>{qemu}</emulator></devices>
</domain>
"""


def skip(reason):
    print(f"1..0 # SKIP {reason}")
    sys.exit(0)


for tool in ("libvirtd", "virsh", "qemu-system-x86_64"):
    if shutil.which(tool) is None:
        skip(f"{tool} is not installed (Debian: libvirt-daemon libvirt-daemon-driver-qemu "
             f"libvirt-clients qemu-system-x86)")

home = tempfile.mkdtemp(prefix="pt-libvirtd-")
os.chmod(home, 0o755)
prefix = []
if os.geteuid() == 0:
    shutil.chown(home, "nobody", "nogroup")
    prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
env = dict(os.environ, HOME=home, XDG_RUNTIME_DIR=os.path.join(home, "run"),
           XDG_CONFIG_HOME=os.path.join(home, "config"), XDG_CACHE_HOME=os.path.join(home, "cache"),
           LC_ALL="C.UTF-8")


def run(*argv, check=False):
    result = subprocess.run(prefix + list(argv), env=env, capture_output=True, text=True,
                            timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"{argv} failed: {result.stderr}")
    return result


def ctl(*args, check=False):
    return run(CTL, "--connect", URI, *args, check=check)


def hostdevs(name):
    xml = run("virsh", "-c", URI, "dumpxml", "--inactive", name, check=True).stdout
    found = []
    for hostdev in ET.fromstring(xml).iter("hostdev"):
        source = hostdev.find("source/address")
        guest = hostdev.find("address")
        found.append({
            "source": "{:04x}:{:02x}:{:02x}.{:x}".format(
                *(int(source.get(k), 16) for k in ("domain", "bus", "slot", "function"))),
            "guest_slot": guest.get("slot") if guest is not None else None,
            "guest_function": guest.get("function") if guest is not None else None,
            "multifunction": guest.get("multifunction") if guest is not None else None,
            "managed": hostdev.get("managed"),
        })
    return found






@case("a q35 domain can be defined")
def _():
    run("mkdir", "-m", "700", "-p", os.path.join(home, "run"), check=True)
    for name in ("pt-gaming", "pt-other"):
        path = os.path.join(home, f"{name}.xml")
        with open(path, "w") as f:
            f.write(DOMAIN.format(name=name, qemu=shutil.which("qemu-system-x86_64")))
        os.chmod(path, 0o644)
        run("virsh", "-c", URI, "define", path, check=True)


@case("the dry run shows the definition and changes nothing")
def _():
    plan = json.loads(ctl("attach", "--vm", "pt-gaming", "0000:01:00.0", "0000:01:00.1",
                          "--dry-run", "--json", check=True).stdout)
    assert plan["vm"] == "pt-gaming" and "<hostdev" in plan["xml"], plan
    assert hostdevs("pt-gaming") == []


@case("GPU and audio land in one guest slot, multifunction on function 0, managed")
def _():
    ctl("attach", "--vm", "pt-gaming", "0000:01:00.0", "0000:01:00.1", check=True)
    devs = {d["source"]: d for d in hostdevs("pt-gaming")}
    assert set(devs) == {"0000:01:00.0", "0000:01:00.1"}, devs
    gpu, audio = devs["0000:01:00.0"], devs["0000:01:00.1"]
    assert gpu["guest_slot"] == audio["guest_slot"], devs
    assert (gpu["guest_function"], audio["guest_function"]) == ("0x0", "0x1"), devs
    assert gpu["multifunction"] == "on" and gpu["managed"] == "yes", devs


@case("vms lists the devices; the owner is named when another VM asks")
def _():
    vms = {vm["name"]: vm for vm in json.loads(ctl("vms", "--json", check=True).stdout)}
    assert vms["pt-gaming"]["devices"] == ["0000:01:00.0", "0000:01:00.1"], vms
    refused = ctl("attach", "--vm", "pt-other", "0000:01:00.0")
    assert refused.returncode == 2 and "pt-gaming" in refused.stderr, refused.stderr
    assert hostdevs("pt-other") == []


@case("--move takes the device from the shut-off VM that has it")
def _():
    ctl("attach", "--vm", "pt-other", "--move", "0000:01:00.1", check=True)
    assert [d["source"] for d in hostdevs("pt-gaming")] == ["0000:01:00.0"]
    assert [d["source"] for d in hostdevs("pt-other")] == ["0000:01:00.1"]


@case("detach takes the devices back")
def _():
    ctl("detach", "--vm", "pt-gaming", "0000:01:00.0", check=True)
    ctl("detach", "--vm", "pt-other", "0000:01:00.1", check=True)
    assert hostdevs("pt-gaming") == [] and hostdevs("pt-other") == []


def cleanup():
    for name in ("pt-gaming", "pt-other"):
        run("virsh", "-c", URI, "undefine", name)
    subprocess.run(["pkill", "-u", "nobody" if prefix else str(os.getuid()), "-f",
                    "libvirtd --timeout"], capture_output=True)
    shutil.rmtree(home, ignore_errors=True)


run_cases(cleanup)
