#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""passthroughctl against a real libvirtd with the QEMU driver.

Usage: test-real-libvirtd.py PASSTHROUGHCTL FIXTURE_HOST

Uses qemu:///session of an unprivileged user (nobody, when run as root) in a
private directory, so nothing of the machine's own libvirt is touched: the
client starts that user's libvirtd itself. The VMs are made the way users
make them: `virt-install --print-xml` against that libvirtd (Windows 11 with
UEFI and TPM, desktops and servers, i440fx and q35, virtio-scsi and SATA,
existing USB and PCI hostdevs, many root ports and none free). Each is given
a GPU with its audio and a single function, then they are taken back: every
other element of the definition must be unchanged, compared element by
element, and the placement rules are checked on the saved XML. A running q35
VM shows what libvirt answers a hot-plug on a machine that cannot assign
devices, and that nothing was saved.

The host's devices come from a fixture tree (--root), as this machine has no
GPU to give; libvirt does not look at the host's devices until a VM starts.
What nobody runs (the CLI, its libvirt twin, the tree) is copied to a
directory it can read, so the test passes from a checkout in root's 0700
home. Prints TAP; skips (not passes) when libvirtd, virsh, virt-install or
QEMU are missing.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

from tapcases import case, run_cases

URI = "qemu:///session"
GPU = ["0000:02:00.0", "0000:02:00.1"]
NVME = "0000:03:00.0"


def skip(reason):
    print(f"1..0 # SKIP {reason}")
    sys.exit(0)


for tool in ("libvirtd", "virsh", "virt-install", "qemu-system-x86_64", "qemu-img"):
    if shutil.which(tool) is None:
        skip(f"{tool} is not installed (Debian: libvirt-daemon libvirt-daemon-driver-qemu "
             f"libvirt-clients virtinst qemu-system-x86 qemu-utils)")

home = tempfile.mkdtemp(prefix="pt-libvirtd-")
os.chmod(home, 0o755)

# What nobody runs must be where nobody can reach it.
bindir = os.path.join(home, "bin")
os.mkdir(bindir)
for name in ("passthroughctl", "passthroughctl-libvirt"):
    shutil.copy2(os.path.join(os.path.dirname(sys.argv[1]), name), bindir)
CTL = os.path.join(bindir, "passthroughctl")
ROOT = os.path.join(home, "host")
shutil.copytree(sys.argv[2], ROOT, symlinks=True)

prefix = []
if os.geteuid() == 0:
    subprocess.run(["chown", "-R", "nobody:nogroup", home], check=True)
    prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
env = dict(os.environ, HOME=home, XDG_RUNTIME_DIR=os.path.join(home, "run"),
           XDG_CONFIG_HOME=os.path.join(home, "config"), XDG_CACHE_HOME=os.path.join(home, "cache"),
           LC_ALL="C.UTF-8")


def run(*argv, check=False, stdin=None):
    result = subprocess.run(prefix + list(argv), env=env, capture_output=True, text=True,
                            timeout=180, input=stdin, cwd=home)
    if check and result.returncode != 0:
        raise AssertionError(f"{argv} failed: {result.stderr}")
    return result


def ctl(*args, check=False):
    return run(CTL, "--connect", URI, "--root", ROOT, *args, check=check)


def virsh(*args, check=True, stdin=None):
    return run("virsh", "-c", URI, *args, check=check, stdin=stdin)


def saved(name):
    return virsh("dumpxml", "--inactive", name).stdout


def source_of(hostdev):
    address = hostdev.find("source/address")
    if address is None or hostdev.get("type") != "pci":
        return None
    return "{:04x}:{:02x}:{:02x}.{:x}".format(
        *(int(address.get(k, "0"), 16) for k in ("domain", "bus", "slot", "function")))


def canonical(node):
    return ET.tostring(node, encoding="unicode").strip()


