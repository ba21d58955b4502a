#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scan speed of passthroughctl and idle cost of the app, as ratios.

For generated hosts (tests/fixtures/gen-host.py) of 1,024, 4,096, 8,192 and
16,384 PCI functions, each measured as built (every function has `uevent`)
and again with every function's `uevent` removed (the scanner then reads
config's header), it times whole processes of:

  * passthroughctl --root HOST devices --json, devices (text), groups --json
    and check --json
  * lspci -A linux-sysfs -O sysfs.path=HOST/sys/bus/pci -nnk   (the reference)
  * sysfs-floor HOST   (a plain C read of the same sysfs facts: the floor)

in paired rounds: every round runs each command once, back to back, and the
ratios are taken within the round; the printed ratio is the median over the
rounds, so a machine busy with other work slows both sides of a ratio alike.
It prints times (medians), the ratios against lspci and the floor, text
against JSON (measured apart, in at least 15 ABBA quads: the two differ by
a few per cent, less than separate runs of one command do; in wall time,
and in CPU time beside it), peak RSS, and how
`devices --json` grows with the host.

With --ui (needs a display; run it under xvfb-run) it times the app instead:
exec to the first frame painted with the device list populated (the process
prints when that frame is painted against the benchmark's monotonic clock,
so its teardown is not counted), and peak
RSS, on the demo host and on generated hosts, against an empty libadwaita
window started the same way (what GTK alone costs here); and the frames the
window paints in 10 s of doing nothing after that (must be 0). Then the
Groups page's first open on each generated host (win.page, as Alt+3, once
the start's work has ended: a second without a frame): from the switch to
the first frame painted with its cards, the main thread's CPU time in that
(what the page costs, however busy the machine), to the last frame of the
work the switch set going (a second without a frame after it), RSS then and
its peak. The starts are interleaved (each round starts the empty window, then
every host) and each run is paired with the empty window's run of its round,
to whose start the time to the first frame is compared (a busy machine slows
both alike).

Usage: build-aux/benchmark.py [--build DIR] [--runs N] [--sizes 1024,4096,…]
                              [--ui] [--ui-sizes 4096,16384] [--app PATH] [--ctl PATH]
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)

TARGET_VS_LSPCI = 0.5    # devices --json, at 4,096 and 16,384 functions
TARGET_VS_FLOOR = 1.3    # devices --json, at 4,096 and 16,384 functions
TARGET_TEXT = 1.05       # devices (text) / devices --json
TARGET_UI = {4096: 2.5, 16384: 5.0}   # first populated frame / empty window
TARGET_GROUPS_MS = 300   # Groups page first open to its first frame, at 16,384 (quiet machine)
TARGET_GROUPS_RSS = 100  # MB in use once that open has settled
IDLE_SECONDS = 10
TEXT_QUADS = 15          # ABBA quads for text against JSON, at least

COMMANDS = [("devices --json", ["devices", "--json"]),
            ("devices", ["devices"]),
            ("groups --json", ["groups", "--json"]),
            ("check --json", ["check", "--json"])]


def run_once(argv):
    """Wall time of one run, output discarded."""
    start = time.perf_counter()
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if r.returncode not in (0, 1):      # check exits 1 on a host that is not ready
        raise SystemExit(f"{argv} exited {r.returncode}")
    return (elapsed,)


