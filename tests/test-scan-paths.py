#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The scanner's three ways of reading a device give the same host.

Usage: test-scan-paths.py PASSTHROUGHCTL BUILD_HOST SRIOV_SPEC ROOT…

The scanner takes a device's IDs, class, subsystem, modalias and driver from
its `uevent`; without one, from the first 64 bytes of `config` and the
`driver` link; without either, from the separate attributes. For every ROOT
(the consistent fixture hosts and generated trees) and for SRIOV_SPEC built
with virtual functions whose config space reads ffff as on real hardware,
`devices --json`, `groups --json` and the warnings must be identical on:

  * the tree as built (uevent),
  * a copy without any function's uevent, and without the attributes the
    config header replaces (class, revision, modalias), so reading them
    would show,
  * a copy without uevent and config (the attributes).

With strace, it also checks that the config way opens no ID attribute and
checks each driver link once per driver, not once per device. Prints TAP.
"""

import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from tapcases import case, run_cases

ctl, build_host, sriov_spec = sys.argv[1:4]
roots = sys.argv[4:]

CONFIG_REPLACES = ("uevent", "class", "revision", "modalias")
ID_ATTRIBUTES = ("vendor", "device", "class", "revision", "modalias")


def function_dirs(root):
    devices = os.path.join(root, "sys", "bus", "pci", "devices")
    return [os.path.realpath(os.path.join(devices, name)) for name in sorted(os.listdir(devices))]


def strip(root, names):
    for directory in function_dirs(root):
        for name in names:
            path = os.path.join(directory, name)
            if os.path.lexists(path):
                os.unlink(path)


def scan(root, prefix=()):
    out = {}
    for command in ("devices", "groups"):
        r = subprocess.run([*prefix, ctl, "--root", root, command, "--json"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError(f"{command} on {root} exited {r.returncode}: {r.stderr}")
        out[command] = json.loads(r.stdout)
        out[command + " warnings"] = r.stderr
    return out


def assert_same(a, b):
    problems = []
    for key in a:
        if a[key] == b[key]:
            continue
        if key == "devices":
            ours = {d["address"]: d for d in a[key]}
            for d in b[key]:
                if ours.get(d["address"]) != d:
                    diff = {k: (ours.get(d["address"], {}).get(k), v) for k, v in d.items()
                            if ours.get(d["address"], {}).get(k) != v}
                    problems.append(f"{d['address']}: {diff}")
                    if len(problems) > 5:
                        break
        else:
            problems.append(f"{key} differ")
    assert not problems, "\n".join(problems)


def strace_check(root):
    """The config way: no ID attribute opened; driver links checked per driver."""
    if shutil.which("strace") is None:
        return
    with tempfile.NamedTemporaryFile(prefix="pt-strace-") as log:
        subprocess.run(["strace", "-f", "-qq", "-o", log.name, "-e",
                        "trace=openat,faccessat,faccessat2", ctl, "--root", root, "devices", "--json"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        calls = open(log.name).read()
    opened = collections.Counter(re.findall(r'openat\([^,]+, "([a-z_]+)"', calls))
    # A VF's own config space may read ffff for its IDs: those two come
    # from the attributes.
    ffff = sum(1 for d in function_dirs(root)
               if open(os.path.join(d, "config"), "rb").read(4) == b"\xff\xff\xff\xff")
    allowed = {"vendor": ffff, "device": ffff}
    wrong = {name: opened[name] for name in ID_ATTRIBUTES if opened[name] > allowed.get(name, 0)}
    assert not wrong, f"the config way opened ID attributes {wrong}"
    driver_checks = len(re.findall(r'faccessat2?\([^,]+, "(?:[^"]*/)?driver"', calls))
    drivers = {os.readlink(os.path.join(d, "driver")).rsplit("/", 1)[-1]
               for d in function_dirs(root) if os.path.islink(os.path.join(d, "driver"))}
    assert driver_checks <= len(drivers), f"{driver_checks} driver link checks on {len(drivers)} drivers"


def copy_of(root, name):
    copy = os.path.join(tmp, name)
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, symlinks=True)
    return copy


def add_cases(name, root):
    @case(f"{name}: without uevent, config's header gives the same host, reading only it")
    def _():
        copy = copy_of(root, name)
        strip(copy, CONFIG_REPLACES)
        assert_same(scan(root), scan(copy))
        strace_check(copy)
        shutil.rmtree(copy)

    @case(f"{name}: without uevent and config, the attributes give the same host")
    def _():
        copy = copy_of(root, name)
        strip(copy, ("uevent", "config"))
        assert_same(scan(root), scan(copy))
        shutil.rmtree(copy)


tmp = tempfile.mkdtemp(prefix="pt-scan-paths-")
for root in roots:
    add_cases(os.path.basename(root.rstrip("/")), root)

# Real SR-IOV hardware: a VF's own config reads ffff for its IDs.
spec = json.load(open(sriov_spec))
spec["vf_config_ffff"] = True
spec_path = os.path.join(tmp, "vf-ffff.json")
json.dump(spec, open(spec_path, "w"))
vf_ffff_host = os.path.join(tmp, "vf-ffff-host")
subprocess.run([sys.executable, build_host, spec_path, vf_ffff_host], check=True,
               stdout=subprocess.DEVNULL)
add_cases("server-sriov with VF config ffff", vf_ffff_host)

# A big host (1,024 functions and more; 8,192 in the app) is read by two threads: the same host as
# one thread reads, with the same warnings in the same order (a generated tree
# with a few odd functions, read both ways).
big = os.path.join(tmp, "big-host")
subprocess.run([sys.executable, os.path.join(os.path.dirname(build_host), "gen-host.py"),
                "1024", big], check=True, stdout=subprocess.DEVNULL)
odd = function_dirs(big)
for directory in (odd[3], odd[700]):
    with open(os.path.join(directory, "numa_node"), "w") as f:
        f.write("garbage\n")
for name in ("uevent", "config"):
    os.unlink(os.path.join(odd[900], name))
with open(os.path.join(odd[900], "vendor"), "w") as f:
    f.write("not hex\n")
os.makedirs(os.path.join(big, "sys", "bus", "pci", "devices", "not-an-address"))
# A driver both halves use, gone: said once, for its first function.
drivers = collections.Counter(os.path.basename(os.readlink(os.path.join(d, "driver")))
                              for d in odd if os.path.islink(os.path.join(d, "driver")))
common = drivers.most_common(1)[0][0]
shutil.rmtree(os.path.join(big, "sys", "bus", "pci", "drivers", common))


@case("a host of 1,024 functions read by two threads is the host one thread reads")
def _():
    two = scan(big, prefix=("env", "PASSTHROUGH_SCAN_THREADS=2"))
    one = scan(big, prefix=("env", "PASSTHROUGH_SCAN_THREADS=1"))
    assert_same(one, two)
    warnings = two["devices warnings"]
    for said in ("not a PCI address", "not hex", f"points to “{common}”, which does not exist"):
        assert said in warnings, (said, warnings)
    assert warnings.count(f"points to “{common}”") == 1, warnings


run_cases(cleanup=lambda: shutil.rmtree(tmp))
