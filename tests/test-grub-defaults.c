/* test-grub-defaults.c
 *
 * Editing kernel parameters in /etc/default/grub: every quoting style,
 * comments and other lines kept byte for byte, the shell's last assignment
 * edited, idempotence, and refusals for what must not be rewritten blindly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pt-error.h"
#include "pt-grub-defaults.h"

#define DEFAULT "GRUB_CMDLINE_LINUX_DEFAULT"

static const char * const enable_intel[] = { "intel_iommu=on", "iommu=pt", NULL };
static const char * const disablers[] = { "intel_iommu=off", "amd_iommu=off", "iommu=off",
                                          "amd_iommu=on", NULL };

static void
test_edits (void)
{
  static const struct {
    const char *before;
    const char *after;
  } cases[] = {
    /* Debian's stock file. */
    { "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"\"\n",
      "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n"
      "GRUB_CMDLINE_LINUX=\"\"\n" },
    /* Single quotes stay single; a comment after the value stays. */
    { "GRUB_CMDLINE_LINUX_DEFAULT='quiet splash' # Ubuntu\n",
      "GRUB_CMDLINE_LINUX_DEFAULT='quiet splash intel_iommu=on iommu=pt' # Ubuntu\n" },
    /* Unquoted becomes quoted once it has a space. */
    { "GRUB_CMDLINE_LINUX_DEFAULT=quiet\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n" },
    /* The shell's last assignment is the one that counts. */
    { "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n#GRUB_CMDLINE_LINUX_DEFAULT=\"x\"\n"
      "GRUB_CMDLINE_LINUX_DEFAULT=\"splash\"\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n#GRUB_CMDLINE_LINUX_DEFAULT=\"x\"\n"
      "GRUB_CMDLINE_LINUX_DEFAULT=\"splash intel_iommu=on iommu=pt\"\n" },
    /* Flags that disable the IOMMU go; a value in place is replaced in place. */
    { "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=off quiet amd_iommu=on iommu=soft\"\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt intel_iommu=on\"\n" },
    /* Already there: nothing changes. */
    { "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n" },
    /* export, indentation and a quoted parameter with a space are kept. */
    { "  export GRUB_CMDLINE_LINUX_DEFAULT='acpi_osi=\"Windows 2015\" quiet'\n",
      "  export GRUB_CMDLINE_LINUX_DEFAULT='acpi_osi=\"Windows 2015\" quiet intel_iommu=on "
      "iommu=pt'\n" },
    /* A similar name is not the variable. */
    { "MY_GRUB_CMDLINE_LINUX_DEFAULT=\"x\"\n",
      "MY_GRUB_CMDLINE_LINUX_DEFAULT=\"x\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n" },
    /* Missing entirely: appended. */
    { "GRUB_TIMEOUT=5", "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n" },
    { "", "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *after = NULL;
      g_autofree char *again = NULL;

      g_test_message ("case %u", i);
      after = pt_grub_defaults_edit (cases[i].before, DEFAULT, enable_intel, disablers, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (after, ==, cases[i].after);

      /* Idempotent. */
      again = pt_grub_defaults_edit (after, DEFAULT, enable_intel, disablers, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (again, ==, after);
    }
}

static void
test_undo_by_removal (void)
{
  static const char * const names[] = { "intel_iommu", "iommu", NULL };
  const char *before = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt splash\"\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *after = pt_grub_defaults_edit (before, DEFAULT, NULL, names, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (after, ==, "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\n");
}

static void
test_refusals (void)
{
  static const char * const refused[] = {
    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet $EXTRA\"\n",
    "GRUB_CMDLINE_LINUX_DEFAULT=\"$(cat /etc/cmdline)\"\n",
    "GRUB_CMDLINE_LINUX_DEFAULT=`cat /etc/cmdline`\n",
    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\\\"\"\n",
    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\n",
    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"; reboot\n",
    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet \\\nsplash\"\n",
    /* An unclosed " inside single quotes: the kernel would swallow the rest. */
    "GRUB_CMDLINE_LINUX_DEFAULT='quiet acpi_osi=\"Windows 2015'\n",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *after = pt_grub_defaults_edit (refused[i], DEFAULT, enable_intel,
                                                      disablers, &error);

      g_test_message ("case %u: %s", i, error != NULL ? error->message : "(accepted)");
      g_assert_null (after);
      g_assert_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "by hand"));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/grub-defaults/edits", test_edits);
  g_test_add_func ("/grub-defaults/undo-by-removal", test_undo_by_removal);
  g_test_add_func ("/grub-defaults/refusals", test_refusals);

  return g_test_run ();
}
