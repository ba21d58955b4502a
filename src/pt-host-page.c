/* pt-host-page.c
 *
 * The landing page: can this computer do PCI passthrough, and if not, what
 * is missing and how to fix it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-compat.h"
#include "pt-boot-plan.h"
#include "pt-change-history.h"
#include "pt-host-page.h"
#include "pt-plan-dialog.h"

struct _PtHostPage
{
  GtkWidget parent_instance;


  GtkStack *stack;
  GtkSpinner *busy_spinner;
  AdwStatusPage *scanning_page;
  AdwStatusPage *error_page;
  GtkImage *summary_icon;
  GtkLabel *summary_title;
  GtkLabel *summary_description;
  GtkListBox *checks_list;
  AdwActionRow *os_row;
  AdwActionRow *kernel_row;
  AdwActionRow *counts_row;
  AdwPreferencesGroup *restart_group;
  AdwActionRow *restart_row;
  AdwPreferencesGroup *changes_group;
  GtkListBox *changes_list;
};

G_DEFINE_FINAL_TYPE (PtHostPage, pt_host_page, PT_TYPE_PAGE)


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

static const char *
status_words (PtCheckStatus status)
{
  switch (status)
    {
    case PT_CHECK_PASS:
      return _("Passed");
    case PT_CHECK_WARN:
      return _("Warning");
    case PT_CHECK_FAIL:
    default:
      return _("Failed");
    }
}

/* Reviews a boot change of @kind (undo: of boot change @change_id). */
static void
review_boot_change (PtHostPage       *self,
                    PtHostChangeKind  kind,
                    guint             change_id)
{
  PtHostChange change;

  if (pt_host_change_init (&change, kind, NULL, 0, change_id, PT_HOST_CHANGE_FLAGS_NONE, NULL))
    pt_plan_dialog_review (GTK_WIDGET (self), pt_page_get_session (PT_PAGE (self)), &change);
}

static void
on_review_enable_iommu (GtkListBoxRow *row,
                        PtHostPage    *self)
{
  review_boot_change (self, PT_HOST_CHANGE_ENABLE_IOMMU, 0);
}

/* The way back next to Undo: the usual system once, without Passthrough. */
static void
on_once_without (GtkButton  *button,
                 PtHostPage *self)
{
  review_boot_change (self, PT_HOST_CHANGE_BOOT_ONCE_WITHOUT, 0);
}

#define SHOWN_CHANGES 5

static const char *
change_state_words (const char *state)
{
  if (g_strcmp0 (state, "done") == 0)
    return _("In effect");
  if (g_strcmp0 (state, "undone") == 0)
    return _("Undone");
  if (g_strcmp0 (state, "rolled-back") == 0)
    return _("Failed or interrupted, and put back");
  return _("Interrupted; put back at the next change");
}

static void
on_undo_change (GtkButton  *button,
                PtHostPage *self)
{
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "change-id"));

  review_boot_change (self, PT_HOST_CHANGE_UNDO, id);
}

/* The restart a boot change is waiting for, and the latest boot changes. */
static void
show_changes (PtHostPage *self,
              PtHost     *host)
{
  g_autoptr(PtRoot) root = pt_root_open (pt_host_get_root (host), NULL);
  g_autoptr(GPtrArray) changes = root != NULL ? pt_change_history_list (root)
                                              : g_ptr_array_new ();
  PtChange *pending = pt_change_history_pending_restart (changes, pt_host_get_boot_id (host));
  GtkWidget *child;
  gboolean undo_offered = FALSE;
  guint i, shown = 0;

  gtk_widget_set_visible (GTK_WIDGET (self->restart_group), pending != NULL);
  if (pending != NULL)
    adw_action_row_set_subtitle (self->restart_row, pending->summary);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->changes_list))) != NULL)
    gtk_list_box_remove (self->changes_list, child);

  for (i = changes->len; i > 0 && shown < SHOWN_CHANGES; i--, shown++)
    {
      PtChange *change = g_ptr_array_index (changes, i - 1);
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *when = pt_change_describe_time (change, now);
      g_autofree char *subtitle = g_strdup_printf ("%u · %s · %s", change->id, when,
                                                   change_state_words (change->state));
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), change->summary);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (!undo_offered && g_strcmp0 (change->state, "done") == 0)
        {
          GtkWidget *undo = gtk_button_new_with_mnemonic (_("_Undo…"));

          gtk_widget_set_valign (undo, GTK_ALIGN_CENTER);
          g_object_set_data (G_OBJECT (undo), "change-id", GUINT_TO_POINTER (change->id));
          g_signal_connect_object (undo, "clicked", G_CALLBACK (on_undo_change), self, 0);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), undo);
          undo_offered = TRUE;

          /* Every recorded change is a boot change: the way back goes with it. */
          {
            GtkWidget *once = gtk_button_new_with_mnemonic (_("Start _Once Without…"));

            gtk_widget_set_valign (once, GTK_ALIGN_CENTER);
            gtk_widget_set_tooltip_text (once, _("Start the usual system once without the IOMMU "
                                                 "parameters and with Passthrough’s binding at "
                                                 "boot off"));
            g_signal_connect_object (once, "clicked", G_CALLBACK (on_once_without), self, 0);
            adw_action_row_add_suffix (ADW_ACTION_ROW (row), once);
          }
        }
      gtk_list_box_append (self->changes_list, row);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->changes_group), changes->len > 0);
}

