/* ptctl-session.c
 *
 * What several commands share: opening the libvirt connection the options
 * ask for, and scanning the host with it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthroughctl"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-error.h"
#include "pt-saved-connections.h"
#include "pt-scanner.h"
#include "ptctl-context.h"

#if PTCTL_WITH_LIBVIRT
#include "pt-nodedev-scan.h"
#endif

/**
 * ptctl_needs_libvirt:
 *
 * Whether this run talks to libvirt: the VM commands, any --connect, and
 * reading this host while libvirt runs on it (to show which VM has which
 * device). Reading a --root tree, or a host without libvirt, does not; nor
 * do `check` and `groups --json`, whose output names no VM: the libvirt twin
 * costs three times passthroughctl's start-up (62 libraries) before it has
 * read anything.
 */
gboolean
ptctl_needs_libvirt (PtctlContext *ctx,
                     const char   *command)
{
  static const char * const vm_commands[] = { "vms", "attach", "detach", NULL };

  if (g_strv_contains (vm_commands, command) || ctx->connect != NULL)
    return TRUE;

  if (g_str_equal (command, "check") || (g_str_equal (command, "groups") && ctx->json))
    return FALSE;

  return ctx->root == NULL && pt_libvirt_listens_here ();
}

#if PTCTL_WITH_LIBVIRT

/**
 * ptctl_open_connection:
 * @required: whether the command cannot work without one
 *
 * With --connect, that connection, and failing to open it is an error.
 * Without it, qemu:///system: for commands that need it always; for the
 * others only when libvirt runs here and the host is this one (no --root),
 * to show which VM has which device.
 *
 * Returns: (transfer full) (nullable): the open connection; %NULL with
 *   @error unset when there is none to be had and none is needed
 */
PtConnection *
ptctl_open_connection (PtctlContext  *ctx,
                       gboolean       required,
                       GError       **error)
{
  g_autoptr(PtConnection) connection = NULL;

  if (ctx->connect == NULL && !required && (ctx->root != NULL || !pt_libvirt_listens_here ()))
    return NULL;

  connection = pt_connection_new (ctx->connect);
  if (!pt_connection_open (connection, NULL, error))
    return NULL;

  return g_steal_pointer (&connection);
}

#endif

static GPtrArray *kept_hosts;

/**
 * ptctl_scan_host:
 *
 * Scans the host the options name, printing the problems met on the way as
 * warnings.
 *
 * Returns: (transfer full): the snapshot, or %NULL with @error set
 */
PtHost *
ptctl_scan_host (PtctlContext  *ctx,
                 GError       **error)
{
  g_autoptr(PtScanner) scanner = NULL;
  const char * const *problems;
  PtHost *host = NULL;
  guint i;
#if PTCTL_WITH_LIBVIRT
  g_autoptr(PtConnection) connection = NULL;
  g_autoptr(GError) connect_error = NULL;
  g_autoptr(GHashTable) owners = NULL;
  g_autoptr(GHashTable) running = NULL;

  connection = ptctl_open_connection (ctx, FALSE, &connect_error);
  if (connection == NULL && connect_error != NULL)
    {
      if (ctx->connect != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&connect_error));
          return NULL;
        }
      g_printerr (_("passthroughctl: warning: which VM has which device is not shown: %s\n"),
                  connect_error->message);
      ctx->vms_unseen = TRUE;
    }

  if (connection != NULL)
    {
      owners = pt_connection_dup_owners (connection);
      running = pt_connection_dup_running_vms (connection);
    }

  /* A remote host is read through libvirt, unless a tree was given: then
   * the tree is the host and the connection tells the owners. */
  if (connection != NULL && !pt_connection_is_local (connection) && ctx->root == NULL)
    host = pt_nodedev_scan_host (connection, owners, error);
  else
    {
      scanner = pt_scanner_new (ctx->root);
      pt_scanner_set_owners (scanner, owners, running);
      host = pt_scanner_scan (scanner, NULL, error);
    }
#else
  scanner = pt_scanner_new (ctx->root);
  host = pt_scanner_scan (scanner, NULL, error);
#endif
  if (host == NULL)
    return NULL;

  problems = pt_host_get_problems (host);
  for (i = 0; problems[i] != NULL; i++)
    g_printerr (_("passthroughctl: warning: %s\n"), problems[i]);

  /* The process ends right after the command; tearing down a snapshot of
   * thousands of devices first cost more than reading some of them. This
   * reference keeps it alive to the end (valgrind: "still reachable"). */
  if (kept_hosts == NULL)
    kept_hosts = g_ptr_array_new ();
  g_ptr_array_add (kept_hosts, g_object_ref (host));

  return host;
}
