/* pt-saved-connections.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PT_SETTINGS_SCHEMA "org.example.Passthrough"

GStrv    pt_saved_connections_get    (GSettings   *settings);
gboolean pt_saved_connections_add    (GSettings   *settings,
                                      const char  *uri,
                                      GError     **error);
gboolean pt_saved_connections_remove (GSettings   *settings,
                                      const char  *uri,
                                      GError     **error);
gboolean pt_connection_uri_validate  (const char  *uri,
                                      GError     **error);
char    *pt_connection_uri_describe  (const char  *uri);
gboolean pt_libvirt_listens_here     (void);
char    *pt_connection_uri_build     (gboolean     over_ssh,
                                      const char  *user,
                                      const char  *host,
                                      guint        port,
                                      GError     **error);

G_END_DECLS
