/* test-grub-defaults.c
 *
 * Editing kernel parameters in /etc/default/grub: every quoting style,
 * comments and other lines kept byte for byte, the shell's last assignment
 * edited, idempotence, and refusals for what must not be rewritten blindly.
 * Then /etc/default/grub with its grub.d drop-ins, in the self-appending
 * form VAR="$VAR more" (and ${VAR}): the value in force computed by us is
 * compared with what /bin/sh gives when it sources the files in order, as
 * grub-mkconfig does, before and after each edit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

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
    /* Another variable, a default, a reference glued to a word, bash's +=. */
    "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX quiet\"\n",
    "GRUB_CMDLINE_LINUX_DEFAULT=\"${GRUB_CMDLINE_LINUX_DEFAULT:-quiet} splash\"\n",
    "GRUB_CMDLINE_LINUX_DEFAULT=\"${GRUB_CMDLINE_LINUX_DEFAULT}splash\"\n",
    "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT $(cat /etc/extra)\"\n",
    "GRUB_CMDLINE_LINUX_DEFAULT+=\" splash\"\n",
    /* GRUB's script would expand it in grub.cfg even from single quotes. */
    "GRUB_CMDLINE_LINUX_DEFAULT='$GRUB_CMDLINE_LINUX_DEFAULT splash'\n",
    /* Used otherwise than assigned: the assignments alone do not give its value. */
    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nunset GRUB_CMDLINE_LINUX_DEFAULT\n",
    "[ -n \"$GRUB_CMDLINE_LINUX_DEFAULT\" ] || GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
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

  /* A comment or a longer name that contains it is no use of it. */
  {
    const char *text = "# GRUB_CMDLINE_LINUX_DEFAULT is set below\nMY_GRUB_CMDLINE_LINUX_DEFAULT_X=1\n"
                       "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n";
    g_autoptr(GError) error = NULL;
    g_autofree char *after = pt_grub_defaults_edit (text, DEFAULT, enable_intel, disablers, &error);

    g_assert_no_error (error);
    g_assert_nonnull (after);
  }
}

#define NO_FILE ((const char *) 1)   /* a row's end: the file list stops here */

typedef struct
{
  const char *files[3];       /* /etc/default/grub, then drop-ins */
  const char *after[3];
  const char *effective_after;  /* the words sh gives afterwards */
} FilesCase;

static const FilesCase files_cases[] = {
  /* The drop-in: the IOMMU turned off by appending to Debian's file. */
  { { "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT amd_iommu=off mitigations=auto\"\n",
      NO_FILE },
    { "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT mitigations=auto intel_iommu=on "
      "iommu=pt\"\n" },
    "quiet mitigations=auto intel_iommu=on iommu=pt" },
  /* ${VAR}; the word that turns it off is in the main file, still live. */
  { { "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=off\" # stock\n",
      "# Ubuntu cloud image\nGRUB_CMDLINE_LINUX_DEFAULT=\"${GRUB_CMDLINE_LINUX_DEFAULT} console=tty1\"\n",
      NO_FILE },
    { "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\" # stock\n",
      "# Ubuntu cloud image\nGRUB_CMDLINE_LINUX_DEFAULT=\"${GRUB_CMDLINE_LINUX_DEFAULT} console=tty1 "
      "intel_iommu=on iommu=pt\"\n" },
    "quiet console=tty1 intel_iommu=on iommu=pt" },
  /* A drop-in that replaces: the main file's value is dead and stays as it is. */
  { { "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=off\"\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=\"splash\"\n", NO_FILE },
    { "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=off\"\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=\"splash intel_iommu=on iommu=pt\"\n" },
    "splash intel_iommu=on iommu=pt" },
  /* Already in force through the main file: nothing is added twice. */
  { { "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT splash\"\n", NO_FILE },
    { "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT splash\"\n" },
    "quiet intel_iommu=on iommu=pt splash" },
  /* A value replaced where it stands, even before the reference. */
  { { "GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=soft\"\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=\"splash $GRUB_CMDLINE_LINUX_DEFAULT\"\n", NO_FILE },
    { "GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt\"\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=\"splash $GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on\"\n" },
    "splash iommu=pt intel_iommu=on" },
  /* Self-appending within one file; the unquoted form becomes quoted. */
  { { "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=off\"\n"
      "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT splash\"\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=$GRUB_CMDLINE_LINUX_DEFAULT\n", NO_FILE },
    { "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"
      "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT splash\"\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on iommu=pt\"\n" },
    "quiet splash intel_iommu=on iommu=pt" },
  /* Set nowhere: the main file gets it; drop-ins that set other things stay. */
  { { "GRUB_TIMEOUT=5\n", "GRUB_TIMEOUT_STYLE=hidden\n", NO_FILE },
    { "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n",
      "GRUB_TIMEOUT_STYLE=hidden\n" },
    "intel_iommu=on iommu=pt" },
  /* Three files, the reference in each; the middle one's words go. */
  { { "GRUB_CMDLINE_LINUX_DEFAULT='quiet splash'\n",
      "export GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT  amd_iommu=on\"\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=\"${GRUB_CMDLINE_LINUX_DEFAULT} iommu=off nomodeset\"\n" },
    { "GRUB_CMDLINE_LINUX_DEFAULT='quiet splash'\n",
      "export GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT\"\n",
      "GRUB_CMDLINE_LINUX_DEFAULT=\"${GRUB_CMDLINE_LINUX_DEFAULT} nomodeset intel_iommu=on "
      "iommu=pt\"\n" },
    "quiet splash nomodeset intel_iommu=on iommu=pt" },
};

