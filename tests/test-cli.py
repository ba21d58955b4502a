#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""passthroughctl as scripts use it: options anywhere, JSON shapes, exit codes,
and clear messages on bad input.

Usage: test-cli.py PASSTHROUGHCTL READY_HOST NOT_READY_HOST STRANGE_HOST NODE_XML
Prints TAP.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import flatpak_view
from tapcases import case, run_cases

ADDRESS = re.compile(r"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$")
HEX4 = re.compile(r"^[0-9a-f]{4}$")
HEX6 = re.compile(r"^[0-9a-f]{6}$")
REQUIRED_CHECKS = {"cpu-virtualization", "iommu-firmware", "iommu-kernel",
                   "interrupt-remapping", "vfio-modules", "kernel-cmdline"}

ctl, ready, not_ready, strange, node_xml = sys.argv[1:6]


def run(*args):
    return subprocess.run([ctl, *args], capture_output=True, text=True)




@case("output that cannot be written is an error, not a silent success")
def _():
    for command in (["devices"], ["devices", "--json"], ["groups"], ["groups", "--json"],
                    ["check", "--json"]):
        with open("/dev/full", "w") as full:
            r = subprocess.run([ctl, "--root", ready, *command], stdout=full,
                               stderr=subprocess.PIPE, text=True)
        assert r.returncode == 2, (command, r.returncode, r.stderr)
        assert "cannot write the output" in r.stderr, (command, r.stderr)


@case("groups --json and check --json are byte for byte the saved documents of every fixture host")
def _():
    # Saved from the documents built whole in memory before they were streamed;
    # PT_UPDATE_GOLDEN=1 saves them again after a deliberate change.
    source = os.path.join(os.environ["G_TEST_SRCDIR"], "json")
    hosts = sorted(name[:-5] for name in os.listdir(os.path.join(os.environ["G_TEST_SRCDIR"], "hosts")))
    for host in hosts + ["generated-320"]:
        for command in ("groups", "check"):
            r = subprocess.run([ctl, "--root", os.path.join(os.path.dirname(ready), host), command,
                                "--json"], capture_output=True)
            assert r.returncode in (0, 1), (host, command, r.returncode, r.stderr)
            path = os.path.join(source, f"{host}-{command}.json")
            if os.environ.get("PT_UPDATE_GOLDEN"):
                with open(path, "wb") as f:
                    f.write(r.stdout)
            with open(path, "rb") as f:
                assert r.stdout == f.read(), f"{host}: {command} --json differs from {path}"


