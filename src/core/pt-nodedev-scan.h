/* pt-nodedev-scan.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pt-connection.h"
#include "pt-device.h"
#include "pt-host.h"

G_BEGIN_DECLS

PtDevice  *pt_nodedev_parse_device (const char  *xml,
                                    GError     **error);
GPtrArray *pt_nodedev_scan_devices (gpointer     handle,
                                    const char  *uri,
                                    GPtrArray   *problems,
                                    GError     **error);

PtHost    *pt_nodedev_scan_host    (PtConnection *connection,
                                    GHashTable   *owners,
                                    GError      **error);

G_END_DECLS
