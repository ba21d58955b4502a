/* test-host-scan.c
 *
 * Scans of the hand-made fixture hosts (tests/hosts/NAME.json, built into the
 * build directory by tests/fixtures/build-host.py) with the real libpci,
 * checked against what a person who knows each host expects: readiness
 * checks, boot setup, IOMMU group viability, host use, SR-IOV and drivers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "pt-error.h"
#include "pt-scanner.h"

static GHashTable *scans;

static PtHost *
scan (const char *name)
{
  PtHost *host = g_hash_table_lookup (scans, name);

  if (host == NULL)
    {
      g_autofree char *root = g_test_build_filename (G_TEST_BUILT, name, NULL);
      g_autoptr(PtScanner) scanner = pt_scanner_new (root);
      g_autoptr(GError) error = NULL;

      host = pt_scanner_scan (scanner, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (host);
      g_hash_table_insert (scans, g_strdup (name), host);
    }

  return host;
}

static PtCheck *
find_check (PtHost     *host,
            const char *id)
{
  GListModel *checks = pt_host_get_checks (host);
  guint i;

  for (i = 0; i < g_list_model_get_n_items (checks); i++)
    {
      g_autoptr(PtCheck) check = g_list_model_get_item (checks, i);

      if (g_str_equal (pt_check_get_id (check), id))
        return check;
    }

  g_error ("no check “%s”", id);
}

static gboolean
strv_has_part (const char * const *strv,
               const char         *part)
{
  guint i;

  for (i = 0; strv[i] != NULL; i++)
    if (strstr (strv[i], part) != NULL)
      return TRUE;

  return FALSE;
}

static void
test_checks (void)
{
  static const struct {
    const char *host;
    const char *id;
    PtCheckStatus status;
    const char *summary_part;
  } cases[] = {
    { "desktop-intel", "cpu-virtualization", PT_CHECK_PASS, "VT-x" },
    { "desktop-intel", "iommu-firmware", PT_CHECK_PASS, "DMAR" },
    { "desktop-intel", "iommu-kernel", PT_CHECK_PASS, "8 IOMMU groups" },
    { "desktop-intel", "interrupt-remapping", PT_CHECK_PASS, "remapped" },
    { "desktop-intel", "kernel-cmdline", PT_CHECK_PASS, "intel_iommu=on and iommu=pt" },
    { "desktop-intel", "vfio-modules", PT_CHECK_PASS, "loaded" },
    { "desktop-intel", "vfio-device", PT_CHECK_PASS, "/dev/vfio/vfio" },
    { "desktop-intel", "kvm", PT_CHECK_PASS, "/dev/kvm" },
    { "desktop-intel", "bootloader", PT_CHECK_PASS, "/boot/grub/grub.cfg" },
    { "desktop-intel", "initramfs", PT_CHECK_PASS, "initramfs-tools" },
    { "server-sriov", "kernel-cmdline", PT_CHECK_PASS, "intel_iommu=on is set" },
    { "server-sriov", "bootloader", PT_CHECK_PASS, "/boot/grub2/grub.cfg" },
    { "server-sriov", "initramfs", PT_CHECK_PASS, "dracut" },
    { "laptop-iommu-off", "cpu-virtualization", PT_CHECK_PASS, "VT-x" },
    { "laptop-iommu-off", "iommu-firmware", PT_CHECK_PASS, "DMAR" },
    { "laptop-iommu-off", "iommu-kernel", PT_CHECK_FAIL, "no IOMMU groups" },
    { "laptop-iommu-off", "kernel-cmdline", PT_CHECK_FAIL, "intel_iommu=on is missing" },
    { "laptop-iommu-off", "vfio-modules", PT_CHECK_PASS, "installed" },
    { "laptop-iommu-off", "vfio-device", PT_CHECK_WARN, "/dev/vfio/vfio" },
    { "laptop-iommu-off", "bootloader", PT_CHECK_PASS, "BLS" },
    { "amd-host", "cpu-virtualization", PT_CHECK_PASS, "SVM" },
    { "amd-host", "iommu-firmware", PT_CHECK_PASS, "IVRS" },
    { "amd-host", "iommu-kernel", PT_CHECK_PASS, "IOMMU groups" },
    { "amd-host", "kernel-cmdline", PT_CHECK_WARN, "amd_iommu=on is not a valid option" },
    { "amd-host", "vfio-modules", PT_CHECK_PASS, "loaded when a device is first given" },
    { "amd-host", "bootloader", PT_CHECK_PASS, "systemd-boot" },
    { "amd-host", "initramfs", PT_CHECK_PASS, "mkinitcpio" },
    { "nvme-root", "vfio-modules", PT_CHECK_PASS, "built into the kernel" },
    { "popos-kernelstub", "bootloader", PT_CHECK_PASS, "kernelstub" },
    { "strange", "cpu-virtualization", PT_CHECK_WARN, "/proc/cpuinfo" },
    { "strange", "kernel-cmdline", PT_CHECK_WARN, "/proc/cmdline" },
    { "strange", "bootloader", PT_CHECK_WARN, "could not be recognised" },
    /* The next boot as grub-mkconfig computes it, self-appending drop-ins included. */
    { "debian-dropin", "boot-config", PT_CHECK_WARN,
      "“console=ttyS0,115200 quiet amd_iommu=off mitigations=auto”, and amd_iommu=off" },
    { "ubuntu-builtin", "boot-config", PT_CHECK_PASS, "“console=tty1 console=ttyS0 intel_iommu=on”" },
    { "ubuntu-unsafe-dropin", "boot-config", PT_CHECK_WARN, "$(cat /etc/kernel-extra)" },
    { "desktop-intel", "boot-config", PT_CHECK_PASS, "“quiet intel_iommu=on iommu=pt”" },
    { "desktop-intel", "isolation", PT_CHECK_PASS, "Nothing" },
    { "ubuntu-unsafe-dropin", "isolation", PT_CHECK_WARN, "pcie_acs_override=downstream,multifunction" },
    { "debian-dropin", "isolation", PT_CHECK_WARN, "allow_unsafe_interrupts is on" },
    { "openeuler-uefi", "bootloader", PT_CHECK_PASS, "/boot/efi/EFI/openEuler/grub.cfg" },
    { "openeuler-uefi", "boot-config", PT_CHECK_PASS, "crashkernel=512M intel_iommu=on”" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PtCheck *check = find_check (scan (cases[i].host), cases[i].id);

      g_test_message ("%s %s: %s", cases[i].host, cases[i].id, pt_check_get_summary (check));
      g_assert_cmpstr (pt_check_status_to_string (pt_check_get_status (check)), ==,
                       pt_check_status_to_string (cases[i].status));
      g_assert_nonnull (strstr (pt_check_get_summary (check), cases[i].summary_part));
      /* Whatever does not pass says what to do. */
      if (cases[i].status != PT_CHECK_PASS)
        g_assert_nonnull (pt_check_get_fix (check));
    }
}