@case("devices writes its text in a few large writes, not one per line")
def _():
    if shutil.which("strace") is None:
        return
    with tempfile.NamedTemporaryFile(prefix="pt-strace-") as log:
        r = subprocess.run(["strace", "-qq", "-o", log.name, "-e", "trace=write", ctl, "--root",
                            ready, "devices"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        writes = [line for line in open(log.name) if line.startswith("write(1,")]
    lines = r.stdout.count("\n")
    assert lines > 50, lines
    assert len(writes) <= len(r.stdout.encode()) // 4096 + 2, (len(writes), lines)


def twin_started(*args):
    """Whether passthroughctl ARGS, reading this host while libvirt seems to
    listen on it (a private /run with libvirt's socket path), execs its
    libvirt twin. None where that cannot be set up (not root, no unshare)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("strace") is None:
        return None
    with tempfile.NamedTemporaryFile(prefix="pt-strace-") as log:
        script = ("mount -t tmpfs none /run && mkdir /run/libvirt && : > /run/libvirt/libvirt-sock"
                  ' && exec strace -f -qq -e trace=execve -o "$0" "$@"')
        r = subprocess.run(["unshare", "--mount", "sh", "-c", script, log.name, ctl, *args],
                           capture_output=True, text=True)
        if "mount" in r.stderr and "permission" in r.stderr.lower():
            return None
        return "passthroughctl-libvirt" in open(log.name).read()


@case("check and groups --json do not start the libvirt twin: they name no VM")
def _():
    if twin_started("devices", "--json") is None:
        return
    # The control: devices names each device's VM, so it asks libvirt.
    assert twin_started("devices", "--json")
    assert twin_started("groups")
    assert not twin_started("check", "--json")
    assert not twin_started("check")
    assert not twin_started("groups", "--json")


@case("options before and after the command give the same JSON")
def _():
    a = run("--root", ready, "--json", "devices")
    b = run("devices", "--json", "--root", ready)
    c = run("--json", "devices", "--root", ready)
    assert a.returncode == b.returncode == c.returncode == 0, (a.stderr, b.stderr, c.stderr)
    assert a.stdout == b.stdout == c.stdout


@case("devices --json has every documented key with the documented types")
def _():
    r = run("--root", ready, "devices", "--json")
    assert r.returncode == 0, r.stderr
    devices = json.loads(r.stdout)
    assert isinstance(devices, list) and devices
    for d in devices:
        assert ADDRESS.match(d["address"]), d["address"]
        for key in ("vendor_id", "device_id", "subsystem_vendor_id", "subsystem_device_id"):
            assert HEX4.match(d[key]), (key, d[key])
        assert HEX6.match(d["class_id"]), d["class_id"]
        assert isinstance(d["vendor_name"], str) and isinstance(d["device_name"], str)
        assert d["driver"] is None or isinstance(d["driver"], str)
        assert d["iommu_group"] is None or isinstance(d["iommu_group"], int)
        assert isinstance(d["is_bridge"], bool)
        assert d["physfn"] is None or ADDRESS.match(d["physfn"])
        assert isinstance(d["host_use"], list)
        assert all(isinstance(reason, str) and reason for reason in d["host_use"])
    assert [d["address"] for d in devices] == sorted(d["address"] for d in devices)


@case("groups --json lists each group's devices and viability")
def _():
    r = run("groups", "--root", ready, "--json")
    assert r.returncode == 0, r.stderr
    groups = json.loads(r.stdout)
    devices = json.loads(run("devices", "--root", ready, "--json").stdout)
    by_group = {}
    for d in devices:
        if d["iommu_group"] is not None:
            by_group.setdefault(d["iommu_group"], []).append(d["address"])
    assert {g["group"]: g["devices"] for g in groups} == by_group
    for g in groups:
        assert isinstance(g["viable"], bool)
        assert g["viable"] == (g["host_drivers"] == [])


@case("check exits 0 on a ready host, 1 on one that is not, with the required ids")
def _():
    for root, status in ((ready, 0), (not_ready, 1)):
        r = run("check", "--json", "--root", root)
        assert r.returncode == status, (root, r.returncode, r.stderr)
        report = json.loads(r.stdout)
        ids = {c["id"] for c in report["checks"]}
        assert REQUIRED_CHECKS <= ids, ids
        for c in report["checks"]:
            assert c["status"] in ("pass", "warn", "fail")
            assert c["summary"]
            if c["status"] != "pass":
                assert c["fix"], c
        assert report["ready"] == (status == 0)
        text = run("check", "--root", root)
        assert text.returncode == status


@case("text output of devices reads like lspci -nnk")
def _():
    r = run("devices", "--root", ready)
    assert r.returncode == 0, r.stderr
    assert re.search(r"^IOMMU group \d+: ", r.stdout, re.M)
    assert re.search(r"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] .+ \[[0-9a-f]{4}\]: .+ "
                     r"\[[0-9a-f]{4}:[0-9a-f]{4}\]", r.stdout, re.M)
    assert "\tKernel driver in use: " in r.stdout


@case("errors exit 2 with a message that says what to do")
def _():
    cases = [
        (["--root", "/nonexistent/root", "devices"], "/nonexistent/root"),
        (["frobnicate"], "unknown command"),
        ([], "no command"),
        (["devices", "extra"], "takes no arguments"),
        (["--no-such-option", "devices"], "--help"),
    ]
    for args, expected in cases:
        r = run(*args)
        assert r.returncode == 2, (args, r.returncode)
        assert expected in r.stderr, (args, r.stderr)
        assert r.stdout == "", (args, r.stdout)


@case("a strange root gives warnings and a partial result, never a crash")
def _():
    for command in ("devices", "groups", "check"):
        r = run("--root", strange, command, "--json")
        assert r.returncode in (0, 1), (command, r.returncode, r.stderr)
        json.loads(r.stdout)
    r = run("--root", strange, "devices", "--json")
    assert "warning:" in r.stderr, r.stderr
    assert json.loads(r.stdout), "the readable devices are still listed"




def programs_started(*args):
    """passthroughctl ARGS under strace: its result and every program it started."""
    with tempfile.NamedTemporaryFile(prefix="pt-strace-") as log:
        r = subprocess.run(["strace", "-f", "-qq", "-o", log.name, "-e", "trace=execve", ctl, *args],
                           capture_output=True, text=True)
        started = re.findall(r'execve\("([^"]+)"', open(log.name).read())
    return r, [os.path.basename(p) for p in started]


@case("on another host (--connect test:///, qemu+ssh://), no change reaches this computer's helper")
def _():
    uri = "test://" + os.path.abspath(node_xml)
    for args, command in [
        (["bind", "0000:02:00.0"], "passthroughctl bind 0000:02:00.0"),
        (["bind", "0000:02:00.0", "--force"], "passthroughctl bind 0000:02:00.0 --force"),
        (["boot", "enable-iommu"], "passthroughctl boot enable-iommu"),
        (["boot", "early-bind", "--by-id", "0000:02:00.0"],
         "passthroughctl boot early-bind --by-id 0000:02:00.0"),
        (["boot", "undo", "3"], "passthroughctl boot undo 3"),
        (["boot", "history"], "passthroughctl boot history"),   # this computer's is not that host's
    ]:
        if shutil.which("strace") is not None:
            r, started = programs_started("--connect", uri, *args)
            assert set(started) <= {"passthroughctl", "passthroughctl-libvirt"}, (args, started)
        else:
            r = run("--connect", uri, *args)
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert "is not this computer" in r.stderr and "nothing was changed" in r.stderr, (args, r.stderr)
        assert r.stderr.rstrip().endswith("\n" + command), (args, r.stderr)
        assert "helper is not installed" not in r.stderr, (args, r.stderr)

    # The plan, made from the other host's devices, is shown; its boot files are not read here.
    r = run("--connect", uri, "bind", "0000:02:00.0")
    assert "Give IOMMU group" in r.stdout and "vfio-pci" in r.stdout, r.stdout
    r = run("--connect", "qemu+ssh://root@lab.invalid:2222/system", "boot", "enable-iommu")
    assert r.returncode == 2 and r.stdout == "", (r.returncode, r.stdout)
    assert r.stderr.rstrip().endswith("ssh -t root@lab.invalid -p 2222 passthroughctl boot enable-iommu"), r.stderr
    # A dry run still previews it, from that host's devices and VMs: the group
    # a running VM holds is refused there as it is here.
    r = run("--connect", uri, "unbind", "0000:02:00.0", "--dry-run")
    assert r.returncode == 2, (r.returncode, r.stdout)
    assert "“ubuntu-ml” is running with a device of this IOMMU group. Shut that virtual machine " \
        "down first." in r.stderr, r.stderr
    r = run("--connect", uri, "unbind", "0000:03:00.0", "--dry-run")
    assert r.returncode == 0, r.stderr


@case("bind asks the core's verdict: the host's own devices need --force, a refusal says what to do")
def _():
    home_host = os.path.join(os.path.dirname(ready), "ubuntu-builtin")
    for root, address, words in [
        (ready, "0000:01:00.0", "  - The host uses it: boot GPU (boot_vga=1)\n"),
        (ready, "0000:01:00.1", "  - The host uses it: shares IOMMU group 1 with 0000:01:00.0: boot GPU"),
        (home_host, "0000:05:00.0", "  - The host uses it: storage controller of /home (nvme1n1p1)\n"),
    ]:
        for extra in ([], ["--dry-run"]):
            r = run("--root", root, "bind", address, *extra)
            assert r.returncode == 2, (address, extra, r.returncode)
            assert r.stderr.startswith("passthroughctl: This takes a risk:\n"), r.stderr
            assert words in r.stderr, (address, r.stderr)
            assert r.stderr.rstrip().endswith("Nothing was changed. To go ahead all the same, add --force."), r.stderr
        r = run("--root", root, "bind", address, "--force", "--dry-run")
        assert r.returncode == 0 and "vfio-pci" in r.stdout, (address, r.stderr)
        assert "passthroughctl: warning: The host uses it:" in r.stderr, r.stderr
    r = run("--root", not_ready, "bind", "0000:00:02.0", "--force", "--dry-run")
    assert r.returncode == 2, r.returncode
    assert "The IOMMU is off, so no device can be given to a virtual machine. Turn the IOMMU on" in r.stderr, r.stderr
    r = run("--root", ready, "bind", "0000:09:00.0", "--dry-run")
    assert r.returncode == 2 and "This host has no device at 0000:09:00.0." in r.stderr, r.stderr
    r = run("--root", ready, "bind", "0000:02:00.0", "--dry-run")
    assert r.returncode == 0 and r.stderr == "", r.stderr


@case("attach asks the same verdict: the boot GPU, or half a group, needs --yes; the IOMMU off refuses")
def _():
    uri = "test://" + os.path.abspath(node_xml)
    give = ["--connect", uri, "attach", "--vm", "win11-gaming", "--dry-run"]
    r = run("--root", ready, *give, "0000:01:00.0")
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stderr.startswith("passthroughctl: This takes a risk:\n"), r.stderr
    assert "  - The host uses it: boot GPU (boot_vga=1)\n" in r.stderr, r.stderr
    assert ("  - 0000:01:00.1 shares the IOMMU group and is left out: the virtual machine cannot start "
            "until it is on vfio-pci too\n") in r.stderr, r.stderr
    assert r.stderr.rstrip().endswith("Nothing was changed. To go ahead all the same, add --yes."), r.stderr
    r = run("--root", ready, *give, "0000:01:00.0", "0000:01:00.1", "--yes")
    assert r.returncode == 0, r.stderr
    assert "passthroughctl: warning: The host uses it: boot GPU (boot_vga=1)" in r.stderr, r.stderr
    assert "left out" not in r.stderr, r.stderr
    r = run("--root", not_ready, *give, "0000:00:04.0", "--yes")
    assert r.returncode == 2, r.returncode
    assert "The IOMMU is off, so no device can be given to a virtual machine." in r.stderr, r.stderr
    # Read through libvirt alone, what uses a device cannot be seen: never taken as free.
    r = run(*give, "0000:00:14.0")
    assert r.returncode == 2 and "State unknown on a remote host: what uses it" in r.stderr, r.stderr
    r = run("--root", ready, *give, "0000:00:14.0")
    assert r.returncode == 0 and r.stderr == "", r.stderr


@case("libvirt here but unreachable: unbind and vfs name the risk and need --force, as the app does; bind does not")
def _():
    # This machine's own /sys, with a libvirt socket that answers nothing
    # (bwrap hides the real one under a /run of its own): which VM runs
    # cannot be asked.
    devices = sorted(os.listdir("/sys/bus/pci/devices")) if os.path.isdir("/sys/bus/pci/devices") else []
    why_not = flatpak_view.unavailable() or (None if devices else "no PCI device in /sys")
    if why_not is not None:
        print(f"# nothing to check: {why_not}")
        return
    dead = ["bwrap", "--dev-bind", "/", "/", "--tmpfs", "/run", "--dir", "/run/libvirt",
            "--ro-bind", "/dev/null", "/run/libvirt/libvirt-sock", ctl]
    address = devices[-1]
    for args in (["unbind", address], ["vfs", address, "0"]):
        r = subprocess.run([*dead, *args, "--dry-run"], capture_output=True, text=True, timeout=60)
        assert r.returncode == 2, (args, r.returncode, r.stdout, r.stderr)
        assert "which VM has which device is not shown" in r.stderr, r.stderr
        assert "  - libvirt cannot be reached, so whether a virtual machine holds it cannot be seen" \
            in r.stderr, r.stderr
        assert r.stderr.rstrip().endswith("To go ahead all the same, add --force."), r.stderr
    r = subprocess.run([*dead, "unbind", address, "--dry-run", "--force"], capture_output=True, text=True,
                       timeout=60)
    assert "passthroughctl: warning: libvirt cannot be reached, so" in r.stderr, r.stderr
    assert "To go ahead all the same" not in r.stderr, r.stderr
    r = subprocess.run([*dead, "bind", address, "--dry-run"], capture_output=True, text=True, timeout=60)
    assert "libvirt cannot be reached" not in r.stderr, r.stderr


@case("lspci's short addresses (01:00.0) are taken wherever an address is, as the long form")
def _():
    uri = "test://" + os.path.abspath(node_xml)
    for short, full in (["01:00.0", "0000:01:00.0"], ["02:00.0", "0000:02:00.0"]):
        for command in (["bind"], ["unbind"], ["boot", "early-bind", "--by-address"],
                        ["--connect", uri, "attach", "--vm", "win11-gaming", "--yes"]):
            long_form = run("--root", ready, "--dry-run", *command, full)
            short_form = run("--root", ready, "--dry-run", *command, short)
            assert "is not a PCI address" not in short_form.stderr, (command, short_form.stderr)
            assert (short_form.returncode, short_form.stdout, short_form.stderr) == \
                (long_form.returncode, long_form.stdout, long_form.stderr), (command, short_form, long_form)
    r = run("--root", ready, "--dry-run", "bind", "1:00.0")
    assert r.returncode == 2 and "is not a PCI address like 0000:01:00.0" in r.stderr, r.stderr


@case("vms prints a heading above its columns; the usage line names COMMAND once")
def _():
    r = run("--connect", "test://" + os.path.abspath(node_xml), "vms")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATE", "PCI", "DEVICES"], lines
    assert lines[1].startswith("nas "), lines
    assert lines[0].index("STATE") == lines[1].index("shut off"), lines
    r = run("--help")
    assert "passthroughctl [OPTION…] COMMAND [ARGUMENTS…]" in r.stdout, r.stdout


@case("check's fixes name the passthroughctl command, never an app button")
def _():
    r = run("--root", not_ready, "check")
    assert r.returncode == 1, r.returncode
    assert "Turn the IOMMU On" not in r.stdout, r.stdout
    assert "“passthroughctl boot enable-iommu --dry-run” shows this change" in r.stdout, r.stdout
    checks = json.loads(run("--root", not_ready, "check", "--json").stdout)["checks"]
    commands = {c["id"]: c["fix_command"] for c in checks}
    assert commands["kernel-cmdline"] == "passthroughctl boot enable-iommu", commands
    assert commands["vfio-modules"] is None, commands

run_cases()
