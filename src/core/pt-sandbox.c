/* pt-sandbox.c
 *
 * This computer seen from inside the Flatpak sandbox. A Flatpak sees the
 * host's /sys/bus/pci, /sys/devices and /proc/cmdline, and the host's
 * os-release at /run/host/os-release; it does not see /sys/kernel,
 * /sys/module, /sys/firmware, the host's /etc and /boot, nor the host's
 * mounts. So the devices and their IOMMU group links are read as on the
 * host, the boot set-up and what the host uses are unknown (never "free"),
 * and no change can be made from here: a native package can.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pt-check.h"
#include "pt-sandbox.h"

/**
 * pt_sandbox_is_flatpak:
 *
 * Returns: whether this process runs in a Flatpak sandbox (it has a
 *   `/.flatpak-info`)
 */
gboolean
pt_sandbox_is_flatpak (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

/**
 * pt_sandbox_is_active:
 *
 * Returns: whether @root is this computer seen from inside a Flatpak
 *   sandbox (a `/.flatpak-info` at the top of the root "/")
 */
gboolean
pt_sandbox_is_active (PtRoot *root)
{
  return g_str_equal (pt_root_get_path (root), "/") && pt_root_exists (root, ".flatpak-info");
}

/**
 * pt_sandbox_add_checks:
 *
 * Says what the sandbox hides, once, as a check of its own.
 */
void
pt_sandbox_add_checks (GPtrArray *checks)
{
  g_ptr_array_add (checks,
                   pt_check_new ("sandbox", _("Flatpak sandbox"), PT_CHECK_WARN,
                                 _("Passthrough runs in the Flatpak sandbox: this computer’s devices, "
                                   "IOMMU groups and kernel command line can be seen; its boot loader, "
                                   "kernel modules, firmware tables and what it uses its devices for "
                                   "cannot."),
                                 _("Install Passthrough from your distribution’s packages to check "
                                   "these and to change this computer.")));
}

/**
 * pt_sandbox_dup_install_command:
 *
 * Returns: (transfer full): the command that installs the native package on
 *   the host's distribution (its package manager by os-release's ID and
 *   ID_LIKE)
 */
char *
pt_sandbox_dup_install_command (PtBootSetup *boot)
{
  static const struct { const char *id; const char *command; } managers[] = {
    { "debian", "sudo apt install passthrough" },
    { "ubuntu", "sudo apt install passthrough" },
    { "fedora", "sudo dnf install passthrough" },
    { "rhel", "sudo dnf install passthrough" },
    { "openEuler", "sudo dnf install passthrough" },
    { "arch", "sudo pacman -S passthrough" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (managers); i++)
    if (boot != NULL && pt_boot_setup_is_like (boot, managers[i].id))
      return g_strdup (managers[i].command);
  return g_strdup (_("install the “passthrough” package with your distribution’s package manager"));
}

/**
 * pt_sandbox_dup_change_advice:
 * @command: the passthroughctl command line that makes the change
 *
 * Returns: (transfer full): the one message every host change gets in the
 *   sandbox: why it cannot be made here, the package to install, the command
 */
char *
pt_sandbox_dup_change_advice (PtBootSetup *boot,
                              const char  *command)
{
  g_autofree char *install = pt_sandbox_dup_install_command (boot);

  return g_strdup_printf (_("Passthrough runs in the Flatpak sandbox, which cannot change this "
                            "computer. Install the native package:\n\n%s\n\nthen make this change "
                            "in a terminal:\n\n%s"),
                          install, command);
}
