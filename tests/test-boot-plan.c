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

#include <glib/gstdio.h>

#include "pt-boot-plan.h"
#include "pt-early-bind-plan.h"
#include "pt-initramfs-plan.h"
#include "pt-error.h"
#include "pt-scanner.h"

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

/* Compares @plan with tests/plans/@name.json (PT_UPDATE_GOLDEN=1 rewrites it). */
static char *
assert_golden (PtPlan     *plan,
               const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_strdup_printf ("%s.json", name);
  g_autofree char *golden_path = g_test_build_filename (G_TEST_DIST, "plans", file, NULL);
  g_autofree char *golden = NULL;
  PtJsonWriter *writer = pt_json_writer_new (TRUE);
  char *json;

  pt_plan_write_json (plan, writer);
  json = pt_json_writer_free_to_string (writer);
  if (g_getenv ("PT_UPDATE_GOLDEN") != NULL)
    g_file_set_contents (golden_path, json, -1, NULL);
  g_file_get_contents (golden_path, &golden, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json, ==, golden);
  return json;
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
    { "debian-dropin", FALSE },
    { "ubuntu-builtin", FALSE },
    { "openeuler-uefi", FALSE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PtPlan) plan = plan_for (cases[i].host, &error);
      g_autofree char *json = NULL;

      g_test_message ("%s", cases[i].host);
      g_assert_no_error (error);
      g_assert_cmpint (pt_plan_is_empty (plan), ==, cases[i].empty);
      g_assert_cmpint (pt_plan_get_reboot (plan), ==, !cases[i].empty);

      json = assert_golden (plan, cases[i].host);

      /* What would turn the IOMMU off is never in what is written. */
      g_assert_null (strstr (json, "\"after\" : \"amd_iommu=on"));
      g_assert_null (strstr (json, "kernelstub\",\n      \"-o"));
    }
}

/* The drop-in: the word that turned the IOMMU off goes, the reference stays. */
static void
test_self_appending_dropin (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPlan) plan = plan_for ("debian-dropin", &error);
  const char *before, *after;

  g_assert_no_error (error);
  g_assert_cmpuint (pt_plan_get_n_files (plan), ==, 1);
  g_assert_cmpstr (pt_plan_get_file (plan, 0, &before, &after), ==, "/etc/default/grub.d/60-local.cfg");
  g_assert_cmpstr (after, ==, "# Local settings\nGRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT "
                              "mitigations=auto iommu=pt\"\n");
  /* The review names the line the kernel will really get. */
  g_assert_nonnull (strstr (pt_plan_get_summary (plan),
                            "“console=ttyS0,115200 quiet mitigations=auto iommu=pt”"));
}

/* A drop-in that runs a command is still refused, naming the line. */
static void
test_unsafe_dropin (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPlan) plan = plan_for ("ubuntu-unsafe-dropin", &error);

  g_assert_null (plan);
  g_assert_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "$(cat /etc/kernel-extra)"));
  g_assert_nonnull (strstr (error->message, "by hand"));
}

static PtPlan *
early_bind_for (const char       *name,
                const char       *address,
                PtEarlyBindKind   kind,
                GError          **error)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  g_autoptr(PtRoot) root = pt_root_open (path, NULL);
  g_autoptr(PtScanner) scanner = pt_scanner_new (path);
  g_autoptr(PtHost) host = pt_scanner_scan (scanner, NULL, NULL);
  const char *addresses[] = { address, NULL };

  g_assert_nonnull (root);
  g_assert_nonnull (host);
  return pt_early_bind_plan (root, host, addresses, kind, error);
}

static gboolean
plan_runs (PtPlan     *plan,
           const char *program)
{
  guint i;

  for (i = 0; i < pt_plan_get_n_commands (plan); i++)
    if (g_str_equal (pt_plan_get_command (plan, i)[0], program))
      return TRUE;
  return FALSE;
}