static GtkWidget *
create_check_row (gpointer item,
                  gpointer user_data)
{
  PtHostPage *self = user_data;
  PtCheck *check = item;
  PtCheckStatus status = pt_check_get_status (check);
  const char *fix = pt_check_get_fix (check);
  GtkWidget *row;
  GtkWidget *icon;

  icon = gtk_image_new_from_icon_name (status_icon (status));
  gtk_widget_add_css_class (icon, status_style (status));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  status_words (status), -1);

  if (fix != NULL)
    {
      GtkWidget *label = gtk_label_new (fix);

      row = adw_expander_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), pt_check_get_summary (check));
      adw_expander_row_add_prefix (ADW_EXPANDER_ROW (row), icon);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_widget_set_margin_start (label, 12);
      gtk_widget_set_margin_end (label, 12);
      gtk_widget_set_margin_top (label, 12);
      gtk_widget_set_margin_bottom (label, 12);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), label);
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), status == PT_CHECK_FAIL);

      /* The core says which fixes the IOMMU change makes. */
      if (pt_check_get_fix_command (check) != NULL && self != NULL)
        {
          GtkWidget *review = adw_action_row_new ();

          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (review), FALSE);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (review), _("Turn the IOMMU On…"));
          adw_action_row_set_subtitle (ADW_ACTION_ROW (review),
                                       _("Review the change to the boot configuration"));
          adw_action_row_add_suffix (ADW_ACTION_ROW (review),
                                     gtk_image_new_from_icon_name ("go-next-symbolic"));
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (review), TRUE);
          g_signal_connect_object (review, "activated", G_CALLBACK (on_review_enable_iommu),
                                   self, 0);
          adw_expander_row_add_row (ADW_EXPANDER_ROW (row), review);
        }
    }
  else
    {
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), pt_check_get_summary (check));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), pt_check_get_title (check));
  return row;
}

static guint
count_failed (PtHost *host)
{
  GListModel *checks = pt_host_get_checks (host);
  guint i, failed = 0;

  for (i = 0; i < g_list_model_get_n_items (checks); i++)
    {
      g_autoptr(PtCheck) check = g_list_model_get_item (checks, i);

      failed += pt_check_get_status (check) == PT_CHECK_FAIL;
    }

  return failed;
}