def assert_same_definition(before, after, what):
    """Element by element: everything outside <devices> in order, and each
    device unchanged. libvirt sorts <controller> elements by type and index
    whenever it parses a definition (a device edit included), so their order
    is its own; every other device keeps its place."""
    a, b = ET.fromstring(before), ET.fromstring(after)
    a_devices, b_devices = a.find("devices"), b.find("devices")
    a.remove(a_devices)
    b.remove(b_devices)
    assert canonical(a) == canonical(b), f"{what}: outside <devices>:\n{canonical(a)}\n{canonical(b)}"

    def split(devices):
        controllers = sorted(canonical(d) for d in devices if d.tag == "controller")
        others = [canonical(d) for d in devices if d.tag != "controller"]
        return controllers, others

    (a_controllers, a_others), (b_controllers, b_others) = split(a_devices), split(b_devices)
    for x, y in zip(a_others, b_others):
        assert x == y, f"{what}: device changed:\n{x}\nbecame\n{y}"
    assert len(a_others) == len(b_others), f"{what}: {len(a_others)} devices became {len(b_others)}"
    missing = [c for c in a_controllers if c not in b_controllers]
    added = [c for c in b_controllers if c not in a_controllers]
    assert not missing and not added, f"{what}: controllers lost {missing}, gained {added}"


def our_hostdevs(xml):
    return {source_of(h): h for h in ET.fromstring(xml).iter("hostdev") if source_of(h) in GPU + [NVME]}


def check_placement(xml, name):
    root = ET.fromstring(xml)
    q35 = "q35" in root.find("os/type").get("machine")
    ports = {int(c.get("index")): c for c in root.iter("controller")
             if c.get("type") == "pci" and c.get("model") == "pcie-root-port"}
    devs = our_hostdevs(xml)
    assert set(devs) == set(GPU + [NVME]), f"{name}: {sorted(devs)}"
    gpu, audio, nvme = (devs[a].find("address") for a in GPU + [NVME])
    assert gpu.get("multifunction") == "on", f"{name}: {ET.tostring(gpu)}"
    assert (gpu.get("bus"), gpu.get("slot")) == (audio.get("bus"), audio.get("slot")), name
    assert (int(gpu.get("function"), 16), int(audio.get("function"), 16)) == (0, 1), name
    if q35:
        for address in (gpu, nvme):
            bus = int(address.get("bus"), 16)
            assert bus != 0, f"{name}: a hostdev on pcie.0"
            assert bus in ports, f"{name}: bus {bus} is not a pcie-root-port"
            assert int(address.get("slot"), 16) == 0, name
        assert gpu.get("bus") != nvme.get("bus"), f"{name}: two host slots behind one port"
    else:
        assert int(gpu.get("bus"), 16) == 0, f"{name}: i440fx devices sit on pci.0"


# The corpus: how people make VMs (virt-install, as virt-manager does), and
# what they add to them afterwards with `virsh attach-device --config`.
USB_HOSTDEV = ("<hostdev mode='subsystem' type='usb' managed='yes'><source>"
               "<vendor id='0x046d'/><product id='0xc52b'/></source></hostdev>")
PCI_HOSTDEV = ("<hostdev mode='subsystem' type='pci' managed='yes'><source>"
               "<address domain='0x0000' bus='0x00' slot='0x1f' function='0x6'/></source></hostdev>")
OLD_GPU = ("<hostdev mode='subsystem' type='pci' managed='yes'><source>"
           "<address domain='0x0000' bus='0x01' slot='0x00' function='0x{}'/></source></hostdev>")
# virt-install always adds 14 root ports; a definition written without
# them gets from libvirt the ports its devices use and one spare.
NO_ROOT_PORTS = "no-root-ports"


def without_root_ports(xml):
    root = ET.fromstring(xml)
    devices = root.find("devices")
    for controller in devices.findall("controller"):
        if controller.get("model") == "pcie-root-port":
            devices.remove(controller)
    return ET.tostring(root, encoding="unicode")

