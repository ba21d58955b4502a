/* pt-plan-dialog.c
 *
 * The review of a host change: what it does, the lines of each file it
 * changes, the commands it runs, and whether a restart follows. Applying
 * needs the privileged helper, which this release does not have yet, so the
 * review says how to make the change by hand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-plan-dialog.h"

struct _PtPlanDialog
{
  AdwWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (PtPlanDialog, pt_plan_dialog, ADW_TYPE_WINDOW)

static void
pt_plan_dialog_class_init (PtPlanDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pt_plan_dialog_init (PtPlanDialog *self)
{
}

/**
 * pt_plan_dialog_new:
 *
 * Returns: (transfer full): a window showing @plan
 */
PtPlanDialog *
pt_plan_dialog_new (PtPlan *plan)
{
  PtPlanDialog *self = g_object_new (PT_TYPE_PLAN_DIALOG,
                                     "modal", TRUE,
                                     "default-width", 640,
                                     "default-height", 520,
                                     "title", _("Review the Change"),
                                     NULL);
  g_autofree char *text = pt_plan_to_text (plan);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *banner = gtk_label_new (_("Applying this needs the privileged helper, which this "
                                       "version does not include yet. You can make the change "
                                       "by hand as shown, then restart."));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();

  gtk_label_set_wrap (GTK_LABEL (banner), TRUE);
  gtk_label_set_xalign (GTK_LABEL (banner), 0);
  gtk_widget_set_margin_start (banner, 12);
  gtk_widget_set_margin_end (banner, 12);
  gtk_widget_set_margin_top (banner, 12);
  gtk_widget_set_margin_bottom (banner, 6);
  gtk_widget_add_css_class (banner, "dim-label");

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The planned change"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_widget_set_vexpand (scrolled, TRUE);

  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), banner);
  gtk_box_append (GTK_BOX (box), scrolled);
  adw_window_set_content (ADW_WINDOW (self), box);

  return self;
}
