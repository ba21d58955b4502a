/* pt-devices-page.c
 *
 * Every PCI function, searchable and filtered by kind, in a GtkListView so
 * that thousands stay smooth. Activating one shows its details.
 *
 * A new host reaches the list a screenful first (as many rows as the
 * window's height holds): GTK 4.8's list view makes 200 rows for a list that
 * long, which took 100 to 900 ms of the main loop at 16,384 functions on a
 * busy machine, and each row made before the first frame delays it. The rest
 * follows a batch at a time from idle, after the frames that show the first
 * ones.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>
#include "pt-device-page.h"
#include "pt-device-row.h"
#include "pt-devices-page.h"
#include "pt-search-query.h"
#include "pt-startup-report.h"

struct _PtDevicesPage
{
  GtkWidget parent_instance;

  PtSearchQuery *query;
  GtkCustomFilter *filter;
  GtkFilterListModel *filtered;
  GtkSliceListModel *shown;     /* what has reached the list view yet */
  GtkNoSelection *selection;
  guint grow_id;

  GtkStack *stack;
  GtkStack *list_stack;
  GtkSearchEntry *search_entry;
  GtkDropDown *kind_dropdown;
  GtkToggleButton *bridges_toggle;
  GtkListView *list_view;
  PtDevicePage *device_page;
};

G_DEFINE_FINAL_TYPE (PtDevicesPage, pt_devices_page, PT_TYPE_PAGE)

enum {
  PROP_0,
  PROP_SHOWING_DEVICE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];


/* The dropdown's entries, in order. */
static const int kind_of_entry[] = {
  -1, PT_DEVICE_KIND_GRAPHICS, PT_DEVICE_KIND_AUDIO, PT_DEVICE_KIND_NETWORK,
  PT_DEVICE_KIND_STORAGE, PT_DEVICE_KIND_USB, PT_DEVICE_KIND_OTHER,
};

static gboolean
match_device (gpointer item,
              gpointer user_data)
{
  PtDevicesPage *self = user_data;
  PtDevice *device = item;
  guint entry = gtk_drop_down_get_selected (self->kind_dropdown);
  PtDeviceKind kind = pt_device_get_kind (device);

  /* The host bridge (class 06 00) counts as a bridge here, as people expect. */
  if ((kind == PT_DEVICE_KIND_BRIDGE || (pt_device_get_class_id (device) >> 8) == 0x0600) &&
      !gtk_toggle_button_get_active (self->bridges_toggle))
    return FALSE;

  if (entry < G_N_ELEMENTS (kind_of_entry) && kind_of_entry[entry] >= 0 &&
      (int) kind != kind_of_entry[entry])
    return FALSE;

  return self->query == NULL || pt_search_query_matches_device (self->query, device);
}

static void
update_empty (PtDevicesPage *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0;

  gtk_stack_set_visible_child_name (self->list_stack, empty ? "empty" : "devices");
}

static void
refilter (PtDevicesPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_empty (self);
}

/* A new search starts at the top of what it found. */
static void
on_search_changed (PtDevicesPage *self)
{
  g_clear_pointer (&self->query, pt_search_query_free);
  self->query = pt_session_new_search_query (pt_page_get_session (PT_PAGE (self)),
                                             gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  refilter (self);
  /* GTK 4.8's way to scroll a list view (setting its adjustment after the
   * model changed makes it warn and ignore it). */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", 0);
}

/* Rows no shorter than this (a device row is about 50 px): the first batch
 * fills the window's height. */
#define ROW_HEIGHT_FLOOR 40
/* What a batch of rows after the first screenful costs in one go. */
#define MORE_ROWS 50
/* From here on GTK 4.8 makes no more rows, and newer GTKs make only what is on
 * screen: the rest goes in at once. */
#define ROWS_MADE 200

/* The tallest monitor's height: what a window that opens maximized gets. */
static int
tallest_monitor (GtkWidget *widget)
{
  GListModel *monitors = gdk_display_get_monitors (gtk_widget_get_display (widget));
  int height = 0;
  guint i;

  for (i = 0; i < g_list_model_get_n_items (monitors); i++)
    {
      g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, i);
      GdkRectangle geometry;

      gdk_monitor_get_geometry (monitor, &geometry);
      height = MAX (height, geometry.height);
    }
  return height;
}

