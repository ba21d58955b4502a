/* pt-device-page.c
 *
 * Everything known about one PCI function: its state in words, and the one
 * or two things that make sense from it — give it to a VM (that review also
 * prepares the host, now or at every boot), take it back, return it to the
 * host's drivers, stop binding it at boot — then what the host uses it
 * for, its IDs, driver, group, reset and SR-IOV virtual functions. Host
 * changes open a review of the helper's plan.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-attach-dialog.h"
#include "pt-compat.h"
#include "pt-device-plan.h"
#include "pt-early-bind-plan.h"
#include "pt-plan-dialog.h"
#include "pt-device-page.h"
#include "pt-session.h"
#include "pt-verdict.h"
#include "pt-vm-labels.h"
#include "pt-vm-plan.h"

struct _PtDevicePage
{
  GtkWidget parent_instance;

  PtDevice *device;
  GPtrArray *groups;   /* AdwPreferencesGroup added to the page */

  GtkSpinButton *vfs_spin;

  GtkLabel *heading;
  AdwPreferencesPage *page;
  GtkWidget *state_row;
  GtkImage *state_icon;
  GtkWidget *give_row;
  GtkWidget *take_back_row;
  GtkWidget *return_row;
  GtkWidget *stop_boot_row;
};

G_DEFINE_FINAL_TYPE (PtDevicePage, pt_device_page, PT_TYPE_PAGE)

static AdwPreferencesGroup *
add_group (PtDevicePage *self,
           const char   *title)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  adw_preferences_group_set_title (group, title);
  adw_preferences_page_add (self->page, group);
  g_ptr_array_add (self->groups, group);
  return group;
}

static void
add_property (AdwPreferencesGroup *group,
              const char          *title,
              const char          *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value != NULL ? value : _("None"));
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (group, row);
}

static void
give_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PtDevicePage *self = PT_DEVICE_PAGE (widget);
  PtAttachDialog *dialog = pt_attach_dialog_new (pt_page_get_session (PT_PAGE (self)), self->device);

  gtk_window_set_transient_for (GTK_WINDOW (dialog),
                                GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
take_back_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PtDevicePage *self = PT_DEVICE_PAGE (widget);

  pt_attach_dialog_take_back (GTK_WIDGET (self), pt_page_get_session (PT_PAGE (self)), self->device);
}

/* Plans the change with the core (as the helper will) and opens its review. */
static void
review_host_change (PtDevicePage     *self,
                    PtHostChangeKind  kind)
{
  const char *addresses[] = { pt_device_get_address (self->device), NULL };
  int count = kind == PT_HOST_CHANGE_SET_VFS ? gtk_spin_button_get_value_as_int (self->vfs_spin) : 0;
  g_autoptr(GError) error = NULL;
  PtHostChange change;

  if (!pt_host_change_init (&change, kind, addresses, count, 0, PT_HOST_CHANGE_FLAGS_NONE, &error))
    {
      pt_compat_show_error (GTK_WIDGET (self), _("The Change Cannot Be Made"), error->message);
      return;
    }
  pt_plan_dialog_review (GTK_WIDGET (self), pt_page_get_session (PT_PAGE (self)), &change);
}

static void
return_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PtDevicePage *self = PT_DEVICE_PAGE (widget);

  review_host_change (self, PT_HOST_CHANGE_RETURN);
}

static void
on_set_vfs (PtDevicePage *self)
{
  review_host_change (self, PT_HOST_CHANGE_SET_VFS);
}

/* The core's verdict on making @kind of change to this device here. */
static PtVerdict *
host_change_verdict (PtDevicePage     *self,
                     PtHostChangeKind  kind)
{
  const char *addresses[] = { pt_device_get_address (self->device), NULL };
  PtHostChange change;

  pt_host_change_init (&change, kind, addresses, 0, 0, PT_HOST_CHANGE_FLAGS_NONE, NULL);
  return pt_session_judge_host_change (pt_page_get_session (PT_PAGE (self)), &change);
}

/* A row's subtitle from a verdict: the refusal and its remedy, or the first risk. */
static char *
verdict_words (PtVerdict  *verdict,
               const char *otherwise)
{
  if (verdict->kind == PT_VERDICT_REFUSED)
    return g_strdup_printf ("%s %s", verdict->reason, verdict->remedy);
  if (verdict->risks->len > 0)
    return g_strdup (g_ptr_array_index (verdict->risks, 0));
  return g_strdup (otherwise);
}

/* The change that bound the device at every boot, for its Undo; 0 when the
 * binding was not made by Passthrough (or the history cannot be read). */
