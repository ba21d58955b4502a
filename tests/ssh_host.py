# SPDX-License-Identifier: GPL-3.0-or-later
"""Another host for the tests, reached the way users reach one: a real sshd
and a real libvirtd (system mode, the QEMU driver) on 127.0.0.1, run from a
private directory. sshd listens on a free port with its own host key and
authorized_keys; libvirtd has its own socket directory (the machine's own
libvirt socket, if any, is neither used nor replaced).

The client's ssh is found on PATH (libvirt runs it): `path_with_ssh()`
puts a wrapper first that keeps known hosts in the private directory, so a
test never touches the user's ~/.ssh/known_hosts.

Needs root (sshd logs other users in only as root); `missing()` says what
is not installed.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

TOOLS = (("/usr/sbin/sshd", "openssh-server"), ("ssh", "openssh-client"),
         ("libvirtd", "libvirt-daemon-system"), ("nc", "netcat-openbsd"),
         ("ssh-keygen", "openssh-client"))


def missing():
    """Why these tests cannot run here, or None."""
    if os.geteuid() != 0:
        return "sshd logs in other users only as root"
    for tool, package in TOOLS:
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian package {package})"
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_endpoint():
    """The other host is this machine: its first PCI function that is not a
    bridge (the app lists bridges only on request)."""
    for address in sorted(os.listdir("/sys/bus/pci/devices")):
        with open(f"/sys/bus/pci/devices/{address}/class") as f:
            if not f.read().startswith(("0x0604", "0x0600")):
                return address
    return sorted(os.listdir("/sys/bus/pci/devices"))[0]


class SshHost:
    def __init__(self, key_passphrase=""):
        self.work = tempfile.mkdtemp(prefix="pt-ssh-host-")
        os.chmod(self.work, 0o755)
        self.sockets = os.path.join(self.work, "sock")
        os.mkdir(self.sockets)
        self.port = free_port()
        self.host_key = os.path.join(self.work, "host_key")
        self.user_key = os.path.join(self.work, "user_key")
        self.known_hosts = os.path.join(self.work, "known_hosts")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.host_key], check=True)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", key_passphrase, "-f", self.user_key],
                       check=True)
        shutil.copy(self.user_key + ".pub", os.path.join(self.work, "authorized_keys"))
        os.chmod(os.path.join(self.work, "authorized_keys"), 0o600)
        self._write("sshd_config", f"""Port {self.port}
ListenAddress 127.0.0.1
HostKey {self.host_key}
AuthorizedKeysFile {self.work}/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile {self.work}/sshd.pid
""")
        self._write("libvirtd.conf", f'unix_sock_dir = "{self.sockets}"\nlisten_tls = 0\nlisten_tcp = 0\n')
        bin_dir = os.path.join(self.work, "bin")
        os.mkdir(bin_dir)
        ssh = shutil.which("ssh")
        self._write("bin/ssh", f"""#!/bin/sh
exec {ssh} -o UserKnownHostsFile={self.known_hosts} -o GlobalKnownHostsFile=/dev/null "$@"
""")
        os.chmod(os.path.join(bin_dir, "ssh"), 0o755)
        self.bin_dir = bin_dir
        self.daemons = []

    def _write(self, name, text):
        with open(os.path.join(self.work, name), "w") as f:
            f.write(text)

    def path_with_ssh(self):
        """PATH for the client: this host's ssh wrapper first."""
        return self.bin_dir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")

    def fingerprint(self):
        """The host key's SHA256 fingerprint, as ssh shows it."""
        out = subprocess.run(["ssh-keygen", "-l", "-f", self.host_key + ".pub"],
                             capture_output=True, text=True, check=True).stdout
        return out.split()[1]

    def uri(self, verify=False):
        """How a user spells it (user, host, port); the rest is this host's key and socket."""
        extra = "" if verify else "&no_verify=1"
        return (f"qemu+ssh://root@127.0.0.1:{self.port}/system?keyfile={self.user_key}{extra}"
                f"&socket={self.sockets}/libvirt-sock")

    def start(self):
        os.makedirs("/run/sshd", exist_ok=True)
        # Nothing of the daemons (nor of the sessions sshd forks, which may
        # outlive a client) holds the test's output open.
        self.daemons.append(subprocess.Popen(
            ["/usr/sbin/sshd", "-D", "-f", os.path.join(self.work, "sshd_config"),
             "-E", os.path.join(self.work, "sshd.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        self.daemons.append(subprocess.Popen(
            ["libvirtd", "--config", os.path.join(self.work, "libvirtd.conf"),
             "--pid-file", os.path.join(self.work, "libvirtd.pid")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.work, "libvirtd.log"), "w")))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if os.path.exists(os.path.join(self.sockets, "libvirt-sock")):
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
                except OSError:
                    pass
            time.sleep(0.2)
        log = open(os.path.join(self.work, "libvirtd.log")).read()[-800:]
        self.stop()
        raise AssertionError("sshd or libvirtd did not come up: " + log)

    def stop(self):
        for daemon in self.daemons:
            # sshd's sessions first: a client that went away may leave one.
            subprocess.run(["pkill", "-TERM", "-P", str(daemon.pid)], stderr=subprocess.DEVNULL)
            daemon.send_signal(signal.SIGTERM)
        for daemon in self.daemons:
            try:
                daemon.wait(timeout=15)
            except subprocess.TimeoutExpired:
                daemon.kill()
        self.daemons = []
        shutil.rmtree(self.work, ignore_errors=True)
