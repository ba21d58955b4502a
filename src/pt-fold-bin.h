/* pt-fold-bin.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PT_TYPE_FOLD_BIN (pt_fold_bin_get_type ())

G_DECLARE_FINAL_TYPE (PtFoldBin, pt_fold_bin, PT, FOLD_BIN, GtkWidget)

GtkWidget *pt_fold_bin_get_wide_child   (PtFoldBin *self);
void       pt_fold_bin_set_wide_child   (PtFoldBin *self,
                                         GtkWidget *child);
GtkWidget *pt_fold_bin_get_narrow_child (PtFoldBin *self);
void       pt_fold_bin_set_narrow_child (PtFoldBin *self,
                                         GtkWidget *child);
gboolean   pt_fold_bin_get_folded       (PtFoldBin *self);

G_END_DECLS
