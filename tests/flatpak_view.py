# SPDX-License-Identifier: GPL-3.0-or-later
"""The view of this computer a Flatpak gets, made with bwrap, for the tests
of Passthrough in the sandbox: only /sys/{block,bus,class,dev,devices} and
/proc of the host, /run/libvirt (as the manifest grants), the host's os-release at /run/host/os-release, a
/.flatpak-info, the runtime's own /etc (here: a made-up os-release, the
loader cache and fonts), /usr, and what a test names to bind."""

import os
import shutil
import subprocess

HOSTS = {
    "debian": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
    "openeuler": 'PRETTY_NAME="openEuler 24.03 (LTS)"\nID="openEuler"\nVERSION_ID="24.03"\n',
}
RUNTIME = 'PRETTY_NAME="GNOME OS Platform runtime"\nID=org.gnome.Platform\n'
FLATPAK_INFO = "[Application]\nname=org.example.Passthrough\nruntime=runtime/org.gnome.Platform/x86_64/47\n"


def unavailable():
    """Why no sandbox can be made here, or None."""
    if shutil.which("bwrap") is None:
        return "bwrap is not installed (package bubblewrap)"
    r = subprocess.run(["bwrap", "--ro-bind", "/", "/", "true"], capture_output=True, text=True)
    if r.returncode != 0:
        return "bwrap cannot make a sandbox here: " + r.stderr.strip()
    return None


def _write(work, name, text):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def command(work, host, argv, binds=(), env=None):
    """bwrap's argv running ARGV in the view of a HOST (a HOSTS key); BINDS
    are paths bound read-write at the same place; ENV replaces the
    environment (else the caller's is kept)."""
    host_os = _write(work, f"host-os-release-{host}", HOSTS[host])
    runtime_os = _write(work, "runtime-os-release", RUNTIME)
    info = _write(work, "flatpak-info", FLATPAK_INFO)
    cmd = ["bwrap", "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--ro-bind", "/usr", "/usr"]
    for link in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
        if os.path.islink("/" + link):
            cmd += ["--symlink", os.readlink("/" + link), "/" + link]
    cmd += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--ro-bind", runtime_os, "/etc/os-release",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    if os.path.isdir("/etc/fonts"):
        cmd += ["--ro-bind", "/etc/fonts", "/etc/fonts"]
    for part in ("block", "bus", "class", "dev", "devices"):
        cmd += ["--ro-bind", "/sys/" + part, "/sys/" + part]
    cmd += ["--ro-bind", host_os, "/run/host/os-release", "--ro-bind", info, "/.flatpak-info"]
    # The manifest's --filesystem=/run/libvirt: libvirt's sockets, where libvirt runs.
    cmd += ["--bind-try", "/run/libvirt", "/run/libvirt"]
    for path in binds:
        cmd += ["--bind", path, path]
    if env is not None:
        cmd += ["--clearenv"]
        for key, value in env.items():
            cmd += ["--setenv", key, value]
    return cmd + list(argv)
