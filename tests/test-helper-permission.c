/* test-helper-permission.c
 *
 * The helper's polkit actions as GPermissions: ids that match the installed
 * policy, and root allowed without asking polkit. As another user with no
 * polkit daemon the permission fails with an error rather than hanging.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "pt-helper-permission.h"

static void
got_permission (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GPermission **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = pt_helper_permission_new_finish (result, &error);
  if (*out == NULL)
    {
      g_test_message ("no permission: %s", error->message);
      *out = (GPermission *) g_object_new (G_TYPE_OBJECT, NULL);
    }
}

static void
test_action_ids (void)
{
  g_autofree char *policy = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "..", "data",
                                                 "org.example.Passthrough.policy", NULL);
  PtHelperAction actions[] = {
    PT_HELPER_ACTION_BIND_DEVICES, PT_HELPER_ACTION_SRIOV, PT_HELPER_ACTION_CONFIGURE_BOOT,
    PT_HELPER_ACTION_BIND_DEVICES_FORCE,
  };
  guint i;

  g_assert_true (g_file_get_contents (path, &policy, NULL, NULL));
  for (i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      g_autofree char *needle = g_strdup_printf ("<action id=\"%s\">",
                                                 pt_helper_action_get_id (actions[i]));

      g_assert_nonnull (strstr (policy, needle));
    }
}

/* Taking a device the host uses is asked every time: no auth_admin_keep
 * grant from an ordinary bind a minute earlier covers it. */
static void
test_force_is_asked_every_time (void)
{
  g_autofree char *policy = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "..", "data",
                                                 "org.example.Passthrough.policy", NULL);
  g_autofree char *needle = g_strdup_printf ("<action id=\"%s\">",
                                             pt_helper_action_get_id (PT_HELPER_ACTION_BIND_DEVICES_FORCE));
  const char *start, *end;
  g_autofree char *action = NULL;

  g_assert_true (g_file_get_contents (path, &policy, NULL, NULL));
  start = strstr (policy, needle);
  g_assert_nonnull (start);
  end = strstr (start, "</action>");
  g_assert_nonnull (end);
  action = g_strndup (start, end - start);
  g_assert_nonnull (strstr (action, "<allow_active>auth_admin</allow_active>"));
  g_assert_null (strstr (action, "auth_admin_keep"));
  g_assert_null (strstr (action, ">yes<"));
  g_assert_nonnull (strstr (action, "exec.argv1\">bind-devices-force<"));
}

static void
test_root_is_allowed (void)
{
  GPermission *permission = NULL;

  if (geteuid () != 0)
    {
      g_test_skip ("not root");
      return;
    }

  pt_helper_permission_new_async (PT_HELPER_ACTION_CONFIGURE_BOOT, NULL, got_permission, &permission);
  while (permission == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (G_IS_PERMISSION (permission));
  g_assert_true (g_permission_get_allowed (permission));
  g_object_unref (permission);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/helper-permission/action-ids", test_action_ids);
  g_test_add_func ("/helper-permission/force-asked-every-time", test_force_is_asked_every_time);
  g_test_add_func ("/helper-permission/root", test_root_is_allowed);
  return g_test_run ();
}
