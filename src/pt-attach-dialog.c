/* pt-attach-dialog.c
 *
 * "Give this device to that VM": choose the VM, see which group mates go
 * with it and whether the host needs any of them, review the definition
 * change to its definition (a diff), then apply. Taking a device back is a confirmation
 * and the same plan machinery in reverse. Both end with a toast that can
 * undo them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-attach-dialog.h"
#include "pt-vm-labels.h"
#include "pt-verdict.h"
#include "pt-compat.h"
#include "pt-error.h"
#include "pt-host-change.h"
#include "pt-plan-dialog.h"
#include "pt-vm-plan.h"

struct _PtAttachDialog
{
  AdwWindow parent_instance;

  PtSession *session;
  PtDevice *device;
  PtVmPlan *plan;
  GCancellable *cancellable;
  GPtrArray *members;        /* PtDevice: the device and its group mates */
  GPtrArray *member_switches;
  GtkCheckButton *first_choice;
  char *vm;
  gboolean needs_force;
  gboolean refused;

  GtkButton *cancel_button;
  GtkButton *give_button;
  AdwPreferencesGroup *warning_group;
  AdwActionRow *warning_row;
  GtkSwitch *force_switch;
  GtkListBox *vm_list;
  AdwPreferencesGroup *devices_group;
  AdwActionRow *summary_row;
  GtkSpinner *spinner;
  AdwExpanderRow *xml_row;
  GtkTextView *xml_view;
  GtkSwitch *managed_switch;
  GtkSwitch *boot_switch;
  AdwComboRow *rom_bar_row;
  AdwEntryRow *rom_file_row;

  /* Set when the running VM cannot take the devices live. */
  char *next_start_reason;
};

G_DEFINE_FINAL_TYPE (PtAttachDialog, pt_attach_dialog, ADW_TYPE_WINDOW)

static void replan (PtAttachDialog *self);

static GStrv
chosen_addresses (PtAttachDialog *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint i;

  for (i = 0; i < self->members->len; i++)
    if (gtk_switch_get_active (g_ptr_array_index (self->member_switches, i)))
      g_strv_builder_add (builder, pt_device_get_address (g_ptr_array_index (self->members, i)));

  return g_strv_builder_end (builder);
}

/* The core's verdict on giving the chosen devices: this dialog holds no rule of its own. */
static PtVerdict *
chosen_verdict (PtAttachDialog     *self,
                const char * const *addresses)
{
  PtHost *host = pt_session_get_host (self->session);

  return pt_verdict_for_give (host, addresses,
                              pt_session_get_remote_uri (self->session) != NULL
                                ? _("State unknown on a remote host") : NULL);
}

/**
 * pt_attach_dialog_show_diff:
 *
 * Shows a definition diff with added lines green and removed ones red.
 */
void
pt_attach_dialog_show_diff (GtkTextView *view,
                            const char  *diff)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextTagTable *tags = gtk_text_buffer_get_tag_table (buffer);
  g_auto(GStrv) lines = g_strsplit (diff, "\n", -1);
  GtkTextIter end;

  if (gtk_text_tag_table_lookup (tags, "added") == NULL)
    {
      gtk_text_buffer_create_tag (buffer, "added", "foreground", "#26a269",
                                  "weight", PANGO_WEIGHT_BOLD, NULL);
      gtk_text_buffer_create_tag (buffer, "removed", "foreground", "#c01c28",
                                  "strikethrough", TRUE, NULL);
    }

  gtk_text_buffer_set_text (buffer, "", 0);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *tag = lines[i][0] == '+' ? "added" : lines[i][0] == '-' ? "removed" : NULL;
      g_autofree char *line = g_strconcat (lines[i], lines[i + 1] != NULL ? "\n" : "", NULL);

      gtk_text_buffer_get_end_iter (buffer, &end);
      if (tag != NULL)
        gtk_text_buffer_insert_with_tags_by_name (buffer, &end, line, -1, tag, NULL);
      else
        gtk_text_buffer_insert (buffer, &end, line, -1);
    }
}

static void
update_give_button (PtAttachDialog *self)
{
  gboolean forced_ok = !self->needs_force || gtk_switch_get_active (self->force_switch);

  gtk_widget_set_sensitive (GTK_WIDGET (self->give_button), self->plan != NULL && forced_ok && !self->refused);
}