/* A fix the IOMMU change makes names its command, for the CLI (the app
 * offers the review); a fix that needs the firmware or the hypervisor none. */
static void
test_fix_command (void)
{
  static const struct {
    const char *host;
    const char *id;
    const char *command;
  } cases[] = {
    { "laptop-iommu-off", "kernel-cmdline", "passthroughctl boot enable-iommu" },
    { "laptop-iommu-off", "iommu-kernel", "passthroughctl boot enable-iommu" },
    { "amd-host", "kernel-cmdline", "passthroughctl boot enable-iommu" },
    { "debian-dropin", "boot-config", "passthroughctl boot enable-iommu" },
    { "laptop-iommu-off", "vfio-device", NULL },
    { "desktop-intel", "kernel-cmdline", NULL },
    { "vm-guest", "iommu-kernel", NULL },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PtCheck *check = find_check (scan (cases[i].host), cases[i].id);

      g_test_message ("%s %s: %s", cases[i].host, cases[i].id, pt_check_get_fix (check));
      g_assert_cmpstr (pt_check_get_fix_command (check), ==, cases[i].command);
      /* The words are the same for both faces: no button named in them. */
      if (pt_check_get_fix (check) != NULL)
        g_assert_null (strstr (pt_check_get_fix (check), "Turn the IOMMU On"));
    }
}

/* Inside a virtual machine there is no firmware setup to visit: the advice
 * is the hypervisor's (an emulated IOMMU, nested virtualization). */
