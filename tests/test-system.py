#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The whole procedure on a real system: a Debian 12 disk image built from
Debian's packages (tests/system/image.py, cached under the build directory)
boots through real GRUB and initramfs-tools in QEMU (TCG) with an emulated
Intel IOMMU, and the *installed* passthroughctl, run by an ordinary user whom
polkit lets through pkexec, walks the procedure across reboots. Each boot is
one QEMU run of a script (tests/system/runner.sh in the guest); every step is
a TAP line with its time. Without QEMU, mmdebstrap or the packages it skips.

Usage: test-system.py BUILD_ROOT
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "system"))
from vmtools import E1000E, Guest, sh, skip  # noqa: E402
import image as system_image  # noqa: E402

build = sys.argv[1]
qemu = shutil.which("qemu-system-x86_64")
if qemu is None:
    skip("qemu-system-x86_64 is not installed (package qemu-system-x86)")
cache = os.path.join(build, "tests", "system-cache")
work = os.path.join(build, "tests", "system")

# The guest's side: what every script starts with.
PRELUDE = r"""
# Results on the second serial port, which nothing else writes to
stty -F /dev/ttyS1 115200 raw -echo 2>/dev/null
exec > /dev/ttyS1 2>&1
export PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8
CTL=/usr/local/bin/passthroughctl
as_user () { runuser -u pt -- "$@"; }           # the path users take: pkexec, polkit
uptime_cs () { u=$(cut -d' ' -f1 /proc/uptime); echo $((10#${u/./})); }
doc () { n=$1; shift; t=$(uptime_cs); echo "PT-BEGIN $n"; "$@" 2>&1; rc=$?; d=$(( $(uptime_cs) - t ))
         echo "PT-END $n rc=$rc $((d / 100)).$((d % 100 / 10)) s"; }
driver_of () { d=$(readlink /sys/bus/pci/devices/$1/driver); echo ${d##*/}; }
nics () { for d in /sys/bus/pci/devices/*; do
            [ "$(cat $d/vendor):$(cat $d/device)" = 0x8086:0x10d3 ] && echo ${d##*/}; done; }
state () {   # what undo must give back, byte for byte
    cat /proc/cmdline
    sha256sum /etc/default/grub /boot/grub/grub.cfg /etc/initramfs-tools/modules 2>&1
    ls /etc/udev/rules.d /etc/modprobe.d /etc/modules-load.d /etc/initramfs-tools/hooks 2>&1
    lsinitramfs /boot/initrd.img-$(uname -r) | sort | sha256sum
}
# Devices behind a root port show in query-pci once the nested firmware has
# numbered its bus: under TCG that is seconds after `virsh start` returns.
query_pci () {
    for i in $(seq 120); do
        out=$(virsh qemu-monitor-command "$1" '{"execute":"query-pci"}') || return 1
        [ "$(printf '%s' "$out" | grep -o '"device": *4307' | wc -l)" -ge "$2" ] && break
        sleep 1
    done
    printf '%s\n' "$out"
}
# The nested VM's kernel is up (its pciehp answers) once it runs /bin/sh:
# under TCG inside TCG, about two and a half minutes.
nested_kernel () {
    for i in $(seq 900); do
        grep -q "Run /bin/sh as init process" /var/log/pt-nested.log 2>/dev/null && return 0
        sleep 1
    done
    tail -20 /var/log/pt-nested.log; return 1
}
udevadm settle
echo "PT-UPTIME $(cut -d' ' -f1 /proc/uptime)"
"""


def documents(console):
    docs = {}
    for m in re.finditer(r"PT-BEGIN (\S+)\n(.*?)PT-END \1 rc=(\d+)[^\n]*\n", console, re.S):
        docs[m.group(1)] = (m.group(2), int(m.group(3)))
    return docs


class Failed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failed(message)


steps = []


def step(name):
    def register(fn):
        steps.append((name, fn))
        return fn
    return register


