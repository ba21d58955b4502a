/* pt-saved-connections.c
 *
 * The libvirt connections a person has added, kept in GSettings so the
 * connection switcher offers them again: qemu:///system and qemu:///session
 * always, then every URI added, in the order added.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-saved-connections"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pt-error.h"
#include "pt-sandbox.h"
#include "pt-saved-connections.h"

static const char * const builtin[] = { "qemu:///system", "qemu:///session", NULL };

/**
 * pt_connection_uri_validate:
 *
 * Checks that @uri looks like a libvirt URI (driver[+transport]://…),
 * without connecting.
 */
gboolean
pt_connection_uri_validate (const char  *uri,
                            GError     **error)
{
  /* libvirt's hypervisor drivers (virConnectOpen's URI schemes) */
  static const char * const drivers[] = {
    "qemu", "test", "xen", "libxl", "lxc", "bhyve", "ch", "vbox", "vmwareplayer", "vmwarews",
    "vmwarefusion", "esx", "gsx", "vpx", "hyperv", "vz", "openvz", NULL
  };
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *driver = NULL;
  const char *scheme;

  if (uri != NULL && uri[0] != '\0' && strchr (uri, ' ') == NULL)
    parsed = g_uri_parse (uri, G_URI_FLAGS_NON_DNS, NULL);

  scheme = parsed != NULL ? g_uri_get_scheme (parsed) : NULL;
  if (scheme == NULL || strstr (uri, "://") == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a libvirt connection address. It looks like "
                     "qemu+ssh://user@host/system or qemu:///session."),
                   uri != NULL ? uri : "");
      return FALSE;
    }

  driver = g_strndup (scheme, strcspn (scheme, "+"));
  if (!g_strv_contains (drivers, driver))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a libvirt hypervisor driver. PCI passthrough works "
                     "with QEMU/KVM: qemu+ssh://user@host/system or qemu:///session."),
                   driver);
      return FALSE;
    }

  return TRUE;
}

/**
 * pt_libvirt_listens_here:
 *
 * Whether a libvirt daemon listens on this computer (either layout: the
 * monolithic libvirtd, or the modular virtqemud). Where none does, no VM
 * of this computer's libvirt runs, so which ones run is known: none.
 */
gboolean
pt_libvirt_listens_here (void)
{
  return g_file_test ("/run/libvirt/libvirt-sock", G_FILE_TEST_EXISTS) ||
         g_file_test ("/run/libvirt/virtqemud-sock", G_FILE_TEST_EXISTS);
}

/**
 * pt_connection_uri_describe:
 *
 * Names the machine behind @uri the way the connection switcher shows it:
 * "This Computer" for qemu:///system, [user@]host[:port] for a remote system
 * connection, "(User Session)" after either for session connections, and
 * the file name for a local test driver. Anything else is shown as it is.
 *
 * Returns: (transfer full): the name
 */
char *
pt_connection_uri_describe (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NON_DNS, NULL);
  g_autofree char *driver = NULL;
  g_autofree char *machine = NULL;
  char port[16];
  const char *host, *path;
  gboolean session;

  if (parsed == NULL)
    return g_strdup (uri);

  driver = g_strndup (g_uri_get_scheme (parsed), strcspn (g_uri_get_scheme (parsed), "+"));
  host = g_uri_get_host (parsed);
  path = g_uri_get_path (parsed);
  g_snprintf (port, sizeof port, "%d", g_uri_get_port (parsed));

  if (g_str_equal (driver, "test"))
    {
      g_autofree char *file = NULL;

      /* A remote test driver, or no file: the address says more. */
      if ((host != NULL && host[0] != '\0') || strlen (path) < 2)
        return g_strdup (uri);
      file = g_path_get_basename (path);

      /* TRANSLATORS: libvirt's test driver, reading VMs from a file */
      return g_strdup_printf (_("Test Host (%s)"), file);
    }

  if (!g_str_equal (driver, "qemu") ||
      (!g_str_equal (path, "/system") && !g_str_equal (path, "/session")))
    return g_strdup (uri);

  session = g_str_equal (path, "/session");
  /* In the Flatpak sandbox it is still this computer, seen partly. */
  if ((host == NULL || host[0] == '\0') && pt_sandbox_is_flatpak ())
    return g_strdup (session ? _("This Computer (User Session, sandboxed)") : _("This Computer (sandboxed)"));
  if (host == NULL || host[0] == '\0')
    return g_strdup (session ? _("This Computer (User Session)") : _("This Computer"));

  /* user@host:port as given, so two logins to one host stay apart */
  machine = g_strdup_printf (strchr (host, ':') != NULL ? "%s%s[%s]%s%s" : "%s%s%s%s%s",
                             g_uri_get_user (parsed) != NULL ? g_uri_get_user (parsed) : "",
                             g_uri_get_user (parsed) != NULL ? "@" : "", host,
                             g_uri_get_port (parsed) > 0 ? ":" : "",
                             g_uri_get_port (parsed) > 0 ? port : "");
  /* TRANSLATORS: %s is a host name; the connection is to its user session */
  return session ? g_strdup_printf (_("%s (User Session)"), machine) : g_steal_pointer (&machine);
}