static guint
boot_binding_change (PtDevicePage *self)
{
  PtHost *host = pt_session_get_host (pt_page_get_session (PT_PAGE (self)));
  g_autoptr(PtRoot) root = host != NULL ? pt_root_open (pt_host_get_root (host), NULL) : NULL;

  return root != NULL ? pt_early_bind_find_change (root) : 0;
}

static void
stop_boot_binding_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  PtDevicePage *self = PT_DEVICE_PAGE (widget);
  guint id = boot_binding_change (self);
  g_autoptr(GError) error = NULL;
  PtHostChange change;

  if (!pt_host_change_init (&change, PT_HOST_CHANGE_UNDO, NULL, 0, id, PT_HOST_CHANGE_FLAGS_NONE, &error))
    {
      pt_compat_show_error (GTK_WIDGET (self), _("The Change Cannot Be Made"), error->message);
      return;
    }
  pt_plan_dialog_review (GTK_WIDGET (self), pt_page_get_session (PT_PAGE (self)), &change);
}

/* Shows @row with @subtitle, and enables its action (or not). */
static void
offer (PtDevicePage *self,
       GtkWidget    *row,
       const char   *action,
       const char   *subtitle,
       gboolean      enabled)
{
  gtk_widget_set_visible (row, TRUE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), action, enabled);
}

/* Stop Binding at Every Boot, for a device bound so (given to a VM or not). */
static void
offer_stop_boot_binding (PtDevicePage *self)
{
  gboolean ours = boot_binding_change (self) > 0;

  offer (self, self->stop_boot_row, "device.stop-boot-binding",
         ours ? _("Undo the boot change that keeps host drivers away from it")
              : _("It was not bound by Passthrough: remove the binding where it was made"),
         ours);
}

/*
 * The one place that decides what the page offers: the device's state in
 * words (the core's), then the rows that follow from it — Give (whose
 * review also prepares the host, now or at every boot), Take Back, Return to
 * the Host, Stop Binding at Every Boot (a given device too, if bound so) —
 * each enabled, and its reason given, by the core's verdict.
 */
static void
update_actions (PtDevicePage *self)
{
  PtDevice *device = self->device;
  PtSession *session = pt_page_get_session (PT_PAGE (self));
  PtHost *host = session != NULL ? pt_session_get_host (session) : NULL;
  PtConnection *connection = session != NULL ? pt_session_get_connection (session) : NULL;
  gboolean connected = connection != NULL && pt_connection_is_open (connection);
  PtDeviceState state = device != NULL ? pt_device_get_state (device) : PT_DEVICE_STATE_BRIDGE;
  g_autofree char *vm_label = connection != NULL && device != NULL && pt_device_get_vm (device) != NULL
    ? pt_vm_dup_label (pt_connection_get_vms (connection), pt_device_get_vm (device)) : NULL;
  g_autofree char *words = device != NULL ? pt_device_dup_state_words (device, vm_label) : NULL;
  /* A given device says so first; that it is bound at every boot, after. */
  g_autofree char *boot_words = device != NULL && state == PT_DEVICE_STATE_GIVEN
                                ? pt_device_dup_boot_words (device) : NULL;
  GtkWidget *rows[] = { self->give_row, self->take_back_row, self->return_row, self->stop_boot_row };
  const char *actions[] = { "device.give", "device.take-back", "device.return", "device.stop-boot-binding" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      gtk_widget_set_visible (rows[i], FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), actions[i], FALSE);
    }
  if (device == NULL)
    return;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->state_row), words);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->state_row), boot_words);
  gtk_image_set_from_icon_name (self->state_icon, state == PT_DEVICE_STATE_WITH_HOST
                                                    ? "computer-symbolic" : "video-joined-displays-symbolic");

  if (state == PT_DEVICE_STATE_BRIDGE)
    return;

  if (state == PT_DEVICE_STATE_GIVEN)
    {
      g_autofree char *title = g_strdup_printf (_("Take Back from “%s”…"), vm_label);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->take_back_row), title);
      offer (self, self->take_back_row, "device.take-back",
             _("Remove it and its group mates from that virtual machine"), connected);
      if (boot_words != NULL)
        offer_stop_boot_binding (self);
      return;
    }

  {
    const char *addresses[] = { pt_device_get_address (device), NULL };
    g_autoptr(PtVerdict) verdict = pt_verdict_for_give (host, addresses, NULL);
    g_autofree char *reason = verdict_words (verdict, _("Choose a virtual machine and review the change"));

    offer (self, self->give_row, "device.give",
           connected ? reason : _("Not connected to libvirt: see Virtual Machines"),
           connected && verdict->kind != PT_VERDICT_REFUSED);
  }

  if (state == PT_DEVICE_STATE_READY)
    {
      g_autoptr(PtVerdict) verdict = host_change_verdict (self, PT_HOST_CHANGE_RETURN);
      g_autofree char *reason = verdict_words (verdict, _("Give its IOMMU group back to the host’s own drivers"));

      offer (self, self->return_row, "device.return", reason, verdict->kind != PT_VERDICT_REFUSED);
    }
  else if (state == PT_DEVICE_STATE_BOUND_AT_BOOT)
    offer_stop_boot_binding (self);
}

