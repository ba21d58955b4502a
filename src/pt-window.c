/* pt-window.c
 *
 * The main window: scans the host off the main thread and shows its
 * readiness and what it found.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-scanner.h"
#include "pt-window.h"

struct _PtWindow
{
  AdwApplicationWindow parent_instance;

  PtScanner *scanner;
  PtHost *host;
  GCancellable *cancellable;

  GtkStack *stack;
  AdwStatusPage *error_page;
  AdwPreferencesGroup *readiness_group;
  GtkListBox *checks_list;
  AdwActionRow *devices_row;
  AdwActionRow *groups_row;
};

G_DEFINE_FINAL_TYPE (PtWindow, pt_window, ADW_TYPE_APPLICATION_WINDOW)

static const char *
status_icon (PtCheckStatus status)
{
  switch (status)
    {
    case PT_CHECK_PASS:
      return "emblem-ok-symbolic";
    case PT_CHECK_WARN:
      return "dialog-warning-symbolic";
    case PT_CHECK_FAIL:
    default:
      return "dialog-error-symbolic";
    }
}

static const char *
status_style (PtCheckStatus status)
{
  switch (status)
    {
    case PT_CHECK_PASS:
      return "success";
    case PT_CHECK_WARN:
      return "warning";
    case PT_CHECK_FAIL:
    default:
      return "error";
    }
}

static GtkWidget *
create_check_row (gpointer item,
                  gpointer user_data)
{
  PtCheck *check = item;
  PtCheckStatus status = pt_check_get_status (check);
  const char *fix = pt_check_get_fix (check);
  GtkWidget *row;
  GtkWidget *icon;

  if (fix != NULL)
    {
      GtkWidget *label = gtk_label_new (fix);

      row = adw_expander_row_new ();
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_margin_start (label, 12);
      gtk_widget_set_margin_end (label, 12);
      gtk_widget_set_margin_top (label, 12);
      gtk_widget_set_margin_bottom (label, 12);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), label);
    }
  else
    row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), pt_check_get_title (check));
  if (ADW_IS_EXPANDER_ROW (row))
    adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), pt_check_get_summary (check));
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), pt_check_get_summary (check));

  icon = gtk_image_new_from_icon_name (status_icon (status));
  gtk_widget_add_css_class (icon, status_style (status));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  pt_check_status_to_string (status), -1);
  if (ADW_IS_EXPANDER_ROW (row))
    adw_expander_row_add_prefix (ADW_EXPANDER_ROW (row), icon);
  else
    adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  return row;
}

static void
show_host (PtWindow *self)
{
  g_autofree char *devices = NULL;
  g_autofree char *groups = NULL;
  guint n_devices = g_list_model_get_n_items (pt_host_get_devices (self->host));
  guint n_groups = g_list_model_get_n_items (pt_host_get_groups (self->host));

  gtk_list_box_bind_model (self->checks_list, pt_host_get_checks (self->host),
                           create_check_row, NULL, NULL);
  adw_preferences_group_set_description (self->readiness_group,
                                         pt_host_is_ready (self->host)
                                           ? _("This computer is ready for PCI passthrough.")
                                           : _("This computer is not ready for PCI passthrough yet."));

  devices = g_strdup_printf ("%u", n_devices);
  groups = g_strdup_printf ("%u", n_groups);
  adw_action_row_set_subtitle (self->devices_row, devices);
  adw_action_row_set_subtitle (self->groups_row, groups);

  gtk_stack_set_visible_child_name (self->stack, "host");
}

static void
scan_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PtWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = NULL;

  host = pt_scanner_scan_finish (PT_SCANNER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (host == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  g_set_object (&self->host, host);
  show_host (self);
}

static void
pt_window_rescan (PtWindow *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  if (self->host == NULL)
    gtk_stack_set_visible_child_name (self->stack, "scanning");

  pt_scanner_scan_async (self->scanner, self->cancellable, scan_done, g_object_ref (self));
}

static void
rescan_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  pt_window_rescan (PT_WINDOW (widget));
}

static void
pt_window_dispose (GObject *object)
{
  PtWindow *self = (PtWindow *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->scanner);
  g_clear_object (&self->host);

  gtk_widget_dispose_template (GTK_WIDGET (self), PT_TYPE_WINDOW);

  G_OBJECT_CLASS (pt_window_parent_class)->dispose (object);
}

static void
pt_window_class_init (PtWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/example/Passthrough/pt-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PtWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, readiness_group);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, checks_list);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, devices_row);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, groups_row);

  gtk_widget_class_install_action (widget_class, "win.rescan", NULL, rescan_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.rescan", NULL);
}

static void
pt_window_init (PtWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

PtWindow *
pt_window_new (PtApplication *application,
               const char    *root)
{
  PtWindow *self = g_object_new (PT_TYPE_WINDOW, "application", application, NULL);

  self->scanner = pt_scanner_new (root);
  pt_window_rescan (self);

  return self;
}