CORPUS = [
    ("win11-uefi-tpm", ["--osinfo", "win11", "--boot", "uefi", "--tpm", "emulator",
                        "--disk", "{disk},bus=sata", "--graphics", "spice"], []),
    ("win11-virtio-scsi", ["--osinfo", "win11", "--boot", "uefi", "--tpm", "emulator",
                           "--controller", "type=scsi,model=virtio-scsi",
                           "--disk", "{disk},bus=scsi", "--graphics", "spice"], []),
    ("win11-with-gpu", ["--osinfo", "win11", "--boot", "uefi", "--disk", "{disk},bus=sata"],
     [OLD_GPU.format(0), OLD_GPU.format(1)]),
    ("win10-i440fx", ["--osinfo", "win10", "--machine", "pc", "--disk", "{disk},bus=sata",
                      "--graphics", "vnc"], []),
    ("ubuntu-desktop", ["--osinfo", "ubuntu22.04", "--disk", "{disk}", "--graphics", "spice",
                        "--video", "virtio"], []),
    ("ubuntu-server", ["--osinfo", "ubuntu22.04", "--disk", "{disk}", "--graphics", "none",
                       "--console", "pty,target_type=serial"], []),
    ("ubuntu-server-i440fx", ["--osinfo", "ubuntu22.04", "--machine", "pc", "--disk", "{disk}",
                              "--graphics", "none"], []),
    ("fedora-desktop-uefi", ["--osinfo", "fedora37", "--boot", "uefi", "--disk", "{disk}",
                             "--graphics", "spice"], []),
    ("fedora-server-scsi", ["--osinfo", "fedora37", "--controller", "type=scsi,model=virtio-scsi",
                            "--disk", "{disk},bus=scsi", "--graphics", "none"], []),
    ("debian-sata", ["--osinfo", "debian11", "--disk", "{disk},bus=sata", "--graphics", "vnc"], []),
    ("debian-i440fx-ide", ["--osinfo", "debian11", "--machine", "pc", "--disk", "{disk},bus=ide",
                           "--graphics", "vnc"], []),
    ("rhel9-usb-hostdev", ["--osinfo", "rhel9.0", "--disk", "{disk}", "--graphics", "none"],
     [USB_HOSTDEV]),
    ("centos-pci-hostdev", ["--osinfo", "centos-stream9", "--disk", "{disk}", "--graphics", "none"],
     [PCI_HOSTDEV]),
    ("i440fx-usb-and-pci-hostdevs", ["--osinfo", "linux2022", "--machine", "pc",
                                     "--disk", "{disk}", "--graphics", "none"],
     [USB_HOSTDEV, PCI_HOSTDEV]),
    ("q35-no-free-root-port", ["--osinfo", "linux2022", "--disk", "{disk}", "--graphics", "none",
                               NO_ROOT_PORTS], []),
    ("q35-many-root-ports", ["--osinfo", "linux2022", "--disk", "{disk}"] +
     [arg for index in range(15, 21)
      for arg in ("--controller", f"type=pci,model=pcie-root-port,index={index}")], []),
    ("arch-two-disks", ["--osinfo", "archlinux", "--disk", "{disk},bus=sata",
                        "--disk", "{disk2},bus=virtio", "--graphics", "spice"], []),
    ("opensuse-two-nics", ["--osinfo", "opensuse15.4", "--disk", "{disk}",
                           "--network", "user,model=e1000e", "--graphics", "none"], []),
    ("linux-host-cpu-hugepages", ["--osinfo", "linux2022", "--cpu", "host-passthrough",
                                  "--memorybacking", "hugepages=on", "--disk", "{disk}",
                                  "--graphics", "none"], []),
    ("linux-uefi-scsi-sata", ["--osinfo", "linux2022", "--boot", "uefi",
                              "--controller", "type=scsi,model=virtio-scsi",
                              "--disk", "{disk},bus=scsi", "--disk", "{disk2},bus=sata",
                              "--graphics", "spice", "--sound", "ich9"], []),
    ("i440fx-busy-pci0", ["--osinfo", "linux2022", "--machine", "pc", "--disk", "{disk}",
                          "--network", "user", "--network", "user", "--network", "user",
                          "--graphics", "vnc"], [PCI_HOSTDEV]),
]