static void
add_vfs_control (PtDevicePage        *self,
                 AdwPreferencesGroup *group)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *apply = gtk_button_new_with_mnemonic (_("_Set…"));
  GtkWidget *spin = gtk_spin_button_new_with_range (0, pt_device_get_sriov_total_vfs (self->device), 1);
  g_autoptr(PtVerdict) verdict = host_change_verdict (self, PT_HOST_CHANGE_SET_VFS);
  g_autofree char *reason = verdict_words (verdict, _("Existing virtual functions are removed first"));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  self->vfs_spin = GTK_SPIN_BUTTON (spin);
  gtk_spin_button_set_value (self->vfs_spin, pt_device_get_sriov_num_vfs (self->device));
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (apply, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Number of virtual functions"), -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Change the Number"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), reason);
  gtk_widget_set_sensitive (apply, verdict->kind != PT_VERDICT_REFUSED);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), apply);
  g_signal_connect_object (apply, "clicked", G_CALLBACK (on_set_vfs), self, G_CONNECT_SWAPPED);
  adw_preferences_group_add (group, row);
}

static char *
format_ids (guint vendor,
            guint device)
{
  return g_strdup_printf ("%04x:%04x", vendor, device);
}

static void
rebuild (PtDevicePage *self)
{
  PtDevice *device = self->device;
  PtHost *host = pt_page_get_session (PT_PAGE (self)) != NULL ? pt_session_get_host (pt_page_get_session (PT_PAGE (self))) : NULL;
  const char * const *host_use;
  const char * const *modules;
  const char * const *resets;
  AdwPreferencesGroup *group;
  g_autofree char *ids = NULL;
  g_autofree char *subsystem = NULL;
  g_autofree char *modules_text = NULL;
  g_autofree char *resets_text = NULL;
  g_autofree char *class_text = NULL;
  guint i;

  while (self->groups->len > 0)
    {
      adw_preferences_page_remove (self->page, g_ptr_array_index (self->groups, 0));
      g_ptr_array_remove_index (self->groups, 0);
    }

  if (device == NULL)
    return;

  gtk_label_set_label (self->heading, pt_device_get_title (device));
  host_use = pt_device_get_host_use (device);

  /* What can be done comes first. */
  update_actions (self);

  if (host_use[0] != NULL)
    {
      group = add_group (self, _("Used by This Computer"));
      adw_preferences_group_set_description (group,
                                             _("Giving it away can blank the screen, take away "
                                               "the disk the system runs from, or cut the network."));
      for (i = 0; host_use[i] != NULL; i++)
        {
          GtkWidget *row = adw_action_row_new ();
          GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          gtk_widget_add_css_class (icon, "warning");
          adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), host_use[i]);
          adw_preferences_group_add (group, row);
        }
    }

  if (pt_device_get_state_unknown (device) != NULL)
    {
      group = add_group (self, _("Host Use"));
      add_property (group, _("Unknown"), pt_device_get_state_unknown (device));
      adw_preferences_group_set_description (group,
                                             _("Whether the host needs it for its display, its "
                                               "disks or its network cannot be seen from here. "
                                               "Check on that host before giving it away."));
    }

  group = add_group (self, _("Device"));
  add_property (group, _("Address"), pt_device_get_address (device));
  add_property (group, _("Vendor"), pt_device_get_vendor_name (device));
  ids = format_ids (pt_device_get_vendor_id (device), pt_device_get_device_id (device));
  add_property (group, _("Vendor and Device ID"), ids);
  class_text = g_strdup_printf ("%s (%06x)", pt_device_get_class_name (device),
                                pt_device_get_class_id (device));
  add_property (group, _("Class"), class_text);
  if (pt_device_get_subsystem_name (device) != NULL)
    {
      subsystem = g_strdup_printf ("%s (%04x:%04x)", pt_device_get_subsystem_name (device),
                                   pt_device_get_subsystem_vendor_id (device),
                                   pt_device_get_subsystem_device_id (device));
      add_property (group, _("Subsystem"), subsystem);
    }

  group = add_group (self, _("Driver"));
  add_property (group, _("In Use"), pt_device_get_driver (device));
  if (pt_device_get_driver_override (device) != NULL)
    add_property (group, _("Override"), pt_device_get_driver_override (device));
  modules = pt_device_get_modules (device);
  modules_text = g_strjoinv (", ", (char **) modules);
  add_property (group, _("Kernel Modules"), modules[0] != NULL ? modules_text : NULL);

  if (pt_device_get_iommu_group (device) >= 0 && host != NULL)
    {
      PtIommuGroup *iommu = pt_host_lookup_group (host, pt_device_get_iommu_group (device));
      g_autofree char *title = g_strdup_printf (_("IOMMU Group %d"),
                                                pt_device_get_iommu_group (device));
      g_autofree char *state = pt_iommu_group_dup_state_text (iommu);
      GListModel *members = pt_iommu_group_get_devices (iommu);

      group = add_group (self, title);
      adw_preferences_group_set_description (group, state);
      for (i = 0; i < g_list_model_get_n_items (members); i++)
        {
          g_autoptr(PtDevice) member = g_list_model_get_item (members, i);
          g_autofree char *subtitle = g_strdup_printf ("%s · %s", pt_device_get_address (member),
                                                       pt_device_get_driver (member) != NULL
                                                         ? pt_device_get_driver (member)
                                                         : _("no driver"));
          GtkWidget *row = adw_action_row_new ();

          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                         pt_device_get_title (member));
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
          adw_preferences_group_add (group, row);
        }
    }

  group = add_group (self, _("Reset"));
  resets = pt_device_get_reset_methods (device);
  resets_text = g_strjoinv (", ", (char **) resets);
  add_property (group, _("Reset Methods"),
                !pt_device_is_reset_known (device) ? _("Unknown: libvirt does not show them")
                : resets[0] != NULL ? resets_text
                : pt_device_has_reset (device) ? _("Available")
                : _("None: the device cannot be reset"));
  if (pt_device_get_reset_quirk (device) != NULL)
    add_property (group, _("Known Problem"), pt_device_get_reset_quirk (device));

  if (pt_device_is_sriov_pf (device) || pt_device_get_physfn (device) != NULL)
    {
      group = add_group (self, _("SR-IOV"));
      if (pt_device_is_sriov_pf (device))
        {
          g_autofree char *count = g_strdup_printf (_("%d of at most %d"),
                                                    pt_device_get_sriov_num_vfs (device),
                                                    pt_device_get_sriov_total_vfs (device));
          add_property (group, _("Virtual Functions"), count);
          add_vfs_control (self, group);
        }
      if (pt_device_get_physfn (device) != NULL)
        add_property (group, _("Virtual Function of"), pt_device_get_physfn (device));
    }
}