static void
plan_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PtAttachDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtVmPlan) plan = pt_vm_plan_new_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_spinner_stop (self->spinner);
  g_set_object (&self->plan, plan);

  /* A running VM that cannot take it live gets it from its next start. */
  if (plan == NULL && g_error_matches (error, PT_ERROR, PT_ERROR_NEEDS_RESTART) &&
      self->next_start_reason == NULL)
    {
      self->next_start_reason = g_strdup (error->message);
      replan (self);
      return;
    }

  if (plan == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->summary_row), error->message);
      gtk_widget_set_sensitive (GTK_WIDGET (self->xml_row), FALSE);
    }
  else
    {
      g_autofree char *summary = self->next_start_reason != NULL
        ? g_strdup_printf ("%s\n%s", pt_vm_plan_get_summary (plan), self->next_start_reason)
        : g_strdup (pt_vm_plan_get_summary (plan));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->summary_row), summary);
      pt_attach_dialog_show_diff (self->xml_view, pt_vm_plan_get_diff (plan));
      gtk_widget_set_sensitive (GTK_WIDGET (self->xml_row), TRUE);
    }

  update_give_button (self);
}

static void
chosen_options (PtAttachDialog   *self,
                PtHostdevOptions *options)
{
  static const PtRomBar rom_bars[] = { PT_ROM_BAR_DEFAULT, PT_ROM_BAR_ON, PT_ROM_BAR_OFF };
  const char *rom_file = gtk_editable_get_text (GTK_EDITABLE (self->rom_file_row));
  guint rom_bar = adw_combo_row_get_selected (self->rom_bar_row);

  options->unmanaged = !gtk_switch_get_active (self->managed_switch);
  options->rom_bar = rom_bar < G_N_ELEMENTS (rom_bars) ? rom_bars[rom_bar] : PT_ROM_BAR_DEFAULT;
  options->rom_file = rom_file[0] != '\0' ? rom_file : NULL;
}

/* Whenever the choice changes, the plan is computed again. */
static void
replan (PtAttachDialog *self)
{
  PtHostdevOptions options = { 0 };
  PtConnection *connection = pt_session_get_connection (self->session);
  g_auto(GStrv) addresses = chosen_addresses (self);
  g_autoptr(PtVerdict) verdict = addresses[0] != NULL ? chosen_verdict (self, (const char * const *) addresses)
                                                    : NULL;
  g_autofree char *words = NULL;

  if (verdict != NULL && verdict->kind == PT_VERDICT_REFUSED)
    words = g_strdup_printf ("%s %s", verdict->reason, verdict->remedy);
  else if (verdict != NULL && verdict->risks->len > 0)
    {
      g_ptr_array_add (verdict->risks, NULL);
      words = g_strjoinv ("\n", (char **) verdict->risks->pdata);
      g_ptr_array_set_size (verdict->risks, verdict->risks->len - 1);
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->plan);
  update_give_button (self);

  self->needs_force = verdict != NULL && verdict->kind == PT_VERDICT_NEEDS_ACKNOWLEDGEMENT;
  self->refused = verdict != NULL && verdict->kind == PT_VERDICT_REFUSED;
  update_give_button (self);
  gtk_widget_set_visible (GTK_WIDGET (self->warning_group), words != NULL);
  adw_preferences_group_set_description (self->devices_group,
                                         _("A virtual machine gets the whole IOMMU group: the "
                                           "device and every other device in its group."));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->warning_row), words != NULL ? words : "");

  if (self->vm == NULL || connection == NULL || addresses[0] == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->summary_row),
                                     self->vm == NULL ? _("Choose a virtual machine")
                                                      : _("Choose at least one device"));
      return;
    }

  self->cancellable = g_cancellable_new ();
  gtk_spinner_start (self->spinner);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->summary_row),
                                 _("Preparing the change…"));
  chosen_options (self, &options);
  if (options.rom_file != NULL && !g_path_is_absolute (options.rom_file))
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->summary_row),
                                     _("The ROM file needs an absolute path, such as "
                                       "/var/lib/libvirt/vbios.rom."));
      gtk_spinner_stop (self->spinner);
      return;
    }
  pt_vm_plan_new_async (connection, pt_session_get_host (self->session), PT_VM_PLAN_ATTACH,
                        self->vm, (const char * const *) addresses, &options,
                        self->next_start_reason != NULL ? PT_VM_PLAN_CONFIG_ONLY
                                                        : PT_VM_PLAN_FLAGS_NONE,
                        self->cancellable, plan_done, g_object_ref (self));
}

