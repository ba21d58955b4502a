/* pt-demo-host.c
 *
 * The demo host: a fixture tree (tests/hosts/desktop-intel.json built into a
 * sysfs-like tree) and a libvirt test-driver host made from it, with the
 * helper's demo build to apply changes to a copy of the tree. They are
 * installed data (PKGDATADIR/demo, PKGLIBEXECDIR), found beside the running
 * program's prefix. A build tree run uninstalled names its own with
 * PASSTHROUGH_DEMO_DIR and PASSTHROUGH_DEMO_HELPER (`meson devenv`, the
 * tests), so no build-directory path is compiled into the app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-demo-host.h"
#include "pt-install-paths.h"

#define DEMO_TREE "desktop-intel"
#define DEMO_LIBVIRT_HOST "desktop-intel-node.xml"

static char *
data_dir (void)
{
  const char *uninstalled = g_getenv ("PASSTHROUGH_DEMO_DIR");

  if (uninstalled != NULL && uninstalled[0] != '\0')
    return g_canonicalize_filename (uninstalled, NULL);
  return pt_install_path (PT_INSTALLED_DEMO_DIR);
}

/**
 * pt_demo_host_find:
 *
 * Returns: whether the demo host's files are there; if not, @error says
 *   which is missing and what to do
 */
gboolean
pt_demo_host_find (GError **error)
{
  g_autofree char *dir = data_dir ();
  g_autofree char *tree = g_build_filename (dir, DEMO_TREE, NULL);
  g_autofree char *libvirt_host = g_build_filename (dir, DEMO_LIBVIRT_HOST, NULL);
  const char *missing = NULL;

  if (!g_file_test (tree, G_FILE_TEST_IS_DIR))
    missing = tree;
  else if (!g_file_test (libvirt_host, G_FILE_TEST_IS_REGULAR))
    missing = libvirt_host;
  if (missing == NULL)
    return TRUE;

  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
               /* TRANSLATORS: %s is a file or folder name */
               _("The demo host is not installed (%s is missing). Install Passthrough again, or "
                 "run the build uninstalled inside “meson devenv”."), missing);
  return FALSE;
}

/**
 * pt_demo_host_copy_tree:
 *
 * Demo changes really run, through the helper's demo build, on a copy of
 * the demo tree, so the installed one stays as it was.
 *
 * Returns: (transfer full): a new temporary folder holding the copy, or
 *   %NULL with @error set
 */
char *
pt_demo_host_copy_tree (GError **error)
{
  g_autofree char *dir = data_dir ();
  g_autofree char *source = g_build_filename (dir, DEMO_TREE, ".", NULL);
  g_autofree char *copy = g_dir_make_tmp ("passthrough-demo-XXXXXX", error);
  g_autofree char *output = NULL;
  const char *argv[] = { "cp", "-a", source, NULL, NULL };
  int status = -1;

  if (copy == NULL)
    return NULL;
  argv[3] = copy;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &output, &status, error))
    return NULL;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   /* TRANSLATORS: %s is a folder, then cp's own message */
                   _("The demo host could not be copied to %s: %s"), copy,
                   output != NULL ? g_strstrip (output) : "");
      return NULL;
    }
  return g_steal_pointer (&copy);
}

/**
 * pt_demo_host_libvirt_uri:
 *
 * Returns: (transfer full): the libvirt test driver's URI for the demo's VMs
 */
char *
pt_demo_host_libvirt_uri (void)
{
  g_autofree char *dir = data_dir ();

  return g_strconcat ("test://", dir, "/" DEMO_LIBVIRT_HOST, NULL);
}

/**
 * pt_demo_host_helper:
 *
 * Returns: (transfer full): the helper's demo build, which changes only the
 *   tree it is given
 */
char *
pt_demo_host_helper (void)
{
  const char *uninstalled = g_getenv ("PASSTHROUGH_DEMO_HELPER");

  if (uninstalled != NULL && uninstalled[0] != '\0')
    return g_canonicalize_filename (uninstalled, NULL);
  return pt_install_path (PT_INSTALLED_DEMO_HELPER);
}

/**
 * pt_demo_host_is_uri:
 *
 * Returns: whether @uri is the demo's libvirt host
 */
gboolean
pt_demo_host_is_uri (const char *uri)
{
  g_autofree char *demo = pt_demo_host_libvirt_uri ();

  return g_strcmp0 (uri, demo) == 0;
}
