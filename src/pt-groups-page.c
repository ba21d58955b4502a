/* pt-groups-page.c
 *
 * The IOMMU groups: a VM gets a whole group, so each is shown with its
 * members and its state in words ("Ready for passthrough", "2 devices still
 * used by host drivers"), and one action that prepares a group for
 * passthrough (its endpoints to vfio-pci). A list view, because servers
 * have thousands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-device-plan.h"
#include "pt-groups-page.h"
#include "pt-plan-dialog.h"

struct _PtGroupsPage
{
  PtPage parent_instance;

  GtkStack *stack;
  GtkListView *list_view;
  GtkNoSelection *selection;
};

G_DEFINE_FINAL_TYPE (PtGroupsPage, pt_groups_page, PT_TYPE_PAGE)

static void
setup_item (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_list_item_set_child (item, box);
  gtk_list_item_set_activatable (item, FALSE);
}

static PtPlan *
build_bind (PtRoot   *root,
            PtHost   *host,
            gpointer  address,
            GError  **error)
{
  return pt_device_plan_bind (root, host, address, PT_DEVICE_PLAN_NONE, error);
}

static void
on_prepare (GtkButton    *button,
            PtGroupsPage *self)
{
  char *address = g_object_get_data (G_OBJECT (button), "address");
  const char *args[] = { "bind-devices", "bind", address, NULL };

  pt_plan_dialog_review (GTK_WIDGET (self), pt_page_get_session (PT_PAGE (self)), build_bind, address, args);
}

/* A group worth giving to a VM — it has a graphics, audio, network, storage
 * or USB controller — that the host does not use and that is not ready yet. */
static const char *
preparable_member (PtIommuGroup *group)
{
  GListModel *members = pt_iommu_group_get_devices (group);
  guint i;

  if (pt_iommu_group_is_viable (group) || pt_iommu_group_is_used_by_host (group))
    return NULL;
  for (i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(PtDevice) device = g_list_model_get_item (members, i);
      PtDeviceKind kind = pt_device_get_kind (device);

      if (kind != PT_DEVICE_KIND_OTHER && kind != PT_DEVICE_KIND_BRIDGE && !pt_device_is_bridge (device))
        return pt_device_get_address (device);
    }
  return NULL;
}

static void
bind_item (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  PtIommuGroup *group = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *child;
  GtkWidget *heading;
  GtkWidget *state;
  GListModel *members = pt_iommu_group_get_devices (group);
  g_autofree char *title = g_strdup_printf (_("IOMMU Group %d"), pt_iommu_group_get_number (group));
  g_autofree char *state_text = pt_iommu_group_dup_state_text (group);
  g_autofree char *accessible = NULL;
  guint i;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    gtk_box_remove (GTK_BOX (box), child);

  heading = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (box), heading);

  state = gtk_label_new (state_text);
  gtk_label_set_xalign (GTK_LABEL (state), 0);
  gtk_widget_add_css_class (state, pt_iommu_group_is_viable (group) ? "success" : "warning");
  gtk_widget_add_css_class (state, "caption");
  gtk_box_append (GTK_BOX (box), state);

  for (i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(PtDevice) device = g_list_model_get_item (members, i);
      const char *driver = pt_device_get_driver (device);
      g_autofree char *line = g_strdup_printf ("%s  %s  [%s]%s%s",
                                               pt_device_get_address (device),
                                               pt_device_get_device_name (device),
                                               driver != NULL ? driver : _("no driver"),
                                               pt_device_is_bridge (device) ? _(" · bridge") : "",
                                               pt_device_is_used_by_host (device)
                                                 ? _(" · used by this computer") : "");
      GtkWidget *label = gtk_label_new (line);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (box), label);
    }

  if (preparable_member (group) != NULL)
    {
      GtkWidget *prepare = gtk_button_new_with_mnemonic (_("_Prepare for Passthrough…"));

      gtk_widget_set_halign (prepare, GTK_ALIGN_START);
      gtk_widget_set_margin_top (prepare, 4);
      g_object_set_data_full (G_OBJECT (prepare), "address", g_strdup (preparable_member (group)), g_free);
      g_signal_connect_object (prepare, "clicked", G_CALLBACK (on_prepare), user_data, 0);
      gtk_box_append (GTK_BOX (box), prepare);
    }

  accessible = g_strdup_printf ("%s: %s", title, state_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
}

static void
on_host_changed (PtGroupsPage *self)
{
  PtHost *host = pt_session_get_host (pt_page_get_session (PT_PAGE (self)));
  GListModel *groups = host != NULL ? pt_host_get_groups (host) : NULL;

  gtk_no_selection_set_model (self->selection, groups);
  gtk_stack_set_visible_child_name (self->stack,
                                    groups != NULL && g_list_model_get_n_items (groups) > 0
                                      ? "groups" : "empty");
}

static void
pt_groups_page_session_set (PtPage    *page,
                            PtSession *session)
{
  PtGroupsPage *self = PT_GROUPS_PAGE (page);

  g_signal_connect_object (session, "notify::host", G_CALLBACK (on_host_changed), self,
                           G_CONNECT_SWAPPED);
  on_host_changed (self);
}

static void
pt_groups_page_dispose (GObject *object)
{
  PtGroupsPage *self = (PtGroupsPage *) object;

  g_clear_object (&self->selection);

  G_OBJECT_CLASS (pt_groups_page_parent_class)->dispose (object);
}

static void
pt_groups_page_class_init (PtGroupsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pt_groups_page_dispose;
  PT_PAGE_CLASS (klass)->session_set = pt_groups_page_session_set;
}

static void
pt_groups_page_init (PtGroupsPage *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *empty = adw_status_page_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_item), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_item), self);

  self->selection = gtk_no_selection_new (NULL);
  self->list_view = GTK_LIST_VIEW (gtk_list_view_new (g_object_ref (GTK_SELECTION_MODEL (self->selection)),
                                                      factory));
  gtk_widget_add_css_class (GTK_WIDGET (self->list_view), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("IOMMU groups"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->list_view));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "dialog-information-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No IOMMU Groups"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("The IOMMU is off. The Host page says how to turn it on."));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->stack, scrolled, "groups");
  gtk_stack_add_named (self->stack, empty, "empty");
  gtk_widget_set_parent (GTK_WIDGET (self->stack), GTK_WIDGET (self));
}
