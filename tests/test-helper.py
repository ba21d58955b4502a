#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""passthrough-helper on copies of the fixture hosts, with the emulated kernel
of its test build: binding moves the driver links as Linux does, failures
are put back, boot changes are journalled and undone byte for byte, hostile
input is refused with nothing written, and a run killed after any step is
finished or rolled back by the next one.

Usage: test-helper.py HELPER_TEST INSTALLED_HELPER PASSTHROUGHCTL FIXTURES_DIR [--syscall-sweep]
Prints TAP. With --syscall-sweep only the (slow) kill-at-every-syscall sweep
runs; without it, everything else.
"""

import atexit
import fcntl
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile

from tapcases import case, run_cases

helper, installed_helper, ctl, fixtures = sys.argv[1:5]
syscall_sweep = "--syscall-sweep" in sys.argv[5:]
EXIT_USAGE, EXIT_REFUSED, EXIT_NOT_FOUND = 64, 65, 66
EXIT_ROLLED_BACK, EXIT_INCONSISTENT, EXIT_RECOVERED, EXIT_RECOVERY_FAILED = 70, 71, 72, 73
EXIT_LOCKED = 75




# Every tree a case copies lives in one directory, removed when the test ends: a run used to leave
# about a thousand fixture copies in /tmp.
trees = tempfile.mkdtemp(prefix="passthrough-helper-test-")
atexit.register(shutil.rmtree, trees, True)


def host(name):
    root = tempfile.mkdtemp(prefix=f"{name}-", dir=trees)
    shutil.rmtree(root)
    shutil.copytree(os.path.join(fixtures, name), root, symlinks=True)
    return root


def host_copy(prepared):
    """A copy of a tree a test has prepared (as host() copies a fixture)."""
    root = tempfile.mkdtemp(prefix="copy-", dir=trees)
    shutil.rmtree(root)
    shutil.copytree(prepared, root, symlinks=True)
    return root


def run(root, *args):
    return subprocess.run([helper, "--root", root, *args], capture_output=True, text=True,
                          timeout=120)


def tree_digest(root):
    """Everything under root but the helper's lock (and the directories it lives in)."""
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if rel in ("var", "var/lib", "var/lib/passthrough", "var/lib/passthrough/lock"):
                continue
            digest.update(rel.encode() + b"\0")
            if os.path.islink(path):
                digest.update(b"L" + os.readlink(path).encode())
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    digest.update(b"F" + f.read())
    return digest.hexdigest()


def driver(root, address):
    link = os.path.join(root, "sys/bus/pci/devices", address, "driver")
    return os.path.basename(os.readlink(link)) if os.path.islink(link) else None


def attr(root, address, name):
    with open(os.path.join(root, "sys/bus/pci/devices", address, name)) as f:
        return f.read().strip()