class Run:
    """One boot of an overlay: the script's documents and the console."""

    def __init__(self, disk, name, script, **kwargs):
        self.guest = Guest(qemu, disk, os.path.join(work, name + ".log"))
        self.console = self.guest.boot(PRELUDE + script, **kwargs)
        self.results = self.guest.results()
        self.docs = documents(self.results)
        self.seconds = self.guest.seconds
        m = re.search(r"PT-UPTIME ([\d.]+)", self.results)
        self.booted = float(m.group(1)) if m else None

    def doc(self, name):
        expect(name in self.docs, f"the guest did not report {name}:\n{self.results[-2000:]}\n"
                                  f"-- console (ttyS0):\n{self.console[-2500:]}")
        return self.docs[name]

    def json(self, name):
        text, _ = self.doc(name)
        m = re.search(r"^[{\[]", text, re.M)   # after any warnings on stderr
        try:
            return json.JSONDecoder().raw_decode(text[m.start():])[0]
        except (AttributeError, ValueError) as error:
            raise Failed(f"{name} is not JSON ({error}):\n{text[-1500:]}")


ctx = {}


def overlay(name, backing):
    path = os.path.join(work, name + ".qcow2")
    sh("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", backing, path)
    return path


@step("the Debian 12 image")
def _():
    image, seconds = system_image.build(cache, qemu)
    ctx["image"] = image
    return f"built cold in {seconds:.0f} s" if seconds else "cached"


BOOT1 = r"""
cp -a /run/pt/install/. / && ldconfig            # the project, as meson install laid it out
systemctl reload polkit 2>/dev/null; sleep 1
doc cmdline cat /proc/cmdline
doc groups sh -c 'ls /sys/kernel/iommu_groups | wc -l'
doc check as_user $CTL check --json
doc state-before state
doc enable-dry as_user $CTL boot enable-iommu --dry-run --json
doc enable as_user $CTL boot enable-iommu
doc grub-after cat /etc/default/grub
doc grub-cfg grep -c 'intel_iommu=on' /boot/grub/grub.cfg
"""


@step("boot 1, IOMMU off (intel_iommu=off): check fails the IOMMU checks and says to remove it")
def _():
    os.makedirs(work, exist_ok=True)
    install = os.path.join(work, "install")
    shutil.rmtree(install, ignore_errors=True)
    sh("meson", "install", "-C", build, "--no-rebuild", "--destdir", install, "--quiet",
       env=dict(os.environ, LC_ALL="C.UTF-8"))
    # polkitd reads only /usr/share/polkit-1/actions (README: copied by hand for /usr/local)
    policy = os.path.join(install, "usr/local/share/polkit-1/actions/org.example.Passthrough.policy")
    os.makedirs(os.path.join(install, "usr/share/polkit-1/actions"))
    shutil.copy(policy, os.path.join(install, "usr/share/polkit-1/actions"))
    disk = ctx["disk"] = overlay("main", ctx["image"])
    run = ctx["boot1"] = Run(disk, "boot1", BOOT1, trees=[("install", install)])
    cmdline, _ = run.doc("cmdline")
    expect("intel_iommu=off" in cmdline.split(), cmdline)
    expect(run.doc("groups")[0].strip() == "0", run.doc("groups"))
    check = run.json("check")
    _, rc = run.doc("check")
    status = {c["id"]: c for c in check["checks"]}
    expect(rc == 1 and not check["ready"], (rc, check["ready"]))
    expect(status["iommu-kernel"]["status"] == "fail", status["iommu-kernel"])
    expect(status["kernel-cmdline"]["status"] == "fail", status["kernel-cmdline"])
    expect("intel_iommu=off" in status["kernel-cmdline"]["summary"], status["kernel-cmdline"])
    expect("Remove intel_iommu=off" in status["kernel-cmdline"]["fix"], status["kernel-cmdline"])
    expect(check["boot"]["bootloader"] == "GRUB", check["boot"])
    return f"{run.seconds:.0f} s, the runner started {run.booted:.0f} s after the kernel"