static void
on_vm_toggled (GtkCheckButton *button,
               PtAttachDialog *self)
{
  if (!gtk_check_button_get_active (button))
    return;

  g_free (self->vm);
  self->vm = g_strdup (g_object_get_data (G_OBJECT (button), "vm-name"));
  g_clear_pointer (&self->next_start_reason, g_free);
  replan (self);
}

static void
add_vm_rows (PtAttachDialog *self)
{
  PtConnection *connection = pt_session_get_connection (self->session);
  GListModel *vms = connection != NULL ? pt_connection_get_vms (connection) : NULL;
  guint i, n = vms != NULL ? g_list_model_get_n_items (vms) : 0;

  if (n == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     _("There are no virtual machines on this connection"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Create one with GNOME Boxes or virt-manager first."));
      gtk_list_box_append (self->vm_list, row);
      return;
    }

  for (i = 0; i < n; i++)
    {
      g_autoptr(PtVm) vm = g_list_model_get_item (vms, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      const char *title = pt_vm_get_title (vm);
      g_autofree char *subtitle = NULL;
      gboolean has_it = pt_vm_has_device (vm, pt_device_get_address (self->device));
      const char *state = pt_vm_is_active (vm)
                          ? _("Running: the devices are added now")
                          : _("Shut off: the devices are there from its next start");

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

      /* The row's title is the VM's name; its own title only when it differs. */
      if (has_it)
        subtitle = g_strdup (_("Already has this device"));
      else if (title != NULL && !g_str_equal (title, pt_vm_get_name (vm)))
        subtitle = g_strdup_printf ("%s · %s", title, state);
      else
        subtitle = g_strdup (state);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), pt_vm_get_name (vm));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_widget_set_sensitive (row, !has_it);
      g_object_set_data_full (G_OBJECT (check), "vm-name", g_strdup (pt_vm_get_name (vm)), g_free);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      pt_vm_get_name (vm), -1);

      if (self->first_choice == NULL)
        self->first_choice = GTK_CHECK_BUTTON (check);
      else
        gtk_check_button_set_group (GTK_CHECK_BUTTON (check), self->first_choice);

      g_signal_connect_object (check, "toggled", G_CALLBACK (on_vm_toggled), self, 0);
      gtk_list_box_append (self->vm_list, row);
    }
}

/* Fewer functions may fit into the running VM's free ports: try live again. */
static void
on_member_toggled (PtAttachDialog *self)
{
  g_clear_pointer (&self->next_start_reason, g_free);
  replan (self);
}

static void
add_member_rows (PtAttachDialog *self)
{
  PtHost *host = pt_session_get_host (self->session);
  int number = pt_device_get_iommu_group (self->device);
  PtIommuGroup *group = host != NULL && number >= 0 ? pt_host_lookup_group (host, number) : NULL;
  GListModel *devices = group != NULL ? pt_iommu_group_get_devices (group) : NULL;
  guint i;

  g_ptr_array_add (self->members, g_object_ref (self->device));
  for (i = 0; devices != NULL && i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(PtDevice) member = g_list_model_get_item (devices, i);

      if (member != self->device && !pt_device_is_bridge (member))
        g_ptr_array_add (self->members, g_object_ref (member));
    }

  for (i = 0; i < self->members->len; i++)
    {
      PtDevice *member = g_ptr_array_index (self->members, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *toggle = gtk_switch_new ();
      g_autofree char *subtitle = g_strdup_printf ("%s · %s", pt_device_get_address (member),
                                                   pt_device_get_vendor_name (member));

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), pt_device_get_title (member));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
      gtk_switch_set_active (GTK_SWITCH (toggle), TRUE);
      /* The device itself always goes; its group mates by default. */
      gtk_widget_set_sensitive (toggle, i > 0);
      gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      pt_device_get_address (member), -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
      adw_preferences_group_add (self->devices_group, row);
      g_ptr_array_add (self->member_switches, toggle);
      g_signal_connect_object (toggle, "notify::active", G_CALLBACK (on_member_toggled), self,
                               G_CONNECT_SWAPPED);
    }
}

/*
 * A give or a take-back after the person confirmed it: the plan shown is
 * the plan applied, and its Undo makes the opposite of exactly the edits
 * that were made (a device taken back returns with its address and ROM).
 */
typedef struct
{
  PtSession *session;
  char *vm;
  GStrv addresses;
  PtVmPlanKind kind;
  PtVmPlanFlags flags;
  PtVmPlan *plan;            /* once planned */
  /* What the host needs then: binding now (unmanaged) or at every boot. */
  PtHostChange host_followup;
  gboolean has_host_followup;
} Change;