/* Enough rows to fill the window as tall as it is (or will open: maximized,
 * or at its default size), so that its first frame makes no row it does not
 * show. */
static guint
first_rows (PtDevicesPage *self)
{
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self)));
  int width, height = window != NULL ? gtk_widget_get_height (window) : 0;

  if (height <= 0 && GTK_IS_WINDOW (window) && gtk_window_is_maximized (GTK_WINDOW (window)))
    height = tallest_monitor (window);
  /* GTK 4.8 needs both out arguments. */
  if (height <= 0 && GTK_IS_WINDOW (window))
    gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  if (height <= 0)
    height = 1080;
  return height / ROW_HEIGHT_FLOOR + 1;
}

static gboolean
grow_list (gpointer user_data)
{
  PtDevicesPage *self = user_data;
  guint size = gtk_slice_list_model_get_size (self->shown) + MORE_ROWS;

  if (size >= ROWS_MADE || size >= g_list_model_get_n_items (G_LIST_MODEL (self->filtered)))
    {
      gtk_slice_list_model_set_size (self->shown, G_MAXUINT);
      self->grow_id = 0;
      return G_SOURCE_REMOVE;
    }
  gtk_slice_list_model_set_size (self->shown, size);
  return G_SOURCE_CONTINUE;
}

static void
on_host_changed (PtDevicesPage *self)
{
  PtHost *host = pt_session_get_host (pt_page_get_session (PT_PAGE (self)));

  if (host == NULL)
    return;

  /* The first host only: a rescan's host rebinds the rows already made. */
  if (gtk_filter_list_model_get_model (self->filtered) == NULL)
    {
      gtk_slice_list_model_set_size (self->shown, first_rows (self));
      self->grow_id = g_idle_add (grow_list, self);
    }
  gtk_filter_list_model_set_model (self->filtered, pt_host_get_devices (host));
  /* The VMs (and so their titles) may have changed with the host. */
  if (self->query != NULL)
    on_search_changed (self);
  update_empty (self);

  /* build-aux/benchmark.py --ui times the app to the first frame painted
   * with the devices in the list. */
  if (g_getenv ("PASSTHROUGH_STARTUP_BENCHMARK") != NULL)
    pt_startup_report_after_next_paint (GTK_WIDGET (self),
                                        g_list_model_get_n_items (G_LIST_MODEL (self->filtered)));

  /* The details follow the same device into the new snapshot. */
  if (g_str_equal (gtk_stack_get_visible_child_name (self->stack), "details"))
    {
      PtDevice *shown = pt_device_page_get_device (self->device_page);
      PtDevice *fresh = shown != NULL ? pt_host_lookup_device (host, pt_device_get_address (shown))
                                      : NULL;

      if (fresh != NULL)
        pt_device_page_set_device (self->device_page, fresh);
      else
        gtk_stack_set_visible_child_name (self->stack, "list");
    }
}

static void
on_activate (GtkListView   *list_view,
             guint          position,
             PtDevicesPage *self)
{
  g_autoptr(PtDevice) device = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);

  pt_device_page_set_device (self->device_page, device);
  gtk_stack_set_visible_child_name (self->stack, "details");
}

/* Enter in the search opens the first match, as in GNOME's own searches;
 * the entry delays search-changed, so the text typed just now is applied
 * first (the list filters synchronously). */
static void
on_search_activate (PtDevicesPage *self)
{
  on_search_changed (self);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0)
    on_activate (self->list_view, 0, self);
}

/**
 * pt_devices_page_show_list:
 *
 * Leaves a device's details for the list (Back, from win.back).
 */
