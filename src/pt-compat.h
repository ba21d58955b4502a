/* pt-compat.h
 *
 * The one place where GTK and libadwaita versions differ: Debian 12 has
 * libadwaita 1.2, the Flatpak runtime 1.6 and later, where message dialogs
 * are AdwAlertDialog; GTK 4.16 moved the switch that turns GL off; 1.6's
 * AdwSpinner spins only while it is on screen, GtkSpinner always.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef void (*PtConfirmCallback) (gpointer user_data);

void  pt_compat_avoid_software_gl        (void);
GStrv pt_compat_software_gl_environment (const char * const *envp,
                                         const char         *dri_dir,
                                         guint               gtk_minor);

void pt_compat_spin_while_mapped (GtkSpinner *spinner);

GtkWidget *pt_compat_banner_new (const char *title);

void pt_compat_show_error (GtkWidget         *parent,
                           const char        *heading,
                           const char        *body);
void pt_compat_confirm    (GtkWidget         *parent,
                           const char        *heading,
                           const char        *body,
                           const char        *confirm_label,
                           gboolean           destructive,
                           PtConfirmCallback  callback,
                           gpointer           user_data,
                           GDestroyNotify     destroy);
void pt_compat_confirm_with_extra (GtkWidget         *parent,
                                   const char        *heading,
                                   const char        *body,
                                   GtkWidget         *extra,
                                   const char        *confirm_label,
                                   gboolean           destructive,
                                   PtConfirmCallback  callback,
                                   gpointer           user_data,
                                   GDestroyNotify     destroy);

G_END_DECLS