def groups(root):
    r = subprocess.run([ctl, "--root", root, "groups", "--json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return {g["group"]: g for g in json.loads(r.stdout)}


def devices(root):
    r = subprocess.run([ctl, "--root", root, "devices", "--json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return {d["address"]: d for d in json.loads(r.stdout)}


def emulate(root, *lines):
    with open(os.path.join(root, ".emulate"), "a") as f:
        f.write("".join(line + "\n" for line in lines))


def read(root, rel):
    path = os.path.join(root, rel)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return f.read()


def emulated_commands(root):
    text = read(root, "var/log/passthrough-emulator.log") or ""
    return [line.split("\t") for line in text.splitlines()]


@case("bind moves the whole group to vfio-pci by address; /dev/vfio/N appears")
def _():
    root = host("desktop-intel")
    r = run(root, "bind-devices", "return", "0000:02:00.0")
    assert r.returncode == 0, r.stderr
    assert (driver(root, "0000:02:00.0"), driver(root, "0000:02:00.1")) == ("nouveau", "snd_hda_intel")
    assert not os.path.exists(os.path.join(root, "dev/vfio/2"))
    assert attr(root, "0000:02:00.0", "driver_override") == "(null)"
    r = run(root, "bind-devices", "bind", "0000:02:00.1")
    assert r.returncode == 0, r.stderr
    assert "step 6/6" in r.stdout, r.stdout
    assert driver(root, "0000:02:00.0") == driver(root, "0000:02:00.1") == "vfio-pci"
    assert attr(root, "0000:02:00.0", "driver_override") == "vfio-pci"
    assert driver(root, "0000:00:01.1") == "pcieport", "the bridge stays"
    assert os.path.exists(os.path.join(root, "dev/vfio/2"))
    assert groups(root)[2]["viable"] is True
    assert not os.path.exists(os.path.join(root, "var/lib/passthrough/devices.ini"))


@case("binding one GPU leaves its identical twin on its driver")
def _():
    root = host("desktop-intel")
    run(root, "bind-devices", "return", "0000:02:00.0")
    assert attr(root, "0000:01:00.0", "device") == attr(root, "0000:02:00.0", "device")
    r = run(root, "bind-devices", "bind", "0000:02:00.0")
    assert r.returncode == 0, r.stderr
    assert driver(root, "0000:01:00.0") == "nouveau"
    assert driver(root, "0000:01:00.1") == "snd_hda_intel"


@case("a device the host uses is refused, naming the reason, until --force")
def _():
    root = host("desktop-intel")
    before = tree_digest(root)
    r = run(root, "bind-devices", "bind", "0000:01:00.0")
    assert r.returncode == EXIT_REFUSED, r.returncode
    assert "boot GPU" in r.stderr and "--force" in r.stderr, r.stderr
    assert tree_digest(root) == before, "nothing written"
    r = run(root, "bind-devices", "bind", "0000:01:00.0", "--force")
    assert r.returncode == EXIT_USAGE and "bind-devices-force" in r.stderr, (r.returncode, r.stderr)
    assert tree_digest(root) == before, "nothing written"
    r = run(root, "bind-devices-force", "bind", "0000:01:00.0")
    assert r.returncode == 0, r.stderr
    assert driver(root, "0000:01:00.0") == "vfio-pci"


@case("vfio-pci is loaded first when it is not")
def _():
    root = host("amd-host")
    shutil.rmtree(os.path.join(root, "sys/bus/pci/drivers/vfio-pci"), ignore_errors=True)
    info = devices(root)
    target = next(g for g in groups(root).values()
                  if not g["used_by_host"] and g["host_drivers"]
                  and all(not info[a].get("bridge") for a in g["devices"]))
    r = run(root, "bind-devices", "bind", target["devices"][0])
    assert r.returncode == 0, r.stdout + r.stderr
    assert emulated_commands(root)[0] == ["modprobe", "vfio-pci"]
    assert all(driver(root, a) == "vfio-pci" for a in target["devices"]), target


@case("an unbind the kernel refuses (EBUSY) puts every member back")
def _():
    root = host("desktop-intel")
    run(root, "bind-devices", "return", "0000:02:00.0")
    before = tree_digest(root)
    emulate(root, "busy-unbind 0000:02:00.1")
    r = run(root, "bind-devices", "bind", "0000:02:00.0")
    assert r.returncode == EXIT_ROLLED_BACK, (r.returncode, r.stderr)
    assert "Device or resource busy" in r.stderr and "put back" in r.stderr, r.stderr
    assert (driver(root, "0000:02:00.0"), driver(root, "0000:02:00.1")) == ("nouveau", "snd_hda_intel")
    assert attr(root, "0000:02:00.0", "driver_override") == "(null)"
    os.unlink(os.path.join(root, ".emulate"))
    assert tree_digest(root) == before


@case("a driver that refuses to bind is detected and the group put back")
def _():
    root = host("desktop-intel")
    run(root, "bind-devices", "return", "0000:02:00.0")
    emulate(root, "refuse-bind 0000:02:00.1 vfio-pci")
    r = run(root, "bind-devices", "bind", "0000:02:00.0")
    assert r.returncode == EXIT_ROLLED_BACK, (r.returncode, r.stderr)
    assert "did not bind to vfio-pci" in r.stderr, r.stderr
    assert driver(root, "0000:02:00.0") == "nouveau"


@case("return --device-only moves one function; a return no driver takes is undone")
def _():
    root = host("desktop-intel")
    r = run(root, "bind-devices", "return", "0000:02:00.1", "--device-only")
    assert r.returncode == 0, r.stderr
    assert (driver(root, "0000:02:00.0"), driver(root, "0000:02:00.1")) == ("vfio-pci", "snd_hda_intel")
    shutil.rmtree(os.path.join(root, "sys/bus/pci/drivers/nouveau"))
    r = run(root, "bind-devices", "return", "0000:02:00.0")
    assert r.returncode == EXIT_ROLLED_BACK, (r.returncode, r.stderr)
    assert "no host driver took 0000:02:00.0" in r.stderr, r.stderr
    assert driver(root, "0000:02:00.0") == "vfio-pci"


@case("set-vfs: 0 first, range-checked, VFs appear with their own groups, autoprobe off keeps them free")
def _():
    root = host("server-sriov")
    pf = "0000:18:00.0"
    assert attr(root, pf, "sriov_numvfs") == "4"
    r = run(root, "sriov", "set-vfs", pf, "2", "--dry-run", "--json")
    plan = json.loads(r.stdout)
    assert [w["value"] for w in plan["sysfs"]] == ["0", "2"], plan
    r = run(root, "sriov", "set-vfs", pf, "2")
    assert r.returncode == 0, r.stderr
    assert attr(root, pf, "sriov_numvfs") == "2"
    vfs = sorted(os.readlink(os.path.join(root, "sys/bus/pci/devices", pf, n))[3:]
                 for n in os.listdir(os.path.join(root, "sys/bus/pci/devices", pf)) if n.startswith("virtfn"))
    assert vfs == ["0000:18:10.0", "0000:18:10.2"], vfs
    assert driver(root, vfs[0]) == "ixgbevf"
    info = devices(root)
    assert len({info[vf]["iommu_group"] for vf in vfs} | {info[pf]["iommu_group"]}) == 3, info
    r = run(root, "sriov", "set-vfs", pf, "3", "--keep-vfs-free")
    assert r.returncode == 0, r.stderr
    assert attr(root, pf, "sriov_drivers_autoprobe") == "0"
    assert driver(root, "0000:18:10.4") is None
    r = run(root, "sriov", "set-vfs", pf, "64")
    assert r.returncode == EXIT_USAGE and "0 to 63" in r.stderr, (r.returncode, r.stderr)
    r = run(root, "sriov", "set-vfs", pf, "0")
    assert r.returncode == 0, r.stderr
    assert not any(n.startswith("virtfn") for n in os.listdir(os.path.join(root, "sys/bus/pci/devices", pf)))
    assert not os.path.exists(os.path.join(root, "sys/bus/pci/devices/0000:18:10.0"))


BOOT_HOSTS = ["server-sriov", "laptop-iommu-off", "amd-host", "nvme-root", "popos-kernelstub",
              "debian-dropin", "ubuntu-builtin", "openeuler-uefi"]


def plan_of(root, *args):
    r = run(root, *args, "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@case("enable-iommu applies exactly its dry run on every boot layout, and undo restores every byte")
def _():
    for name in BOOT_HOSTS:
        root = host(name)
        ctl_plan = subprocess.run([ctl, "--root", root, "boot", "enable-iommu", "--dry-run", "--json"],
                                  capture_output=True, text=True)
        plan = plan_of(root, "configure-boot", "enable-iommu")
        assert json.loads(ctl_plan.stdout) == plan, (name, "passthroughctl and the helper agree")
        before = {f["path"]: read(root, f["path"][1:]) for f in plan["files"]}
        r = run(root, "configure-boot", "enable-iommu")
        assert r.returncode == 0, (name, r.stderr)
        for f in plan["files"]:
            assert read(root, f["path"][1:]) == f["after"], (name, f["path"])
        assert emulated_commands(root) == plan["commands"], (name, emulated_commands(root))
        again = plan_of(root, "configure-boot", "enable-iommu")
        assert again["files"] == [], (name, "idempotent", again)
        r = run(root, "configure-boot", "undo")
        assert r.returncode == 0, (name, r.stderr)
        for path, text in before.items():
            assert read(root, path[1:]) == text, (name, path)
        history = run(root, "configure-boot", "history").stdout.splitlines()
        states = [line.split("\t")[2] for line in history]
        if plan["files"]:
            assert states == ["undone", "done"], (name, history)


@case("undo N undoes N and every later change; the undo itself can be undone")
def _():
    root = host("nvme-root")
    cfg = "etc/default/grub.d/50-cloudimg-settings.cfg"
    original = read(root, cfg)
    assert run(root, "configure-boot", "enable-iommu").returncode == 0
    after_first = read(root, cfg)
    with open(os.path.join(root, cfg), "a") as f:
        f.write('\nGRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=off"\n')
    assert run(root, "configure-boot", "enable-iommu").returncode == 0
    r = run(root, "configure-boot", "undo", "1")
    assert r.returncode == 0, r.stderr
    # What is undone is named, not only numbered.
    assert "Undo changes 1 to 2: Turn the IOMMU on at the next boot; Turn the IOMMU on" in r.stdout, r.stdout
    assert read(root, cfg) == original
    r = run(root, "configure-boot", "undo", "3")
    assert r.returncode == 0, r.stderr
    assert read(root, cfg) != original and "intel_iommu=on" in read(root, cfg)
    r = run(root, "configure-boot", "undo", "1")
    assert r.returncode == EXIT_NOT_FOUND and "not in effect" in r.stderr, (r.returncode, r.stderr)
    assert after_first is not None


def file_states(root, plan):
    out = []
    for f in plan["files"]:
        now = read(root, f["path"][1:])
        out.append("old" if now == f["before"] else "new" if now == f["after"] else "torn")
    return out


@case("killed after any step of a boot change: each file is old or new, and the next run rolls back")
def _():
    for name in ("laptop-iommu-off", "nvme-root", "amd-host"):
        clean = host(name)
        plan = plan_of(clean, "configure-boot", "enable-iommu")
        assert run(clean, "configure-boot", "enable-iommu").returncode == 0
        steps = 1 + len(plan["files"]) + len(plan["commands"])
        for k in range(1, steps):
            root = host(name)
            emulate(root, f"crash-after-step {k}")
            r = run(root, "configure-boot", "enable-iommu")
            assert r.returncode == -9, (name, k, r.returncode, r.stderr)
            assert "torn" not in file_states(root, plan), (name, k)
            os.unlink(os.path.join(root, ".emulate"))
            r = run(root, "configure-boot", "enable-iommu")
            assert r.returncode == 0, (name, k, r.stderr)
            assert "was interrupted; rolling it back" in r.stdout, (name, k, r.stdout)
            assert file_states(root, plan) == ["new"] * len(plan["files"]), (name, k)
            history = [line.split("\t")[2] for line in
                       run(root, "configure-boot", "history").stdout.splitlines()]
            assert history == ["rolled-back", "done"], (name, k, history)
            assert run(root, "configure-boot", "undo").returncode == 0
            assert file_states(root, plan) == ["old"] * len(plan["files"]), (name, k)


@case("killed after any step of a bind: the next run puts the devices back")
def _():
    for k in range(1, 8):
        root = host("desktop-intel")
        run(root, "bind-devices", "return", "0000:02:00.0")
        emulate(root, f"crash-after-step {k}")
        r = run(root, "bind-devices", "bind", "0000:02:00.0")
        assert r.returncode == -9, (k, r.returncode)
        os.unlink(os.path.join(root, ".emulate"))
        r = run(root, "configure-boot", "undo")
        assert r.returncode == EXIT_RECOVERED, (k, r.returncode, r.stderr)
        assert "putting the devices back" in r.stdout, (k, r.stdout)
        assert "there is no change to undo" in r.stderr and "put back" in r.stderr, (k, r.stderr)
        assert (driver(root, "0000:02:00.0"), driver(root, "0000:02:00.1")) == ("nouveau", "snd_hda_intel"), k
        assert attr(root, "0000:02:00.1", "driver_override") == "(null)", k
        assert not os.path.exists(os.path.join(root, "var/lib/passthrough/devices.ini"))


HOSTILE = [
    (["bind-devices", "bind", "../../../etc/passwd"], EXIT_USAGE),
    (["bind-devices", "bind", "0000:01:00.0/../../x"], EXIT_USAGE),
    (["bind-devices", "bind", "0000:0g:00.0"], EXIT_USAGE),
    (["bind-devices", "bind", "0000:01:00.A"], EXIT_USAGE),
    (["bind-devices", "bind", "0000:01:20.0"], EXIT_USAGE),
    (["bind-devices", "bind", "0000:01:00.8"], EXIT_USAGE),
    (["bind-devices", "bind", "0000:01:00.0;reboot"], EXIT_USAGE),
    (["bind-devices", "bind", "$(reboot)"], EXIT_USAGE),
    (["bind-devices", "bind", "0000:01:00.0 "], EXIT_USAGE),
    (["bind-devices", "bind", "0000:01:00.0\n"], EXIT_USAGE),
    (["bind-devices", "bind", "0" * 4096], EXIT_USAGE),
    (["bind-devices", "bind", "０000:01:00.0"], EXIT_USAGE),
    (["bind-devices", "bind"], EXIT_USAGE),
    (["bind-devices", "bind", "0000:02:00.0", "0000:02:00.1"], EXIT_USAGE),
    (["bind-devices", "bind", "0000:02:00.0", "--force", "--force"], EXIT_USAGE),
    (["bind-devices", "bind", "0000:01:00.0", "--force"], EXIT_USAGE),
    (["bind-devices-force", "return", "0000:02:00.0"], EXIT_USAGE),
    (["bind-devices-force", "bind", "0000:02:00.0", "--force"], EXIT_USAGE),
    (["bind-devices", "bind", "0000:02:00.0", "--keep-vfs-free"], EXIT_USAGE),
    (["bind-devices", "bind", "0000:02:00.0", "--root=/"], EXIT_USAGE),
    (["bind-devices", "unbind", "0000:02:00.0"], EXIT_USAGE),
    (["sriov", "bind", "0000:02:00.0"], EXIT_USAGE),
    (["configure-boot", "set-vfs", "0000:02:00.0", "1"], EXIT_USAGE),
    (["sriov", "set-vfs", "0000:02:00.0", "-1"], EXIT_USAGE),
    (["sriov", "set-vfs", "0000:02:00.0", "01"], EXIT_USAGE),
    (["sriov", "set-vfs", "0000:02:00.0", "1e3"], EXIT_USAGE),
    (["sriov", "set-vfs", "0000:02:00.0", "99999999999"], EXIT_USAGE),
    (["sriov", "set-vfs", "0000:02:00.0", "65536"], EXIT_USAGE),
    (["sriov", "set-vfs", "0000:02:00.0"], EXIT_USAGE),
    (["sriov", "set-vfs", "0000:02:00.0", "2"], EXIT_REFUSED),
    (["configure-boot", "enable-iommu", "extra"], EXIT_USAGE),
    (["configure-boot", "undo", "0"], EXIT_USAGE),
    (["configure-boot", "undo", "../1"], EXIT_USAGE),
    (["configure-boot", "undo", "7"], EXIT_NOT_FOUND),
    (["bind-devices", "bind", "0000:0f:00.0"], EXIT_NOT_FOUND),
    (["bind-devices", "bind", "0000:00:01.1"], EXIT_USAGE),
    ([], EXIT_USAGE),
] + [(["bind-devices", "bind", "0000:02:00.0"] + ["--force"] * 20, EXIT_USAGE)]


@case("hostile arguments: each refused with its exit status and nothing written")
def _():
    root = host("desktop-intel")
    run(root, "bind-devices", "return", "0000:02:00.0")
    before = tree_digest(root)
    for args, status in HOSTILE:
        r = run(root, *args)
        assert r.returncode == status, (args, r.returncode, r.stderr)
        assert r.stderr.startswith("passthrough-helper: "), (args, r.stderr)
        assert tree_digest(root) == before, (args, "wrote something")


@case("symlinks planted in the tree are not followed: nothing outside is touched")
def _():
    victim = tempfile.NamedTemporaryFile("w", delete=False)
    victim.write("precious\n")
    victim.close()
    # driver_override replaced by a link to a file elsewhere
    root = host("desktop-intel")
    run(root, "bind-devices", "return", "0000:02:00.0")
    override = os.path.join(root, "sys/bus/pci/devices/0000:02:00.1/driver_override")
    os.unlink(override)
    os.symlink(victim.name, override)
    r = run(root, "bind-devices", "bind", "0000:02:00.0")
    assert r.returncode == EXIT_ROLLED_BACK, (r.returncode, r.stderr)
    # the bus link of a device pointing out of sysfs
    root = host("desktop-intel")
    link = os.path.join(root, "sys/bus/pci/devices/0000:02:00.0")
    os.unlink(link)
    os.symlink("../../../../etc", link)
    before = tree_digest(root)
    for group, args in (("bind-devices-force", ["bind", "0000:02:00.0"]),
                        ("bind-devices", ["return", "0000:02:00.0"])):
        r = run(root, group, *args)
        verb = args[0]
        assert tree_digest(root) == before, (verb, r.stdout, r.stderr)
    assert r.returncode == 0 and "nothing to return" in r.stdout, r.stdout
    # /etc/default is a link to another directory
    root = host("server-sriov")
    outside = tempfile.mkdtemp(dir=trees)
    shutil.copy(os.path.join(root, "etc/default/grub"), outside)
    shutil.rmtree(os.path.join(root, "etc/default"))
    os.symlink(outside, os.path.join(root, "etc/default"))
    r = run(root, "configure-boot", "enable-iommu")
    assert r.returncode != 0, r.stdout
    # the state directory is a link
    root = host("nvme-root")
    os.makedirs(os.path.join(root, "var/lib"), exist_ok=True)
    os.symlink(outside, os.path.join(root, "var/lib/passthrough"))
    r = run(root, "configure-boot", "enable-iommu")
    assert r.returncode == EXIT_REFUSED and "passthrough" in r.stderr, (r.returncode, r.stderr)
    with open(victim.name) as f:
        assert f.read() == "precious\n"
    assert sorted(os.listdir(outside)) == ["grub"]
    os.unlink(victim.name)


@case("a file edited by someone else between planning and applying: refused, nothing written")
def _():
    root = host("server-sriov")
    emulate(root, "edit-after-plan etc/default/grub")
    grub = read(root, "etc/default/grub")
    r = run(root, "configure-boot", "enable-iommu")
    assert r.returncode == EXIT_REFUSED and "changed while" in r.stderr, (r.returncode, r.stderr)
    assert read(root, "etc/default/grub") == grub + "# edited by someone else\n"
    assert run(root, "configure-boot", "history").stdout == ""
    assert emulated_commands(root) == []


@case("one run at a time: a second run while the lock is held exits 75")
def _():
    root = host("nvme-root")
    os.makedirs(os.path.join(root, "var/lib/passthrough"))
    with open(os.path.join(root, "var/lib/passthrough/lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        before = tree_digest(root)
        r = run(root, "configure-boot", "enable-iommu")
        assert r.returncode == EXIT_LOCKED, (r.returncode, r.stderr)
        assert "another change" in r.stderr
        assert tree_digest(root) == before
    assert run(root, "configure-boot", "enable-iommu").returncode == 0


@case("a failing regenerator rolls the files back")
def _():
    root = host("server-sriov")
    grub = read(root, "etc/default/grub")
    emulate(root, "fail-command grub2-mkconfig")
    r = run(root, "configure-boot", "enable-iommu")
    assert r.returncode == EXIT_ROLLED_BACK, (r.returncode, r.stderr)
    assert "grub2-mkconfig failed" in r.stderr and "put back" in r.stderr, r.stderr
    assert read(root, "etc/default/grub") == grub


@case("the installed helper has no root option and no emulator, and refuses non-root changes")
def _():
    with open(installed_helper, "rb") as f:
        binary = f.read()
    assert b"--root" not in binary and b".emulate" not in binary
    r = subprocess.run([installed_helper, "--root", "/tmp", "configure-boot", "history"],
                       capture_output=True, text=True)
    assert r.returncode == EXIT_USAGE, (r.returncode, r.stderr)
    if os.geteuid() == 0:
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            installed_helper, "bind-devices", "bind", "0000:00:00.0"],
                           capture_output=True, text=True)
        assert r.returncode == 77, (r.returncode, r.stderr)


def ctl_run(root, *args, helper_path=None):
    env = dict(os.environ)
    env.pop("PASSTHROUGH_TEST_HELPER", None)
    if helper_path:
        env["PASSTHROUGH_TEST_HELPER"] = helper_path
    return subprocess.run([ctl, "--root", root, *args], capture_output=True, text=True, env=env,
                          timeout=120)


@case("passthroughctl bind/unbind/vfs preview without privilege and apply through the helper, with progress")
def _():
    root = host("desktop-intel")
    before = tree_digest(root)
    r = ctl_run(root, "unbind", "0000:02:00.0", "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert set(plan) == {"summary", "files", "sysfs", "commands", "reboot"}, plan
    assert plan["sysfs"][0] == {"path": "/sys/bus/pci/devices/0000:02:00.0/driver_override", "value": "\n"}
    r = ctl_run(root, "unbind", "0000:02:00.0")
    assert r.returncode == 2 and "--dry-run" in r.stderr, (r.returncode, r.stderr)
    assert tree_digest(root) == before
    r = ctl_run(root, "unbind", "0000:02:00.0", helper_path=helper)
    assert r.returncode == 0, r.stderr
    assert "[6/6] writing /sys/bus/pci/drivers_probe" in r.stdout, r.stdout
    assert driver(root, "0000:02:00.0") == "nouveau"
    r = ctl_run(root, "bind", "0000:02:00.0", "--json", helper_path=helper)
    assert r.returncode == 0 and json.loads(r.stdout)["sysfs"], r.stderr
    assert driver(root, "0000:02:00.0") == "vfio-pci"
    # A VF on vfio-pci is in use: its PF's VFs are not destroyed under it.
    root = host("server-sriov")
    numvfs = attr(root, "0000:18:00.0", "sriov_numvfs")
    r = ctl_run(root, "vfs", "0000:18:00.0", "0", helper_path=helper)
    assert r.returncode == 2 and "Virtual function 0000:18:10.4 is in use." in r.stderr, (r.returncode, r.stderr)
    assert attr(root, "0000:18:00.0", "sriov_numvfs") == numvfs
    r = ctl_run(root, "unbind", "0000:18:10.4", helper_path=helper)
    assert r.returncode == 0, r.stderr
    r = ctl_run(root, "vfs", "0000:18:00.0", "0", helper_path=helper)
    assert r.returncode == 0 and attr(root, "0000:18:00.0", "sriov_numvfs") == "0", r.stderr


@case("passthroughctl refuses bad input with a message, and the helper's failures read clearly")
def _():
    root = host("desktop-intel")
    before = tree_digest(root)
    for args, message in [
        (["bind", "0000:zz:00.0"], "not a PCI address"),
        (["bind"], "usage: passthroughctl bind"),
        (["bind", "0000:02:00.0", "--keep-vfs-free"], "does not take --keep-vfs-free"),
        (["vfs", "0000:18:00.0", "-1"], "Unknown option -1"),
        (["vfs", "0000:18:00.0", "1e3"], "not a number"),
        (["vfs", "0000:02:00.0", "2"], "no SR-IOV"),
        (["boot", "undo", "x"], "not a change number"),
        (["boot", "undo"], "no change to undo"),
        (["boot", "frobnicate"], "enable-iommu, early-bind"),
        (["boot", "early-bind", "0000:02:00.0"], "--by-address"),
        (["boot", "early-bind", "--by-id", "--by-address", "0000:02:00.0"], "--by-address"),
        (["boot", "enable-iommu", "--by-id"], "does not take --by-id"),
    ]:
        r = ctl_run(root, *args, helper_path=helper)
        assert r.returncode == 2, (args, r.returncode)
        assert message in r.stderr, (args, r.stderr)
        assert tree_digest(root) == before, args
    run(root, "bind-devices", "return", "0000:02:00.0")
    emulate(root, "busy-unbind 0000:02:00.1")
    r = ctl_run(root, "bind", "0000:02:00.0", helper_path=helper)
    assert r.returncode == 2, r.returncode
    assert "Device or resource busy" in r.stderr and "was put back" in r.stderr, r.stderr
    with open(os.path.join(root, "var/lib/passthrough/lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        r = ctl_run(root, "bind", "0000:02:00.0", helper_path=helper)
        assert "Another change to this host is running" in r.stderr, r.stderr


@case("passthroughctl boot history and undo, previewed without privilege")
def _():
    root = host("server-sriov")
    grub = read(root, "etc/default/grub")
    r = ctl_run(root, "boot", "history")
    assert r.returncode == 0 and "No boot changes" in r.stdout, r.stdout
    assert ctl_run(root, "boot", "enable-iommu", helper_path=helper).returncode == 0
    history = json.loads(ctl_run(root, "boot", "history", "--json").stdout)
    assert [(c["id"], c["state"], c["files"]) for c in history] == [(1, "done", ["/etc/default/grub"])], history
    assert history[0]["restart_pending"] is True, history
    assert "A restart is needed" in ctl_run(root, "boot", "history").stdout
    with open(os.path.join(root, "proc/sys/kernel/random/boot_id"), "w") as f:
        f.write("00000000-0000-4000-8000-000000000000\n")   # as after a restart
    assert json.loads(ctl_run(root, "boot", "history", "--json").stdout)[0]["restart_pending"] is False
    r = ctl_run(root, "boot", "undo", "1", "--dry-run", "--json")
    plan = json.loads(r.stdout)
    assert plan["files"][0]["after"] == grub and plan["commands"] == [["grub2-mkconfig", "-o", "/boot/grub2/grub.cfg"]], plan
    r = ctl_run(root, "boot", "undo", "1", helper_path=helper)
    assert r.returncode == 0, r.stderr
    assert read(root, "etc/default/grub") == grub


@case("early binding by ID: modprobe.d with softdeps, vfio in the initramfs (no vfio_virqfd from 6.2), verified, undone")
def _():
    for name, address, tool_file in [("server-sriov", "0000:3b:00.0", "etc/dracut.conf.d/passthrough-vfio.conf"),
                                     ("amd-host", None, "etc/mkinitcpio.conf"),
                                     ("desktop-intel", "0000:03:00.0", "etc/initramfs-tools/modules")]:
        root = host(name)
        if address is None:
            info = devices(root)
            ids = [(d["vendor_id"], d["device_id"]) for d in info.values()]
            address = next(g["host_drivers"][0] for g in groups(root).values()
                           if not g["used_by_host"] and g["host_drivers"]
                           and all(ids.count((info[a]["vendor_id"], info[a]["device_id"])) == 1
                                   for a in g["devices"]))
        release = read(root, "proc/sys/kernel/osrelease").strip()
        major, minor = (int(x) for x in release.split(".")[:2])
        plan = plan_of(root, "configure-boot", "early-bind-ids", address)
        r = ctl_run(root, "boot", "early-bind", "--by-id", address, "--dry-run", "--json")
        assert json.loads(r.stdout) == plan, (name, "passthroughctl and the helper agree")
        originals = {f["path"]: f["before"] for f in plan["files"]}
        r = ctl_run(root, "boot", "early-bind", "--by-id", address, helper_path=helper)
        assert r.returncode == 0, (name, r.stderr)
        initramfs = read(root, tool_file)
        assert "vfio_pci" in initramfs, (name, initramfs)
        assert ("vfio_virqfd" in initramfs) == ((major, minor) < (6, 2)), (name, release, initramfs)
        modprobe = read(root, "etc/modprobe.d/passthrough-vfio.conf") or ""
        cmdline_files = [f for f in plan["files"] if "vfio-pci.ids=" in (f["after"] or "")]
        assert "options vfio-pci ids=" in modprobe or cmdline_files, (name, plan)
        assert "softdep" in modprobe or cmdline_files, (name, modprobe)
        assert emulated_commands(root)[-1][0] in ("lsinitrd", "lsinitramfs", "lsinitcpio"), name
        assert ctl_run(root, "boot", "undo", helper_path=helper).returncode == 0, name
        for path, text in originals.items():
            assert read(root, path[1:]) == text, (name, path)


@case("early binding of one of two identical devices: refused by ID, done by address with a udev rule for it alone")
def _():
    root = host("nvme-root")
    info = devices(root)
    twins = sorted(a for a, d in info.items() if (d["vendor_id"], d["device_id"]) == ("144d", "a80a"))
    assert len(twins) == 2, twins
    chosen = next(a for a in twins if not info[a]["host_use"])
    other = next(a for a in twins if a != chosen)
    before = tree_digest(root)
    r = ctl_run(root, "boot", "early-bind", "--by-id", chosen, helper_path=helper)
    assert r.returncode == 2 and other in r.stderr and "--by-address" in r.stderr, r.stderr
    assert tree_digest(root) == before
    r = ctl_run(root, "boot", "early-bind", "--by-address", chosen, helper_path=helper)
    assert r.returncode == 0, r.stderr
    rules = read(root, "etc/udev/rules.d/60-passthrough-vfio.rules")
    assert f'KERNEL=="{chosen}"' in rules and other not in rules, rules
    assert 'ATTR{vendor}=="0x144d", ATTR{device}=="0xa80a"' in rules, rules
    assert 'ATTR{driver_override}="vfio-pci"' in rules, rules
    r = ctl_run(root, "boot", "early-bind", "--by-address", other, helper_path=helper)
    assert r.returncode == 2 and "in use by this host" in r.stderr, r.stderr


@case("built-in vfio-pci: by ID the IDs go on the kernel line and grub.cfg is read back; a stale grub.cfg rolls back")
def _():
    root = host("ubuntu-builtin")
    dropin = "etc/default/grub.d/90-iommu.cfg"
    original = read(root, dropin)
    r = ctl_run(root, "boot", "early-bind", "--by-id", "0000:01:00.0", helper_path=helper)
    assert r.returncode == 0, r.stderr
    assert read(root, dropin) == ('GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on '
                                  'vfio-pci.ids=10de:2504,10de:228e"\n'), read(root, dropin)
    assert "vfio-pci.ids=10de:2504,10de:228e" in read(root, "boot/grub/grub.cfg")
    assert [c[0] for c in emulated_commands(root)] == ["update-grub"], emulated_commands(root)
    assert read(root, "etc/modprobe.d/passthrough-vfio.conf") is None
    root = host("ubuntu-builtin")
    emulate(root, "grub-cfg-stale all")
    r = ctl_run(root, "boot", "early-bind", "--by-id", "0000:01:00.0", helper_path=helper)
    assert r.returncode != 0 and "/boot/grub/grub.cfg has no vfio-pci.ids on the kernel line" in r.stderr, r.stderr
    assert read(root, dropin) == original


@case("by address the rule goes into every image: an executable initramfs-tools hook, mkinitcpio FILES for each preset")
def _():
    root = host("ubuntu-builtin")
    modules = read(root, "etc/initramfs-tools/modules")
    r = ctl_run(root, "boot", "early-bind", "--by-address", "0000:01:00.0", helper_path=helper)
    assert r.returncode == 0, r.stderr
    hook = os.path.join(root, "etc/initramfs-tools/hooks/passthrough-vfio")
    assert os.stat(hook).st_mode & 0o777 == 0o755, oct(os.stat(hook).st_mode)
    assert "cp /etc/udev/rules.d/60-passthrough-vfio.rules" in read(root, hook[len(root) + 1:])
    assert read(root, "etc/initramfs-tools/modules") == modules, "a built-in vfio-pci needs no module"
    assert [c[0] for c in emulated_commands(root)] == ["update-initramfs", "lsinitramfs"], emulated_commands(root)
    assert ctl_run(root, "boot", "undo", helper_path=helper).returncode == 0
    assert not os.path.exists(hook)
    root = host("amd-host")
    r = ctl_run(root, "boot", "early-bind", "--by-address", "0000:04:00.0", helper_path=helper)
    assert r.returncode == 0, r.stderr
    assert "FILES=(/etc/udev/rules.d/60-passthrough-vfio.rules)" in read(root, "etc/mkinitcpio.conf")
    listed = [c[1] for c in emulated_commands(root) if c[0] == "lsinitcpio"]
    assert sorted(listed) == sorted(f"/boot/initramfs-{k}{f}.img" for k in ("linux", "linux-zen", "linux-lts")
                                    for f in ("", "-fallback")), listed


@case("an initramfs without the vfio modules after regenerating rolls the change back")
def _():
    root = host("server-sriov")
    emulate(root, "initramfs-without-vfio all")
    r = run(root, "configure-boot", "early-bind-addresses", "0000:3b:00.0")
    assert r.returncode == EXIT_ROLLED_BACK, (r.returncode, r.stderr)
    assert "no vfio-pci module in the new initramfs" in r.stderr, r.stderr
    assert read(root, "etc/dracut.conf.d/passthrough-vfio.conf") is None
    assert read(root, "etc/udev/rules.d/60-passthrough-vfio.rules") is None
    assert [c[0] for c in emulated_commands(root)] == ["dracut", "lsinitrd", "dracut"], emulated_commands(root)


@case("the way back: a copy of the default entry without the parameters, binding off, chosen once on every boot loader")
def _():
    root = host("desktop-intel")
    plan = plan_of(root, "configure-boot", "boot-once-without")
    assert [f["path"] for f in plan["files"]] == ["/etc/grub.d/42_passthrough-off"], plan
    assert plan["commands"] == [["update-grub"], ["grub-reboot", "passthrough-off"]], plan
    r = ctl_run(root, "boot", "once-without", helper_path=helper)
    assert r.returncode == 0, r.stderr
    script = os.path.join(root, "etc/grub.d/42_passthrough-off")
    assert os.stat(script).st_mode & 0o777 == 0o755
    grub_cfg = read(root, "boot/grub/grub.cfg")
    entry = grub_cfg[grub_cfg.index("--id passthrough-off {"):]
    kernel = next(line for line in entry.splitlines() if line.strip().startswith("linux"))
    assert "passthrough.vfio=off" in kernel and "vfio-pci.ids=" in kernel, kernel
    assert "intel_iommu" not in kernel and "single" not in kernel and "quiet" in kernel, kernel
    assert emulated_commands(root) == [["update-grub"], ["grub-reboot", "passthrough-off"]]
    assert ctl_run(root, "boot", "undo", helper_path=helper).returncode == 0
    assert not os.path.exists(script)
    # BLS, systemd-boot and kernelstub: an entry file and a one-time choice.
    for name, path, chooser in (("laptop-iommu-off", "boot/loader/entries/passthrough-off.conf",
                                 ["grub2-reboot", "passthrough-off"]),
                                ("amd-host", "boot/loader/entries/passthrough-off.conf",
                                 ["bootctl", "set-oneshot", "passthrough-off.conf"]),
                                ("popos-kernelstub", "boot/efi/loader/entries/passthrough-off.conf",
                                 ["bootctl", "set-oneshot", "passthrough-off.conf"])):
        root = host(name)
        r = ctl_run(root, "boot", "once-without", helper_path=helper)
        assert r.returncode == 0, (name, r.stderr)
        entry = read(root, path)
        options = next(line for line in entry.splitlines() if line.startswith("options "))
        assert "passthrough.vfio=off" in options and "iommu" not in options, (name, options)
        assert "version" not in entry and "sort-key" not in entry, (name, entry)
        assert emulated_commands(root) == [chooser], (name, emulated_commands(root))
    # If the regenerated grub.cfg lacks the entry, nothing is chosen and the script goes.
    root = host("openeuler-uefi")
    emulate(root, "grub-cfg-stale all")
    r = ctl_run(root, "boot", "once-without", helper_path=helper)
    assert r.returncode != 0, r.stderr
    assert "/boot/efi/EFI/openEuler/grub.cfg has no entry without Passthrough" in r.stderr, r.stderr
    assert read(root, "etc/grub.d/42_passthrough-off") is None
    assert [c[0] for c in emulated_commands(root)] == ["grub2-mkconfig", "grub2-mkconfig"], emulated_commands(root)


@case("a tree without /proc/sys/kernel/random (no boot id): changes are made, nothing crashes")
def _():
    root = host("server-sriov")
    shutil.rmtree(os.path.join(root, "proc/sys/kernel/random"))
    r = run(root, "configure-boot", "enable-iommu")
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert "intel_iommu=on" in read(root, "etc/default/grub")
    root = host("desktop-intel")
    shutil.rmtree(os.path.join(root, "proc/sys/kernel/random"))
    r = run(root, "bind-devices", "return", "0000:02:00.0")
    assert r.returncode == 0, (r.returncode, r.stderr)


def sys_digest(root):
    return tree_digest(os.path.join(root, "sys"))


def history_states(root):
    return [line.split("\t")[2] for line in run(root, "configure-boot", "history").stdout.splitlines()]


def set_boot_id(root, value):
    with open(os.path.join(root, "proc/sys/kernel/random/boot_id"), "w") as f:
        f.write(value + "\n")


@case("a bind killed before a restart: after it, any verb drops the record and moves no device")
def _():
    root = host("desktop-intel")
    run(root, "bind-devices", "return", "0000:02:00.0")
    emulate(root, "crash-after-step 5")
    assert run(root, "bind-devices", "bind", "0000:02:00.0").returncode == -9
    os.unlink(os.path.join(root, ".emulate"))
    set_boot_id(root, "00000000-0000-4000-8000-00000000beef")
    before = sys_digest(root)
    r = run(root, "bind-devices", "bind", "0000:0f:00.0")     # fails: no such device
    assert r.returncode == EXIT_NOT_FOUND, (r.returncode, r.stderr)
    assert "before this boot began" in r.stdout and "dropped" in r.stdout, r.stdout
    assert sys_digest(root) == before, "no device moved"
    assert driver(root, "0000:02:00.0") == "vfio-pci"
    assert not os.path.exists(os.path.join(root, "var/lib/passthrough/devices.ini"))


@case("putting devices back is judged like a bind: a device the host uses now is not taken from it")
def _():
    root = host("desktop-intel")
    assert run(root, "bind-devices-force", "bind", "0000:01:00.0").returncode == 0
    emulate(root, "crash-after-step 4")    # the boot GPU is back on nouveau, its audio not yet
    assert run(root, "bind-devices", "return", "0000:01:00.0").returncode == -9
    os.unlink(os.path.join(root, ".emulate"))
    assert driver(root, "0000:01:00.0") == "nouveau"
    before = sys_digest(root)
    r = run(root, "configure-boot", "undo")
    assert r.returncode == EXIT_NOT_FOUND, (r.returncode, r.stderr)
    assert "boot GPU" in r.stdout and "no device is moved" in r.stdout, r.stdout
    assert sys_digest(root) == before and driver(root, "0000:01:00.0") == "nouveau"
    assert not os.path.exists(os.path.join(root, "var/lib/passthrough/devices.ini"))


@case("a roll back is marked only after its regenerators ran: killed in one, the next run finishes it")
def _():
    root = host("server-sriov")
    grub = read(root, "etc/default/grub")
    emulate(root, "crash-in-command grub2-mkconfig")
    assert run(root, "configure-boot", "enable-iommu").returncode == -9
    assert history_states(root) == ["applying"]
    r = run(root, "configure-boot", "enable-iommu")      # recovery is killed in its regenerator
    assert r.returncode == -9 and "rolling it back" in r.stdout, (r.returncode, r.stdout)
    assert read(root, "etc/default/grub") == grub
    assert history_states(root) == ["applying"], "not rolled back before grub.cfg is regenerated"
    os.unlink(os.path.join(root, ".emulate"))
    r = run(root, "configure-boot", "undo")
    assert r.returncode == EXIT_RECOVERED, (r.returncode, r.stderr)
    assert history_states(root) == ["rolled-back"]
    assert emulated_commands(root)[-1] == ["grub2-mkconfig", "-o", "/boot/grub2/grub.cfg"]


@case("a recovery whose regenerator fails: its own exit status, never 'nothing was changed'; retried")
def _():
    root = host("server-sriov")
    emulate(root, "crash-in-command grub2-mkconfig")
    assert run(root, "configure-boot", "enable-iommu").returncode == -9
    os.unlink(os.path.join(root, ".emulate"))
    emulate(root, "fail-command grub2-mkconfig")
    r = run(root, "configure-boot", "enable-iommu")
    assert r.returncode == EXIT_RECOVERY_FAILED, (r.returncode, r.stderr)
    assert "tries again" in r.stderr and "Nothing else was done" in r.stderr, r.stderr
    assert history_states(root) == ["applying"]
    r = ctl_run(root, "boot", "enable-iommu", helper_path=helper)
    assert r.returncode == 2 and "could not be fully put back" in r.stderr, r.stderr
    assert "othing was changed" not in r.stderr, r.stderr
    os.unlink(os.path.join(root, ".emulate"))
    r = run(root, "configure-boot", "enable-iommu")
    assert r.returncode == 0, r.stderr
    assert history_states(root) == ["rolled-back", "done"]


@case("a recovery numbers its steps against the whole recovery: 1/N … N/N, one per file and regenerator")
def _():
    root = host("server-sriov")
    emulate(root, "crash-in-command grub2-mkconfig")     # every file written, the regenerator cut short
    assert run(root, "configure-boot", "enable-iommu").returncode == -9
    os.unlink(os.path.join(root, ".emulate"))
    r = run(root, "configure-boot", "undo")
    assert r.returncode == EXIT_RECOVERED, (r.returncode, r.stderr)
    steps = re.findall(r"^step (\d+)/(\d+): (.*)$", r.stdout, re.M)
    total = len(steps)
    assert total >= 3, r.stdout        # interrupted, at least one file, grub2-mkconfig
    assert [(int(n), int(of)) for n, of, _ in steps] == [(i, total) for i in range(1, total + 1)], r.stdout
    assert "was interrupted" in steps[0][2] and steps[-1][2] == "running grub2-mkconfig", r.stdout


@case("an administrator's edit after an interrupted change is kept, and the old copy named")
def _():
    root = host("server-sriov")
    emulate(root, "crash-after-step 2")     # the journal, then /etc/default/grub written
    assert run(root, "configure-boot", "enable-iommu").returncode == -9
    os.unlink(os.path.join(root, ".emulate"))
    with open(os.path.join(root, "etc/default/grub"), "a") as f:
        f.write("GRUB_TIMEOUT=3\n")
    edited = read(root, "etc/default/grub")
    r = run(root, "configure-boot", "undo")
    assert r.returncode == EXIT_RECOVERED, (r.returncode, r.stderr)
    assert read(root, "etc/default/grub") == edited
    assert "keeping /etc/default/grub" in r.stdout and "changes/1/before-0" in r.stdout, r.stdout
    assert history_states(root) == ["rolled-back"]


@case("an undo killed after marking what it undid is rolled back and those changes are in effect again")
def _():
    root = host("nvme-root")
    assert run(root, "configure-boot", "enable-iommu").returncode == 0
    enabled = {p: read(root, p) for p in ("etc/default/grub.d/50-cloudimg-settings.cfg",)}
    plan = plan_of(root, "configure-boot", "undo")
    emulate(root, f"crash-after-step {2 + len(plan['files']) + len(plan['commands'])}")
    assert run(root, "configure-boot", "undo").returncode == -9
    assert history_states(root) == ["undone", "applying"]
    os.unlink(os.path.join(root, ".emulate"))
    r = run(root, "configure-boot", "undo")
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert history_states(root) == ["undone", "rolled-back", "done"], history_states(root)
    assert all(read(root, p) != text for p, text in enabled.items()), "undone once, not re-applied"


@case("a journal someone other than root could change is refused, with how to fix it")
def _():
    for plant in ("owner", "mode", "link"):
        root = host("server-sriov")
        assert run(root, "configure-boot", "enable-iommu").returncode == 0
        record = os.path.join(root, "var/lib/passthrough/changes/1/change.ini")
        if plant == "owner":
            os.chown(record, 65534, 65534)
        elif plant == "mode":
            os.chmod(os.path.join(root, "var/lib/passthrough/changes"), 0o775)
        else:
            os.symlink("/etc/passwd", os.path.join(root, "var/lib/passthrough/changes/1/before-1"))
        before = tree_digest(root)
        r = run(root, "configure-boot", "undo")
        assert r.returncode == EXIT_REFUSED, (plant, r.returncode, r.stderr)
        assert "chown -R root:root /var/lib/passthrough" in r.stderr, (plant, r.stderr)
        assert tree_digest(root) == before, plant


@case("regenerators are the planner's, never the command a record stores")
def _():
    root = host("server-sriov")
    assert run(root, "configure-boot", "enable-iommu").returncode == 0
    record = os.path.join(root, "var/lib/passthrough/changes/1/change.ini")
    text = read(root, "var/lib/passthrough/changes/1/change.ini")
    assert "argv=grub2-mkconfig;-o;/boot/grub2/grub.cfg;" in text, text
    with open(record, "w") as f:
        f.write(text.replace("/boot/grub2/grub.cfg", "/etc/shadow"))
    r = run(root, "configure-boot", "undo")
    assert r.returncode == EXIT_REFUSED and "not how this host regenerates" in r.stderr, (r.returncode, r.stderr)
    assert ["grub2-mkconfig", "-o", "/etc/shadow"] not in emulated_commands(root)
    assert "intel_iommu=on" in read(root, "etc/default/grub")


@case("replaced files keep owner, group, mode and extended attributes; journal copies keep the mode")
def _():
    root = host("server-sriov")
    grub = os.path.join(root, "etc/default/grub")
    os.chown(grub, 1000, 1001)
    os.chmod(grub, 0o640)
    attrs = {}
    try:
        os.setxattr(grub, "user.passthrough-test", b"kept")
        attrs["user.passthrough-test"] = b"kept"
    except OSError:
        pass
    if shutil.which("setfacl") and subprocess.run(["setfacl", "-m", "u:1002:r", grub]).returncode == 0:
        attrs["system.posix_acl_access"] = os.getxattr(grub, "system.posix_acl_access")
    try:
        attrs["security.selinux"] = os.getxattr(grub, "security.selinux")
    except OSError:
        pass
    mode = os.stat(grub).st_mode & 0o7777
    r = run(root, "configure-boot", "enable-iommu")
    assert r.returncode == 0, r.stderr
    st = os.stat(grub)
    assert "intel_iommu=on" in read(root, "etc/default/grub")
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (1000, 1001, mode), (st, mode)
    for name, value in attrs.items():
        assert os.getxattr(grub, name) == value, name
    copy = os.stat(os.path.join(root, "var/lib/passthrough/changes/1/before-0"))
    assert copy.st_mode & 0o777 == 0o640 and copy.st_uid == 0, oct(copy.st_mode)
    assert run(root, "configure-boot", "undo").returncode == 0
    st = os.stat(grub)
    assert (st.st_uid, st.st_gid) == (1000, 1001), st


@case("a different card at the address since planning is not written to")
def _():
    root = host("desktop-intel")
    run(root, "bind-devices", "return", "0000:02:00.0")
    emulate(root, "swap-after-plan 0000:02:00.0 abcd")
    r = run(root, "bind-devices", "bind", "0000:02:00.0")
    assert r.returncode == EXIT_ROLLED_BACK, (r.returncode, r.stderr)
    assert "0x10de:0xabcd" in r.stderr and "planned for" in r.stderr, r.stderr
    assert driver(root, "0000:02:00.0") == "nouveau"
    assert attr(root, "0000:02:00.0", "driver_override") == "(null)"


def bound(root):
    return (driver(root, "0000:02:00.0"), driver(root, "0000:02:00.1")) == ("vfio-pci", "vfio-pci") and \
        not os.path.exists(os.path.join(root, "var/lib/passthrough/devices.ini"))


def start_bind(root, **kwargs):
    """A bind that pauses after its second step, its output read up to there."""
    run(root, "bind-devices", "return", "0000:02:00.0")
    emulate(root, "sleep-after-step 2")
    p = subprocess.Popen([helper, "--root", root, "bind-devices", "bind", "0000:02:00.0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    while "step 2/" not in p.stdout.readline():
        pass
    return p


@case("the window closed mid-change (SIGPIPE): the helper finishes the change")
def _():
    root = host("desktop-intel")
    p = start_bind(root)
    p.stdout.close()
    assert p.wait(timeout=60) == 0, (p.returncode, p.stderr.read())
    assert bound(root)


@case("Ctrl-C to the caller's process group, SIGTERM, SIGHUP mid-change: the helper finishes the change")
def _():
    root = host("desktop-intel")
    p = start_bind(root, start_new_session=True)
    os.killpg(p.pid, signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, (p.returncode, err)
    assert bound(root)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        root = host("desktop-intel")
        run(root, "bind-devices", "return", "0000:02:00.0")
        emulate(root, f"signal-after-step 3 {int(sig)}")
        r = run(root, "bind-devices", "bind", "0000:02:00.0")
        assert r.returncode == 0, (sig, r.returncode, r.stderr)
        assert bound(root), sig


@case("limits set by the caller (a tiny file size) do not cut a change short")
# The soft limit only: raising a hard one needs CAP_SYS_RESOURCE, which a container may lack.
def _():
    root = host("server-sriov")
    r = subprocess.run([helper, "--root", root, "configure-boot", "enable-iommu"], capture_output=True,
                       text=True, timeout=120,
                       preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (64, resource.RLIM_INFINITY)))
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert "intel_iommu=on" in read(root, "etc/default/grub")
    assert history_states(root) == ["done"]


@case("started without stdin, stdout and stderr: no file the helper writes becomes one of them")
def _():
    root = host("server-sriov")

    def close_standard_fds():
        for fd in (0, 1, 2):
            os.close(fd)

    for args, status in ((["enable-iommu"], 0), (["undo", "7"], EXIT_NOT_FOUND)):
        r = subprocess.run([helper, "--root", root, "configure-boot", *args], timeout=120,
                           preexec_fn=close_standard_fds)
        assert r.returncode == status, (args, r.returncode)
    for dirpath, _, names in os.walk(os.path.join(root, "var/lib/passthrough")):
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as f:
                text = f.read()
            assert b"step " not in text and b"passthrough-helper:" not in text, (name, text)
    assert "intel_iommu=on" in read(root, "etc/default/grub")


@case("a set-user-ID copy run by another user is refused: the real uid must be root too")
def _():
    if os.geteuid() != 0 or "asan" in os.path.basename(helper):
        print("# not root, or a sanitizer build (they do not run set-user-ID): skipped")
        return
    root = host("server-sriov")
    before = tree_digest(root)
    work = tempfile.mkdtemp()
    os.chmod(work, 0o755)
    copy = os.path.join(work, "passthrough-helper-test")
    shutil.copy(helper, copy)
    os.chmod(copy, 0o4755)
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        copy, "--root", root, "configure-boot", "enable-iommu"],
                       capture_output=True, text=True)
    shutil.rmtree(work)
    assert r.returncode == 77, (r.returncode, r.stderr)
    assert tree_digest(root) == before

@case("passthroughctl bind --force asks for the helper's own forced-bind action")
def _():
    root = host("desktop-intel")
    r = ctl_run(root, "bind", "0000:01:00.0", helper_path=helper)
    assert r.returncode == 2 and "boot GPU" in r.stderr, (r.returncode, r.stderr)
    r = ctl_run(root, "bind", "0000:01:00.0", "--force", helper_path=helper)
    assert r.returncode == 0, r.stderr
    assert driver(root, "0000:01:00.0") == "vfio-pci"


@case("the installed helper is linked with full RELRO (-z relro -z now)")
def _():
    if shutil.which("readelf") is None:
        print("# readelf is missing: skipped")
        return
    dynamic = subprocess.run(["readelf", "-d", installed_helper], capture_output=True, text=True).stdout
    segments = subprocess.run(["readelf", "-lW", installed_helper], capture_output=True, text=True).stdout
    assert "BIND_NOW" in dynamic, dynamic
    assert "GNU_RELRO" in segments, segments


@case("the installed helper links no libpci: root parses no pci.ids, a plan needs no names")
def _():
    if shutil.which("ldd") is None:
        print("# ldd is missing: skipped")
        return
    libraries = subprocess.run(["ldd", installed_helper], capture_output=True, text=True).stdout
    assert "libglib-2.0" in libraries, libraries
    assert "libpci" not in libraries and "libudev" not in libraries, libraries


SWEPT = ["write", "rename", "renameat", "renameat2", "unlink", "unlinkat", "mkdir", "mkdirat",
         "fsync", "fdatasync"]


def syscall_counts(root, *args):
    trace = os.path.join(root, ".trace")
    subprocess.run(["strace", "-f", "-qq", "-o", trace, "-e", "trace=" + ",".join(SWEPT),
                    helper, "--root", root, *args], capture_output=True, timeout=120)
    counts = {}
    with open(trace) as f:
        for line in f:
            name = line.split(None, 1)[1].split("(", 1)[0] if " " in line else ""
            if name in SWEPT:
                counts[name] = counts.get(name, 0) + 1
    return counts


SWEEP_CASE = "killed at every write, rename, unlink, mkdir and fsync (strace inject), on two hosts: recovered"


@case(SWEEP_CASE)
def _():
    if shutil.which("strace") is None or "asan" in os.path.basename(helper):
        print("# strace missing, or a sanitizer build (too slow under ptrace): skipped")
        return
    boot_plan = plan_of(host("server-sriov"), "configure-boot", "enable-iommu")
    sweeps = [
        ("server-sriov", ["configure-boot", "enable-iommu"], lambda root: (
            file_states(root, boot_plan) == ["new"] * len(boot_plan["files"])
            and history_states(root)[-1] == "done" and "applying" not in history_states(root))),
        ("desktop-intel", ["bind-devices", "bind", "0000:02:00.0"], bound),
    ]
    runs = 0
    for name, args, settled in sweeps:
        prepared = host(name)
        if name == "desktop-intel":
            run(prepared, "bind-devices", "return", "0000:02:00.0")
        counts = syscall_counts(host_copy(prepared), *args)
        assert counts.get("write") and counts.get("renameat"), counts
        for syscall, count in counts.items():
            for n in range(1, count + 1):
                root = host_copy(prepared)
                r = subprocess.run(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=" + syscall,
                                    "-e", f"inject={syscall}:signal=KILL:when={n}",
                                    helper, "--root", root, *args], capture_output=True, text=True,
                                   timeout=120)
                runs += 1
                if name == "server-sriov":
                    assert "torn" not in file_states(root, boot_plan), (syscall, n)
                r = run(root, *args)
                assert r.returncode == 0, (name, syscall, n, r.returncode, r.stderr)
                assert settled(root), (name, syscall, n, r.stdout)
                assert not os.path.exists(os.path.join(root, "var/lib/passthrough/devices.ini"))
                shutil.rmtree(root)
    print(f"# {runs} runs killed at a syscall")


@case("every directory the helper creates or renames into is fsynced right after (strace)")
def _():
    if shutil.which("strace") is None or "asan" in os.path.basename(helper):
        print("# strace missing, or a sanitizer build (LeakSanitizer fails under ptrace): skipped")
        return
    root = host("server-sriov")
    r = subprocess.run(["strace", "-f", "-qq", "-y", "-e", "trace=mkdirat,renameat,renameat2,fsync",
                        helper, "--root", root, "configure-boot", "enable-iommu"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    calls = re.findall(r"^(?:\[pid +\d+\] )?(mkdirat|renameat2?|fsync)\(\d+<([^>]*)>.*= 0$", r.stderr, re.M)
    created = [i for i, (name, _) in enumerate(calls) if name != "fsync"]
    assert len(created) >= 8, calls      # var, var/lib, …, changes/1, then the copies and files
    for i in created:
        parent = calls[i][1]
        assert i + 1 < len(calls) and calls[i + 1] == ("fsync", parent), (calls[i], calls[i + 1:i + 2])


run_cases(select=lambda name: (name == SWEEP_CASE) == syscall_sweep)
