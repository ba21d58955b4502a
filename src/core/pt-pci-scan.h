/* pt-pci-scan.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pt-modalias.h"
#include "pt-root.h"

G_BEGIN_DECLS

GPtrArray *pt_pci_scan_devices (PtRoot           *root,
                                PtModaliasIndex  *aliases,
                                GPtrArray        *problems,
                                GCancellable     *cancellable,
                                GError          **error);

G_END_DECLS
