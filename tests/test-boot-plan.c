/* test-boot-plan.c
 *
 * "Turn the IOMMU on" planned for each fixture host's real boot setup and
 * compared with saved plans (tests/plans/): GRUB with a grub.d drop-in that
 * overrides /etc/default/grub (Ubuntu), openEuler 22.03 on BIOS, Fedora BLS
 * with grubby, Arch systemd-boot with the invalid amd_iommu=on, Pop!_OS
 * kernelstub, a host that needs nothing, and one whose boot loader is
 * unknown. PT_UPDATE_GOLDEN=1 rewrites the saved plans; then read the diff.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pt-boot-plan.h"
#include "pt-error.h"

static PtPlan *
plan_for (const char  *host,
          GError     **error)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, host, NULL);
  g_autoptr(PtRoot) root = pt_root_open (path, error);
  g_autoptr(PtBootSetup) boot = NULL;
  g_autofree char *cpuinfo = NULL;

  g_assert_nonnull (root);
  boot = pt_boot_setup_detect (root);
  cpuinfo = pt_root_read_file (root, "proc/cpuinfo", NULL, NULL);
  return pt_boot_plan_enable_iommu (root, boot, pt_checks_cpu_vendor (cpuinfo), error);
}

static void
test_golden (void)
{
  static const struct {
    const char *host;
    gboolean empty;
  } cases[] = {
    { "desktop-intel", TRUE },
    { "nvme-root", FALSE },
    { "server-sriov", FALSE },
    { "laptop-iommu-off", FALSE },
    { "amd-host", FALSE },
    { "popos-kernelstub", FALSE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PtPlan) plan = plan_for (cases[i].host, &error);
      g_autofree char *file = g_strdup_printf ("%s.json", cases[i].host);
      g_autofree char *golden_path = g_test_build_filename (G_TEST_DIST, "plans", file, NULL);
      g_autofree char *golden = NULL;
      g_autofree char *json = NULL;
      PtJsonWriter *writer = pt_json_writer_new (TRUE);

      g_test_message ("%s", cases[i].host);
      g_assert_no_error (error);
      g_assert_cmpint (pt_plan_is_empty (plan), ==, cases[i].empty);
      g_assert_cmpint (pt_plan_get_reboot (plan), ==, !cases[i].empty);

      pt_plan_write_json (plan, writer);
      json = pt_json_writer_free_to_string (writer);
      if (g_getenv ("PT_UPDATE_GOLDEN") != NULL)
        g_file_set_contents (golden_path, json, -1, NULL);
      g_file_get_contents (golden_path, &golden, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json, ==, golden);

      /* What would turn the IOMMU off is never in what is written. */
      g_assert_null (strstr (json, "\"after\" : \"amd_iommu=on"));
      g_assert_null (strstr (json, "kernelstub\",\n      \"-o"));
    }
}

static void
test_unknown_boot_loader (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPlan) plan = plan_for ("strange", &error);

  g_assert_null (plan);
  g_assert_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "as your distribution documents"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/boot-plan/enable-iommu", test_golden);
  g_test_add_func ("/boot-plan/unknown-boot-loader", test_unknown_boot_loader);

  return g_test_run ();
}