@step("boot 1: boot enable-iommu through pkexec changes /etc/default/grub as previewed and runs update-grub")
def _():
    run = ctx["boot1"]
    plan = run.json("enable-dry")
    text, rc = run.doc("enable")
    expect(rc == 0, text)
    files = {f["path"]: f for f in plan["files"]}
    expect("/etc/default/grub" in files, plan)
    expect(run.doc("grub-after")[0] == files["/etc/default/grub"]["after"],
           (run.doc("grub-after")[0], files["/etc/default/grub"]["after"]))
    expect(["update-grub"] in plan["commands"] or any("update-grub" in c[0] for c in plan["commands"]),
           plan["commands"])
    expect(int(run.doc("grub-cfg")[0].strip() or 0) >= 1, run.doc("grub-cfg"))
    return "in boot 1"


BOOT2 = r"""
doc cmdline cat /proc/cmdline
doc groups sh -c 'ls /sys/kernel/iommu_groups | wc -l'
doc check as_user $CTL check --json
set -- $(nics); NIC=$1; TWIN=$2
doc nics echo $NIC $TWIN
doc early-dry as_user $CTL boot early-bind --by-address $NIC --dry-run --json
doc state-before-early state
sync
# The power cut: the host kills QEMU as soon as this says so, a few seconds
# into the mkinitramfs that update-initramfs runs for the change.
( while ! pgrep -x mkinitramfs >/dev/null; do sleep 0.2; done; sleep 3
  echo "PT-POWER-CUT $(pgrep -x mkinitramfs | wc -l) mkinitramfs running" ) &
doc early as_user $CTL boot early-bind --by-address $NIC
echo "PT-NO-POWER-CUT: the change finished first"
"""


def has_parameters(cmdline):
    words = cmdline.split()
    return "intel_iommu=on" in words and "iommu=pt" in words and "intel_iommu=off" not in words


def iommu_on(run):
    cmdline, _ = run.doc("cmdline")
    expect(has_parameters(cmdline), cmdline)
    expect(int(run.doc("groups")[0].strip()) > 0, run.doc("groups"))


@step("boot 2: /proc/cmdline has intel_iommu=on iommu=pt, IOMMU groups exist, check passes (but VT-x and KVM under TCG)")
def _():
    run = ctx["boot2"] = Run(ctx["disk"], "boot2", BOOT2, kill_when="PT-POWER-CUT", timeout=600)
    iommu_on(run)
    check = run.json("check")
    status = {c["id"]: c["status"] for c in check["checks"]}
    # TCG emulates no VT-x: those two fail here, and only those
    failing = sorted(id for id, value in status.items() if value == "fail")
    expect(failing == ["cpu-virtualization", "kvm"], check)
    for id in ("iommu-firmware", "iommu-kernel", "interrupt-remapping", "kernel-cmdline", "vfio-modules",
               "bootloader", "initramfs"):
        expect(status[id] == "pass", (id, check))
    return f"{run.seconds:.0f} s to the power cut, the runner started {run.booted:.0f} s after the kernel"


@step("boot 2: power cut (QEMU killed) in the middle of boot early-bind's update-initramfs")
def _():
    run = ctx["boot2"]
    nic, twin = run.doc("nics")[0].split()
    expect(nic != twin, (nic, twin))
    ctx["nic"], ctx["twin"] = nic, twin
    expect(run.guest.killed, "QEMU was not killed:\n" + run.results[-2000:])
    m = re.search(r"PT-POWER-CUT (\d+) mkinitramfs running", run.results)
    expect(m and int(m.group(1)) >= 1, "mkinitramfs was not running at the cut:\n" + run.results[-2000:])
    m = re.search(r"PT-BEGIN early\n(.*)", run.results, re.S)
    expect(m is not None, run.results[-2000:])
    progress = m.group(1)
    expect("running update-initramfs" in progress, progress)
    expect("PT-END early" not in progress and "recorded" not in progress, progress)
    return "cut during: " + progress.strip().splitlines()[-2 if len(progress.strip().splitlines()) > 1 else -1][:80]


