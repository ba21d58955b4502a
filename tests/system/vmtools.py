# SPDX-License-Identifier: GPL-3.0-or-later
"""QEMU for the vm and system suites: a q35 guest under TCG with the emulated Intel
IOMMU that nested VFIO needs (kernel-irqchip=split, intremap, caching-mode),
two identical e1000e NICs, its disk and a second disk that carries what the
guest's runner (runner.sh) executes. The console (ttyS0) is kept in a log
file; a script may write its results to a second serial port (ttyS1, its own
file), where nothing else writes: not the kernel, and not a rescue shell that
takes the console over."""

import io
import os
import signal
import subprocess
import sys
import tarfile
import time

E1000E = "8086:10d3"
MACHINE = ["-machine", "q35,kernel-irqchip=split", "-accel", "tcg"]
INTEL_IOMMU = ["-device", "intel-iommu,intremap=on,caching-mode=on"]


def skip(reason):
    print(f"1..0 # SKIP {reason}")
    sys.exit(0)


def sh(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


def script_disk(path, script, trees=()):
    """A tar archive as a raw disk: run.sh, and each (name, directory) of trees."""
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        data = script.encode()
        info = tarfile.TarInfo("run.sh")
        info.size, info.mode = len(data), 0o755
        tar.addfile(info, io.BytesIO(data))
        for name, directory in trees:
            tar.add(directory, arcname=name)
    with open(path, "r+b") as f:
        f.seek(0, os.SEEK_END)
        f.write(b"\0" * (-f.tell() % 512 + 512 * 16))


class Guest:
    def __init__(self, qemu, disk, log, fmt="qcow2", memory=2048):
        self.qemu, self.disk, self.log, self.fmt, self.memory = qemu, disk, log, fmt, memory
        self.results_log = log + ".results"

    def args(self, scriptdisk, kernel=None, initrd=None, append=None, cache="unsafe"):
        args = [self.qemu, *MACHINE, "-cpu", "qemu64,vendor=GenuineIntel", "-smp", "2",
                "-m", str(self.memory), "-nodefaults", "-display", "none", "-no-reboot",
                "-serial", f"file:{self.log}", "-serial", f"file:{self.results_log}", *INTEL_IOMMU,
                "-drive", f"file={self.disk},if=none,id=root,format={self.fmt},cache={cache}",
                "-device", "virtio-blk-pci,drive=root,serial=ptroot",
                "-drive", f"file={scriptdisk},if=none,id=script,format=raw,readonly=on",
                "-device", "virtio-blk-pci,drive=script,serial=ptscript",
                "-netdev", "user,id=n1,restrict=on", "-device", "e1000e,netdev=n1",
                "-netdev", "user,id=n2,restrict=on", "-device", "e1000e,netdev=n2"]
        if kernel:
            args += ["-kernel", kernel, "-initrd", initrd, "-append", append]
        return args

    @staticmethod
    def read(path):
        try:
            with open(path, errors="replace") as f:
                return f.read().replace("\r", "")
        except FileNotFoundError:
            return ""

    def console(self):
        return self.read(self.log)

    def results(self):
        """What the script wrote to ttyS1."""
        return self.read(self.results_log)

    def boot(self, script, trees=(), timeout=900, kill_when=None, kill_after=0.0, **kernel):
        """Boots, runs script in the guest, waits for QEMU to end; returns the
        console. kill_when: a string whose appearance on the console or in the
        results makes us kill QEMU kill_after seconds later (a power cut)."""
        scriptdisk = self.disk + ".script"
        script_disk(scriptdisk, script, trees)
        for log in (self.log, self.results_log):
            if os.path.exists(log):
                os.unlink(log)
        cache = "writeback" if kill_when else "unsafe"
        qemu = subprocess.Popen(self.args(scriptdisk, cache=cache, **kernel),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        started = time.monotonic()
        self.killed = False
        seen = None
        try:
            while qemu.poll() is None:
                if time.monotonic() - started > timeout:
                    qemu.kill()
                    raise TimeoutError(f"the guest ran longer than {timeout} s:\n"
                                       + self.console()[-3000:] + "\n-- results (ttyS1):\n"
                                       + self.results()[-2000:])
                if kill_when and seen is None and (kill_when in self.console() or
                                                   kill_when in self.results()):
                    seen = time.monotonic()
                if seen is not None and time.monotonic() - seen >= kill_after:
                    qemu.send_signal(signal.SIGKILL)
                    self.killed = True
                    break
                time.sleep(0.2)
        finally:
            if qemu.poll() is None:
                qemu.kill()
            qemu.wait()
            os.unlink(scriptdisk)
        self.seconds = time.monotonic() - started
        self.stderr = qemu.stderr.read()
        return self.console()