static void
change_free (gpointer data)
{
  Change *change = data;

  g_clear_object (&change->session);
  g_clear_object (&change->plan);
  g_free (change->vm);
  g_strfreev (change->addresses);
  g_free (change);
}

static void
change_closure_free (gpointer  data,
                     GClosure *closure)
{
  change_free (data);
}

static Change *
change_new (PtSession    *session,
            const char   *vm,
            GStrv         addresses,
            PtVmPlanKind  kind)
{
  Change *change = g_new0 (Change, 1);

  change->session = g_object_ref (session);
  change->vm = g_strdup (vm);
  change->addresses = addresses;
  change->kind = kind;
  return change;
}

static Change *
change_copy (const Change *change)
{
  Change *copy = change_new (change->session, change->vm, g_strdupv (change->addresses),
                             change->kind);

  copy->flags = change->flags;
  g_set_object (&copy->plan, change->plan);
  return copy;
}

static GtkWidget *
active_window (void)
{
  GApplication *app = g_application_get_default ();

  return app != NULL ? GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app)))
                     : NULL;
}

static void apply_change (Change *change);
static void plan_change (Change *change);
static void run_from_next_start (gpointer user_data);

static void
on_undo (AdwToast *toast,
         gpointer  user_data)
{
  const Change *done = user_data;
  Change *undo = change_new (done->session, done->vm, g_strdupv (done->addresses),
                             done->kind == PT_VM_PLAN_ATTACH ? PT_VM_PLAN_DETACH
                                                             : PT_VM_PLAN_ATTACH);

  undo->plan = pt_vm_plan_new_inverse (done->plan);
  apply_change (undo);
}

static void
show_done_toast (Change *change)
{
  PtHost *host = pt_session_get_host (change->session);
  PtConnection *connection = pt_session_get_connection (change->session);
  /* Devices by their titles, the VM by its own: what the pages show. */
  g_autofree char *list = host != NULL
    ? pt_host_dup_titles (host, (const char * const *) change->addresses)
    : g_strjoinv (", ", change->addresses);
  g_autofree char *vm = pt_vm_dup_label (connection != NULL ? pt_connection_get_vms (connection) : NULL,
                                         change->vm);
  PtVm *target = connection != NULL ? pt_connection_lookup_vm (connection, change->vm) : NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;

  /* A running VM that gets the change in its saved definition only (it
   * cannot take it now) still has, or still lacks, the devices until its
   * next start: the toast says so. */
  if (target != NULL && pt_vm_get_state (target) == PT_VM_STATE_RUNNING &&
      change->plan != NULL && !pt_vm_plan_is_live (change->plan))
    title = change->kind == PT_VM_PLAN_ATTACH
            ? g_strdup_printf (_("%s will be given to “%s” at its next start"), list, vm)
            : g_strdup_printf (_("%s will leave “%s” at its next start"), list, vm);
  else
    title = change->kind == PT_VM_PLAN_ATTACH
            ? g_strdup_printf (_("Gave %s to “%s”"), list, vm)
            : g_strdup_printf (_("Took %s back from “%s”"), list, vm);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_timeout (toast, 10);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_undo), change,
                         change_closure_free, 0);
  pt_session_announce (change->session, G_OBJECT (toast));
}

/* The host preparation chosen with the Give: its own review, right after. */
static void
review_host_followup (const Change *change)
{
  pt_plan_dialog_review (active_window (), change->session, &change->host_followup);
}

static void
apply_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Change *change = user_data;
  g_autoptr(GError) error = NULL;

  if (!pt_vm_plan_apply_finish (PT_VM_PLAN (object), result, &error))
    {
      pt_compat_show_error (active_window (),
                            change->kind == PT_VM_PLAN_ATTACH
                              ? _("The Devices Could Not Be Given")
                              : _("The Devices Could Not Be Taken Back"),
                            error->message);
      /* Part of it may have been saved (a guest that holds on to a device). */
      pt_session_rescan (change->session);
      change_free (change);
      return;
    }

  pt_session_rescan (change->session);
  if (change->has_host_followup)
    review_host_followup (change);
  show_done_toast (change);
}

static void
apply_change (Change *change)
{
  PtConnection *connection = pt_session_get_connection (change->session);

  if (connection == NULL || change->plan == NULL)
    {
      change_free (change);
      return;
    }

  pt_vm_plan_apply_async (change->plan, connection, NULL, apply_done, change);
}

