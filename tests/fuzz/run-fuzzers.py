#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a
few seconds from a seed corpus (valid helper command lines, the fixture
hosts' GRUB files and kernel command lines). A crash, a leak or a broken
invariant (the targets abort()) fails the test; the inputs that did it are
left in the build directory.

Usage: run-fuzzers.py SOURCE_ROOT BUILD_ROOT SECONDS
Prints TAP.
"""

import glob
import os
import re
import shutil
import subprocess
import sys

source, build, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
work = os.path.join(build, "tests", "fuzz")
os.makedirs(work, exist_ok=True)

TARGETS = {
    "fuzz-helper-request": ["src/helper/ph-request.c", "src/core/pt-host-change.c", "src/core/pt-sysfs.c", "src/core/pt-error.c"],
    "fuzz-sysfs-target": ["src/helper/ph-sysfs.c", "src/helper/ph-files.c", "src/helper/ph-request.c", "src/core/pt-host-change.c",
                          "src/core/pt-sysfs.c", "src/core/pt-managed-files.c", "src/core/pt-error.c"],
    "fuzz-grub-defaults": ["src/core/pt-grub-defaults.c", "src/core/pt-kernel-cmdline.c",
                           "src/core/pt-error.c"],
    "fuzz-kernel-cmdline": ["src/core/pt-grub-defaults.c", "src/core/pt-kernel-cmdline.c",
                            "src/core/pt-error.c"],
}

clang = shutil.which("clang")
if clang is None:
    print("1..0 # SKIP clang is not installed (build-aux/dev test installs it)")
    sys.exit(0)


def seeds(name):
    corpus = os.path.join(work, name + "-corpus")
    os.makedirs(corpus, exist_ok=True)
    items = []
    if name == "fuzz-helper-request":
        items = [b"bind-devices-force\0bind\x000000:01:00.0",
                 b"bind-devices\0return\x000000:01:00.1\0--device-only",
                 b"sriov\0set-vfs\x000000:18:00.0\x0063\0--keep-vfs-free\0--dry-run",
                 b"configure-boot\0undo\x0012", b"configure-boot\0history\0--json"]
    elif name == "fuzz-sysfs-target":
        # One of each kind the helper writes, and the overlap that once underflowed.
        items = [b"/sys/bus/pci/devices/0000:01:00.0/driver_override\0vfio-pci",
                 b"/sys/bus/pci/devices/0000:01:00.0/driver_override\0\n",
                 b"/sys/bus/pci/devices/0000:18:00.0/sriov_numvfs\x0063",
                 b"/sys/bus/pci/devices/0000:18:00.0/sriov_drivers_autoprobe\x000",
                 b"/sys/bus/pci/drivers/nouveau/unbind\x000000:01:00.0",
                 b"/sys/bus/pci/drivers_probe\x000000:01:00.0",
                 b"/sys/bus/pci/drivers/unbind\x000000:01:00.0"]
    else:
        pattern = "etc/default/grub*" if name == "fuzz-grub-defaults" else "proc/cmdline"
        for path in glob.glob(os.path.join(build, "tests", "*", pattern)) + \
                glob.glob(os.path.join(build, "tests", "*", "etc/default/grub.d/*.cfg")):
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    items.append(f.read())
    for i, item in enumerate(items):
        with open(os.path.join(corpus, f"seed-{i}"), "wb") as f:
            f.write(item)
    return corpus


flags = subprocess.run(["pkg-config", "--cflags", "--libs", "glib-2.0", "gio-2.0"],
                       capture_output=True, text=True, check=True).stdout.split()
print(f"1..{len(TARGETS)}")
failed = 0
for number, (name, sources) in enumerate(TARGETS.items(), 1):
    binary = os.path.join(work, name)
    compile_cmd = [clang, "-g", "-O1", "-fsanitize=fuzzer,address,undefined",
                   "-fno-sanitize-recover=undefined", "-D_GNU_SOURCE",
                   "-I", build, "-I", os.path.join(source, "src/core"),
                   "-I", os.path.join(source, "src/helper"),
                   os.path.join(source, "tests/fuzz", name + ".c")] + \
                  [os.path.join(source, s) for s in sources] + flags + ["-o", binary]
    r = subprocess.run(compile_cmd, capture_output=True, text=True)
    if r.returncode != 0:
        if "libclang_rt.fuzzer" in r.stderr or "cannot find" in r.stderr:
            print(f"ok {number} {name} # SKIP libFuzzer runtime missing (libclang-rt-14-dev)")
            continue
        failed += 1
        print(f"not ok {number} {name} does not build")
        for line in r.stderr.splitlines()[-20:]:
            print(f"# {line}")
        continue
    corpus = seeds(name)
    r = subprocess.run([binary, f"-max_total_time={seconds}", "-rss_limit_mb=2048",
                        "-print_final_stats=1", f"-artifact_prefix={work}/{name}-", corpus],
                       capture_output=True, text=True)
    runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", r.stderr)
    executed = int(runs.group(1)) if runs else 0
    if r.returncode == 0 and executed > 0:
        print(f"ok {number} {name}: {executed} inputs in {seconds} s, no crash")
    else:
        failed += 1
        print(f"not ok {number} {name} (exit {r.returncode}, {executed} inputs)")
        for line in r.stderr.splitlines()[-30:]:
            print(f"# {line}")
sys.exit(1 if failed else 0)