/* What a user of each distribution would do by hand, and check as they would. */
static void
test_early_bind (void)
{
  static const struct {
    const char *host;
    const char *address;
    PtEarlyBindKind kind;
    const char *golden;
    guint n_listings;       /* images whose listing is checked */
    gboolean module_expected;
    gboolean rule_expected;
    const char *verified_file;  /* a regenerated file that must hold the parameter */
  } cases[] = {
    /* Built-in vfio-pci: the IDs on the kernel line, read back from grub.cfg; no image. */
    { "ubuntu-builtin", "0000:01:00.0", PT_EARLY_BIND_BY_ID, "early-bind/ubuntu-builtin-by-id",
      0, FALSE, FALSE, "/boot/grub/grub.cfg" },
    /* Built-in and by address: only the rule goes into the image, through a hook. */
    { "ubuntu-builtin", "0000:01:00.0", PT_EARLY_BIND_BY_ADDRESS,
      "early-bind/ubuntu-builtin-by-address", 1, FALSE, TRUE, NULL },
    /* Arch: every image of linux, linux-zen and linux-lts, defaults and fallbacks. */
    { "amd-host", "0000:04:00.0", PT_EARLY_BIND_BY_ADDRESS, "early-bind/amd-host-by-address",
      6, TRUE, TRUE, NULL },
    { "amd-host", "0000:04:00.0", PT_EARLY_BIND_BY_ID, "early-bind/amd-host-by-id",
      6, TRUE, FALSE, NULL },
    /* Debian: the modules into initramfs-tools' list, the rule through a hook. */
    { "desktop-intel", "0000:02:00.0", PT_EARLY_BIND_BY_ADDRESS, "early-bind/desktop-intel-by-address",
      1, TRUE, TRUE, NULL },
    /* openEuler 22.03 on UEFI: dracut, vfio_virqfd on its 5.10 kernel. */
    { "openeuler-uefi", "0000:3b:00.0", PT_EARLY_BIND_BY_ID, "early-bind/openeuler-uefi-by-id",
      1, TRUE, FALSE, NULL },
    { "openeuler-uefi", "0000:3b:00.0", PT_EARLY_BIND_BY_ADDRESS,
      "early-bind/openeuler-uefi-by-address", 1, TRUE, TRUE, NULL },
  };
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PtPlan) plan = early_bind_for (cases[i].host, cases[i].address, cases[i].kind, &error);
      GPtrArray *expectations;
      guint listings = 0, modules = 0, rules = 0, options = 0, files = 0;
      g_autofree char *json = NULL;

      g_test_message ("%s", cases[i].golden);
      g_assert_no_error (error);
      json = assert_golden (plan, cases[i].golden);

      expectations = pt_plan_get_expectations (plan);
      for (j = 0; j < pt_plan_get_n_commands (plan); j++)
        if (g_str_has_prefix (pt_plan_get_command (plan, j)[0], "lsinit"))
          listings++;
      for (j = 0; j < expectations->len; j++)
        {
          PtPlanExpectation *expectation = g_ptr_array_index (expectations, j);

          if (expectation->path != NULL)
            {
              /* Read back right after the command that regenerates it. */
              g_assert_true (g_str_has_suffix (pt_plan_get_command (plan, expectation->command)[0],
                                               "grub"));
              g_assert_cmpstr (expectation->path, ==, cases[i].verified_file);
              g_assert_true (g_str_has_prefix (expectation->needle, "vfio-pci.ids="));
              files++;
              continue;
            }
          g_assert_true (g_str_has_prefix (pt_plan_get_command (plan, expectation->command)[0],
                                           "lsinit"));
          modules += strstr (expectation->needle, "vfio-pci.ko") != NULL;
          rules += strstr (expectation->needle, "60-passthrough-vfio.rules") != NULL;
          options += strstr (expectation->needle, "modprobe.d/passthrough-vfio.conf") != NULL;
        }
      g_assert_cmpuint (listings, ==, cases[i].n_listings);
      g_assert_cmpuint (modules, ==, cases[i].module_expected ? listings : 0);
      g_assert_cmpuint (rules, ==, cases[i].rule_expected ? listings : 0);
      /* By ID with a vfio-pci module, the IDs must reach the image with it. */
      g_assert_cmpuint (options, ==, cases[i].kind == PT_EARLY_BIND_BY_ID && cases[i].module_expected
                                     ? listings : 0);
      g_assert_cmpuint (files, ==, cases[i].verified_file != NULL ? 1 : 0);

      /* A built-in vfio-pci has no module for the initramfs to carry. */
      if (!cases[i].module_expected)
        g_assert_null (strstr (json, "vfio_iommu_type1"));
      if (cases[i].n_listings == 0)
        g_assert_false (plan_runs (plan, "update-initramfs"));
      /* The rule obeys the switch that turns boot-time binding off. */
      if (cases[i].kind == PT_EARLY_BIND_BY_ADDRESS)
        g_assert_nonnull (strstr (json, "ENV{passthrough.vfio}==\\\"off\\\", GOTO="));
    }
}