static void
test_inside_vm (void)
{
  PtHost *host = scan ("vm-guest");
  const char *ids[] = { "cpu-virtualization", "iommu-firmware", "iommu-kernel" };
  guint i;

  g_assert_cmpstr (pt_check_get_summary (find_check (host, "iommu-firmware")), ==,
                   "This is a virtual machine, and its hypervisor gives it no IOMMU.");
  g_assert_nonnull (strstr (pt_check_get_fix (find_check (host, "iommu-firmware")),
                            "-device intel-iommu"));
  g_assert_nonnull (strstr (pt_check_get_fix (find_check (host, "cpu-virtualization")),
                            "nested virtualization"));
  for (i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      PtCheck *check = find_check (host, ids[i]);

      g_test_message ("vm-guest %s: %s", ids[i], pt_check_get_fix (check));
      g_assert_cmpint (pt_check_get_status (check), ==, PT_CHECK_FAIL);
      g_assert_null (strstr (pt_check_get_fix (check), "firmware setup"));
      g_assert_null (strstr (pt_check_get_fix (check), "VT-d"));
    }
  /* The same CPU and IOMMU on bare metal get the firmware advice. */
  g_assert_nonnull (strstr (pt_check_get_fix (find_check (scan ("laptop-iommu-off"), "iommu-kernel")),
                            "intel_iommu=on"));
}

/* Debian 12's kernel turns the Intel IOMMU on by default except for
 * integrated graphics (CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF, a Debian
 * option): then intel_iommu=on is not missing. The same laptop with each
 * kernel configuration. */
static void
test_kernel_default_iommu (void)
{
  static const struct {
    const char *config;
    PtCheckStatus status;
    const char *summary_part;
  } cases[] = {
    { "# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set\n", PT_CHECK_FAIL, "intel_iommu=on is missing" },
    { "CONFIG_INTEL_IOMMU_DEFAULT_ON=y\n", PT_CHECK_PASS, "on by default; nothing is missing" },
    { "# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set\nCONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y\n",
      PT_CHECK_PASS, "on by default, except for integrated graphics" },
  };
  g_autofree char *fixture = g_test_build_filename (G_TEST_BUILT, "laptop-iommu-off", NULL);
  g_autofree char *tmp = g_dir_make_tmp ("host-scan-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (tmp, "laptop", NULL);
  g_autofree char *config = g_build_filename (root, "boot", "config-6.5.6-300.fc39.x86_64", NULL);
  const char *cp[] = { "cp", "-a", fixture, root, NULL };
  const char *rm[] = { "rm", "-rf", tmp, NULL };
  int status;
  guint i;

  g_assert_true (g_spawn_sync (NULL, (char **) cp, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                               &status, NULL));
  g_assert_cmpint (status, ==, 0);
  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat ("#\n# Linux/x86 6.5.6 Kernel Configuration\n#\n"
                                           "CONFIG_INTEL_IOMMU=y\n", cases[i].config, NULL);
      g_autoptr(PtScanner) scanner = pt_scanner_new (root);
      g_autoptr(PtHost) host = NULL;
      g_autoptr(GError) error = NULL;
      PtCheck *check;

      g_assert_true (g_file_set_contents (config, text, -1, NULL));
      host = pt_scanner_scan (scanner, NULL, &error);
      g_assert_no_error (error);
      check = find_check (host, "kernel-cmdline");
      g_test_message ("%s: %s", cases[i].config, pt_check_get_summary (check));
      g_assert_cmpint (pt_check_get_status (check), ==, cases[i].status);
      g_assert_nonnull (strstr (pt_check_get_summary (check), cases[i].summary_part));
    }
  g_assert_true (g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                               &status, NULL));
}