BOOT3 = r"""
doc cmdline cat /proc/cmdline
doc history-cut as_user $CTL boot history --json
doc recover as_user pkexec /usr/local/libexec/passthrough-helper configure-boot enable-iommu
doc state-recovered state
doc history-recovered as_user $CTL boot history --json
set -- $(nics); NIC=$1; TWIN=$2
doc early-dry as_user $CTL boot early-bind --by-address $NIC --dry-run --json
doc early as_user $CTL boot early-bind --by-address $NIC
doc initramfs lsinitramfs /boot/initrd.img-$(uname -r)
doc grub-cfg-mode stat -c %a /boot/grub/grub.cfg
doc once-dry as_user $CTL boot once-without --dry-run
doc once-without as_user $CTL boot once-without
doc once-entry cat /etc/grub.d/42_passthrough-off
doc grubenv grub-editenv list
"""


@step("boot 3: the system boots after the cut; the next helper run rolls the change back (files and initramfs as before)")
def _():
    run = ctx["boot3"] = Run(ctx["disk"], "boot3", BOOT3)
    expect(has_parameters(run.doc("cmdline")[0]), run.doc("cmdline"))
    cut = {c["id"]: c["state"] for c in run.json("history-cut")}
    expect(cut == {1: "done", 2: "applying"}, cut)
    text, rc = run.doc("recover")
    expect(rc == 0, text)
    expect("change 2 was interrupted; rolling it back" in text, text)
    expect("running update-initramfs" in text, text)
    # One numbering for the whole recovery: [1/N] … [N/N]
    numbers = [(int(a), int(b)) for a, b in re.findall(r"^step (\d+)/(\d+): ", text, re.M)]
    expect(numbers and numbers == [(i, len(numbers)) for i in range(1, len(numbers) + 1)], text)
    before, after = ctx["boot2"].doc("state-before-early")[0], run.doc("state-recovered")[0]
    expect(before == after, f"before the cut:\n{before}\nafter the recovery:\n{after}")
    recovered = {c["id"]: c["state"] for c in run.json("history-recovered")}
    expect(recovered == {1: "done", 2: "rolled-back"}, recovered)
    return f"{run.seconds:.0f} s, {len(numbers)} recovery steps"


@step("boot 3: boot early-bind --by-address one of two identical e1000e: rule and vfio modules in the new initramfs")
def _():
    run = ctx["boot3"]
    nic, twin = ctx["nic"], ctx["twin"]
    text, rc = run.doc("early")
    expect(rc == 0, text)
    plan = run.json("early-dry")
    expect(any("update-initramfs" in " ".join(c) for c in plan["commands"]), plan["commands"])
    rules = [f for f in plan["files"] if f["path"].endswith(".rules")]
    expect(len(rules) == 1 and nic in rules[0]["after"] and twin not in rules[0]["after"], plan["files"])
    listing = run.doc("initramfs")[0].split()
    for module in ("vfio-pci.ko", "vfio.ko", "vfio_iommu_type1.ko"):
        expect(any(f.split("/")[-1].startswith(module) for f in listing), (module, "not in the initramfs"))
    rule = os.path.basename(rules[0]["path"])
    expect(any(f.endswith("/" + rule) for f in listing), (rule, "not in the initramfs"))
    return f"lsinitramfs: {len(listing)} files"


@step("boot 3: boot once-without as an ordinary user (grub.cfg is root's): the helper plans it, grub-reboot set; its preview says to use sudo")
def _():
    run = ctx["boot3"]
    text, rc = run.doc("once-without")
    expect(rc == 0, text)
    # Debian writes grub.cfg for root alone: the user's own plan stops, the helper's goes on
    mode = run.doc("grub-cfg-mode")[0].strip()
    expect(not int(mode, 8) & 0o004, f"grub.cfg is readable by all ({mode}): the fallback is not exercised")
    expect("Cannot read /boot/grub/grub.cfg" in text and "the helper plans this again as root" in text,
           (mode, text))
    expect("running grub-reboot" in text, text)
    # A preview cannot ask the helper: it says how to get one
    dry, rc = run.doc("once-dry")
    expect(rc != 0 and "sudo passthroughctl boot once-without --dry-run" in dry, (rc, dry))
    entry = run.doc("once-entry")[0]
    expect("passthrough.vfio=off" in entry and "intel_iommu=on" not in entry, entry)
    expect("next_entry=passthrough-off" in run.doc("grubenv")[0], run.doc("grubenv"))
    return f"grub.cfg mode {mode}"