def virt_install(name, args):
    disk = os.path.join(home, f"{name}.qcow2")
    disk2 = os.path.join(home, f"{name}-data.qcow2")
    for path in (disk, disk2):
        run("qemu-img", "create", "-q", "-f", "qcow2", path, "64M", check=True)
    no_ports = NO_ROOT_PORTS in args
    args = [a.format(disk=f"path={disk},format=qcow2", disk2=f"path={disk2},format=qcow2")
            for a in args if a != NO_ROOT_PORTS]
    base = ["virt-install", "--connect", URI, "--print-xml", "--name", name,
            "--virt-type", "qemu", "--memory", "1024", "--vcpus", "2", "--import",
            "--noautoconsole"]
    if "--network" not in args:
        base += ["--network", "user"]
    xml = run(*base, *args, check=True).stdout
    return without_root_ports(xml) if no_ports else xml


def define(name, xml, attach):
    path = os.path.join(home, f"{name}.xml")
    with open(path, "w") as f:
        f.write(xml)
    os.chmod(path, 0o644)
    virsh("define", path)
    for number, device in enumerate(attach):
        device_path = os.path.join(home, f"{name}-device{number}.xml")
        with open(device_path, "w") as f:
            f.write(device)
        os.chmod(device_path, 0o644)
        virsh("attach-device", name, device_path, "--config")


@case("libvirtd starts for an unprivileged user and virt-install describes VMs with it")
def _():
    run("mkdir", "-m", "700", "-p", os.path.join(home, "run"), check=True)
    xml = virt_install("probe", ["--osinfo", "linux2022", "--disk", "{disk}"])
    assert "<domain" in xml and "pcie-root-port" in xml, xml


@case(f"{len(CORPUS)} definitions made with virt-install are defined in the real libvirtd")
def _():
    for name, args, attach in CORPUS:
        define(name, virt_install(name, args), attach)
    listed = virsh("list", "--all", "--name").stdout.split()
    assert sorted(listed) == sorted(name for name, _, _ in CORPUS), listed


@case("the dry run shows a diff of what it adds and changes nothing")
def _():
    before = saved("win11-uefi-tpm")
    plan = json.loads(ctl("attach", "--vm", "win11-uefi-tpm", *GPU, "--dry-run", "--json",
                          check=True).stdout)
    assert plan["vm"] == "win11-uefi-tpm" and plan["live"] is False, plan
    lines = plan["diff"].splitlines()
    assert lines[0] == " <devices>" and lines[-1] == " </devices>", plan["diff"]
    assert all(line[0] in "+ " for line in lines), plan["diff"]
    assert sum("<hostdev" in line for line in lines) == 2, plan["diff"]
    assert [e["action"] for e in plan["edits"]] == ["add", "add"], plan["edits"]
    text = ctl("attach", "--vm", "win11-uefi-tpm", *GPU, "--dry-run", check=True).stdout
    assert "+  <hostdev" in text and "<domain" not in text, text
    assert saved("win11-uefi-tpm") == before


@case("an address this host does not have is refused with the command that lists them")
def _():
    refused = ctl("attach", "--vm", "win11-uefi-tpm", "0000:0a:00.0")
    assert refused.returncode != 0, refused
    assert "This host has no PCI device 0000:0a:00.0" in refused.stderr, refused.stderr
    assert "passthroughctl devices" in refused.stderr, refused.stderr


@case("every definition: give a GPU + audio and a single function, placed by the rules, "
      "then take them back with every other element unchanged")
def _():
    problems = []
    for name, _, _ in CORPUS:
        before = saved(name)
        try:
            ctl("attach", "--vm", name, *GPU, check=True)
            ctl("attach", "--vm", name, NVME, check=True)
            given = saved(name)
            check_placement(given, name)
            # What was there stays, in the given definition too.
            old = [source_of(h) for h in ET.fromstring(before).iter("hostdev")]
            new = [source_of(h) for h in ET.fromstring(given).iter("hostdev")]
            assert all(s in new for s in old), f"{name}: {old} -> {new}"
            ctl("detach", "--vm", name, *GPU, check=True)
            ctl("detach", "--vm", name, NVME, check=True)
            assert_same_definition(before, saved(name), name)
        except AssertionError as error:
            problems.append(str(error))
    assert not problems, "\n".join(problems)


