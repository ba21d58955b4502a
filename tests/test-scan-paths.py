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

ctl, build_host, sriov_spec = sys.argv[1:4]
roots = sys.argv[4:]

CONFIG_REPLACES = ("uevent", "class", "revision", "modalias")
ID_ATTRIBUTES = ("vendor", "device", "class", "revision", "modalias")
results = []


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


def differences(a, b):
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
    return problems


def strace_check(root, n_devices):
    """The config way: no ID attribute opened; driver links checked per driver."""
    if shutil.which("strace") is None:
        return "skip strace is not installed"
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
    if wrong:
        return f"not ok: the config way opened ID attributes {wrong}"
    driver_checks = len(re.findall(r'faccessat2?\([^,]+, "driver"', calls))
    drivers = {os.readlink(os.path.join(d, "driver")).rsplit("/", 1)[-1]
               for d in function_dirs(root) if os.path.islink(os.path.join(d, "driver"))}
    if driver_checks > len(drivers):
        return (f"not ok: {driver_checks} driver link checks for {n_devices} functions "
                f"on {len(drivers)} drivers")
    return None


def check(name, root, tmp):
    copy = os.path.join(tmp, name)
    shutil.copytree(root, copy, symlinks=True)
    expected = scan(root)
    n = len(expected["devices"])

    strip(copy, CONFIG_REPLACES)
    problems = differences(expected, scan(copy))
    results.append((f"{name}: without uevent, config's header gives the same {n} functions",
                    problems))
    skip = strace_check(copy, n)
    results.append((f"{name}: without uevent, only config and the driver link are read",
                    [skip] if skip and skip.startswith("not ok") else [],
                    skip if skip and skip.startswith("skip") else None))

    strip(copy, ("config",))
    # The attributes the config way made unneeded are what this way reads.
    for directory in function_dirs(copy):
        original = os.path.join(root, os.path.relpath(directory, copy))
        for attr in ("class", "revision", "modalias"):
            src = os.path.join(original, attr)
            if os.path.exists(src):
                shutil.copy(src, os.path.join(directory, attr))
    problems = differences(expected, scan(copy))
    results.append((f"{name}: without uevent and config, the attributes give the same {n} functions",
                    problems))
    shutil.rmtree(copy)


def main():
    with tempfile.TemporaryDirectory(prefix="pt-scan-paths-") as tmp:
        for root in roots:
            check(os.path.basename(root.rstrip("/")), root, tmp)

        spec = json.load(open(sriov_spec))
        spec["vf_config_ffff"] = True
        spec_path = os.path.join(tmp, "vf-ffff.json")
        json.dump(spec, open(spec_path, "w"))
        built = os.path.join(tmp, "vf-ffff-host")
        subprocess.run([sys.executable, build_host, spec_path, built], check=True,
                       stdout=subprocess.DEVNULL)
        check("server-sriov with VF config ffff", built, tmp)

    print(f"1..{len(results)}")
    failed = 0
    for i, result in enumerate(results, 1):
        title, problems = result[0], result[1]
        directive = result[2] if len(result) > 2 else None
        if problems:
            failed += 1
            print(f"not ok {i} - {title}")
            for p in problems:
                print(f"# {p}")
        elif directive:
            print(f"ok {i} - {title} # SKIP {directive[5:]}")
        else:
            print(f"ok {i} - {title}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