BOOT4 = r"""
doc cmdline cat /proc/cmdline
set -- $(nics); NIC=$1; TWIN=$2
doc drivers-boot sh -c "echo $(driver_of $NIC) $(driver_of $TWIN)"
doc grubenv grub-editenv list
"""


@step("boot 4: once without Passthrough: no IOMMU parameters, passthrough.vfio=off, both NICs on e1000e")
def _():
    run = ctx["boot4"] = Run(ctx["disk"], "boot4", BOOT4)
    words = run.doc("cmdline")[0].split()
    expect("passthrough.vfio=off" in words and "intel_iommu=on" not in words and "iommu=pt" not in words,
           words)
    expect(run.doc("drivers-boot")[0].split() == ["e1000e", "e1000e"], run.doc("drivers-boot"))
    expect("next_entry=passthrough-off" not in run.doc("grubenv")[0], run.doc("grubenv"))
    return f"{run.seconds:.0f} s"


BOOT5 = r"""
doc cmdline cat /proc/cmdline
set -- $(nics); NIC=$1; TWIN=$2
doc drivers-boot sh -c "echo $(driver_of $NIC) $(driver_of $TWIN)"
# The nested VM boots this guest's own kernel (see nested.xml).
cp /boot/vmlinuz-$(uname -r) /var/lib/libvirt/images/nested-vmlinuz
cp /boot/initrd.img-$(uname -r) /var/lib/libvirt/images/nested-initrd
doc define virsh define /run/pt/nested.xml
doc attach $CTL attach --vm nested $NIC
doc start virsh start nested
doc nested-kernel nested_kernel
doc query-pci query_pci nested 1
doc hotplug $CTL attach --vm nested $TWIN
doc query-pci-hotplug query_pci nested 2
doc drivers-running sh -c "echo $(driver_of $NIC) $(driver_of $TWIN)"
doc take-back $CTL detach --vm nested $TWIN
doc query-pci-taken-back query_pci nested 1
doc drivers-taken-back sh -c "echo $(driver_of $NIC) $(driver_of $TWIN)"
doc xml-taken-back sh -c "virsh dumpxml nested; virsh dumpxml --inactive nested"
doc nested-console sh -c "grep pciehp /var/log/pt-nested.log"
doc destroy virsh destroy nested
doc drivers-after sh -c "echo $(driver_of $NIC) $(driver_of $TWIN)"
doc detach $CTL detach --vm nested $NIC
doc xml-after virsh dumpxml --inactive nested
doc history as_user $CTL boot history --json
doc undo as_user $CTL boot undo 1
"""


def pci_ids(reply):
    """vendor:device of every function the nested QEMU reports in query-pci."""
    found = []

    def walk(devices):
        for device in devices:
            found.append(f"{device['id']['vendor']:04x}:{device['id']['device']:04x}")
            walk(device.get("pci_bridge", {}).get("devices", []))
    for bus in reply["return"]:
        walk(bus["devices"])
    return found


@step("boot 5: back to normal: the IOMMU parameters again, the chosen NIC on vfio-pci from boot, its twin on e1000e")
def _():
    shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), "system", "nested.xml"), work)
    # The nested VM boots a kernel under TCG inside TCG: more time than the other boots.
    run = ctx["boot5"] = Run(ctx["disk"], "boot5", BOOT5, trees=[("nested.xml", os.path.join(work, "nested.xml"))],
                             timeout=1800)
    expect(has_parameters(run.doc("cmdline")[0]), run.doc("cmdline"))
    expect("passthrough.vfio=off" not in run.doc("cmdline")[0], run.doc("cmdline"))
    expect(run.doc("drivers-boot")[0].split() == ["vfio-pci", "e1000e"], run.doc("drivers-boot"))
    return f"{run.seconds:.0f} s, the runner started {run.booted:.0f} s after the kernel"


