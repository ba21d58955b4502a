/* pt-demo-host.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  pt_demo_host_find        (GError    **error);
char     *pt_demo_host_copy_tree   (GError    **error);
char     *pt_demo_host_libvirt_uri (void);
char     *pt_demo_host_helper      (void);
gboolean  pt_demo_host_is_uri      (const char *uri);

G_END_DECLS
