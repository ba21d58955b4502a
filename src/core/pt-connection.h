/* pt-connection.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pt-vm.h"

G_BEGIN_DECLS

#define PT_TYPE_CONNECTION (pt_connection_get_type ())

G_DECLARE_FINAL_TYPE (PtConnection, pt_connection, PT, CONNECTION, GObject)

#define PT_CONNECTION_DEFAULT_URI "qemu:///system"

PtConnection *pt_connection_new            (const char           *uri);
PtConnection *pt_connection_new_read_only  (const char           *uri);
const char   *pt_connection_get_uri        (PtConnection         *self);
gboolean      pt_connection_is_local       (PtConnection         *self);
gboolean      pt_connection_is_open        (PtConnection         *self);
gboolean      pt_connection_open           (PtConnection         *self,
                                            GCancellable         *cancellable,
                                            GError              **error);
void          pt_connection_open_async     (PtConnection         *self,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean      pt_connection_open_finish    (PtConnection         *self,
                                            GAsyncResult         *result,
                                            GError              **error);
gboolean      pt_connection_refresh        (PtConnection         *self,
                                            GCancellable         *cancellable,
                                            GError              **error);
void          pt_connection_refresh_async  (PtConnection         *self,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean      pt_connection_refresh_finish (PtConnection         *self,
                                            GAsyncResult         *result,
                                            GError              **error);
GListModel   *pt_connection_get_vms        (PtConnection         *self);
PtVm         *pt_connection_lookup_vm      (PtConnection         *self,
                                            const char           *name);
const char   *pt_connection_find_owner     (PtConnection         *self,
                                            const char           *address);
GHashTable   *pt_connection_dup_running_vms (PtConnection *self);
GHashTable   *pt_connection_dup_owners     (PtConnection         *self);
gpointer      pt_connection_get_handle     (PtConnection         *self);

G_END_DECLS
