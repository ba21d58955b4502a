#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What ssh asks, asked in the app: a qemu+ssh:// connection to a real sshd
and libvirtd (ssh_host.py) whose host key is new to this computer and whose
login key has a passphrase, as a user who started the app from the desktop
(no terminal) meets it.

The app shows the host's key fingerprint; cancelling leaves the host
untrusted and the failure page says so in words; Try Again, Trust and the
key's passphrase typed into the app reach the host, whose devices are then
listed; ssh remembered the key (in the test's own known_hosts).

Usage: test-ui-ssh.py PASSTHROUGH   (under Xvfb and a D-Bus session, as root)
Prints TAP; skips without root, sshd, libvirtd, xdotool or AT-SPI.
"""

import os
import subprocess
import sys

import atspi_ui
import ssh_host
from atspi_ui import absent, click, env, find, find_app, find_window, focus_window, xdotool
from tapcases import case, run_cases

reason = ssh_host.missing() or atspi_ui.missing()
if reason is not None:
    print(f"1..0 # SKIP {reason}")
    sys.exit(0)

APP = sys.argv[1]
PASSPHRASE = "correct horse battery"
host = ssh_host.SshHost(key_passphrase=PASSPHRASE)
host.start()

# Its own runtime directory, to see that the app leaves nothing there.
runtime = os.path.join(host.work, "runtime")
os.mkdir(runtime, 0o700)
app_env = dict(env, PATH=host.path_with_ssh(), XDG_RUNTIME_DIR=runtime)
app_log = open(os.path.join(os.environ.get("G_TEST_BUILDDIR", "/tmp"), "ui-ssh-app.log"), "w+")
# No terminal, as from the desktop: ssh asks through SSH_ASKPASS only then.
process = subprocess.Popen([APP, "--connect", host.uri(verify=True)], env=app_env,
                           stdin=subprocess.DEVNULL, stderr=app_log, start_new_session=True)
state = {}


def known():
    return os.path.exists(host.known_hosts) and os.path.getsize(host.known_hosts) > 0


@case("a new host's key is shown with its fingerprint; cancelling leaves it untrusted and says so")
def _():
    state["app"] = find_app()
    dialog = find_window(state["app"], "Trust This Host?")
    find(dialog, contains=host.fingerprint())
    find(dialog, contains="127.0.0.1, port " + str(host.port))
    click(find(dialog, role="push button", contains="Cancel"))
    frame = find(state["app"], role="frame")
    find(frame, contains="Cannot Reach")
    find(frame, contains="was not trusted, so nothing was sent to it")
    assert not known(), open(host.known_hosts).read()


@case("Try Again, trust the key and type its passphrase: the other host's devices are listed")
def _():
    app = state["app"]
    frame = find(app, role="frame")
    click(find(frame, role="push button", contains="Try Again"))
    dialog = find_window(app, "Trust This Host?")
    click(find(dialog, role="push button", contains="Trust and Connect"))
    dialog = find_window(app, "Unlock SSH Key")
    find(dialog, contains=host.user_key)
    # The passphrase field has the keyboard; Enter unlocks.
    find(dialog, role="password text")
    focus_window("Unlock SSH Key")
    xdotool("type", "--delay", "30", PASSPHRASE)
    xdotool("key", "Return")
    # The other host, named by its machine (never its URI), read through libvirt:
    # what it uses itself cannot be seen, and its Host page says so.
    find(frame, contains=f"root@127.0.0.1:{host.port} is read through libvirt")
    # Its devices (the other host is this machine): the first one is listed.
    click(find(frame, role="page tab", name="Devices"))
    find(frame, role="label", contains=ssh_host.first_endpoint() + " · ")
    absent(app, "Unlock SSH Key")
    assert known(), "ssh did not remember the trusted key"
    # Debian's ssh hashes the names it remembers: ask ssh-keygen.
    found = subprocess.run(["ssh-keygen", "-F", f"[127.0.0.1]:{host.port}", "-f", host.known_hosts],
                           capture_output=True, text=True)
    assert found.returncode == 0, (found.stdout, found.stderr)


@case("the app logged no GTK warnings, and left nothing of its askpass behind")
def _():
    process.terminate()
    process.wait(timeout=15)
    app_log.seek(0)
    log = app_log.read()
    sys.stderr.write(log)
    problems = [line for line in log.splitlines() if "Gtk-WARNING" in line or "CRITICAL" in line]
    assert not problems, "the app logged:\n" + "\n".join(problems)
    # dconf and the like may leave their own; ours is passthrough-askpass-*.
    left = [n for n in os.listdir(runtime) if n.startswith("passthrough-askpass-")]
    assert not left, left


def cleanup():
    if process.poll() is None:
        process.kill()
    host.stop()


run_cases(cleanup=cleanup)