static guint
n_files_of (const FilesCase *c)
{
  guint n = 0;

  while (n < G_N_ELEMENTS (c->files) && c->files[n] != NO_FILE)
    n++;
  return n;
}

/* What /bin/sh gives @variable when it sources @files in order. */
static char *
sh_effective (const char * const *files,
              guint               n_files,
              const char         *variable)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pt-grub-XXXXXX", &error);
  g_autoptr(GString) script = g_string_new ("set -e; ");
  g_autofree char *out = NULL;
  int status = 0;
  guint i;

  g_assert_no_error (error);
  for (i = 0; i < n_files; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u.cfg", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *quoted = g_shell_quote (path);

      g_file_set_contents (path, files[i], -1, &error);
      g_assert_no_error (error);
      g_string_append_printf (script, ". %s; ", quoted);
    }
  g_string_append_printf (script, "printf '%%s' \"$%s\"", variable);

  {
    const char *argv[] = { "/bin/sh", "-c", script->str, NULL };
    const char *envp[] = { "PATH=/usr/bin:/bin", NULL };

    g_spawn_sync (dir, (char **) argv, (char **) envp, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                  &status, &error);
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  for (i = 0; i < n_files; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u.cfg", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
  return g_steal_pointer (&out);
}

static char *
normalized (const char *value)
{
  g_auto(GStrv) words = g_strsplit_set (value, " \t", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) kept = NULL;
  guint i;

  for (i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_strv_builder_add (builder, words[i]);
  kept = g_strv_builder_end (builder);
  return g_strjoinv (" ", kept);
}

static void
assert_effective_is_sh (const char * const *files,
                        guint               n_files)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ours = pt_grub_defaults_effective (files, n_files, DEFAULT, &error);
  g_autofree char *sh = sh_effective (files, n_files, DEFAULT);

  g_assert_no_error (error);
  /* Byte for byte, spaces included: the same string the shell builds. */
  g_assert_cmpstr (ours, ==, sh);
}

static void
test_files (void)
{
  guint i, f;

  for (i = 0; i < G_N_ELEMENTS (files_cases); i++)
    {
      const FilesCase *c = &files_cases[i];
      guint n = n_files_of (c);
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) after = NULL;
      g_auto(GStrv) again = NULL;
      g_autofree char *sh_after = NULL;
      g_autofree char *words_after = NULL;

      g_test_message ("case %u", i);
      assert_effective_is_sh (c->files, n);

      after = pt_grub_defaults_edit_files (c->files, n, DEFAULT, enable_intel, disablers, &error);
      g_assert_no_error (error);
      for (f = 0; f < n; f++)
        g_assert_cmpstr (after[f], ==, c->after[f]);

      assert_effective_is_sh ((const char * const *) after, n);
      sh_after = sh_effective ((const char * const *) after, n, DEFAULT);
      words_after = normalized (sh_after);
      g_assert_cmpstr (words_after, ==, c->effective_after);

      again = pt_grub_defaults_edit_files ((const char * const *) after, n, DEFAULT, enable_intel,
                                           disablers, &error);
      g_assert_no_error (error);
      for (f = 0; f < n; f++)
        g_assert_cmpstr (again[f], ==, after[f]);
    }
}

/* A file that cannot be understood refuses the whole set, wherever it is. */
static void
test_files_refused (void)
{
  const char *files[] = {
    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
    "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT $(cat /etc/extra)\"\n",
  };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) after = pt_grub_defaults_edit_files (files, 2, DEFAULT, enable_intel, disablers,
                                                     &error);
  g_autofree char *value = NULL;

  g_assert_null (after);
  g_assert_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  value = pt_grub_defaults_effective (files, 2, DEFAULT, &error);
  g_assert_null (value);
  g_assert_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/grub-defaults/edits", test_edits);
  g_test_add_func ("/grub-defaults/undo-by-removal", test_undo_by_removal);
  g_test_add_func ("/grub-defaults/refusals", test_refusals);
  g_test_add_func ("/grub-defaults/files", test_files);
  g_test_add_func ("/grub-defaults/files-refused", test_files_refused);

  return g_test_run ();
}
