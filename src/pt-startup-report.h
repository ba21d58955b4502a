/* pt-startup-report.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void pt_startup_report_after_next_paint (GtkWidget *widget,
                                         guint      n_devices);

G_END_DECLS
