#!/bin/sh
# ui-session.sh PROGRAM [ARGS…] — runs a UI test in a private D-Bus session
# under Xvfb. The bus and the services it starts (the AT-SPI registry prints
# a line when it comes up) get stderr, so standard output carries only the
# test's TAP.
# SPDX-License-Identifier: GPL-3.0-or-later
exec 3>&1
exec dbus-run-session -- sh -c 'exec xvfb-run -a -s "-screen 0 1280x1024x24" "$@" >&3' ui-session "$@" >&2