@case("a root port we added goes with the device; ports the user made stay")
def _():
    name = "q35-no-free-root-port"
    before_xml = saved(name)
    before = ET.fromstring(before_xml)
    ports_before = len([c for c in before.iter("controller") if c.get("model") == "pcie-root-port"])
    ctl("attach", "--vm", name, NVME, check=True)   # takes libvirt's one spare port
    ctl("attach", "--vm", name, *GPU, check=True)   # needs a port of ours
    given = ET.fromstring(saved(name))
    ours = [c for c in given.iter("controller") if c.get("model") == "pcie-root-port"
            and c.find("alias") is not None
            and c.find("alias").get("name", "").startswith("ua-passthrough-port")]
    assert len(ours) == 1, ET.tostring(given)
    ctl("detach", "--vm", name, GPU[1], check=True)
    half = ET.fromstring(saved(name))
    assert len([c for c in half.iter("controller") if c.get("model") == "pcie-root-port"]) == \
        ports_before + 1, "the port went while the GPU still sits behind it"
    ctl("detach", "--vm", name, GPU[0], check=True)
    after = ET.fromstring(saved(name))
    assert len([c for c in after.iter("controller") if c.get("model") == "pcie-root-port"]) == \
        ports_before
    ctl("detach", "--vm", name, NVME, check=True)   # libvirt's spare port stays
    assert_same_definition(before_xml, saved(name), name)


@case("vms lists the devices; another VM is refused with the owner's name; --move takes them")
def _():
    ctl("attach", "--vm", "ubuntu-desktop", *GPU, check=True)
    vms = {vm["name"]: vm for vm in json.loads(ctl("vms", "--json", check=True).stdout)}
    assert vms["ubuntu-desktop"]["devices"] == GPU, vms["ubuntu-desktop"]
    refused = ctl("attach", "--vm", "fedora-desktop-uefi", GPU[0])
    assert refused.returncode == 2 and "ubuntu-desktop" in refused.stderr, refused.stderr
    before_other = saved("ubuntu-desktop")
    # Function 0 alone would leave its audio unseen by the guest.
    alone = ctl("detach", "--vm", "ubuntu-desktop", GPU[0])
    assert alone.returncode != 0 and "Take them back together" in alone.stderr, alone.stderr
    # The GPU moves with an NVMe nobody has: the plan shows both VMs' sides.
    plan = json.loads(ctl("attach", "--vm", "fedora-desktop-uefi", "--move", *GPU, NVME,
                          "--dry-run", "--json", check=True).stdout)
    assert plan["move_from"] == "ubuntu-desktop", plan
    assert plan["diff"].startswith("ubuntu-desktop\n <devices>\n-"), plan["diff"]
    assert "\nfedora-desktop-uefi\n <devices>\n+" in plan["diff"], plan["diff"]
    ctl("attach", "--vm", "fedora-desktop-uefi", "--move", *GPU, NVME, check=True)
    assert our_hostdevs(saved("ubuntu-desktop")) == {}
    assert sorted(our_hostdevs(saved("fedora-desktop-uefi"))) == GPU + [NVME]
    ctl("detach", "--vm", "fedora-desktop-uefi", NVME, check=True)
    ctl("detach", "--vm", "fedora-desktop-uefi", *GPU, check=True)
    assert our_hostdevs(saved("fedora-desktop-uefi")) == {}
    assert "pcie-root-port" in before_other


LIVE = "live-q35"


def wait_running(name):
    for _ in range(60):
        if virsh("domstate", name).stdout.strip() == "running":
            return
        time.sleep(0.5)
    raise AssertionError(f"{name} did not start")