def peak_rss(argv):
    """Peak RSS in MB, through GNU time: a child of this Python process would
    count Python's own memory, which the kernel carries over exec."""
    gnu_time = shutil.which("time") or "/usr/bin/time"
    r = subprocess.run([gnu_time, "-f", "%M", *argv], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    try:
        return int(r.stderr.strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        return float("nan")


def paired(commands, runs):
    """commands: {label: argv}. Returns {label: [(seconds,), …]}, one per round."""
    for argv in commands.values():       # warm the caches the same way for every command
        run_once(argv)
    samples = {label: [] for label in commands}
    labels = list(commands)
    for r in range(runs):
        # Rotate the order, so no command always runs right after another.
        for label in labels[r % len(labels):] + labels[:r % len(labels)]:
            samples[label].append(run_once(commands[label]))
    return samples


def cpu_run(argv):
    """Wall time and CPU time (user + system) of one run, output discarded."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run_once(argv)[0]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def abba_ratio(b_argv, a_argv, quads):
    """B against A in ABBA quads (A, B, B, A back to back), so drift within a
    quad cancels: for two commands that differ by a few per cent, which
    separate runs of the same command here differ by ten (16,384 functions).
    Returns the median of the quads' (B1 + B2) / (A1 + A2) in wall time, its
    range, and the same median in CPU time (what the commands cost, however
    busy the machine)."""
    cpu_run(a_argv)
    cpu_run(b_argv)
    walls, cpus = [], []
    for _ in range(quads):
        a1 = cpu_run(a_argv)
        b1 = cpu_run(b_argv)
        b2 = cpu_run(b_argv)
        a2 = cpu_run(a_argv)
        walls.append((b1[0] + b2[0]) / (a1[0] + a2[0]))
        cpus.append((b1[1] + b2[1]) / (a1[1] + a2[1]))
    return statistics.median(walls), min(walls), max(walls), statistics.median(cpus)


def median_ratio(a, b):
    return statistics.median(x[0] / y[0] for x, y in zip(a, b))


def strip_uevent(root):
    devices = os.path.join(root, "sys", "bus", "pci", "devices")
    for name in os.listdir(devices):
        path = os.path.join(os.path.realpath(os.path.join(devices, name)), "uevent")
        if os.path.exists(path):
            os.unlink(path)


def cli_benchmark(args):
    ctl = args.ctl or os.path.join(args.build, "src", "cli", "passthroughctl")
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
    texts = {}
    print(f"{ctl}: {args.runs} paired rounds per host; times are medians, ratios medians of "
          f"the rounds' ratios; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="pt-bench-") as tmp:
        for n in sizes:
            root = os.path.join(tmp, f"host-{n}")
            subprocess.run([sys.executable, gen, str(n), root], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for tree in ("uevent", "no uevent"):
                if tree == "no uevent":
                    strip_uevent(root)
                # A tree just written is still being flushed to disk; that
                # would slow whichever command runs first.
                os.sync()
                commands = {label: [ctl, "--root", root, *argv] for label, argv in COMMANDS}
                commands["lspci -nnk"] = [lspci, "-A", "linux-sysfs", "-O",
                                          f"sysfs.path={root}/sys/bus/pci", "-nnk"]
                commands["floor"] = [floor, root]
                s = paired(commands, args.runs)
                results[n, tree] = s
                print(f"\n{n:,} functions, {tree}:")
                print(f"  {'command':<15} {'time':>9} {'vs lspci':>9} {'vs floor':>9} {'peak RSS':>9}")
                for label in commands:
                    t = statistics.median(x[0] for x in s[label])
                    rss = peak_rss(commands[label])
                    vs = ""
                    if label not in ("lspci -nnk", "floor"):
                        vs = (f"{median_ratio(s[label], s['lspci -nnk']):>8.2f}x"
                              f" {median_ratio(s[label], s['floor']):>8.2f}x")
                    else:
                        vs = f"{'':>9} {'':>9}"
                    print(f"  {label:<15} {t * 1e3:>6.0f} ms {vs} {rss:>6.0f} MB")
                quads = max(args.runs, TEXT_QUADS)
                text = abba_ratio(commands["devices"], commands["devices --json"], quads)
                texts[n, tree] = text[0]
                print(f"  text / JSON: {text[0]:.2f}x ({quads} ABBA quads, "
                      f"{text[1]:.2f}-{text[2]:.2f}x; CPU time {text[3]:.2f}x)")
            shutil.rmtree(root)

    # Sizes are measured minutes apart, when other work may load the machine
    # differently: the growth of the ratio to the floor (1.00x: grows as the
    # plain read does) holds where the raw growth does not.
    print("\ndevices --json growth: time ratio (2.00x is linear), and its ratio to the floor's growth:")
    for tree in ("uevent", "no uevent"):
        steps = []
        for a, b in zip(sizes, sizes[1:]):
            ta = statistics.median(x[0] for x in results[a, tree]["devices --json"])
            tb = statistics.median(x[0] for x in results[b, tree]["devices --json"])
            ra = median_ratio(results[a, tree]["devices --json"], results[a, tree]["floor"])
            rb = median_ratio(results[b, tree]["devices --json"], results[b, tree]["floor"])
            steps.append(f"{b:,}/{a:,} {tb / ta:.2f}x ({rb / ra:.2f}x the floor's)")
        print(f"  {tree}: " + ", ".join(steps))

    print("\ntargets:")
    for n in (4096, 16384):
        for tree in ("uevent", "no uevent"):
            if (n, tree) not in results:
                continue
            s = results[n, tree]
            r1 = median_ratio(s["devices --json"], s["lspci -nnk"])
            r2 = median_ratio(s["devices --json"], s["floor"])
            r3 = texts[n, tree]
            print(f"  {n:,} {tree}: {r1:.2f}x lspci (<= {TARGET_VS_LSPCI}: "
                  f"{'met' if r1 <= TARGET_VS_LSPCI else 'MISSED'}), {r2:.2f}x floor "
                  f"(<= {TARGET_VS_FLOOR}: {'met' if r2 <= TARGET_VS_FLOOR else 'MISSED'}), "
                  f"text {r3:.2f}x JSON (<= {TARGET_TEXT}: {'met' if r3 <= TARGET_TEXT else 'MISSED'})")


def ui_benchmark(args):
    app = args.app or os.path.join(args.build, "src", "passthrough")
    reference = os.path.join(args.build, "build-aux", "empty-window")
    gen = os.path.join(SOURCE, "tests", "fixtures", "gen-host.py")
    demo_root = os.path.join(args.build, "tests", "desktop-intel")
    demo_uri = "test://" + os.path.join(args.build, "tests", "desktop-intel-node.xml")
    env = dict(os.environ, PASSTHROUGH_STARTUP_BENCHMARK="1", GSETTINGS_BACKEND="memory",
               GSETTINGS_SCHEMA_DIR=os.path.join(args.build, "data"))
    for path in (app, reference):
        if not os.access(path, os.X_OK):
            sys.exit(f"{path} is missing: build with -Dgui=true first")

    def output(argv, extra_env=None, timeout=120):
        return subprocess.run(argv, env=dict(env, **(extra_env or {})), capture_output=True,
                              text=True, timeout=timeout).stdout

    def until_populated(argv, extra_env=None):
        """Exec to the first populated frame, as the process measures it against
        our clock (its teardown after that is not what a user waits for), and
        the output."""
        t0 = time.monotonic_ns()
        out = output(argv, dict(extra_env or {}, PASSTHROUGH_BENCHMARK_T0=str(t0)))
        line = next(l for l in out.splitlines() if l.startswith("populated"))
        return float(line.split("; after ")[1].split()[0]) / 1e3, line, out

    def startup(rows):
        """Every row's start, interleaved: each round runs the empty window and
        then every host, so a run and its reference see the same machine."""
        times = {row[0]: [] for row in rows}
        peaks = {row[0]: [] for row in rows}
        for _ in range(max(3, args.runs // 2)):
            for row in rows:
                seconds, line, _ = until_populated(row[1])
                times[row[0]].append(seconds)
                peaks[row[0]].append(int(line.split("VmHWM:")[1].split()[0]) / 1024)
        return {label: (times[label], max(peaks[label])) for label in times}

    def idle_frames(argv):
        r = subprocess.run(argv, env=dict(env, PASSTHROUGH_IDLE_SECONDS=str(IDLE_SECONDS)),
                           capture_output=True, text=True, timeout=120)
        line = next((l for l in r.stdout.splitlines() if l.startswith("idle")), None)
        if line is None:
            sys.exit(f"{' '.join(argv)} printed no idle count (exit status {r.returncode}):\n"
                     f"{r.stdout[-2000:]}{r.stderr[-2000:]}")
        return int(line.split()[1])

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; app: {app}")
    with tempfile.TemporaryDirectory(prefix="pt-bench-ui-") as tmp:
        rows = [("empty window", [reference]),
                ("demo", [app, "--root", demo_root, "--connect", demo_uri])]
        for n in [int(s) for s in args.ui_sizes.split(",") if s]:
            big = os.path.join(tmp, f"host-{n}")
            subprocess.run([sys.executable, gen, str(n), big], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            rows.append((f"{n:,} functions", [app, "--root", big, "--connect", demo_uri], n))
        os.sync()
        print(f"{'host':>16}  {'exec to populated list':>22}  {'peak RSS':>9}"
              f"  {'time vs empty':>13}  {'RSS vs empty':>12}  {'idle frames/s':>13}")
        results = startup(rows)
        for row in rows:
            label, argv = row[0], row[1]
            times, rss = results[label]
            t0s, rss0 = results["empty window"]
            # Each run against the empty window's run of the same index: paired.
            ratio = statistics.median(t / t0 for t, t0 in zip(times, t0s))
            frames = idle_frames(argv)
            print(f"{label:>16}  {statistics.median(times) * 1e3:>19.0f} ms  {rss:>6.0f} MB"
                  f"  {ratio:>12.2f}x  {rss / rss0:>11.2f}x  {frames / IDLE_SECONDS:>13.1f}")
            if len(row) > 2 and row[2] in TARGET_UI:
                print(f"{'':>16}  target <= {TARGET_UI[row[2]]}x the empty window: "
                      f"{'met' if ratio <= TARGET_UI[row[2]] else 'MISSED'}")
            if frames != 0:
                print(f"{'':>16}  target 0 idle frames: MISSED ({frames} in {IDLE_SECONDS} s)")
        # CPU is the main thread's: what the page costs however busy the machine.
        print(f"\nGroups page, first open{'':>7}  {'first frame':>11}  {'main-thread CPU':>15}"
              f"  {'vs empty window':>15}  {'settled':>8}  {'RSS then':>8}  {'peak RSS':>8}")
        for row in rows[2:]:
            label, argv, n = row
            opened, cpu, settled, ratios, rss, peaks = [], [], [], [], [], []
            for _ in range(max(3, args.runs // 2)):
                empty, _, _ = until_populated([reference])
                out = output(argv, {"PASSTHROUGH_BENCHMARK_PAGE": "groups"})
                painted = next(l for l in out.splitlines() if l.startswith("page groups painted"))
                done = next(l for l in out.splitlines() if l.startswith("page groups settled"))
                opened.append(float(painted.split(" in ")[1].split()[0]) / 1e3)
                cpu.append(float(painted.split(" ms, ")[1].split()[0]) / 1e3)
                settled.append(float(done.split(" in ")[1].split()[0]) / 1e3)
                ratios.append(opened[-1] / empty)
                rss.append(int(done.split("VmRSS:")[1].split()[0]) / 1024)
                peaks.append(int(done.split("VmHWM:")[1].split()[0]) / 1024)
            t = statistics.median(opened)
            c = statistics.median(cpu)
            print(f"{label:>30}  {t * 1e3:>8.0f} ms  {c * 1e3:>12.0f} ms  "
                  f"{statistics.median(ratios):>14.2f}x  {statistics.median(settled) * 1e3:>5.0f} ms"
                  f"  {max(rss):>5.0f} MB  {max(peaks):>5.0f} MB")
            if n == 16384:
                print(f"{'':>30}  target <= {TARGET_GROUPS_MS} ms to the first frame: "
                      f"{'met' if t * 1e3 <= TARGET_GROUPS_MS else 'MISSED'} "
                      f"(main-thread CPU {'met' if c * 1e3 <= TARGET_GROUPS_MS else 'MISSED'}); "
                      f"RSS <= {TARGET_GROUPS_RSS} MB once settled: "
                      f"{'met' if max(rss) <= TARGET_GROUPS_RSS else 'MISSED'}")
    print("renderer: " + ("as the environment chose (GSK_RENDERER=" + os.environ["GSK_RENDERER"] + ")"
                          if os.environ.get("GSK_RENDERER") not in (None, "cairo")
                          else "the app's choice (GL off without a GPU render node)"))


def main():
    sys.stdout.reconfigure(line_buffering=True)   # progress shows while it runs

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(SOURCE, "_build"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="1024,4096,8192,16384")
    parser.add_argument("--ui", action="store_true", help="time the app instead")
    parser.add_argument("--ui-sizes", default="4096,16384")
    parser.add_argument("--app", help="the app binary to time (default: the build's)")
    parser.add_argument("--ctl", help="the passthroughctl to time (default: the build's)")
    args = parser.parse_args()
    if args.ui:
        ui_benchmark(args)
    else:
        cli_benchmark(args)


if __name__ == "__main__":
    main()
