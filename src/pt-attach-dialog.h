/* pt-attach-dialog.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pt-device.h"
#include "pt-session.h"

G_BEGIN_DECLS

#define PT_TYPE_ATTACH_DIALOG (pt_attach_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PtAttachDialog, pt_attach_dialog, PT, ATTACH_DIALOG, AdwWindow)

PtAttachDialog *pt_attach_dialog_new        (PtSession *session,
                                             PtDevice  *device);
void            pt_attach_dialog_show_diff  (GtkTextView *view,
                                             const char  *diff);
void            pt_attach_dialog_take_back  (GtkWidget *parent,
                                             PtSession *session,
                                             PtDevice  *device);

G_END_DECLS
