/* test-host-change.c — the one table of host changes: each kind to the
 * helper's argv and back, to the passthroughctl line, its inverse, and the
 * helper parser's refusals.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pt-error.h"
#include "pt-host-change.h"

#define A "0000:01:00.0"
#define B "0000:01:00.1"

typedef struct
{
  PtHostChangeKind kind;
  const char *addresses[3];
  int count;
  guint change_id;
  PtHostChangeFlags flags;
  const char *argv;       /* the helper's, joined by spaces */
  const char *command;    /* passthroughctl's */
} Case;

static const Case cases[] = {
  { PT_HOST_CHANGE_BIND, { A }, 0, 0, 0, "bind-devices bind " A, "passthroughctl bind " A },
  { PT_HOST_CHANGE_BIND, { A }, 0, 0, PT_HOST_CHANGE_FORCE,
    "bind-devices-force bind " A, "passthroughctl bind " A " --force" },
  { PT_HOST_CHANGE_RETURN, { A }, 0, 0, 0, "bind-devices return " A, "passthroughctl unbind " A },
  { PT_HOST_CHANGE_RETURN, { A }, 0, 0, PT_HOST_CHANGE_DEVICE_ONLY,
    "bind-devices return " A " --device-only", "passthroughctl unbind " A " --device-only" },
  { PT_HOST_CHANGE_SET_VFS, { A }, 0, 0, 0, "sriov set-vfs " A " 0", "passthroughctl vfs " A " 0" },
  { PT_HOST_CHANGE_SET_VFS, { A }, 7, 0, PT_HOST_CHANGE_KEEP_VFS_FREE | PT_HOST_CHANGE_DRY_RUN,
    "sriov set-vfs " A " 7 --keep-vfs-free --dry-run", "passthroughctl vfs " A " 7 --keep-vfs-free --dry-run" },
  { PT_HOST_CHANGE_ENABLE_IOMMU, { NULL }, 0, 0, 0, "configure-boot enable-iommu",
    "passthroughctl boot enable-iommu" },
  { PT_HOST_CHANGE_EARLY_BIND_IDS, { A, B }, 0, 0, 0, "configure-boot early-bind-ids " A " " B,
    "passthroughctl boot early-bind --by-id " A " " B },
  { PT_HOST_CHANGE_EARLY_BIND_ADDRESSES, { B }, 0, 0, 0, "configure-boot early-bind-addresses " B,
    "passthroughctl boot early-bind --by-address " B },
  { PT_HOST_CHANGE_BOOT_ONCE_WITHOUT, { NULL }, 0, 0, 0, "configure-boot boot-once-without",
    "passthroughctl boot once-without" },
  { PT_HOST_CHANGE_UNDO, { NULL }, 0, 0, 0, "configure-boot undo", "passthroughctl boot undo" },
  { PT_HOST_CHANGE_UNDO, { NULL }, 0, 12, 0, "configure-boot undo 12", "passthroughctl boot undo 12" },
  { PT_HOST_CHANGE_HISTORY, { NULL }, 0, 0, PT_HOST_CHANGE_JSON, "configure-boot history --json",
    "passthroughctl boot history --json" },
};

static gboolean
parse_line (const char    *line,
            PtHostChange  *change,
            GError       **error)
{
  g_autofree char *with_name = g_strconcat ("passthrough-helper ", line, NULL);
  g_auto(GStrv) argv = g_strsplit (with_name, " ", -1);

  return pt_host_change_parse_argv ((int) g_strv_length (argv), argv, change, error);
}

static void
test_round_trip (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autoptr(GError) error = NULL;
      PtHostChange change, parsed;
      g_auto(GStrv) argv = NULL;
      g_autofree char *joined = NULL;
      g_autofree char *command = NULL;

      g_test_message ("case %u: %s", i, c->argv);
      g_assert_true (pt_host_change_init (&change, c->kind, c->addresses, c->count, c->change_id,
                                          c->flags, &error));
      g_assert_no_error (error);
      argv = pt_host_change_to_argv (&change);
      joined = g_strjoinv (" ", argv);
      g_assert_cmpstr (joined, ==, c->argv);
      command = pt_host_change_to_command (&change);
      g_assert_cmpstr (command, ==, c->command);

      g_assert_true (parse_line (joined, &parsed, &error));
      g_assert_no_error (error);
      g_assert_true (memcmp (&parsed, &change, sizeof change) == 0);
      g_assert_cmpint (pt_host_change_is_write (&change), ==,
                       c->kind != PT_HOST_CHANGE_HISTORY && !(c->flags & PT_HOST_CHANGE_DRY_RUN));
    }
}