/**
 * pt_saved_connections_get:
 *
 * Returns: (transfer full): the URIs to offer, the built-in ones first
 */
GStrv
pt_saved_connections_get (GSettings *settings)
{
  g_auto(GStrv) saved = g_settings_get_strv (settings, "connections");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  guint i;

  g_strv_builder_addv (builder, (const char **) builtin);
  for (i = 0; saved[i] != NULL; i++)
    if (!g_strv_contains (builtin, saved[i]) &&
        !g_ptr_array_find_with_equal_func (seen, saved[i], g_str_equal, NULL) &&
        pt_connection_uri_validate (saved[i], NULL))
      {
        g_ptr_array_add (seen, saved[i]);
        g_strv_builder_add (builder, saved[i]);
      }

  return g_strv_builder_end (builder);
}

/**
 * pt_saved_connections_add:
 *
 * Remembers @uri; adding one that is already there changes nothing.
 */
gboolean
pt_saved_connections_add (GSettings   *settings,
                          const char  *uri,
                          GError     **error)
{
  g_auto(GStrv) current = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) updated = NULL;

  if (!pt_connection_uri_validate (uri, error))
    return FALSE;

  current = pt_saved_connections_get (settings);
  if (g_strv_contains ((const char * const *) current, uri))
    return TRUE;

  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, (const char **) current);
  g_strv_builder_add (builder, uri);
  updated = g_strv_builder_end (builder);

  return g_settings_set_strv (settings, "connections", (const char * const *) updated);
}

/**
 * pt_saved_connections_remove:
 *
 * Forgets @uri. The built-in connections cannot be removed.
 */
gboolean
pt_saved_connections_remove (GSettings   *settings,
                             const char  *uri,
                             GError     **error)
{
  g_auto(GStrv) current = pt_saved_connections_get (settings);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;
  guint i;

  if (g_strv_contains (builtin, uri))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("%s is always offered and cannot be removed."), uri);
      return FALSE;
    }

  for (i = 0; current[i] != NULL; i++)
    if (!g_str_equal (current[i], uri))
      g_strv_builder_add (builder, current[i]);
  updated = g_strv_builder_end (builder);

  return g_settings_set_strv (settings, "connections", (const char * const *) updated);
}

static gboolean
is_plain (const char *text,
          const char *forbidden)
{
  return g_utf8_validate (text, -1, NULL) && strpbrk (text, forbidden) == NULL;
}

/**
 * pt_connection_uri_build:
 * @over_ssh: %FALSE for QEMU/KVM on this computer, %TRUE for another one
 *   reached over SSH
 * @user: (nullable): the SSH user; empty or %NULL for SSH's default
 * @host: (nullable): the other computer's name or address (SSH only)
 * @port: the SSH port; 0 or 22 for the default
 *
 * What the Add Connection form makes of its fields, as virt-manager does:
 * qemu:///system, or qemu+ssh://user@host:port/system.
 *
 * Returns: (transfer full) (nullable): the URI, or %NULL with @error saying
 *   which field to correct
 */
char *
pt_connection_uri_build (gboolean     over_ssh,
                         const char  *user,
                         const char  *host,
                         guint        port,
                         GError     **error)
{
  g_autofree char *bare_host = NULL;

  if (!over_ssh)
    return g_strdup ("qemu:///system");

  bare_host = g_strstrip (g_strdup (host != NULL ? host : ""));
  if (bare_host[0] == '\0')
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("Enter the other computer’s name or address, e.g. server.example.com."));
      return NULL;
    }
  if (!is_plain (bare_host, " \t/@?#[]") || (strchr (bare_host, ':') != NULL &&
                                                !g_hostname_is_ip_address (bare_host)))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a computer’s name or address. Enter a name such as "
                     "server.example.com or an address such as 192.168.1.10."), bare_host);
      return NULL;
    }
  if (user != NULL && !is_plain (user, " \t/@:?#[]"))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a user name. Leave it empty to use your own."), user);
      return NULL;
    }
  if (port > 65535)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("The port must be between 1 and 65535; SSH’s own is 22."));
      return NULL;
    }

  return g_uri_join (G_URI_FLAGS_NONE, "qemu+ssh",
                     user != NULL && user[0] != '\0' ? user : NULL,
                     bare_host, port == 0 || port == 22 ? -1 : (int) port, "/system", NULL, NULL);
}
