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
#include "pt-scanner.h"
#include "ptctl-context.h"

/* Either daemon layout: monolithic libvirtd, or the modular virtqemud. */
static gboolean
local_libvirt_listens (void)
{
  return g_file_test ("/run/libvirt/libvirt-sock", G_FILE_TEST_EXISTS) ||
         g_file_test ("/run/libvirt/virtqemud-sock", G_FILE_TEST_EXISTS);
}

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

  if (ctx->connect == NULL && !required && (ctx->root != NULL || !local_libvirt_listens ()))
    return NULL;

  connection = pt_connection_new (ctx->connect);
  if (!pt_connection_open (connection, NULL, error))
    return NULL;

  return g_steal_pointer (&connection);
}

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
  g_autoptr(PtConnection) connection = NULL;
  g_autoptr(PtScanner) scanner = NULL;
  g_autoptr(GError) connect_error = NULL;
  const char * const *problems;
  PtHost *host;
  guint i;

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
    }

  scanner = pt_scanner_new_for_connection (ctx->root, connection);
  host = pt_scanner_scan (scanner, NULL, error);
  if (host == NULL)
    return NULL;

  problems = pt_host_get_problems (host);
  for (i = 0; problems[i] != NULL; i++)
    g_printerr (_("passthroughctl: warning: %s\n"), problems[i]);

  return host;
}