static void
test_inverse (void)
{
  const char *one[] = { A, NULL };
  PtHostChange change, inverse;
  g_autofree char *back = NULL;
  g_autofree char *undo = NULL;

  /* Binding with --force is undone by a plain return of the same group. */
  g_assert_true (pt_host_change_init (&change, PT_HOST_CHANGE_BIND, one, 0, 0, PT_HOST_CHANGE_FORCE, NULL));
  g_assert_true (pt_host_change_inverse (&change, 0, &inverse));
  back = pt_host_change_to_command (&inverse);
  g_assert_cmpstr (back, ==, "passthroughctl unbind " A);

  g_assert_true (pt_host_change_init (&change, PT_HOST_CHANGE_RETURN, one, 0, 0, 0, NULL));
  g_assert_true (pt_host_change_inverse (&change, 0, &inverse));
  g_assert_cmpint (inverse.kind, ==, PT_HOST_CHANGE_BIND);
  g_assert_cmpstr (inverse.addresses[0], ==, A);

  /* A boot change is undone through the change the helper recorded, and
   * only then. */
  g_assert_true (pt_host_change_init (&change, PT_HOST_CHANGE_EARLY_BIND_ADDRESSES, one, 0, 0, 0, NULL));
  g_assert_false (pt_host_change_inverse (&change, 0, &inverse));
  g_assert_true (pt_host_change_inverse (&change, 4, &inverse));
  undo = pt_host_change_to_command (&inverse);
  g_assert_cmpstr (undo, ==, "passthroughctl boot undo 4");

  /* The old VF count is not known, and an undo is not undone. */
  g_assert_true (pt_host_change_init (&change, PT_HOST_CHANGE_SET_VFS, one, 2, 0, 0, NULL));
  g_assert_false (pt_host_change_inverse (&change, 3, &inverse));
  g_assert_true (pt_host_change_init (&change, PT_HOST_CHANGE_UNDO, NULL, 0, 3, 0, NULL));
  g_assert_false (pt_host_change_inverse (&change, 3, &inverse));
}

/* What a Give leaves the host to do: the same words as the CLI would run. */
static void
test_for_give (void)
{
  static const struct
  {
    PtGiveChoice choice;
    const char *command;   /* NULL: nothing */
  } gives[] = {
    { PT_GIVE_MANAGED, NULL },
    { PT_GIVE_ON_VFIO, NULL },
    { PT_GIVE_ON_VFIO | PT_GIVE_ACKNOWLEDGED, NULL },
    { 0, "passthroughctl bind " A },
    /* the host's use accepted in the app is --force for the helper, its own authorisation */
    { PT_GIVE_ACKNOWLEDGED | PT_GIVE_HOST_USES, "passthroughctl bind " A " --force" },
    /* other accepted risks (a mate left out, a state unknown) leave the helper's check standing */
    { PT_GIVE_ACKNOWLEDGED, "passthroughctl bind " A },
    { PT_GIVE_HOST_USES, "passthroughctl bind " A },
    { PT_GIVE_AT_EVERY_BOOT, "passthroughctl boot early-bind --by-address " A " " B },
    { PT_GIVE_AT_EVERY_BOOT | PT_GIVE_MANAGED | PT_GIVE_ACKNOWLEDGED,
      "passthroughctl boot early-bind --by-address " A " " B },
  };
  const char *both[] = { A, B, NULL };
  const char *nine[] = { A, A, A, A, A, A, A, A, A, NULL };
  g_autoptr(GError) error = NULL;
  PtHostChange change;
  gboolean needed;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (gives); i++)
    {
      g_autofree char *command = NULL;

      g_assert_true (pt_host_change_for_give (&change, both, gives[i].choice, &needed, NULL));
      g_assert_cmpint (needed, ==, gives[i].command != NULL);
      if (!needed)
        continue;
      command = pt_host_change_to_command (&change);
      g_assert_cmpstr (command, ==, gives[i].command);
    }

  /* More than one change takes: said before anything is changed. */
  g_assert_false (pt_host_change_for_give (&change, nine, PT_GIVE_AT_EVERY_BOOT, &needed, &error));
  g_assert_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT);
}

