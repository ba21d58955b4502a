/* pt-libvirt-error.c
 *
 * libvirt's last error on this thread, as a PtError whose message says what
 * to do. libvirt's own messages name internals ("Failed to connect socket to
 * '/var/run/libvirt/libvirt-sock'"); the common causes get advice on top.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-libvirt-error"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "pt-error.h"
#include "pt-libvirt-error.h"

static gboolean
message_has (const char *message,
             const char *part)
{
  return message != NULL && strstr (message, part) != NULL;
}

/**
 * pt_libvirt_set_error:
 * @uri: (nullable): the connection's URI, for messages
 * @what: what was being done, e.g. "Connecting to qemu:///system"
 *
 * Sets @error from virGetLastError(), which must be called on the thread
 * that made the failing call.
 */
void
pt_libvirt_set_error (GError     **error,
                      const char  *uri,
                      const char  *what)
{
  virErrorPtr last = virGetLastError ();
  const char *message = last != NULL && last->message != NULL ? last->message
                                                              : _("unknown libvirt error");
  int code = last != NULL ? last->code : VIR_ERR_INTERNAL_ERROR;

  if (uri == NULL)
    uri = "";

  switch (code)
    {
    case VIR_ERR_OPERATION_DENIED:
      g_set_error (error, PT_ERROR, PT_ERROR_PERMISSION_DENIED,
                   _("%s: the connection %s is read-only (%s). Connect with write access: "
                     "add your user to the libvirt group, then log out and back in."),
                   what, uri, message);
      return;

    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
    case VIR_ERR_AUTH_UNAVAILABLE:
      g_set_error (error, PT_ERROR, PT_ERROR_PERMISSION_DENIED,
                   _("%s: libvirt refused access to %s (%s). Add your user to the libvirt "
                     "group (sudo usermod -aG libvirt $USER), then log out and back in."),
                   what, uri, message);
      return;

    case VIR_ERR_NO_DOMAIN:
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                   _("%s: the virtual machine no longer exists on %s (%s). Refresh the list "
                     "of virtual machines."),
                   what, uri, message);
      return;

    case VIR_ERR_NO_SUPPORT:
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   _("%s: the driver behind %s cannot do this (%s)."), what, uri, message);
      return;

    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_SYSTEM_ERROR:
    case VIR_ERR_RPC:
    case VIR_ERR_INTERNAL_ERROR:
    default:
      break;
    }

  /* ssh's own failures (qemu+ssh://): its words, libvirt's code says only "system error". */
  if (message_has (message, "IDENTIFICATION HAS CHANGED"))
    g_set_error (error, PT_ERROR, PT_ERROR_PERMISSION_DENIED,
                 _("%s: the SSH key of %s is not the one trusted before, so the connection was "
                   "stopped: someone may be in the way, or the host was reinstalled. Ask its "
                   "administrator; if it was reinstalled, remove its old key from "
                   "~/.ssh/known_hosts, then connect again."),
                 what, uri);
  else if (message_has (message, "Host key verification failed"))
    g_set_error (error, PT_ERROR, PT_ERROR_PERMISSION_DENIED,
                 _("%s: the SSH key of %s was not trusted, so nothing was sent to it. Connect "
                   "again and trust the key if its fingerprint is the one the host’s "
                   "administrator gave you."),
                 what, uri);
  else if (message_has (message, "Permission denied ("))
    g_set_error (error, PT_ERROR, PT_ERROR_PERMISSION_DENIED,
                 _("%s: %s refused the SSH login (%s). Check the user name and the password "
                   "or key, then connect again."),
                 what, uri, message);
  else if (message_has (message, "Could not resolve hostname"))
    g_set_error (error, PT_ERROR, PT_ERROR_UNAVAILABLE,
                 _("%s: the name of %s cannot be found (%s). Check how it is spelled."),
                 what, uri, message);
  else if (message_has (message, "Permission denied"))
    g_set_error (error, PT_ERROR, PT_ERROR_PERMISSION_DENIED,
                 _("%s: permission to use %s was denied (%s). Add your user to the libvirt "
                   "group (sudo usermod -aG libvirt $USER), then log out and back in."),
                 what, uri, message);
  else if (message_has (message, "Failed to connect socket") ||
           message_has (message, "No such file or directory"))
    g_set_error (error, PT_ERROR, PT_ERROR_UNAVAILABLE,
                 _("%s: libvirt is not running (%s). Install libvirt and start it: "
                   "sudo systemctl enable --now libvirtd (or virtqemud.socket)."),
                 what, message);
  else if (message_has (message, "Cannot recv data") || message_has (message, "ssh") ||
           message_has (message, "No route to host") || message_has (message, "Connection refused"))
    g_set_error (error, PT_ERROR, PT_ERROR_UNAVAILABLE,
                 _("%s: %s cannot be reached (%s). Check that the host is up, that you can "
                   "log in to it with ssh, and that libvirt runs there."),
                 what, uri, message);
  else if (code == VIR_ERR_NO_CONNECT || message_has (message, "connection closed") ||
           message_has (message, "client socket is closed"))
    g_set_error (error, PT_ERROR, PT_ERROR_UNAVAILABLE,
                 _("%s: the connection to %s was lost (%s). Connect again."),
                 what, uri, message);
  else
    g_set_error (error, PT_ERROR, PT_ERROR_FAILED, "%s: %s", what, message);
}