static void
take_back_confirmed (gpointer user_data)
{
  apply_change (change_copy (user_data));
}

/* The take-back's review: what leaves the definition, then Take Back. */
static void
confirm_take_back (Change *change)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();

  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Changes to the definition of the virtual machine"), -1);
  pt_attach_dialog_show_diff (GTK_TEXT_VIEW (view), pt_vm_plan_get_diff (change->plan));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 160);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);

  pt_compat_confirm_with_extra (active_window (), _("Take the Devices Back?"),
                                pt_vm_plan_get_summary (change->plan), scrolled, _("_Take Back"),
                                TRUE, take_back_confirmed, change, change_free);
}

static void
planned (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Change *change = user_data;
  g_autoptr(GError) error = NULL;

  change->plan = pt_vm_plan_new_finish (result, &error);

  if (change->plan == NULL && g_error_matches (error, PT_ERROR, PT_ERROR_NEEDS_RESTART) &&
      !(change->flags & PT_VM_PLAN_CONFIG_ONLY))
    {
      pt_compat_confirm (active_window (), _("Not Possible While It Runs"), error->message,
                         change->kind == PT_VM_PLAN_ATTACH ? _("_Give From Next Start")
                                                           : _("_Take Back at Next Start"),
                         FALSE, run_from_next_start, change, change_free);
      return;
    }

  if (change->plan == NULL)
    {
      pt_compat_show_error (active_window (), _("The Change Could Not Be Prepared"),
                            error->message);
      change_free (change);
      return;
    }

  confirm_take_back (change);
}

/* Plans @change, then asks with its diff. */
static void
plan_change (Change *change)
{
  PtConnection *connection = pt_session_get_connection (change->session);

  if (connection == NULL)
    {
      pt_compat_show_error (active_window (), _("The Change Could Not Be Prepared"),
                            _("libvirt is not connected."));
      change_free (change);
      return;
    }

  pt_vm_plan_new_async (connection, pt_session_get_host (change->session), change->kind,
                        change->vm, (const char * const *) change->addresses, NULL,
                        change->flags, NULL, planned, change);
}

static void
run_from_next_start (gpointer user_data)
{
  Change *change = change_copy (user_data);

  change->flags |= PT_VM_PLAN_CONFIG_ONLY;
  g_clear_object (&change->plan);
  plan_change (change);
}

/* Whether the host uses one of @addresses (the scanner names a group
 * mate's use on every member); never so where it cannot be seen. */
