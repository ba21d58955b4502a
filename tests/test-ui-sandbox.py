#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The app in the view a Flatpak gets of this computer (see flatpak_view):
the screenshot test's sandbox run (PT_SCREENSHOT_SANDBOXED) inside bwrap,
under the Xvfb and session bus ui-session.sh made. Its TAP is passed on.

Usage: test-ui-sandbox.py TEST_UI_SCREENSHOTS BUILD_DIR
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

import flatpak_view

program, build = os.path.realpath(sys.argv[1]), os.path.realpath(sys.argv[2])

why = flatpak_view.unavailable()
if why is not None:
    print(f"1..0 # SKIP {why}")
    sys.exit(0)

work = tempfile.mkdtemp(prefix="pt-ui-sandbox-")
# The accessibility bus lives in the home directory, which a sandbox hides.
env = dict(os.environ, PT_SCREENSHOT_SANDBOXED="1", LC_ALL="C.UTF-8", GTK_A11Y="none")
# What the app needs of the session: the X server, its cookie, the bus.
binds = [build, "/tmp/.X11-unix"]
if os.environ.get("XAUTHORITY"):
    binds.append(os.path.dirname(os.environ["XAUTHORITY"]))
bus = re.search(r"unix:path=([^,;]+)", os.environ.get("DBUS_SESSION_BUS_ADDRESS", ""))
if bus:
    binds.append(os.path.dirname(bus.group(1)))
try:
    r = subprocess.run(flatpak_view.command(work, "debian", [program, "--tap"],
                                            binds=sorted(set(binds)), env=env))
finally:
    shutil.rmtree(work, ignore_errors=True)
sys.exit(r.returncode)
