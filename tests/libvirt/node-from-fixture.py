#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write a libvirt test-driver host (test:///PATH) from a fixture host tree.

Usage: node-from-fixture.py FIXTURE_DIR VMS_XML OUTPUT_XML

Every PCI function under FIXTURE_DIR/sys/bus/pci/devices becomes a node
device as libvirt's udev backend describes it (name pci_DDDD_BB_SS_F, parent,
driver, capability pci with class, address, product and vendor IDs,
iommuGroup with all members, virt_functions / phys_function), and the
<domain> elements of VMS_XML are put beside them. The node-device backend can
then be compared with the sysfs scan of the same host.
"""

import os
import sys
import xml.etree.ElementTree as ET


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def link_name(path):
    try:
        return os.path.basename(os.readlink(path))
    except OSError:
        return None


def nodedev_name(address):
    return "pci_" + address.replace(":", "_").replace(".", "_")


def address_element(parent, address):
    domain, bus, rest = address.split(":")
    slot, function = rest.split(".")
    ET.SubElement(parent, "address", domain=f"0x{domain}", bus=f"0x{bus}",
                  slot=f"0x{slot}", function=f"0x{function}")


TEST_NAMESPACE = "http://libvirt.org/schemas/domain/test/1.0"


def main():
    ET.register_namespace("test", TEST_NAMESPACE)
    fixture, vms_xml, output = sys.argv[1:4]
    devices_dir = os.path.join(fixture, "sys/bus/pci/devices")
    addresses = sorted(os.listdir(devices_dir))

    groups = {}
    for address in addresses:
        group = link_name(os.path.join(devices_dir, address, "iommu_group"))
        if group is not None:
            groups.setdefault(group, []).append(address)

    node = ET.Element("node")
    for domain in ET.parse(vms_xml).getroot():
        node.append(domain)

    # The test driver insists on a system UUID.
    computer = ET.SubElement(node, "device")
    ET.SubElement(computer, "name").text = "computer"
    system = ET.SubElement(computer, "capability", type="system")
    ET.SubElement(system, "product").text = os.path.basename(os.path.normpath(fixture))
    ET.SubElement(ET.SubElement(system, "hardware"), "uuid").text = \
        "5a0d7c3e-1f2b-4c8d-9e6a-7b3c2d1e0f94"

    for address in addresses:
        base = os.path.join(devices_dir, address)
        target = os.readlink(base)
        parent = os.path.basename(os.path.dirname(target))
        device = ET.SubElement(node, "device")
        ET.SubElement(device, "name").text = nodedev_name(address)
        ET.SubElement(device, "path").text = "/sys" + target.split("/sys", 1)[-1].replace("../../..", "")
        ET.SubElement(device, "parent").text = \
            nodedev_name(parent) if parent.count(":") == 2 else "computer"
        driver = link_name(os.path.join(base, "driver"))
        if driver is not None:
            ET.SubElement(ET.SubElement(device, "driver"), "name").text = driver

        cap = ET.SubElement(device, "capability", type="pci")
        ET.SubElement(cap, "class").text = read(os.path.join(base, "class"))
        domain, bus, rest = address.split(":")
        slot, function = rest.split(".")
        for tag, value in (("domain", domain), ("bus", bus), ("slot", slot), ("function", function)):
            ET.SubElement(cap, tag).text = str(int(value, 16))
        ET.SubElement(cap, "product", id=read(os.path.join(base, "device")))
        ET.SubElement(cap, "vendor", id=read(os.path.join(base, "vendor")))

        physfn = link_name(os.path.join(base, "physfn"))
        if physfn is not None:
            address_element(ET.SubElement(cap, "capability", type="phys_function"), physfn)
        total = read(os.path.join(base, "sriov_totalvfs"))
        if total is not None and int(total) > 0:
            vfs = ET.SubElement(cap, "capability", type="virt_functions", maxCount=total)
            n = 0
            while (vf := link_name(os.path.join(base, f"virtfn{n}"))) is not None:
                address_element(vfs, vf)
                n += 1

        group = link_name(os.path.join(base, "iommu_group"))
        if group is not None:
            members = ET.SubElement(cap, "iommuGroup", number=group)
            for member in groups[group]:
                address_element(members, member)

    ET.indent(node)
    tmp = output + ".tmp"
    ET.ElementTree(node).write(tmp, encoding="unicode")
    os.replace(tmp, output)


if __name__ == "__main__":
    main()