@case("a running q35 VM: libvirt's own refusal of a hot-plug here, and nothing saved")
def _():
    xml = run("virt-install", "--connect", URI, "--print-xml", "--name", LIVE, "--virt-type",
              "qemu", "--memory", "256", "--vcpus", "1", "--osinfo", "linux2022", "--disk", "none",
              "--network", "none", "--graphics", "none", "--boot", "hd", "--noautoconsole",
              check=True).stdout
    # Root ports as libvirt makes them: one spare beside those in use.
    define(LIVE, without_root_ports(xml), [])
    virsh("start", LIVE)
    wait_running(LIVE)
    saved_before = saved(LIVE)
    live_before = virsh("dumpxml", LIVE).stdout

    plan = json.loads(ctl("attach", "--vm", LIVE, NVME, "--dry-run", "--json", check=True).stdout)
    assert plan["live"] is True, plan
    assert "<controller" not in plan["diff"], "a running VM uses a free port, it gets none"

    refused = ctl("attach", "--vm", LIVE, NVME)
    assert refused.returncode != 0, refused.stdout
    assert f"“{LIVE}” is running and did not take the change, so nothing was changed" in \
        refused.stderr, refused.stderr
    # libvirt's words on a machine without an IOMMU.
    assert "Giving 0000:03:00.0: unsupported configuration: host doesn't support passthrough " \
        "of host PCI devices" in refused.stderr, refused.stderr
    assert saved(LIVE) == saved_before
    assert our_hostdevs(virsh("dumpxml", LIVE).stdout) == {}, live_before

    # From the next start instead: saved only.
    ctl("attach", "--vm", LIVE, "--config", NVME, check=True)
    assert sorted(our_hostdevs(saved(LIVE))) == [NVME]
    assert our_hostdevs(virsh("dumpxml", LIVE).stdout) == {}
    ctl("detach", "--vm", LIVE, "--config", NVME, check=True)
    assert_same_definition(saved_before, saved(LIVE), LIVE)


@case("a running VM without a free root port: give from the next start, said so")
def _():
    # libvirt keeps one spare root port; a NIC plugged in live takes it.
    nic = os.path.join(home, "nic.xml")
    with open(nic, "w") as f:
        f.write("<interface type='user'><model type='virtio'/></interface>")
    os.chmod(nic, 0o644)
    virsh("attach-device", LIVE, nic, "--live")
    before = saved(LIVE)
    refused = ctl("attach", "--vm", LIVE, NVME)
    assert refused.returncode != 0, refused.stdout
    assert "no free PCIe root port" in refused.stderr and "next start" in refused.stderr, \
        refused.stderr
    assert saved(LIVE) == before
    # The saved definition still has its spare port: from the next start works.
    ctl("attach", "--vm", LIVE, "--config", NVME, check=True)
    assert sorted(our_hostdevs(saved(LIVE))) == [NVME]
    virsh("destroy", LIVE)


@case("passthroughctl finds its libvirt twin when started through a symlink elsewhere")
def _():
    links = os.path.join(home, "links")
    os.mkdir(links)
    os.symlink(CTL, os.path.join(links, "ptctl"))
    if prefix:
        os.lchown(os.path.join(links, "ptctl"), 65534, 65534)
    vms = run(os.path.join(links, "ptctl"), "--connect", URI, "vms", "--json", check=True)
    assert LIVE in [vm["name"] for vm in json.loads(vms.stdout)], vms.stdout


def cleanup():
    for name in [n for n, _, _ in CORPUS] + [LIVE]:
        run("virsh", "-c", URI, "destroy", name)
        run("virsh", "-c", URI, "undefine", "--nvram", name)
    # Only the daemon this test started: its pid file is in the test's home.
    try:
        with open(os.path.join(home, "run", "libvirt", "libvirtd.pid")) as f:
            os.kill(int(f.read().strip()), 15)
    except (OSError, ValueError):
        pass
    shutil.rmtree(home, ignore_errors=True)


run_cases(cleanup)
