/* pt-reflow-box.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PT_TYPE_REFLOW_BOX (pt_reflow_box_get_type ())

G_DECLARE_FINAL_TYPE (PtReflowBox, pt_reflow_box, PT, REFLOW_BOX, GtkWidget)

GtkWidget *pt_reflow_box_new    (int          spacing);
void       pt_reflow_box_append (PtReflowBox *self,
                                 GtkWidget   *child);

G_END_DECLS
