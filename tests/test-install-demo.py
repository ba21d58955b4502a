#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The demo from an installed tree, not from the build directory.

Usage: test-install-demo.py BUILD_DIR   (under Xvfb and a D-Bus session)

Installs the build into a temporary DESTDIR, checks that no installed
program names the build directory once its debugging information is
stripped (as distributions ship it), then starts the installed app with
--demo and without the uninstalled build's PASSTHROUGH_DEMO_* variables,
and checks through AT-SPI that the window says Demo in its title and its
banner and lists the demo host's devices; then the same in zh_CN, whose
translations the installed app must find beside itself. Prints TAP. Uses
Debian's /usr/bin/python3 for the Atspi bindings.
"""

import os
import shutil
import subprocess
import sys
import tempfile

import atspi_ui
from atspi_ui import click, find, find_app

reason = atspi_ui.missing(xdotool_too=False)
if reason is not None:
    print(f"1..0 # SKIP {reason}")
    sys.exit(0)

BUILD = os.path.realpath(sys.argv[1])
count = 0
failed = 0


def ok(passed, name, diagnostic=""):
    global count, failed
    count += 1
    print(f"{'ok' if passed else 'not ok'} {count} - {name}")
    if not passed:
        failed += 1
        for line in str(diagnostic).splitlines():
            print(f"# {line}")


destdir = tempfile.mkdtemp(prefix="passthrough-install-demo-")
try:
    install = subprocess.run(["meson", "install", "--no-rebuild", "--quiet", "--destdir", destdir,
                              "-C", BUILD], capture_output=True, text=True)
    ok(install.returncode == 0, "meson install into a DESTDIR", install.stdout + install.stderr)
    if install.returncode != 0:
        print(f"1..{count}")
        sys.exit(1)

    # Where the installed files are: found, not assumed (prefix and bindir are options).
    found = {}
    for top, dirs, files in os.walk(destdir):
        for name in files:
            found.setdefault(name, os.path.join(top, name))
    app = found.get("passthrough")
    demo_dirs = [top for top, dirs, files in os.walk(destdir)
                 if top.endswith(os.path.join("passthrough", "demo"))]
    ok(app is not None and len(demo_dirs) == 1, "the app and its demo host are installed",
       f"app {app}, demo {demo_dirs}")
    demo_dir = demo_dirs[0]
    ok(os.path.isfile(os.path.join(demo_dir, "desktop-intel-node.xml"))
       and os.path.islink(os.path.join(demo_dir, "desktop-intel", "sys", "bus", "pci", "devices",
                                       "0000:01:00.0"))
       and "passthrough-demo-helper" in found,
       "the demo tree keeps its links; its test-driver host and demo helper are installed")

    # Debugging information names the build (DW_AT_comp_dir); what is
    # shipped once it is stripped must not.
    objcopy = shutil.which("objcopy")
    if objcopy is None:
        print(f"ok {count + 1} - no installed program names the build directory # SKIP no objcopy")
        count += 1
    else:
        named = []
        for path in found.values():
            with open(path, "rb") as f:
                if f.read(4) != b"\x7fELF":
                    continue
            stripped = os.path.join(destdir, "stripped")
            subprocess.run([objcopy, "--strip-debug", path, stripped], check=True)
            with open(stripped, "rb") as f:
                if BUILD.encode() in f.read():
                    named.append(path)
            os.unlink(stripped)
        ok(not named, "no installed program names the build directory", "\n".join(named))

    schemas = os.path.dirname(found["org.example.Passthrough.gschema.xml"])
    subprocess.run(["glib-compile-schemas", schemas], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSTHROUGH_DEMO")}
    env.pop("NO_AT_BRIDGE", None)
    env.update(GDK_BACKEND="x11", GSK_RENDERER="cairo", GSETTINGS_SCHEMA_DIR=schemas)

    for language, title, banner, tab in [
            ("C", "Passthrough Demo", "nothing on this computer changes", "Devices"),
            ("zh_CN", "Passthrough 演示", "本机不会有任何改动", "设备")]:
        run_env = dict(env, LANGUAGE=language, LC_ALL="C.UTF-8")
        process = subprocess.Popen([app, "--demo"], env=run_env, cwd=destdir)
        try:
            frame = find(find_app(process), role="frame")
            ok(frame.get_name() == title, f"{language}: the installed demo's title is {title}",
               f"the title is {frame.get_name()}")
            find(frame, contains=banner)
            ok(True, f"{language}: the banner says {banner}")
            click(find(frame, role="page tab", contains=tab))
            find(frame, contains="RTX 3060")
            ok(True, f"{language}: the demo host's devices are listed")
        except AssertionError as error:
            ok(False, f"{language}: the installed demo shows itself", error)
        finally:
            process.terminate()
            process.wait(timeout=30)
finally:
    shutil.rmtree(destdir, ignore_errors=True)

print(f"1..{count}")
sys.exit(1 if failed else 0)
