/* pt-session.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pt-connection.h"
#include "pt-helper-client.h"
#include "pt-host.h"
#include "pt-search-query.h"
#include "pt-verdict.h"

G_BEGIN_DECLS

#define PT_TYPE_SESSION (pt_session_get_type ())

G_DECLARE_FINAL_TYPE (PtSession, pt_session, PT, SESSION, GObject)

PtSession    *pt_session_new                (const char   *root,
                                             const char   *uri);
const char   *pt_session_get_root           (PtSession    *self);
PtHost       *pt_session_get_host           (PtSession    *self);
PtConnection *pt_session_get_connection     (PtSession    *self);
const char   *pt_session_get_remote_uri     (PtSession    *self);
PtVerdict    *pt_session_judge_host_change  (PtSession          *self,
                                             const PtHostChange *change);
gboolean      pt_session_get_busy           (PtSession    *self);
const char   *pt_session_get_error          (PtSession    *self);
const char   *pt_session_get_connection_error (PtSession  *self);
void          pt_session_rescan             (PtSession    *self);
PtHelperClient *pt_session_get_helper       (PtSession    *self);
void          pt_session_set_helper         (PtSession    *self,
                                             PtHelperClient *helper);
void          pt_session_set_uri            (PtSession    *self,
                                             const char   *uri);
void          pt_session_reconnect          (PtSession    *self);
void          pt_session_set_demo           (PtSession    *self,
                                             gboolean      demo);
gboolean      pt_session_is_demo            (PtSession    *self);
char         *pt_session_describe_host      (PtSession    *self);
gboolean      pt_session_shows_this_computer (PtSession   *self);
void          pt_session_announce           (PtSession    *self,
                                             GObject      *toast);
PtSearchQuery *pt_session_new_search_query (PtSession    *self,
                                             const char   *text);

G_END_DECLS