@step("boot 5: a q35 libvirt VM given the NIC starts (nested QEMU), query-pci shows 8086:10d3; destroy gives it back")
def _():
    run = ctx["boot5"]
    for name in ("define", "attach", "start", "destroy"):
        text, rc = run.doc(name)
        expect(rc == 0, (name, text))
    ids = pci_ids(run.json("query-pci"))
    expect(ids.count(E1000E) == 1, ids)
    # managed='yes': libvirt puts each device back where it found it
    expect(run.doc("drivers-after")[0].split()[0] == "vfio-pci", run.doc("drivers-after"))


@step("boot 5: the twin hot-plugged into the running VM shows up in query-pci, and taken back live: gone from the guest and both definitions, on e1000e while the VM runs")
def _():
    run = ctx["boot5"]
    text, rc = run.doc("nested-kernel")
    expect(rc == 0, ("the nested kernel did not start", text))
    text, rc = run.doc("hotplug")
    expect(rc == 0, text)
    ids = pci_ids(run.json("query-pci-hotplug"))
    expect(ids.count(E1000E) == 2, ids)
    expect(run.doc("drivers-running")[0].split() == ["vfio-pci", "vfio-pci"], run.doc("drivers-running"))
    # Take Back from the running VM: the guest's pciehp lets go, libvirt
    # gives the twin back to its driver, and the saved definition loses it too.
    text, rc = run.doc("take-back")
    expect(rc == 0, text)
    expect(pci_ids(run.json("query-pci-taken-back")).count(E1000E) == 1, run.doc("query-pci-taken-back"))
    expect(run.doc("drivers-taken-back")[0].split() == ["vfio-pci", "e1000e"], run.doc("drivers-taken-back"))
    xml = run.doc("xml-taken-back")[0]
    expect(xml.count("<hostdev") == 2, xml)   # the first NIC, live and saved; not the twin
    expect("Powering off due to button press" in run.doc("nested-console")[0], run.doc("nested-console"))
    expect(run.doc("drivers-after")[0].split() == ["vfio-pci", "e1000e"], run.doc("drivers-after"))
    text, rc = run.doc("detach")
    expect(rc == 0, text)
    expect("<hostdev" not in run.doc("xml-after")[0], run.doc("xml-after"))


BOOT6 = r"""
set -- $(nics); NIC=$1; TWIN=$2
doc drivers-boot sh -c "echo $(driver_of $NIC) $(driver_of $TWIN)"
doc state-after state
"""


@step("boot 5: boot undo of every change in effect; boot 6: the original command line, grub files and initramfs, no vfio")
def _():
    history = {c["id"]: c["state"] for c in ctx["boot5"].json("history")}
    expect(history == {1: "done", 2: "rolled-back", 3: "done", 4: "done"}, history)
    text, rc = ctx["boot5"].doc("undo")
    expect(rc == 0, text)
    run = ctx["boot6"] = Run(ctx["disk"], "boot6", BOOT6)
    expect(run.doc("drivers-boot")[0].split() == ["e1000e", "e1000e"], run.doc("drivers-boot"))
    before, after = ctx["boot1"].doc("state-before")[0], run.doc("state-after")[0]
    expect(before == after, f"before:\n{before}\nafter:\n{after}")
    return f"boot 6 {run.seconds:.0f} s"


def run_steps():
    print(f"1..{len(steps)}", flush=True)
    failed = 0
    for number, (name, fn) in enumerate(steps, 1):
        started = time.monotonic()
        try:
            detail = fn()
            print(f"ok {number} {name} ({time.monotonic() - started:.0f} s{'; ' + detail if detail else ''})",
                  flush=True)
        except KeyError as missing:  # what an earlier, failed step should have made
            failed += 1
            print(f"not ok {number} {name} # not run: the step that makes {missing} failed", flush=True)
        except Exception as error:  # report it, go on with the steps that do not need it
            failed += 1
            print(f"not ok {number} {name} ({time.monotonic() - started:.0f} s)")
            for line in str(error).splitlines() or [repr(error)]:
                print(f"# {line}", flush=True)
    sys.exit(1 if failed else 0)


run_steps()
