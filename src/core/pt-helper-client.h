/* pt-helper-client.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PT_TYPE_HELPER_CLIENT (pt_helper_client_get_type ())

G_DECLARE_FINAL_TYPE (PtHelperClient, pt_helper_client, PT, HELPER_CLIENT, GObject)

PtHelperClient *pt_helper_client_new          (void);
PtHelperClient *pt_helper_client_new_for_root (const char           *test_helper,
                                               const char           *root);
const char     *pt_helper_client_get_root     (PtHelperClient       *self);
gboolean        pt_helper_client_is_busy      (PtHelperClient       *self);
void            pt_helper_client_run_async    (PtHelperClient       *self,
                                               const char * const   *args,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
char           *pt_helper_client_run_finish   (PtHelperClient       *self,
                                               GAsyncResult         *result,
                                               GError              **error);
GError         *pt_helper_client_error_for_status (int                status,
                                                   const char        *helper_message);
guint           pt_helper_client_recorded_change  (const char        *output);

G_END_DECLS