void
pt_devices_page_show_list (PtDevicesPage *self)
{
  g_return_if_fail (PT_IS_DEVICES_PAGE (self));

  gtk_stack_set_visible_child_name (self->stack, "list");
}

/**
 * pt_devices_page_get_showing_device:
 *
 * Returns: whether a device's details are shown (so Back has somewhere to go)
 */
gboolean
pt_devices_page_get_showing_device (PtDevicesPage *self)
{
  g_return_val_if_fail (PT_IS_DEVICES_PAGE (self), FALSE);

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "details") == 0;
}

static void
on_stack_child (PtDevicesPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOWING_DEVICE]);
}

void
pt_devices_page_focus_search (PtDevicesPage *self)
{
  g_return_if_fail (PT_IS_DEVICES_PAGE (self));

  gtk_stack_set_visible_child_name (self->stack, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/**
 * pt_devices_page_show_device:
 *
 * Opens the details of the device at @address, if the host has it.
 */
gboolean
pt_devices_page_show_device (PtDevicesPage *self,
                             const char    *address)
{
  PtHost *host = pt_session_get_host (pt_page_get_session (PT_PAGE (self)));
  PtDevice *device = host != NULL ? pt_host_lookup_device (host, address) : NULL;

  if (device == NULL)
    return FALSE;

  pt_device_page_set_device (self->device_page, device);
  gtk_stack_set_visible_child_name (self->stack, "details");
  return TRUE;
}

static void
pt_devices_page_session_set (PtPage    *page,
                             PtSession *session)
{
  PtDevicesPage *self = PT_DEVICES_PAGE (page);

  g_object_set (self->device_page, "session", session, NULL);
  g_signal_connect_object (session, "notify::host", G_CALLBACK (on_host_changed), self,
                           G_CONNECT_SWAPPED);
  on_host_changed (self);
}

static void
pt_devices_page_dispose (GObject *object)
{
  PtDevicesPage *self = (PtDevicesPage *) object;

  g_clear_handle_id (&self->grow_id, g_source_remove);
  g_clear_object (&self->selection);
  g_clear_pointer (&self->query, pt_search_query_free);

  G_OBJECT_CLASS (pt_devices_page_parent_class)->dispose (object);
}

static void
pt_devices_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SHOWING_DEVICE:
      g_value_set_boolean (value, pt_devices_page_get_showing_device (PT_DEVICES_PAGE (object)));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_devices_page_class_init (PtDevicesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_devices_page_dispose;
  object_class->get_property = pt_devices_page_get_property;

  properties[PROP_SHOWING_DEVICE] =
    g_param_spec_boolean ("showing-device", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  PT_PAGE_CLASS (klass)->session_set = pt_devices_page_session_set;

  g_type_ensure (PT_TYPE_DEVICE_ROW);
  g_type_ensure (PT_TYPE_DEVICE_PAGE);

  pt_page_class_set_template_from_resource (PT_PAGE_CLASS (klass), "/org/example/Passthrough/pt-devices-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PtDevicesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, PtDevicesPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, PtDevicesPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PtDevicesPage, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PtDevicesPage, bridges_toggle);
  gtk_widget_class_bind_template_child (widget_class, PtDevicesPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, PtDevicesPage, device_page);
}

static void
pt_devices_page_init (PtDevicesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->filter = gtk_custom_filter_new (match_device, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  self->shown = gtk_slice_list_model_new (G_LIST_MODEL (self->filtered), 0, G_MAXUINT);
  self->selection = gtk_no_selection_new (G_LIST_MODEL (self->shown));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->search_entry, "search-changed", G_CALLBACK (on_search_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->kind_dropdown, "notify::selected", G_CALLBACK (refilter), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->bridges_toggle, "toggled", G_CALLBACK (refilter), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list_view, "activate", G_CALLBACK (on_activate), self, 0);
  g_signal_connect_object (self->search_entry, "activate", G_CALLBACK (on_search_activate), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stack, "notify::visible-child-name", G_CALLBACK (on_stack_child),
                           self, G_CONNECT_SWAPPED);
}
