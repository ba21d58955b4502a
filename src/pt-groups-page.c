/* pt-groups-page.c
 *
 * The IOMMU groups: a VM gets a whole group, so each is shown with its
 * members and its state in words ("Ready for passthrough", "2 devices still
 * used by host drivers"), and one action that prepares a group for
 * passthrough (its endpoints to vfio-pci), each on a PtGroupCard. Cards are
 * made only for what is on screen, because servers have thousands of groups:
 * in a one-column GtkGridView, which keeps about 30 of them, not in a
 * GtkListView, which in GTK 4.8 keeps 200 whatever the window shows (200
 * cards took 0.4-0.9 s of CPU and 10 MB more than 30 at 16,384 functions;
 * see build-aux/benchmark.py --ui).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-group-card.h"
#include "pt-groups-page.h"
#include "pt-plan-dialog.h"
#include "pt-search-query.h"

struct _PtGroupsPage
{
  PtPage parent_instance;

  GtkStack *stack;
  GtkSearchEntry *search_entry;
  GtkGridView *grid_view;
  GtkCustomFilter *filter;
  GtkFilterListModel *filtered;
  GtkNoSelection *selection;
  PtSearchQuery *query;
  gboolean stale;     /* the host changed while the page was not shown */
};

G_DEFINE_FINAL_TYPE (PtGroupsPage, pt_groups_page, PT_TYPE_PAGE)

static void
setup_item (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GtkWidget *clamp = adw_clamp_new ();

  gtk_widget_set_margin_top (clamp, 12);
  gtk_widget_set_margin_bottom (clamp, 12);
  gtk_widget_set_margin_start (clamp, 12);
  gtk_widget_set_margin_end (clamp, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), pt_group_card_new ());
  gtk_list_item_set_child (item, clamp);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
bind_item (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  AdwClamp *clamp = ADW_CLAMP (gtk_list_item_get_child (item));

  pt_group_card_set_group (PT_GROUP_CARD (adw_clamp_get_child (clamp)),
                           gtk_list_item_get_item (item));
}

/* groups.prepare ADDRESS, from a group card: review binding that group. */
static void
prepare_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  const char *addresses[] = { g_variant_get_string (parameter, NULL), NULL };
  PtHostChange change;

  if (pt_host_change_init (&change, PT_HOST_CHANGE_BIND, addresses, 0, 0, PT_HOST_CHANGE_FLAGS_NONE, NULL))
    pt_plan_dialog_review (widget, pt_page_get_session (PT_PAGE (widget)), &change);
}

static gboolean
match_group (gpointer item,
             gpointer user_data)
{
  PtGroupsPage *self = user_data;

  return self->query == NULL || pt_search_query_matches_group (self->query, item);
}

static void
update_stack (PtGroupsPage *self)
{
  GListModel *groups = gtk_filter_list_model_get_model (self->filtered);

  if (groups == NULL || g_list_model_get_n_items (groups) == 0)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0)
    gtk_stack_set_visible_child_name (self->stack, "no-match");
  else
    gtk_stack_set_visible_child_name (self->stack, "groups");
}

/* The same search as the Devices page's; a new one starts at the top. */
static void
on_search_changed (PtGroupsPage *self)
{
  g_clear_pointer (&self->query, pt_search_query_free);
  self->query = pt_session_new_search_query (pt_page_get_session (PT_PAGE (self)),
                                             gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_stack (self);
  /* GTK 4.8's way to scroll a list view (setting its adjustment after the
   * model changed makes it warn and ignore it). */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->grid_view), "list.scroll-to-item", "u", 0);
}

/* The cards are made when the page is shown, not at startup, where even a
 * screenful of them would delay the device list. */
static void
on_host_changed (PtGroupsPage *self)
{
  PtHost *host = pt_session_get_host (pt_page_get_session (PT_PAGE (self)));
  GListModel *groups = host != NULL ? pt_host_get_groups (host) : NULL;

  self->stale = !gtk_widget_get_mapped (GTK_WIDGET (self));
  if (self->stale)
    {
      /* Nor does a hidden page keep the previous snapshot alive. */
      gtk_filter_list_model_set_model (self->filtered, NULL);
      return;
    }
  gtk_filter_list_model_set_model (self->filtered, groups);
  /* The VMs (and so their titles) may have changed with the host. */
  if (self->query != NULL)
    on_search_changed (self);
  update_stack (self);
}

void
pt_groups_page_focus_search (PtGroupsPage *self)
{
  g_return_if_fail (PT_IS_GROUPS_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
pt_groups_page_map (GtkWidget *widget)
{
  PtGroupsPage *self = PT_GROUPS_PAGE (widget);

  GTK_WIDGET_CLASS (pt_groups_page_parent_class)->map (widget);
  if (self->stale)
    on_host_changed (self);
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
  g_clear_pointer (&self->query, pt_search_query_free);

  G_OBJECT_CLASS (pt_groups_page_parent_class)->dispose (object);
}

static void
pt_groups_page_class_init (PtGroupsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pt_groups_page_dispose;
  GTK_WIDGET_CLASS (klass)->map = pt_groups_page_map;
  PT_PAGE_CLASS (klass)->session_set = pt_groups_page_session_set;

  gtk_widget_class_install_action (GTK_WIDGET_CLASS (klass), "groups.prepare", "s", prepare_action);
}

static void
pt_groups_page_init (PtGroupsPage *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *empty = adw_status_page_new ();
  GtkWidget *no_match = adw_status_page_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_item), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_item), NULL);

  self->filter = gtk_custom_filter_new (match_group, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  self->selection = gtk_no_selection_new (G_LIST_MODEL (self->filtered));
  self->grid_view = GTK_GRID_VIEW (gtk_grid_view_new (g_object_ref (GTK_SELECTION_MODEL (self->selection)),
                                                      factory));
  gtk_grid_view_set_max_columns (self->grid_view, 1);
  /* No row highlight: the cards' own rows are what one clicks. */
  gtk_widget_add_css_class (GTK_WIDGET (self->grid_view), "pt-cards");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grid_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("IOMMU groups"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->grid_view));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "dialog-information-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No IOMMU Groups"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("The IOMMU is off. The Host page says how to turn it on."));

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (no_match), "edit-find-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (no_match), _("No Matching Groups"));
  adw_status_page_set_description (ADW_STATUS_PAGE (no_match),
                                   _("Try another search: a device, a kind such as gpu, or a group number."));

  self->search_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->search_entry, "placeholder-text",
                _("Search: gpu, 01:00.0, driver, VM, group 14"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Search groups"), -1);
  gtk_widget_set_margin_top (GTK_WIDGET (self->search_entry), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->search_entry), 6);
  gtk_widget_set_margin_start (GTK_WIDGET (self->search_entry), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->search_entry), 12);
  g_signal_connect_object (self->search_entry, "search-changed", G_CALLBACK (on_search_changed),
                           self, G_CONNECT_SWAPPED);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_stack_add_named (self->stack, scrolled, "groups");
  gtk_stack_add_named (self->stack, empty, "empty");
  gtk_stack_add_named (self->stack, no_match, "no-match");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->search_entry));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));
  gtk_widget_set_parent (box, GTK_WIDGET (self));
}
