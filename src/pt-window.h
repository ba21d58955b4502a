/* pt-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pt-application.h"
#include "pt-session.h"

G_BEGIN_DECLS

#define PT_TYPE_WINDOW (pt_window_get_type ())

G_DECLARE_FINAL_TYPE (PtWindow, pt_window, PT, WINDOW, AdwApplicationWindow)

PtWindow *pt_window_new       (GtkApplication *application,
                               PtSession     *session);
void      pt_window_add_toast (PtWindow      *self,
                               AdwToast      *toast);

G_END_DECLS