static void
test_refusals (void)
{
  static const struct
  {
    const char *line;
    const char *message;
  } refused[] = {
    { "bind-devices bind " A " --force", "--force has an authorisation of its own" },
    { "bind-devices bind ../../etc", "is not a PCI address" },
    { "bind-devices bind 0000:01:00.0;reboot", "is not a PCI address" },
    { "bind-devices bind", "needs 1 argument" },
    { "bind-devices bind " A " " B, "is one too many" },
    { "bind-devices-force return " A, "unknown action" },
    { "sriov set-vfs " A " 07", "is not a count of virtual functions" },
    { "sriov set-vfs " A " 65536", "is not a count of virtual functions" },
    { "sriov set-vfs " A " 1 --keep-vfs-free --keep-vfs-free", "--keep-vfs-free is given twice" },
    { "bind-devices return " A " --keep-vfs-free", "has no option" },
    { "configure-boot undo 0", "is not a change number" },
    { "configure-boot early-bind-ids " A " " A, "is given twice" },
    { "configure-boot frobnicate", "unknown action" },
    { "configure-boot", "usage:" },
  };
  const char *two[] = { A, B, NULL };
  PtHostChange change;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("refused: %s", refused[i].line);
      g_assert_false (parse_line (refused[i].line, &change, &error));
      g_assert_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, refused[i].message));
    }

  /* What cannot be parsed back cannot be made either. */
  g_assert_false (pt_host_change_init (&change, PT_HOST_CHANGE_BIND, two, 0, 0, 0, NULL));
  g_assert_false (pt_host_change_init (&change, PT_HOST_CHANGE_RETURN, two + 1, 0, 0,
                                       PT_HOST_CHANGE_KEEP_VFS_FREE, NULL));
  g_assert_false (pt_host_change_init (&change, PT_HOST_CHANGE_SET_VFS, two, -1, 0, 0, NULL));
}

static void
test_remote_command (void)
{
  const char *one[] = { A, NULL };
  PtHostChange change;
  static const struct
  {
    const char *uri;
    gboolean remote;
    const char *command;
  } uris[] = {
    { NULL, FALSE, NULL },
    { "qemu:///system", FALSE, NULL },
    { "qemu:///session", FALSE, NULL },
    { "qemu+ssh://root@lab/system", TRUE, "ssh -t root@lab passthroughctl bind " A " --force" },
    { "qemu+ssh://lab:2222/system", TRUE, "ssh -t lab -p 2222 passthroughctl bind " A " --force" },
    { "qemu+tls://lab.example.org/system", TRUE, "ssh -t lab.example.org passthroughctl bind " A " --force" },
    { "test:///default", TRUE, "passthroughctl bind " A " --force" },
  };
  guint i;

  g_assert_true (pt_host_change_init (&change, PT_HOST_CHANGE_BIND, one, 0, 0, PT_HOST_CHANGE_FORCE, NULL));
  for (i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_assert_cmpint (pt_uri_is_remote (uris[i].uri), ==, uris[i].remote);
      if (uris[i].command != NULL)
        {
          g_autofree char *command = pt_host_change_to_remote_command (&change, uris[i].uri);

          g_assert_cmpstr (command, ==, uris[i].command);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/host-change/round-trip", test_round_trip);
  g_test_add_func ("/host-change/inverse", test_inverse);
  g_test_add_func ("/host-change/refusals", test_refusals);
  g_test_add_func ("/host-change/for-give", test_for_give);
  g_test_add_func ("/host-change/remote-command", test_remote_command);
  return g_test_run ();
}