PtDevice *
pt_device_page_get_device (PtDevicePage *self)
{
  g_return_val_if_fail (PT_IS_DEVICE_PAGE (self), NULL);
  return self->device;
}

void
pt_device_page_set_device (PtDevicePage *self,
                           PtDevice     *device)
{
  g_return_if_fail (PT_IS_DEVICE_PAGE (self));

  g_set_object (&self->device, device);
  rebuild (self);
}

static void
pt_device_page_dispose (GObject *object)
{
  PtDevicePage *self = (PtDevicePage *) object;

  g_clear_object (&self->device);
  g_clear_pointer (&self->groups, g_ptr_array_unref);

  G_OBJECT_CLASS (pt_device_page_parent_class)->dispose (object);
}

static void
pt_device_page_class_init (PtDevicePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_device_page_dispose;

  pt_page_class_set_template_from_resource (PT_PAGE_CLASS (klass), "/org/example/Passthrough/pt-device-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PtDevicePage, heading);
  gtk_widget_class_bind_template_child (widget_class, PtDevicePage, page);
  gtk_widget_class_bind_template_child (widget_class, PtDevicePage, state_row);
  gtk_widget_class_bind_template_child (widget_class, PtDevicePage, state_icon);
  gtk_widget_class_bind_template_child (widget_class, PtDevicePage, give_row);
  gtk_widget_class_bind_template_child (widget_class, PtDevicePage, take_back_row);
  gtk_widget_class_bind_template_child (widget_class, PtDevicePage, return_row);
  gtk_widget_class_bind_template_child (widget_class, PtDevicePage, stop_boot_row);

  gtk_widget_class_install_action (widget_class, "device.give", NULL, give_action);
  gtk_widget_class_install_action (widget_class, "device.take-back", NULL, take_back_action);
  gtk_widget_class_install_action (widget_class, "device.return", NULL, return_action);
  gtk_widget_class_install_action (widget_class, "device.stop-boot-binding", NULL, stop_boot_binding_action);
}

static void
pt_device_page_init (PtDevicePage *self)
{
  self->groups = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