static void
test_ready (void)
{
  static const struct {
    const char *host;
    gboolean ready;
  } cases[] = {
    { "desktop-intel", TRUE },
    { "server-sriov", TRUE },
    { "laptop-iommu-off", FALSE },
    { "amd-host", TRUE },
    { "nvme-root", TRUE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (pt_host_is_ready (scan (cases[i].host)), ==, cases[i].ready);
}

static void
test_boot_setup (void)
{
  static const struct {
    const char *host;
    const char *os_id;
    const char *bootloader;
    const char *grub_cfg;
    const char *regenerate;
    const char *initramfs;
  } cases[] = {
    { "desktop-intel", "debian", "GRUB", "/boot/grub/grub.cfg", "update-grub", "initramfs-tools" },
    /* openEuler 22.03 on BIOS; the UEFI path is covered by test_grub_paths. */
    { "server-sriov", "openEuler", "GRUB", "/boot/grub2/grub.cfg",
      "grub2-mkconfig -o /boot/grub2/grub.cfg", "dracut" },
    /* Fedora 34+ always writes /boot/grub2/grub.cfg, even on UEFI. */
    { "laptop-iommu-off", "fedora", "GRUB with BLS entries (grubby)", "/boot/grub2/grub.cfg",
      "grub2-mkconfig -o /boot/grub2/grub.cfg", "dracut" },
    { "amd-host", "arch", "systemd-boot", NULL, NULL, "mkinitcpio" },
    { "nvme-root", "ubuntu", "GRUB", "/boot/grub/grub.cfg", "update-grub", "initramfs-tools" },
    { "popos-kernelstub", "pop", "systemd-boot through kernelstub", NULL, NULL,
      "initramfs-tools" },
    { "strange", NULL, NULL, NULL, NULL, NULL },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PtBootSetup *boot = pt_host_get_boot_setup (scan (cases[i].host));
      const char * const *argv = pt_boot_setup_get_regenerate_argv (boot);
      g_autofree char *regenerate = argv != NULL ? g_strjoinv (" ", (char **) argv) : NULL;

      g_test_message ("%s", cases[i].host);
      g_assert_cmpstr (pt_boot_setup_get_os_id (boot), ==, cases[i].os_id);
      g_assert_cmpstr (pt_boot_setup_get_bootloader_name (boot), ==, cases[i].bootloader);
      g_assert_cmpstr (pt_boot_setup_get_grub_cfg (boot), ==, cases[i].grub_cfg);
      g_assert_cmpstr (regenerate, ==, cases[i].regenerate);
      g_assert_cmpstr (pt_boot_setup_get_initramfs_name (boot), ==, cases[i].initramfs);
    }
}

static void
test_groups (void)
{
  static const struct {
    const char *host;
    int group;
    const char *members;    /* addresses joined with ' ' */
    gboolean viable;
    const char *blockers;   /* addresses joined with ' ' */
  } cases[] = {
    { "desktop-intel", 1, "0000:00:01.0 0000:01:00.0 0000:01:00.1", FALSE,
      "0000:01:00.0 0000:01:00.1" },
    { "desktop-intel", 2, "0000:00:01.1 0000:02:00.0 0000:02:00.1", TRUE, "" },
    { "desktop-intel", 3, "0000:00:14.0 0000:00:14.2", FALSE, "0000:00:14.0" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PtIommuGroup *group = pt_host_lookup_group (scan (cases[i].host), cases[i].group);
      g_autoptr(GString) members = g_string_new (NULL);
      g_autoptr(GString) blockers = g_string_new (NULL);
      GListModel *devices;
      GPtrArray *blocking;
      guint j;

      g_test_message ("%s group %d", cases[i].host, cases[i].group);
      g_assert_nonnull (group);

      devices = pt_iommu_group_get_devices (group);
      for (j = 0; j < g_list_model_get_n_items (devices); j++)
        {
          g_autoptr(PtDevice) device = g_list_model_get_item (devices, j);

          g_string_append_printf (members, "%s%s", j ? " " : "", pt_device_get_address (device));
        }

      blocking = pt_iommu_group_get_blockers (group);
      for (j = 0; j < blocking->len; j++)
        g_string_append_printf (blockers, "%s%s", j ? " " : "",
                                pt_device_get_address (g_ptr_array_index (blocking, j)));

      g_assert_cmpstr (members->str, ==, cases[i].members);
      g_assert_cmpint (pt_iommu_group_is_viable (group), ==, cases[i].viable);
      g_assert_cmpstr (blockers->str, ==, cases[i].blockers);
    }
}

static void
test_host_use (void)
{
  static const struct {
    const char *host;
    const char *address;
    const char *reason_part;   /* NULL: the host does not need the device */
  } cases[] = {
    { "desktop-intel", "0000:01:00.0", "boot GPU" },
    { "desktop-intel", "0000:01:00.0", "boot framebuffer (efifb)" },
    { "desktop-intel", "0000:01:00.0", "connected display (HDMI-A-1)" },
    { "desktop-intel", "0000:01:00.1", "shares IOMMU group 1 with 0000:01:00.0" },
    { "desktop-intel", "0000:02:00.0", NULL },
    { "desktop-intel", "0000:02:00.1", NULL },
    { "desktop-intel", "0000:00:17.0", "storage controller of / (sda2)" },
    { "desktop-intel", "0000:00:17.0", "storage controller of /boot/efi (sda1)" },
    { "desktop-intel", "0000:00:1f.6", "eno1 carries the default route" },
    { "desktop-intel", "0000:00:1f.3", "shares IOMMU group 6 with 0000:00:1f.6" },
    { "desktop-intel", "0000:03:00.0", NULL },
    { "desktop-intel", "0000:00:14.0", NULL },
    /* Class 06 00: the chipset itself. */
    { "desktop-intel", "0000:00:00.0", "the chipset’s host bridge" },
    { "server-sriov", "0000:03:00.0", "boot GPU" },
    { "server-sriov", "0000:00:17.0", "storage controller of / (dm-0)" },
    { "server-sriov", "0000:00:17.0", "storage controller of swap" },
    { "server-sriov", "0000:18:00.1", "eno1 carries the default route" },
    { "server-sriov", "0000:18:00.0", NULL },
    { "server-sriov", "0000:18:10.0", NULL },
    /* Any network, not only the default route: a VF on a storage network. */
    { "server-sriov", "0000:18:10.2", "network interface enp24s16f2 carries the route to 10.50.0.0/16" },
    { "server-sriov", "0000:3b:00.0", NULL },
    { "laptop-iommu-off", "0000:00:02.0", "boot GPU" },
    { "laptop-iommu-off", "0000:00:02.0", "connected display (eDP-1)" },
    { "laptop-iommu-off", "0000:00:14.3", "wlp0s20f3 carries the default route" },
    /* Btrfs reports an anonymous 0:N device; the source names the partition. */
    { "laptop-iommu-off", "0000:04:00.0", "storage controller of / (nvme0n1p3)" },
    { "amd-host", "0000:09:00.0", "boot GPU" },
    { "amd-host", "0000:09:00.1", "shares IOMMU group 25 with 0000:09:00.0" },
    { "amd-host", "0000:04:00.0", NULL },
    { "amd-host", "0000:04:00.1", NULL },
    { "amd-host", "0000:05:00.0", "enp5s0 carries the default route" },
    /* LUKS and LVM: / on dm-1 over dm-0 over nvme0n1p3; swap on dm-2. */
    { "nvme-root", "0000:04:00.0", "storage controller of / (dm-1)" },
    { "nvme-root", "0000:04:00.0", "storage controller of /boot (nvme0n1p2)" },
    { "nvme-root", "0000:04:00.0", "storage controller of /boot/efi (nvme0n1p1)" },
    { "nvme-root", "0000:04:00.0", "storage controller of swap (dm-2)" },
    { "nvme-root", "0000:05:00.0", NULL },
    /* Any writable mount counts: /home on the second NVMe. */
    { "ubuntu-builtin", "0000:05:00.0", "storage controller of /home (nvme1n1p1)" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PtDevice *device = pt_host_lookup_device (scan (cases[i].host), cases[i].address);
      const char * const *reasons;

      g_test_message ("%s %s: %s", cases[i].host, cases[i].address,
                      cases[i].reason_part ? cases[i].reason_part : "(none)");
      g_assert_nonnull (device);
      reasons = pt_device_get_host_use (device);
      if (cases[i].reason_part == NULL)
        {
          g_assert_null (reasons[0]);
          g_assert_false (pt_device_is_used_by_host (device));
        }
      else
        g_assert_true (strv_has_part (reasons, cases[i].reason_part));
    }
}

static void
test_devices (void)
{
  static const struct {
    const char *host;
    const char *address;
    const char *driver;
    const char *override;
    int boot_vga;
    gboolean bridge;
    const char *modules;
  } cases[] = {
    { "desktop-intel", "0000:01:00.0", "nouveau", NULL, 1, FALSE, "nouveau" },
    { "desktop-intel", "0000:02:00.0", "vfio-pci", "vfio-pci", 0, FALSE, "nouveau" },
    { "desktop-intel", "0000:01:00.1", "snd_hda_intel", NULL, -1, FALSE, "snd_hda_intel" },
    { "desktop-intel", "0000:00:01.0", "pcieport", NULL, -1, TRUE, "" },
    { "desktop-intel", "0000:00:14.2", NULL, NULL, -1, FALSE, "" },
    { "amd-host", "0000:04:00.0", NULL, NULL, 0, FALSE, "nouveau" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PtDevice *device = pt_host_lookup_device (scan (cases[i].host), cases[i].address);
      g_autofree char *modules = NULL;

      g_test_message ("%s %s", cases[i].host, cases[i].address);
      g_assert_nonnull (device);
      modules = g_strjoinv (",", (char **) pt_device_get_modules (device));
      g_assert_cmpstr (pt_device_get_driver (device), ==, cases[i].driver);
      g_assert_cmpstr (pt_device_get_driver_override (device), ==, cases[i].override);
      g_assert_cmpint (pt_device_get_boot_vga (device), ==, cases[i].boot_vga);
      g_assert_cmpint (pt_device_is_bridge (device), ==, cases[i].bridge);
      g_assert_cmpstr (modules, ==, cases[i].modules);
    }
}

static void
test_sriov (void)
{
  PtHost *host = scan ("server-sriov");
  PtDevice *pf = pt_host_lookup_device (host, "0000:18:00.0");
  PtDevice *idle_pf = pt_host_lookup_device (host, "0000:18:00.1");
  PtDevice *vf = pt_host_lookup_device (host, "0000:18:10.2");
  g_autofree char *vfs = NULL;

  g_assert_true (pt_device_is_sriov_pf (pf));
  g_assert_cmpint (pt_device_get_sriov_total_vfs (pf), ==, 63);
  g_assert_cmpint (pt_device_get_sriov_num_vfs (pf), ==, 4);
  vfs = g_strjoinv (" ", (char **) pt_device_get_virtfns (pf));
  g_assert_cmpstr (vfs, ==, "0000:18:10.0 0000:18:10.2 0000:18:10.4 0000:18:10.6");
  g_assert_null (pt_device_get_physfn (pf));

  g_assert_true (pt_device_is_sriov_pf (idle_pf));
  g_assert_cmpint (pt_device_get_sriov_num_vfs (idle_pf), ==, 0);
  g_assert_null (pt_device_get_virtfns (idle_pf)[0]);

  g_assert_false (pt_device_is_sriov_pf (vf));
  g_assert_cmpint (pt_device_get_sriov_total_vfs (vf), ==, -1);
  g_assert_cmpstr (pt_device_get_physfn (vf), ==, "0000:18:00.0");
}

/* Where a platform enables only some VFs (s390's zPCI), the PF's virtfnN
 * links are numbered with gaps: the list and each VF's PF still come whole,
 * taken from those links alone. */
static void
test_sriov_gaps (void)
{
  g_autofree char *fixture = g_test_build_filename (G_TEST_BUILT, "server-sriov", NULL);
  g_autofree char *tmp = g_dir_make_tmp ("sriov-gaps-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (tmp, "root", NULL);
  g_autofree char *pf_dir = g_build_filename (root, "sys/devices/pci0000:17/0000:17:00.0/0000:18:00.0",
                                              NULL);
  g_autofree char *from = g_build_filename (pf_dir, "virtfn3", NULL);
  g_autofree char *to = g_build_filename (pf_dir, "virtfn6", NULL);
  const char *copy[] = { "cp", "-a", fixture, root, NULL };
  const char *clean[] = { "rm", "-rf", tmp, NULL };
  g_autoptr(PtScanner) scanner = NULL;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *vfs = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) copy, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_rename (from, to), ==, 0);

  scanner = pt_scanner_new (root);
  host = pt_scanner_scan (scanner, NULL, &error);
  g_assert_no_error (error);
  vfs = g_strjoinv (" ", (char **) pt_device_get_virtfns (pt_host_lookup_device (host, "0000:18:00.0")));
  g_assert_cmpstr (vfs, ==, "0000:18:10.0 0000:18:10.2 0000:18:10.4 0000:18:10.6");
  g_assert_cmpstr (pt_device_get_physfn (pt_host_lookup_device (host, "0000:18:10.6")), ==,
                   "0000:18:00.0");

  g_spawn_sync (NULL, (char **) clean, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

static void
test_strange_root (void)
{
  PtHost *host = scan ("strange");
  const char * const *problems = pt_host_get_problems (host);

  /* Everything readable is there; each oddity is named with its device. */
  g_assert_cmpuint (g_list_model_get_n_items (pt_host_get_devices (host)), >, 0);
  g_assert_true (strv_has_part (problems, "0000:00:04.0: its iommu_group link points to group"));
  /* Without a usable uevent nor config, the attributes are read, and their
   * faults named. */
  g_assert_true (strv_has_part (problems, "0000:00:02.0: its “vendor” attribute reads “0xZZZZ”"));
  g_assert_cmpuint (pt_device_get_vendor_id (pt_host_lookup_device (host, "0000:00:02.0")), ==,
                    0xffff);
  g_assert_cmpuint (pt_device_get_device_id (pt_host_lookup_device (host, "0000:00:02.0")), ==,
                    0x3e92);
  /* Without uevent, config's header gives the IDs and the driver link is
   * still checked. */
  g_assert_true (strv_has_part (problems, "0000:00:05.0: its “driver” link points to “gone”"));
  g_assert_cmpstr (pt_device_get_driver (pt_host_lookup_device (host, "0000:00:05.0")), ==, "gone");
  g_assert_cmpuint (pt_device_get_device_id (pt_host_lookup_device (host, "0000:00:05.0")), ==,
                    0xa352);
  g_assert_cmpuint (pt_device_get_class_id (pt_host_lookup_device (host, "0000:00:05.0")), ==,
                    0x010601);
  g_assert_false (pt_host_is_ready (host));
}

static void
test_bad_root (void)
{
  g_autoptr(PtScanner) scanner = NULL;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *empty = g_dir_make_tmp ("pt-empty-XXXXXX", NULL);

  scanner = pt_scanner_new ("/nonexistent/passthrough-root");
  host = pt_scanner_scan (scanner, NULL, &error);
  g_assert_null (host);
  g_assert_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT);
  g_assert_nonnull (strstr (error->message, "/nonexistent/passthrough-root"));
  g_clear_error (&error);
  g_clear_object (&scanner);

  /* A directory that is no host root says so, and what a root must contain. */
  scanner = pt_scanner_new (empty);
  host = pt_scanner_scan (scanner, NULL, &error);
  g_assert_null (host);
  g_assert_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT);
  g_assert_nonnull (strstr (error->message, "sys/bus/pci/devices"));
  g_rmdir (empty);
}

/* Two RTX 3060s (and their audio functions) by different makers are told
 * apart by the maker; a name no other function has is left alone. */
static void
test_titles (void)
{
  static const struct
  {
    const char *address;
    const char *title;
  } cases[] = {
    { "0000:01:00.0", "GA106 [GeForce RTX 3060] · MSI" },
    { "0000:02:00.0", "GA106 [GeForce RTX 3060] · Gigabyte" },
    { "0000:01:00.1", "GA106 High Definition Audio Controller · MSI" },
    { "0000:02:00.1", "GA106 High Definition Audio Controller · Gigabyte" },
    { "0000:03:00.0", "NVMe SSD Controller SM981/PM981/PM983" },
  };
  static const struct
  {
    const char *vendor;
    const char *short_name;
  } vendors[] = {
    { "Micro-Star International Co., Ltd. [MSI]", "MSI" },
    { "Gigabyte Technology Co., Ltd", "Gigabyte" },
    { "ASUSTeK Computer Inc.", "ASUSTeK" },
    { "Advanced Micro Devices, Inc. [AMD/ATI]", "AMD/ATI" },
    { "Dell", "Dell" },
    { "", NULL },
    { NULL, NULL },
  };
  PtHost *host = scan ("desktop-intel");   /* the scans table keeps it */
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PtDevice *device = pt_host_lookup_device (host, cases[i].address);

      g_assert_nonnull (device);
      g_assert_cmpstr (pt_device_get_title (device), ==, cases[i].title);
    }
  /* The two RTX 3060s' names are the same: only the titles differ. */
  g_assert_cmpstr (pt_device_get_device_name (pt_host_lookup_device (host, "0000:01:00.0")), ==,
                   pt_device_get_device_name (pt_host_lookup_device (host, "0000:02:00.0")));

  /* Messages name devices by their titles; an unknown address stays one. */
  {
    const char *addresses[] = { "0000:01:00.0", "0000:01:00.1", "0000:09:00.0", NULL };
    g_autofree char *list = pt_host_dup_titles (host, addresses);

    g_assert_cmpstr (list, ==, "GA106 [GeForce RTX 3060] · MSI, "
                               "GA106 High Definition Audio Controller · MSI, 0000:09:00.0");
  }

  for (i = 0; i < G_N_ELEMENTS (vendors); i++)
    {
      g_autofree char *short_name = pt_vendor_dup_short_name (vendors[i].vendor);

      g_assert_cmpstr (short_name, ==, vendors[i].short_name);
    }
}

static void
scan_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  PtHost **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = pt_scanner_scan_finish (PT_SCANNER (object), result, &error);
  g_assert_no_error (error);
}

static void
test_async (void)
{
  g_autofree char *root = g_test_build_filename (G_TEST_BUILT, "desktop-intel", NULL);
  g_autoptr(PtScanner) scanner = pt_scanner_new (root);
  g_autoptr(PtHost) host = NULL;

  pt_scanner_scan_async (scanner, NULL, scan_done, &host);
  while (host == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (g_list_model_get_n_items (pt_host_get_devices (host)), ==,
                    g_list_model_get_n_items (pt_host_get_devices (scan ("desktop-intel"))));
  g_assert_cmpstr (pt_host_get_boot_id (host), ==, "7d3e2c1b-9a8f-4e6d-b5c4-a3b2c1d0e9f8");
}

/* The app's first scan starts while libvirt is still being reached: owners
 * set before a scan names them are in it; owners set after it did make it
 * stale, and only then does the app scan again. */
static void
test_owner_facts (void)
{
  g_autofree char *root = g_test_build_filename (G_TEST_BUILT, "desktop-intel", NULL);
  g_autoptr(PtScanner) scanner = pt_scanner_new (root);
  g_autoptr(PtOwnerFacts) facts = pt_owner_facts_new ();
  g_autoptr(GHashTable) owners = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) running = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) none = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(PtHost) before = NULL;
  g_autoptr(PtHost) after = NULL;
  g_autoptr(PtHost) async = NULL;

  pt_scanner_set_owner_facts (scanner, facts);
  before = pt_scanner_scan (scanner, NULL, NULL);
  g_assert_null (pt_device_get_vm (pt_host_lookup_device (before, "0000:02:00.0")));
  g_assert_false (pt_owner_facts_changed_since_scan (facts));

  /* libvirt answers after that scan named owners: it is stale. */
  g_hash_table_insert (owners, (char *) "0000:02:00.0", (char *) "win11-gaming");
  g_hash_table_add (running, (char *) "win11-gaming");
  pt_owner_facts_set (facts, owners, running);
  g_assert_true (pt_owner_facts_changed_since_scan (facts));

  after = pt_scanner_scan (scanner, NULL, NULL);
  g_assert_cmpstr (pt_device_get_vm (pt_host_lookup_device (after, "0000:02:00.0")), ==, "win11-gaming");
  g_assert_true (pt_device_is_vm_running (pt_host_lookup_device (after, "0000:02:00.0")));
  g_assert_false (pt_owner_facts_changed_since_scan (facts));

  /* A scan takes the owners when it names them, not when it was started:
   * whichever came first, the snapshot and the staleness agree. */
  pt_scanner_scan_async (scanner, NULL, scan_done, &async);
  pt_owner_facts_set (facts, none, NULL);
  while (async == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (pt_owner_facts_changed_since_scan (facts))
    g_assert_cmpstr (pt_device_get_vm (pt_host_lookup_device (async, "0000:02:00.0")), ==, "win11-gaming");
  else
    g_assert_null (pt_device_get_vm (pt_host_lookup_device (async, "0000:02:00.0")));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  scans = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  g_test_add_func ("/host-scan/checks", test_checks);
  g_test_add_func ("/host-scan/ready", test_ready);
  g_test_add_func ("/host-scan/fix-command", test_fix_command);
  g_test_add_func ("/host-scan/inside-vm", test_inside_vm);

  g_test_add_func ("/host-scan/kernel-default-iommu", test_kernel_default_iommu);
  g_test_add_func ("/host-scan/boot-setup", test_boot_setup);
  g_test_add_func ("/host-scan/groups", test_groups);
  g_test_add_func ("/host-scan/host-use", test_host_use);
  g_test_add_func ("/host-scan/devices", test_devices);
  g_test_add_func ("/host-scan/sriov-gaps", test_sriov_gaps);
  g_test_add_func ("/host-scan/titles", test_titles);
  g_test_add_func ("/host-scan/sriov", test_sriov);
  g_test_add_func ("/host-scan/strange-root", test_strange_root);
  g_test_add_func ("/host-scan/bad-root", test_bad_root);
  g_test_add_func ("/host-scan/async", test_async);
  g_test_add_func ("/host-scan/owner-facts", test_owner_facts);

  status = g_test_run ();
  g_hash_table_unref (scans);
  return status;
}