/* The way back on every boot loader: a copy of the default entry without the
 * IOMMU parameters and with binding off, chosen for one start. */
static void
test_way_back (void)
{
  static const struct {
    const char *host;
    const char *file;       /* the entry (or GRUB script) the plan writes */
    const char *chooser;    /* what picks it for one start */
  } cases[] = {
    { "desktop-intel", "/etc/grub.d/42_passthrough-off", "grub-reboot" },
    { "ubuntu-builtin", "/etc/grub.d/42_passthrough-off", "grub-reboot" },
    { "server-sriov", "/etc/grub.d/42_passthrough-off", "grub2-reboot" },
    { "openeuler-uefi", "/etc/grub.d/42_passthrough-off", "grub2-reboot" },
    { "laptop-iommu-off", "/boot/loader/entries/passthrough-off.conf", "grub2-reboot" },
    { "amd-host", "/boot/loader/entries/passthrough-off.conf", "bootctl" },
    { "popos-kernelstub", "/boot/efi/loader/entries/passthrough-off.conf", "bootctl" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_BUILT, cases[i].host, NULL);
      g_autoptr(PtRoot) root = pt_root_open (path, NULL);
      g_autoptr(PtBootSetup) boot = pt_boot_setup_detect (root);
      g_autoptr(GError) error = NULL;
      g_autoptr(PtPlan) plan = pt_boot_plan_once_without (root, boot, &error);
      g_autofree char *golden = g_strdup_printf ("way-back/%s", cases[i].host);
      g_autofree char *json = NULL;
      const char *after;
      guint n = 0;

      g_test_message ("%s", cases[i].host);
      g_assert_no_error (error);
      json = assert_golden (plan, golden);
      g_assert_cmpuint (pt_plan_get_n_files (plan), ==, 1);
      g_assert_cmpstr (pt_plan_get_file (plan, 0, NULL, &after), ==, cases[i].file);
      /* Multi-user and networked: never the single-user recovery entry. */
      g_assert_null (strstr (after, " single"));
      g_assert_null (strstr (after, "recovery"));
      g_assert_null (strstr (after, "iommu"));
      g_assert_nonnull (strstr (after, "passthrough.vfio=off vfio-pci.ids=\n"));
      n = pt_plan_get_n_commands (plan);
      g_assert_cmpstr (pt_plan_get_command (plan, n - 1)[0], ==, cases[i].chooser);
    }
}