static void
show_host (PtHostPage *self,
           PtHost     *host)
{
  PtBootSetup *boot = pt_host_get_boot_setup (host);
  guint failed = count_failed (host);
  guint n_devices = g_list_model_get_n_items (pt_host_get_devices (host));
  guint n_groups = g_list_model_get_n_items (pt_host_get_groups (host));
  g_autofree char *counts = NULL;
  g_autofree char *failed_text = NULL;

  gtk_list_box_bind_model (self->checks_list, pt_host_get_checks (host),
                           create_check_row, self, NULL);

  if (failed == 0)
    {
      gtk_image_set_from_icon_name (self->summary_icon, "emblem-ok-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->summary_icon), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->summary_icon), "success");
      gtk_label_set_label (self->summary_title, _("Ready for PCI Passthrough"));
      gtk_label_set_label (self->summary_description,
                           _("Open Devices to give a device to a virtual machine."));
    }
  else
    {
      failed_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "%u check below failed. Each says how to fix it.",
                                                  "%u checks below failed. Each says how to fix it.",
                                                  failed),
                                     failed);
      gtk_image_set_from_icon_name (self->summary_icon, "dialog-warning-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->summary_icon), "success");
      gtk_widget_add_css_class (GTK_WIDGET (self->summary_icon), "warning");
      gtk_label_set_label (self->summary_title, _("Not Ready for PCI Passthrough Yet"));
      gtk_label_set_label (self->summary_description, failed_text);
    }

  adw_action_row_set_subtitle (self->os_row, pt_boot_setup_get_os_name (boot) != NULL
                                             ? pt_boot_setup_get_os_name (boot) : _("Unknown"));
  adw_action_row_set_subtitle (self->kernel_row, pt_boot_setup_get_kernel_release (boot) != NULL
                                                 ? pt_boot_setup_get_kernel_release (boot)
                                                 : _("Unknown"));
  counts = g_strdup_printf (_("%u functions in %u IOMMU groups"), n_devices, n_groups);
  adw_action_row_set_subtitle (self->counts_row, counts);
  show_changes (self, host);

  gtk_stack_set_visible_child_name (self->stack, "host");
}

static void
on_session_changed (PtHostPage *self)
{
  PtHost *host = pt_session_get_host (pt_page_get_session (PT_PAGE (self)));
  const char *error = pt_session_get_error (pt_page_get_session (PT_PAGE (self)));

  if (host != NULL)
    show_host (self, host);
  else if (error != NULL)
    {
      adw_status_page_set_description (self->error_page, error);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else
    gtk_stack_set_visible_child_name (self->stack, "scanning");
}

static void
pt_host_page_session_set (PtPage    *page,
                          PtSession *session)
{
  PtHostPage *self = PT_HOST_PAGE (page);
  g_autofree char *host = pt_session_describe_host (session);
  /* TRANSLATORS: %s is This Computer, Demo Host or Fixture tree FOLDER */
  g_autofree char *scanning = g_strdup_printf (_("Looking at %s…"), host);
  /* TRANSLATORS: %s is This Computer, Demo Host or Fixture tree FOLDER */
  g_autofree char *unreadable = g_strdup_printf (_("%s Could Not Be Read"), host);

  adw_status_page_set_title (self->scanning_page, scanning);
  adw_status_page_set_title (self->error_page, unreadable);
  g_signal_connect_object (session, "notify::host", G_CALLBACK (on_session_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::error", G_CALLBACK (on_session_changed), self,
                           G_CONNECT_SWAPPED);
  on_session_changed (self);
}

static void
pt_host_page_class_init (PtHostPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  PT_PAGE_CLASS (klass)->session_set = pt_host_page_session_set;

  pt_page_class_set_template_from_resource (PT_PAGE_CLASS (klass), "/org/example/Passthrough/pt-host-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PtHostPage, stack);
  gtk_widget_class_bind_template_child (widget_class, PtHostPage, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, PtHostPage, scanning_page);
  gtk_widget_class_bind_template_child (widget_class, PtHostPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, PtHostPage, summary_icon);
  gtk_widget_class_bind_template_child (widget_class, PtHostPage, summary_title);
  gtk_widget_class_bind_template_child (widget_class, PtHostPage, summary_description);
  gtk_widget_class_bind_template_child (widget_class, PtHostPage, checks_list);
  gtk_widget_class_bind_template_child (widget_class, PtHostPage, os_row);
  gtk_widget_class_bind_template_child (widget_class, PtHostPage, kernel_row);
  gtk_widget_class_bind_template_child (widget_class, PtHostPage, counts_row);
  gtk_widget_class_bind_template_child (widget_class, PtHostPage, restart_group);
  gtk_widget_class_bind_template_child (widget_class, PtHostPage, restart_row);
  gtk_widget_class_bind_template_child (widget_class, PtHostPage, changes_group);
  gtk_widget_class_bind_template_child (widget_class, PtHostPage, changes_list);
}

static void
pt_host_page_init (PtHostPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  pt_compat_spin_while_mapped (self->busy_spinner);
}
