#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`passthroughctl devices --json` agrees with lspci on the same sysfs tree.

Usage: test-lspci-agree.py PASSTHROUGHCTL ROOT [ROOT…]

For every function lspci finds under ROOT/sys/bus/pci (lspci -A linux-sysfs
-O sysfs.path=… -vmm -nn -k -D), the JSON must have the same address, class,
vendor, device, subsystem, revision, driver and IOMMU group, with the same
names, and neither side may have functions the other lacks. Prints TAP.
"""

import json
import re
import subprocess
import sys

BRACKETED = re.compile(r"^(.*?)\s*\[([0-9a-f]+)\]$")


def lspci_records(root):
    out = subprocess.run(
        # Names from pci.ids alone, as passthroughctl takes them: with udev's
        # hwdb.bin present (libvirt-daemon-system pulls udev in) lspci would
        # name unknown subsystems after their device instead.
        ["lspci", "-A", "linux-sysfs", "-O", f"sysfs.path={root}/sys/bus/pci", "-O", "hwdb.disable=1",
         "-vmm", "-nn", "-k", "-D"],
        check=True, capture_output=True, text=True).stdout
    records = {}
    for block in out.strip().split("\n\n"):
        fields = {}
        for line in block.splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
        if "Slot" in fields:
            records[fields["Slot"]] = fields
    return records


def split_name(value):
    """'Intel Corporation [8086]' -> ('Intel Corporation', '8086')"""
    match = BRACKETED.match(value)
    if not match:
        return value, None
    return match.group(1), match.group(2)


def same_name(ours, theirs, number):
    # lspci -nn prints an unknown name as just "Device"; libpci's plain
    # lookup, which we use, says "Device 2503".
    if theirs in ("Device", "Vendor"):
        return ours == f"{theirs} {number}"
    return ours == theirs


def compare(device, record):
    problems = []

    def expect(what, ours, theirs):
        if ours != theirs:
            problems.append(f"{what}: passthroughctl {ours!r}, lspci {theirs!r}")

    class_name, class_id = split_name(record["Class"])
    expect("class id", device["class_id"][:4], class_id)
    # For a class known only by its base class, libpci's plain lookup (ours)
    # says "Non-Essential Instrumentation [1300]"; lspci -nn adds the number
    # itself.
    if class_name != "Class" and device["class_name"] != f"{class_name} [{class_id}]":
        expect("class name", device["class_name"], class_name)
    expect("prog-if", device["class_id"][4:], record.get("ProgIf", "00").zfill(2))

    vendor_name, vendor_id = split_name(record["Vendor"])
    expect("vendor id", device["vendor_id"], vendor_id)
    if not same_name(device["vendor_name"], vendor_name, vendor_id):
        problems.append(f"vendor name: {device['vendor_name']!r} vs {vendor_name!r}")

    device_name, device_id = split_name(record["Device"])
    expect("device id", device["device_id"], device_id)
    if not same_name(device["device_name"], device_name, device_id):
        problems.append(f"device name: {device['device_name']!r} vs {device_name!r}")

    if "SVendor" in record:
        sv_name, sv_id = split_name(record["SVendor"])
        sd_name, sd_id = split_name(record["SDevice"])
        expect("subsystem vendor id", device["subsystem_vendor_id"], sv_id)
        expect("subsystem device id", device["subsystem_device_id"], sd_id)
        if sd_name == "Device":
            sd_name = f"Device {sd_id}"
        expect("subsystem name", device["subsystem_name"], f"{sv_name} {sd_name}")

    expect("revision", device["revision"], record.get("Rev", "00"))
    expect("driver", device["driver"], record.get("Driver"))
    if "IOMMUGroup" in record:
        expect("iommu group", device["iommu_group"], int(record["IOMMUGroup"]))
    return problems


def main():
    ctl, roots = sys.argv[1], sys.argv[2:]
    print(f"1..{len(roots)}")
    failed = 0
    for number, root in enumerate(roots, 1):
        result = subprocess.run([ctl, "--root", root, "devices", "--json"],
                                capture_output=True, text=True)
        problems = []
        if result.returncode != 0:
            problems.append(f"passthroughctl exited {result.returncode}: {result.stderr}")
        else:
            ours = {d["address"]: d for d in json.loads(result.stdout)}
            theirs = lspci_records(root)
            for address in sorted(set(ours) | set(theirs)):
                if address not in theirs:
                    problems.append(f"{address}: only passthroughctl has it")
                elif address not in ours:
                    problems.append(f"{address}: only lspci has it")
                else:
                    problems += [f"{address}: {p}" for p in compare(ours[address], theirs[address])]
            if not theirs:
                problems.append("lspci found no devices: the tree is not a usable fixture")
        if problems:
            failed += 1
            print(f"not ok {number} {root}")
            for problem in problems[:40]:
                print(f"# {problem}")
        else:
            print(f"ok {number} {root} ({len(ours)} functions agree)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
