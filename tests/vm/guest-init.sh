#!/bin/busybox sh
# guest-init.sh — /init of the test VM (tests/test-vm.py builds the image).
#
# Runs the installed passthroughctl and passthrough-helper against the real
# kernel and its emulated IOMMU, and reports on the serial console:
#   VMTEST ok|not-ok NAME [-- detail]      one check
#   VMTEST-BEGIN NAME … VMTEST-END NAME    a document for the host to compare
# then powers off.
#
# SPDX-License-Identifier: GPL-3.0-or-later

/bin/busybox mkdir -p /proc /sys /dev /run /tmp /var/lib /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
# /var/lib as on a real system (a tmpfs is 1777 by default): the helper
# trusts its journal only while root alone can change it.
mount -t tmpfs -o mode=0755 tmpfs /var/lib
export PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

HELPER=/usr/local/libexec/passthrough-helper
CTL=/usr/local/bin/passthroughctl

report () {   # report ok|not-ok NAME [DETAIL]
    if [ -n "$3" ]; then echo "VMTEST $1 $2 -- $3"; else echo "VMTEST $1 $2"; fi
}
check () {    # check NAME CONDITION-COMMAND… (the condition's output is the detail)
    name=$1; shift
    if out=$("$@" 2>&1); then report ok "$name"; else report not-ok "$name" "$(echo $out | head -c 300)"; fi
}
driver_of () { d=$(readlink /sys/bus/pci/devices/$1/driver); echo ${d##*/}; }
group_of () { g=$(readlink /sys/bus/pci/devices/$1/iommu_group); echo ${g##*/}; }
snapshot () { for d in /sys/bus/pci/devices/*; do echo "${d##*/} $(driver_of ${d##*/}) $(cat $d/driver_override)"; done; }
document () { echo "VMTEST-BEGIN $1"; shift; "$@" 2>&1; echo "VMTEST-END"; }

for m in virtio_net virtio_pci nvme; do modprobe $m 2>/dev/null; done
sleep 1

# 0. Early binding by address, with the real udev, before e1000e is loaded:
# the rule passthroughctl plans for one of the two identical NICs must give
# that one to vfio-pci and leave its twin to e1000e. (The initramfs part of
# the plan is not applied: this guest has no initramfs generator.)
NICS=$(for d in /sys/bus/pci/devices/*; do
         [ "$(cat $d/vendor):$(cat $d/device)" = 0x8086:0x10d3 ] && echo ${d##*/}; done)
EARLY=$(echo $NICS | cut -d' ' -f1)
TWIN=$(echo $NICS | cut -d' ' -f2)
mkdir -p /etc/initramfs-tools /etc/udev/rules.d /run/udev
$CTL boot early-bind --by-address $EARLY --dry-run --json > /tmp/early.json 2>&1
grep '"after" : ".*ACTION==' /tmp/early.json | sed 's/^ *"after" : "//; s/",*$//; s/\\"/"/g' > /tmp/rule.escaped
printf '%b' "$(cat /tmp/rule.escaped)" > /etc/udev/rules.d/60-passthrough-vfio.rules
document early-rule cat /etc/udev/rules.d/60-passthrough-vfio.rules
/lib/systemd/systemd-udevd --daemon > /dev/null 2>&1
udevadm trigger --action=add --subsystem-match=pci
udevadm settle -t 30
check "early binding by address: the rule names only $EARLY" sh -c "grep -q 'KERNEL==\"$EARLY\"' /etc/udev/rules.d/60-passthrough-vfio.rules && ! grep -q '$TWIN' /etc/udev/rules.d/60-passthrough-vfio.rules"
check "early binding by address: udev gave $EARLY to vfio-pci" [ "$(driver_of $EARLY)" = vfio-pci ]
check "early binding by address: its identical twin $TWIN went to e1000e" [ "$(driver_of $TWIN)" = e1000e ]
udevadm control --exit
rm /etc/udev/rules.d/60-passthrough-vfio.rules
/usr/local/libexec/passthrough-helper bind-devices return $EARLY > /dev/null 2>&1
modprobe e1000e
sleep 1

# The virtio NIC carries the default route: the host "uses" it.
for n in /sys/class/net/*; do
    dev=$(readlink -f $n/device 2>/dev/null)
    case "$(readlink $dev/driver)" in *virtio_net) VIRTIO_IF=${n##*/};; esac
done
ip link set lo up
if [ -n "$VIRTIO_IF" ]; then
    ip link set $VIRTIO_IF up
    ip addr add 10.0.2.15/24 dev $VIRTIO_IF
    ip route add default via 10.0.2.2 dev $VIRTIO_IF
fi

E1000E=$(for d in /sys/bus/pci/devices/*; do [ "$(driver_of ${d##*/})" = e1000e ] && echo ${d##*/}; done)
NIC_A=$(echo $E1000E | cut -d' ' -f1)
NIC_B=$(echo $E1000E | cut -d' ' -f2)
VIRTIO_PCI=$(for d in /sys/bus/pci/devices/*; do ls $d 2>/dev/null | grep -q '^virtio' && [ -d $d/$(ls $d | grep '^virtio' | head -1)/net ] && echo ${d##*/}; done | head -1)
NVME=$(for d in /sys/bus/pci/devices/*; do [ -e $d/sriov_totalvfs ] && echo ${d##*/}; done | head -1)

echo "VMTEST-INFO kernel $(uname -r) nics $NIC_A $NIC_B virtio $VIRTIO_PCI nvme $NVME"

# 1. What passthroughctl says, and what the kernel says, for the host to compare.
document sysfs snapshot
document groups-sysfs sh -c 'for g in /sys/kernel/iommu_groups/*; do echo "${g##*/} $(ls $g/devices | tr "\n" " ")"; done'
document devices $CTL devices --json
document groups $CTL groups --json
document check $CTL check --json

# 2. Bind one of the identical NICs; its twin stays.
GROUP_A=$(group_of $NIC_A)
$HELPER bind-devices bind $NIC_A > /tmp/bind.log 2>&1; rc=$?
check "bind: the helper succeeds" [ $rc = 0 ]
check "bind: $NIC_A is on vfio-pci" [ "$(driver_of $NIC_A)" = vfio-pci ]
check "bind: /dev/vfio/$GROUP_A exists" [ -c /dev/vfio/$GROUP_A ]
check "bind: VFIO_GROUP_GET_STATUS says viable" sh -c "[ \"\$(vfio-group-status $GROUP_A)\" = viable ]"
check "bind: the identical twin $NIC_B stays on e1000e" [ "$(driver_of $NIC_B)" = e1000e ]
document bind-log cat /tmp/bind.log

# 3. Return it.
$HELPER bind-devices return $NIC_A > /tmp/return.log 2>&1; rc=$?
check "return: the helper succeeds" [ $rc = 0 ]
check "return: $NIC_A is back on e1000e" [ "$(driver_of $NIC_A)" = e1000e ]
check "return: driver_override is cleared" [ "$(cat /sys/bus/pci/devices/$NIC_A/driver_override)" = "(null)" ]
document return-log cat /tmp/return.log

# 4. SR-IOV on the NVMe: 2 VFs, bind one, back to 0.
if [ -n "$NVME" ]; then
    $HELPER sriov set-vfs $NVME 2 > /tmp/vfs.log 2>&1; rc=$?
    check "sriov: set-vfs 2 succeeds" [ $rc = 0 ]
    check "sriov: sriov_numvfs reads 2" [ "$(cat /sys/bus/pci/devices/$NVME/sriov_numvfs)" = 2 ]
    VF=$(readlink /sys/bus/pci/devices/$NVME/virtfn0); VF=${VF##*/}
    # nvme probes new VFs asynchronously; a bind planned while that probe is
    # still running finds no driver to unbind, the probe then wins, and the
    # helper rolls the bind back (seen once under load). Let it finish first.
    for i in $(seq 50); do [ -n "$(driver_of $VF)" ] && break; sleep 0.2; done
    check "sriov: the first VF ($VF) has its own IOMMU group" [ -n "$VF" -a "$(group_of $VF)" != "$(group_of $NVME)" ]
    # Each VF's physfn link, and what passthroughctl makes of the PF's virtfn links.
    document sriov-links sh -c 'for d in /sys/bus/pci/devices/*; do [ -e $d/physfn ] && echo "${d##*/} $(readlink $d/physfn)"; done'
    document sriov-devices $CTL devices --json
    $HELPER bind-devices bind $VF >> /tmp/vfs.log 2>&1; rc=$?
    check "sriov: the VF binds to vfio-pci" [ $rc = 0 -a "$(driver_of $VF)" = vfio-pci ]
    $HELPER sriov set-vfs $NVME 0 >> /tmp/vfs.log 2>&1; rc=$?
    check "sriov: set-vfs 0 removes them" [ $rc = 0 -a "$(cat /sys/bus/pci/devices/$NVME/sriov_numvfs)" = 0 -a ! -e /sys/bus/pci/devices/$VF ]
    document vfs-log cat /tmp/vfs.log
else
    report not-ok "sriov: the NVMe with SR-IOV is there"
fi

# 5. The NIC with the default route is refused, and nothing changes.
before=$(snapshot)
$HELPER bind-devices bind $VIRTIO_PCI > /tmp/refuse.log 2>&1; rc=$?
check "refuse: the default-route NIC is refused (exit 65)" [ $rc = 65 ]
check "refuse: the message names the route" grep -q "default route" /tmp/refuse.log
check "refuse: nothing changed" [ "$before" = "$(snapshot)" ]
document refuse-log cat /tmp/refuse.log

# 6. Hostile input: refused with exit 64, nothing changed.
before=$(snapshot)
bad=0
for args in "bind-devices bind ../../etc/passwd" "bind-devices bind $NIC_A;reboot" \
            "bind-devices bind 0000:00:00.0/../x" "sriov set-vfs $NVME -1" "sriov set-vfs $NVME 99999999999" \
            "bind-devices frobnicate $NIC_A" "configure-boot undo ../1"; do
    $HELPER $args > /dev/null 2>&1; rc=$?
    [ $rc = 64 ] || { bad=1; echo "VMTEST-INFO hostile '$args' exited $rc"; }
done
check "hostile: every bad argument exits 64" [ $bad = 0 ]
check "hostile: nothing changed" [ "$before" = "$(snapshot)" ]

# 7. A dry run reads only.
before=$(snapshot)
$CTL bind $NIC_B --dry-run --json > /tmp/dry.json 2>&1; rc=$?
check "dry run: passthroughctl bind --dry-run succeeds and changes nothing" [ $rc = 0 -a "$before" = "$(snapshot)" ]
document dry-run cat /tmp/dry.json

# 8. A device record left by a run killed before a restart (another boot id):
# the next run moves no device and drops the record.
mkdir -p /var/lib/passthrough
printf '[record]\nboot-id=00000000-0000-4000-8000-000000000000\n\n[%s]\ndriver=vfio-pci\noverride=vfio-pci\n' \
    $NIC_A > /var/lib/passthrough/devices.ini
before=$(snapshot)
$HELPER configure-boot undo > /tmp/stale.log 2>&1; rc=$?
check "stale record: a run after a restart moves no device" [ "$before" = "$(snapshot)" ]
check "stale record: it is dropped and said so" sh -c "[ ! -e /var/lib/passthrough/devices.ini ] && grep -q 'before this boot began' /tmp/stale.log"
document stale-log cat /tmp/stale.log

# 9. A journal someone other than root could change is refused, nothing changed.
chmod 0777 /var/lib/passthrough
before=$(snapshot)
$HELPER bind-devices bind $NIC_B > /tmp/untrusted.log 2>&1; rc=$?
check "untrusted journal: refused (exit 65) with how to fix it" sh -c "[ $rc = 65 ] && grep -q 'chown -R root:root' /tmp/untrusted.log"
check "untrusted journal: nothing changed" [ "$before" = "$(snapshot)" ]
chmod 0755 /var/lib/passthrough

# 10. Ctrl-C, a closed pipe and SIGTERM sent as soon as the bind has begun: it finishes.
$HELPER bind-devices bind $NIC_B > /tmp/signals.log 2>&1 &
pid=$!
for i in $(seq 100); do grep -q '^step' /tmp/signals.log && break; sleep 0.02; done
kill -INT $pid 2>/dev/null; kill -PIPE $pid 2>/dev/null; kill -TERM $pid 2>/dev/null; kill -HUP $pid 2>/dev/null
wait $pid; rc=$?
check "signals: a bind signalled mid-change finishes (exit 0, on vfio-pci)" [ $rc = 0 -a "$(driver_of $NIC_B)" = vfio-pci ]
$HELPER bind-devices return $NIC_B > /dev/null 2>&1
document signals-log cat /tmp/signals.log

echo "VMTEST-DONE"
poweroff -f
