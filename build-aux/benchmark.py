#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scan speed of `passthroughctl devices --json`, as ratios.

For generated hosts of 1,024, 4,096 and 8,192 PCI functions it times whole
processes (median of several runs after one warm-up run) of:

  * passthroughctl --root HOST devices --json
  * lspci -A linux-sysfs -O sysfs.path=HOST/sys/bus/pci -nnk   (the reference)
  * sysfs-floor HOST   (a plain C read of the same sysfs attributes)

and prints each time and the ratios against lspci and the floor, plus how the
time grows from 4,096 to 8,192 functions. All three run back to back in this
one process on the same trees, so the ratios hold whatever the machine.

With --ui (needs a display; run it under xvfb-run) it also starts the app on
the demo host and on a 4,096-function host and prints the time from exec to
the first frame with the device list populated, and the peak RSS, next to the
same figures for an empty libadwaita window started the same way (the
reference: what GTK alone costs on this machine).

Usage: build-aux/benchmark.py [--build DIR] [--runs N] [--sizes 1024,4096,8192] [--ui]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)

TARGET_VS_LSPCI = 0.5    # at 4,096 functions
TARGET_VS_FLOOR = 1.5    # at 4,096 functions
TARGET_SCALING = 2.2     # 8,192 time / 4,096 time
TARGET_UI_MS = 500       # exec to the first populated frame, 4,096 functions
TARGET_UI_MB = 100       # peak RSS, 4,096 functions


def median_seconds(argv, runs):
    for _ in range(2):  # warm the caches the same way for every command
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def ui_startup(args):
    app = os.path.join(args.build, "src", "passthrough")
    reference = os.path.join(args.build, "build-aux", "empty-window")
    gen = os.path.join(SOURCE, "tests", "fixtures", "gen-host.py")
    demo_root = os.path.join(args.build, "tests", "desktop-intel")
    demo_uri = "test://" + os.path.join(args.build, "tests", "desktop-intel-node.xml")
    env = dict(os.environ, PASSTHROUGH_STARTUP_BENCHMARK="1", GSETTINGS_BACKEND="memory",
               GSETTINGS_SCHEMA_DIR=os.path.join(args.build, "data"))
    for path in (app, reference):
        if not os.access(path, os.X_OK):
            sys.exit(f"{path} is missing: build with -Dgui=true first")

    def startup(argv):
        times, peaks = [], []
        for _ in range(max(3, args.runs // 2)):
            start = time.perf_counter()
            out = subprocess.run(argv, env=env, capture_output=True, text=True,
                                 timeout=60).stdout
            times.append(time.perf_counter() - start)
            line = next(l for l in out.splitlines() if l.startswith("populated"))
            peaks.append(int(line.split("VmHWM:")[1].split()[0]) / 1024)
        return statistics.median(times), max(peaks)

    with tempfile.TemporaryDirectory(prefix="pt-bench-ui-") as tmp:
        big = os.path.join(tmp, "host-4096")
        subprocess.run([sys.executable, gen, "4096", big], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.sync()
        rows = [("empty window", [reference]),
                ("demo", [app, "--root", demo_root, "--connect", demo_uri]),
                ("4,096 functions", [app, "--root", big, "--connect", demo_uri])]
        print(f"{'host':>16}  {'exec to populated list':>22}  {'peak RSS':>9}"
              f"  {'time vs empty':>13}  {'RSS vs empty':>12}")
        results = {}
        for label, argv in rows:
            t, rss = results[label] = startup(argv)
            t0, rss0 = results["empty window"]
            print(f"{label:>16}  {t * 1e3:>19.0f} ms  {rss:>6.0f} MB"
                  f"  {t / t0:>12.2f}x  {rss / rss0:>11.2f}x")

    t, rss = results["4,096 functions"]
    print()
    print(f"4,096 functions: first populated frame {t * 1e3:.0f} ms (target <= "
          f"{TARGET_UI_MS} ms: {'met' if t * 1e3 <= TARGET_UI_MS else 'MISSED'}), "
          f"peak RSS {rss:.0f} MB (target <= {TARGET_UI_MB} MB: "
          f"{'met' if rss <= TARGET_UI_MB else 'MISSED'})")
    print("renderer: " + ("as the environment chose (GSK_RENDERER=" + os.environ["GSK_RENDERER"] + ")"
                          if os.environ.get("GSK_RENDERER") not in (None, "cairo")
                          else "the app's choice (GL off without a GPU render node)"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(SOURCE, "_build"))
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--sizes", default="1024,4096,8192")
    parser.add_argument("--ui", action="store_true", help="also time the app's startup")
    args = parser.parse_args()
    if args.ui:
        ui_startup(args)
        return

    ctl = os.path.join(args.build, "src", "cli", "passthroughctl")
    floor = os.path.join(args.build, "build-aux", "sysfs-floor")
    gen = os.path.join(SOURCE, "tests", "fixtures", "gen-host.py")
    lspci = shutil.which("lspci")
    for path in (ctl, floor):
        if not os.access(path, os.X_OK):
            sys.exit(f"{path} is missing: build first (build-aux/dev test or meson compile)")
    if lspci is None:
        sys.exit("lspci is missing: install pciutils")

    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    with tempfile.TemporaryDirectory(prefix="pt-bench-") as tmp:
        print(f"{'functions':>9}  {'passthroughctl':>14}  {'lspci -nnk':>10}  {'floor':>8}"
              f"  {'vs lspci':>8}  {'vs floor':>8}")
        for n in sizes:
            root = os.path.join(tmp, f"host-{n}")
            subprocess.run([sys.executable, gen, str(n), root], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # A tree just written is still being flushed to disk; that would
            # slow whichever command runs first.
            os.sync()
            t_ctl = median_seconds([ctl, "--root", root, "devices", "--json"], args.runs)
            t_lspci = median_seconds([lspci, "-A", "linux-sysfs", "-O",
                                      f"sysfs.path={root}/sys/bus/pci", "-nnk"], args.runs)
            t_floor = median_seconds([floor, root], args.runs)
            results[n] = (t_ctl, t_lspci, t_floor)
            print(f"{n:>9}  {t_ctl * 1e3:>11.1f} ms  {t_lspci * 1e3:>7.1f} ms"
                  f"  {t_floor * 1e3:>5.1f} ms  {t_ctl / t_lspci:>7.2f}x  {t_ctl / t_floor:>7.2f}x")
            shutil.rmtree(root)

    print()
    if 4096 in results:
        t_ctl, t_lspci, t_floor = results[4096]
        r1, r2 = t_ctl / t_lspci, t_ctl / t_floor
        print(f"4,096 functions: {r1:.2f}x lspci -nnk (target <= {TARGET_VS_LSPCI}x: "
              f"{'met' if r1 <= TARGET_VS_LSPCI else 'MISSED'}), "
              f"{r2:.2f}x the plain read (target <= {TARGET_VS_FLOOR}x: "
              f"{'met' if r2 <= TARGET_VS_FLOOR else 'MISSED'})")
    if 4096 in results and 8192 in results:
        growth = results[8192][0] / results[4096][0]
        print(f"8,192 vs 4,096 functions: {growth:.2f}x (target <= {TARGET_SCALING}x: "
              f"{'met' if growth <= TARGET_SCALING else 'MISSED'})")


if __name__ == "__main__":
    main()
