/* pt-scanner.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pt-host.h"
#include "pt-owner-facts.h"

G_BEGIN_DECLS

#define PT_TYPE_SCANNER (pt_scanner_get_type ())

G_DECLARE_FINAL_TYPE (PtScanner, pt_scanner, PT, SCANNER, GObject)

PtScanner  *pt_scanner_new         (const char           *root);
void        pt_scanner_set_owners  (PtScanner            *self,
                                    GHashTable           *owners,
                                    GHashTable           *running);
void        pt_scanner_set_owner_facts (PtScanner        *self,
                                        PtOwnerFacts     *facts);
void        pt_scanner_set_beside_gtk  (PtScanner        *self,
                                        gboolean          beside_gtk);
void        pt_scanner_set_skip_checks (PtScanner        *self,
                                        gboolean          skip_checks);
const char *pt_scanner_get_root    (PtScanner            *self);
PtHost     *pt_scanner_scan        (PtScanner            *self,
                                    GCancellable         *cancellable,
                                    GError              **error);
void        pt_scanner_scan_async  (PtScanner            *self,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
PtHost     *pt_scanner_scan_finish (PtScanner            *self,
                                    GAsyncResult         *result,
                                    GError              **error);

G_END_DECLS