static gboolean
host_uses_chosen (PtAttachDialog     *self,
                  const char * const *addresses)
{
  PtHost *host = pt_session_get_host (self->session);

  for (guint i = 0; host != NULL && addresses[i] != NULL; i++)
    {
      PtDevice *device = pt_host_lookup_device (host, addresses[i]);

      if (device != NULL && pt_device_get_host_use (device)[0] != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
on_give (PtAttachDialog *self)
{
  g_autoptr(GError) error = NULL;
  PtGiveChoice choice;
  Change *change;

  if (self->plan == NULL)
    return;

  change = change_new (self->session, self->vm, chosen_addresses (self), PT_VM_PLAN_ATTACH);
  change->plan = g_object_ref (self->plan);
  /* libvirt binds managed devices when the VM starts; otherwise the host
   * is prepared here, now or from every boot: the core says which. */
  choice = (gtk_switch_get_active (self->managed_switch) ? PT_GIVE_MANAGED : 0) |
           (gtk_switch_get_active (self->boot_switch) ? PT_GIVE_AT_EVERY_BOOT : 0) |
           (g_strcmp0 (pt_device_get_driver (self->device), "vfio-pci") == 0 ? PT_GIVE_ON_VFIO : 0) |
           (self->needs_force ? PT_GIVE_ACKNOWLEDGED : 0) |
           (host_uses_chosen (self, (const char * const *) change->addresses) ? PT_GIVE_HOST_USES : 0);
  if (!pt_host_change_for_give (&change->host_followup, (const char * const *) change->addresses, choice,
                                &change->has_host_followup, &error))
    {
      pt_compat_show_error (GTK_WIDGET (self), _("The Host Cannot Be Prepared"), error->message);
      change_free (change);
      return;
    }
  apply_change (change);
  gtk_window_destroy (GTK_WINDOW (self));
}

/**
 * pt_attach_dialog_take_back:
 *
 * Plans taking @device, and the other devices of its IOMMU group that went
 * to the same VM, back from that VM; shows what leaves its definition and
 * asks; then takes them back.
 */
void
pt_attach_dialog_take_back (GtkWidget *parent,
                            PtSession *session,
                            PtDevice  *device)
{
  PtHost *host = pt_session_get_host (session);
  const char *vm = pt_device_get_vm (device);
  int number = pt_device_get_iommu_group (device);
  PtIommuGroup *group = host != NULL && number >= 0 ? pt_host_lookup_group (host, number) : NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint i;

  if (vm == NULL)
    return;

  g_strv_builder_add (builder, pt_device_get_address (device));
  for (i = 0; group != NULL && i < pt_iommu_group_get_n_devices (group); i++)
    {
      g_autoptr(PtDevice) member = g_list_model_get_item (pt_iommu_group_get_devices (group), i);

      if (member != device && g_strcmp0 (pt_device_get_vm (member), vm) == 0)
        g_strv_builder_add (builder, pt_device_get_address (member));
    }

  plan_change (change_new (session, vm, g_strv_builder_end (builder), PT_VM_PLAN_DETACH));
}

static void
pt_attach_dialog_dispose (GObject *object)
{
  PtAttachDialog *self = (PtAttachDialog *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->plan);
  g_clear_object (&self->session);
  g_clear_object (&self->device);
  g_clear_pointer (&self->members, g_ptr_array_unref);
  g_clear_pointer (&self->member_switches, g_ptr_array_unref);
  g_clear_pointer (&self->vm, g_free);
  g_clear_pointer (&self->next_start_reason, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), PT_TYPE_ATTACH_DIALOG);

  G_OBJECT_CLASS (pt_attach_dialog_parent_class)->dispose (object);
}

static void
pt_attach_dialog_class_init (PtAttachDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_attach_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/example/Passthrough/pt-attach-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PtAttachDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PtAttachDialog, give_button);
  gtk_widget_class_bind_template_child (widget_class, PtAttachDialog, warning_group);
  gtk_widget_class_bind_template_child (widget_class, PtAttachDialog, warning_row);
  gtk_widget_class_bind_template_child (widget_class, PtAttachDialog, force_switch);
  gtk_widget_class_bind_template_child (widget_class, PtAttachDialog, vm_list);
  gtk_widget_class_bind_template_child (widget_class, PtAttachDialog, devices_group);
  gtk_widget_class_bind_template_child (widget_class, PtAttachDialog, summary_row);
  gtk_widget_class_bind_template_child (widget_class, PtAttachDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, PtAttachDialog, xml_row);
  gtk_widget_class_bind_template_child (widget_class, PtAttachDialog, xml_view);
  gtk_widget_class_bind_template_child (widget_class, PtAttachDialog, managed_switch);
  gtk_widget_class_bind_template_child (widget_class, PtAttachDialog, boot_switch);
  gtk_widget_class_bind_template_child (widget_class, PtAttachDialog, rom_bar_row);
  gtk_widget_class_bind_template_child (widget_class, PtAttachDialog, rom_file_row);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pt_attach_dialog_init (PtAttachDialog *self)
{
  self->members = g_ptr_array_new_with_free_func (g_object_unref);
  self->member_switches = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->cancel_button, "clicked", G_CALLBACK (gtk_window_destroy), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->give_button, "clicked", G_CALLBACK (on_give), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->force_switch, "notify::active", G_CALLBACK (update_give_button),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->managed_switch, "notify::active", G_CALLBACK (replan),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->rom_bar_row, "notify::selected", G_CALLBACK (replan),
                           self, G_CONNECT_SWAPPED);
  /* Every change of the path plans again, so Give never applies a plan
   * made for another path. */
  g_signal_connect_object (self->rom_file_row, "changed", G_CALLBACK (replan),
                           self, G_CONNECT_SWAPPED);
}

/**
 * pt_attach_dialog_new:
 *
 * Returns: (transfer full): the dialog for giving @device to a VM
 */
PtAttachDialog *
pt_attach_dialog_new (PtSession *session,
                      PtDevice  *device)
{
  PtAttachDialog *self = g_object_new (PT_TYPE_ATTACH_DIALOG, NULL);
  g_autofree char *title = g_strdup_printf (_("Give %s"), pt_device_get_title (device));

  self->session = g_object_ref (session);
  self->device = g_object_ref (device);
  gtk_window_set_title (GTK_WINDOW (self), title);

  add_member_rows (self);
  add_vm_rows (self);
  replan (self);

  return self;
}
