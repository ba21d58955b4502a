/* pt-group-card.c
 *
 * One IOMMU group on the Groups page, laid out like a preferences group:
 * its number and its state in words above, then a boxed list of its members
 * (name, address and IDs, a warning sign when the host uses one, the driver
 * pill), and "Prepare for Passthrough…" when the group is worth giving to a
 * VM and nothing in it is needed by the host. A member row opens the
 * device's details (win.show-device); the button activates groups.prepare
 * with the address of the member to bind, so the page does the reviewing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-device-row.h"
#include "pt-group-card.h"
#include "pt-reflow-box.h"

struct _PtGroupCard
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkLabel *title;
  GtkLabel *state;
  GtkWidget *prepare;
  GtkListBox *members;
};

G_DEFINE_FINAL_TYPE (PtGroupCard, pt_group_card, GTK_TYPE_WIDGET)

static GtkWidget *
label_new (const char *text,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

/* Lighter than an AdwActionRow (a list view keeps 200 cards), styled alike. */
static GtkWidget *
create_member_row (PtGroupCard *self,
                   PtDevice    *device)
{
  g_autofree char *vm_label = pt_device_dup_vm_label (device, GTK_WIDGET (self));
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *warning = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  GtkWidget *driver = gtk_label_new (NULL);
  g_autofree char *subtitle = NULL;
  g_autofree char *accessible = NULL;

  subtitle = g_strdup_printf ("%s · %04x:%04x%s", pt_device_get_address (device),
                              pt_device_get_vendor_id (device), pt_device_get_device_id (device),
                              pt_device_is_bridge (device) ? _(" · bridge") : "");
  gtk_box_append (GTK_BOX (box),
                  gtk_image_new_from_icon_name (pt_device_kind_icon_name (pt_device_get_kind (device))));
  gtk_widget_set_hexpand (titles, TRUE);
  gtk_box_append (GTK_BOX (titles), label_new (pt_device_get_title (device), NULL));
  gtk_box_append (GTK_BOX (titles), label_new (subtitle, "pt-subtitle"));
  gtk_box_append (GTK_BOX (box), titles);

  gtk_widget_add_css_class (warning, "warning");
  pt_device_show_host_use (device, warning);
  gtk_box_append (GTK_BOX (box), warning);

  if (vm_label != NULL)
    {
      GtkWidget *vm = gtk_label_new (vm_label);

      gtk_widget_set_valign (vm, GTK_ALIGN_CENTER);
      gtk_label_set_ellipsize (GTK_LABEL (vm), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (vm, "pt-badge");
      gtk_widget_add_css_class (vm, "pt-badge-vm");
      gtk_box_append (GTK_BOX (box), vm);
    }

  gtk_widget_set_valign (driver, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (driver, "pt-badge");
  pt_device_show_driver (device, GTK_LABEL (driver));
  gtk_box_append (GTK_BOX (box), driver);

  gtk_widget_add_css_class (box, "pt-member");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  accessible = g_strdup_printf ("%s, %s%s%s", pt_device_get_title (device), subtitle,
                                vm_label != NULL ? _(", given to ") : "",
                                vm_label != NULL ? vm_label : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", pt_device_get_address (device));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.show-device");
  return row;
}

void
pt_group_card_set_group (PtGroupCard  *self,
                         PtIommuGroup *group)
{
  GListModel *members = pt_iommu_group_get_devices (group);
  g_autofree char *title = g_strdup_printf (_("IOMMU Group %d"), pt_iommu_group_get_number (group));
  g_autofree char *words = pt_iommu_group_dup_state_text (group);
  /* Why there is no Prepare button, when it is the host's own need. */
  g_autofree char *state = !pt_iommu_group_is_viable (group) && pt_iommu_group_is_used_by_host (group)
    ? g_strdup_printf (_("%s · this computer needs it (see the warning signs), so it is not offered"),
                       words)
    : g_strdup (words);
  g_autofree char *accessible = g_strdup_printf ("%s: %s", title, state);
  const char *preparable = pt_iommu_group_get_preparable_member (group);
  GtkWidget *child;
  guint i;

  g_return_if_fail (PT_IS_GROUP_CARD (self));

  gtk_label_set_label (self->title, title);
  gtk_label_set_label (self->state, state);
  gtk_widget_set_css_classes (GTK_WIDGET (self->state),
                              (const char *[]) { "caption",
                                                 pt_iommu_group_is_ready (group) ? "success" : "warning",
                                                 NULL });

  gtk_widget_set_visible (self->prepare, preparable != NULL);
  if (preparable != NULL)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (self->prepare), "s", preparable);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->members))) != NULL)
    gtk_list_box_remove (self->members, child);
  for (i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(PtDevice) device = g_list_model_get_item (members, i);

      gtk_list_box_append (self->members, create_member_row (self, device));
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
}

static void
pt_group_card_dispose (GObject *object)
{
  PtGroupCard *self = (PtGroupCard *) object;

  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (pt_group_card_parent_class)->dispose (object);
}

static void
pt_group_card_class_init (PtGroupCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_group_card_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
pt_group_card_init (PtGroupCard *self)
{
  /* The Prepare button goes under the heading when both do not fit in a
   * row (360 px, longer translations): the heading never clips. */
  GtkWidget *header = pt_reflow_box_new (12);
  GtkWidget *titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->title, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "heading");
  self->state = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->state, 0);
  gtk_label_set_wrap (self->state, TRUE);
  gtk_widget_set_hexpand (titles, TRUE);
  gtk_widget_set_valign (titles, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->title));
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->state));
  pt_reflow_box_append (PT_REFLOW_BOX (header), titles);

  self->prepare = gtk_button_new_with_mnemonic (_("_Prepare for Passthrough…"));
  gtk_widget_set_valign (self->prepare, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (self->prepare, GTK_ALIGN_START);
  gtk_actionable_set_detailed_action_name (GTK_ACTIONABLE (self->prepare), "groups.prepare::");
  pt_reflow_box_append (PT_REFLOW_BOX (header), self->prepare);
  gtk_box_append (GTK_BOX (self->box), header);

  self->members = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->members, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->members), "boxed-list");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->members));
}

GtkWidget *
pt_group_card_new (void)
{
  return g_object_new (PT_TYPE_GROUP_CARD, NULL);
}