static void
test_params_without (void)
{
  static const struct {
    const char *before;
    const char *after;
  } cases[] = {
    { "ro quiet intel_iommu=on iommu=pt", "ro quiet passthrough.vfio=off vfio-pci.ids=" },
    { "rw amd_iommu=on amd_iommu=off vfio-pci.ids=10de:2504,10de:228e",
      "rw amd_iommu=off passthrough.vfio=off vfio-pci.ids=" },
    { "ro passthrough.vfio=off vfio-pci.ids=", "ro passthrough.vfio=off vfio-pci.ids=" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *after = pt_boot_plan_params_without (cases[i].before);

      g_assert_cmpstr (after, ==, cases[i].after);
    }
}

/* What /bin/sh gives GRUB's normal entries when it sources @texts in order,
 * as grub-mkconfig does; words joined by single spaces. */
static char *
sh_kernel_line (GPtrArray *texts)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pt-boot-plan-XXXXXX", &error);
  g_autoptr(GString) script = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
  g_auto(GStrv) line = NULL;
  int status = 0;
  guint i;

  g_assert_no_error (error);
  for (i = 0; i < texts->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("%02u.cfg", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_file_set_contents (path, g_ptr_array_index (texts, i), -1, &error);
      g_assert_no_error (error);
      g_string_append_printf (script, ". ./%s; ", name);
    }
  g_string_append (script, "printf '%s %s' \"$GRUB_CMDLINE_LINUX\" \"$GRUB_CMDLINE_LINUX_DEFAULT\"");
  {
    const char *argv[] = { "/bin/sh", "-c", script->str, NULL };
    const char *envp[] = { "PATH=/usr/bin:/bin", NULL };

    g_spawn_sync (dir, (char **) argv, (char **) envp, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                  NULL, &status, &error);
  }
  g_assert_no_error (error);

  for (i = 0; i < texts->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("%02u.cfg", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);

  words = g_strsplit_set (out, " \t\n", -1);
  for (i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_strv_builder_add (kept, words[i]);
  line = g_strv_builder_end (kept);
  return g_strjoinv (" ", line);
}

/* The files grub-mkconfig sources, in its order, as they are under @root. */
static GPtrArray *
grub_texts (PtRoot     *root,
            GPtrArray **paths_out)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) dropins = pt_root_list_dir (root, "etc/default/grub.d", NULL);
  guint i;

  g_ptr_array_add (paths, g_strdup ("/etc/default/grub"));
  for (i = 0; dropins != NULL && i < dropins->len; i++)
    if (g_str_has_suffix (g_ptr_array_index (dropins, i), ".cfg"))
      g_ptr_array_add (paths, g_strconcat ("/etc/default/grub.d/",
                                           (char *) g_ptr_array_index (dropins, i), NULL));
  for (i = 0; i < paths->len; i++)
    g_ptr_array_add (texts, pt_root_read_file (root, (char *) g_ptr_array_index (paths, i) + 1,
                                               NULL, NULL));
  *paths_out = paths;
  return texts;
}

/* What the check and the review show is what the shell really gives, for
 * every GRUB host, before "Turn the IOMMU On" and after it. */
static void
test_grub_line_is_sh (void)
{
  static const char * const hosts[] = {
    "desktop-intel", "nvme-root", "server-sriov", "laptop-iommu-off", "debian-dropin",
    "ubuntu-builtin", "openeuler-uefi",
  };
  guint i, j, k;

  for (i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_BUILT, hosts[i], NULL);
      g_autoptr(PtRoot) root = pt_root_open (path, NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *ours = pt_boot_plan_grub_kernel_line (root, &error);
      g_autoptr(GPtrArray) paths = NULL;
      g_autoptr(GPtrArray) texts = grub_texts (root, &paths);
      g_autofree char *sh = sh_kernel_line (texts);
      g_autoptr(PtPlan) plan = plan_for (hosts[i], NULL);
      const char *summary, *open, *close;
      g_autofree char *shown = NULL;
      g_autofree char *sh_after = NULL;

      g_test_message ("%s: %s", hosts[i], sh);
      g_assert_no_error (error);
      g_assert_cmpstr (ours, ==, sh);

      /* The plan's files put in place of the old ones, sourced again. */
      g_assert_nonnull (plan);
      for (j = 0; j < pt_plan_get_n_files (plan); j++)
        {
          const char *after;
          const char *file = pt_plan_get_file (plan, j, NULL, &after);

          for (k = 0; k < paths->len; k++)
            if (g_str_equal (file, g_ptr_array_index (paths, k)))
              {
                g_free (g_ptr_array_index (texts, k));
                g_ptr_array_index (texts, k) = g_strdup (after);
              }
        }
      summary = pt_plan_get_summary (plan);
      if (pt_plan_get_n_files (plan) == 0)
        continue;
      open = g_strrstr (summary, "“");
      close = g_strrstr (summary, "”");
      g_assert_true (open != NULL && close != NULL && close > open);
      shown = g_strndup (open + strlen ("“"), close - open - strlen ("“"));
      sh_after = sh_kernel_line (texts);
      g_assert_cmpstr (shown, ==, sh_after);
    }
}

static void
test_mkinitcpio_images (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "amd-host", NULL);
  g_autoptr(PtRoot) root = pt_root_open (path, NULL);
  g_auto(GStrv) images = pt_initramfs_plan_mkinitcpio_images (root);
  const char *expected[] = {
    "/boot/initramfs-linux-lts.img", "/boot/initramfs-linux-lts-fallback.img",
    "/boot/initramfs-linux-zen.img", "/boot/initramfs-linux-zen-fallback.img",
    "/boot/initramfs-linux.img", "/boot/initramfs-linux-fallback.img", NULL,
  };

  g_assert_cmpstrv (images, expected);
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
  g_test_add_func ("/boot-plan/self-appending-dropin", test_self_appending_dropin);
  g_test_add_func ("/boot-plan/unsafe-dropin", test_unsafe_dropin);
  g_test_add_func ("/boot-plan/early-bind", test_early_bind);
  g_test_add_func ("/boot-plan/mkinitcpio-images", test_mkinitcpio_images);
  g_test_add_func ("/boot-plan/way-back", test_way_back);
  g_test_add_func ("/boot-plan/grub-line-is-sh", test_grub_line_is_sh);
  g_test_add_func ("/boot-plan/params-without", test_params_without);

  return g_test_run ();
}
