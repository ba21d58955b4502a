/* pt-pci-scan.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pt-modalias.h"
#include "pt-root.h"

G_BEGIN_DECLS

/* From this many functions a scan reads with two threads (a command; the
 * app, whose GTK starts on the other core meanwhile, uses the second). */
#define PT_PCI_SCAN_PARALLEL_FROM 1024
#define PT_PCI_SCAN_PARALLEL_FROM_BESIDE_GTK 8192

GPtrArray *pt_pci_scan_devices (PtRoot           *root,
                                PtModaliasIndex  *aliases,
                                guint             parallel_from,
                                GPtrArray        *problems,
                                GCancellable     *cancellable,
                                GError          **error);

G_END_DECLS
