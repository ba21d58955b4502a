/* pt-vms-page.c
 *
 * The virtual machines of the chosen libvirt connection, with the devices
 * each has; a switcher between the saved connections and a way to add one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-attach-dialog.h"
#include "pt-compat.h"
#include "pt-demo-host.h"
#include "pt-saved-connections.h"
#include "pt-vms-page.h"

struct _PtVmsPage
{
  GtkWidget parent_instance;

  GSettings *settings;
  GtkStringList *uris;
  GPtrArray *unsaved_uris;   /* given on the command line (the demo's too) */
  gboolean updating;

  GtkDropDown *connection_dropdown;
  GtkMenuButton *add_button;
  GtkPopover *add_popover;
  GtkDropDown *where_dropdown;
  GtkWidget *ssh_grid;
  GtkEntry *user_entry;
  GtkEntry *host_entry;
  GtkSpinButton *port_spin;
  GtkLabel *uri_label;
  GtkLabel *uri_error;
  GtkButton *forget_button;
  char *pending_uri;         /* added, remembered once it connects */
  GtkButton *connect_button;
  GtkStack *stack;
  GtkSpinner *busy_spinner;
  GtkListBox *vm_list;
  AdwStatusPage *error_page;
};

G_DEFINE_FINAL_TYPE (PtVmsPage, pt_vms_page, PT_TYPE_PAGE)

static void remember_pending (PtVmsPage *self);
static void update_forget    (PtVmsPage *self);


static const char *
state_icon (PtVmState state)
{
  switch (state)
    {
    case PT_VM_STATE_RUNNING:
      return "media-playback-start-symbolic";
    case PT_VM_STATE_PAUSED:
      return "media-playback-pause-symbolic";
    case PT_VM_STATE_SHUT_OFF:
    case PT_VM_STATE_OTHER:
    default:
      return "system-shutdown-symbolic";
    }
}

static const char *
state_words (PtVmState state)
{
  switch (state)
    {
    case PT_VM_STATE_RUNNING:
      return _("Running");
    case PT_VM_STATE_PAUSED:
      return _("Paused");
    case PT_VM_STATE_SHUT_OFF:
      return _("Shut off");
    case PT_VM_STATE_OTHER:
    default:
      return _("Unknown state");
    }
}

static void
on_take_back_clicked (GtkButton *button,
                      PtVmsPage *self)
{
  const char *address = g_object_get_data (G_OBJECT (button), "address");
  PtHost *host = pt_session_get_host (pt_page_get_session (PT_PAGE (self)));
  PtDevice *device = host != NULL ? pt_host_lookup_device (host, address) : NULL;

  if (device != NULL)
    pt_attach_dialog_take_back (GTK_WIDGET (self), pt_page_get_session (PT_PAGE (self)), device);
}

static GtkWidget *
create_vm_row (gpointer item,
               gpointer user_data)
{
  PtVmsPage *self = user_data;
  PtVm *vm = item;
  const char * const *devices = pt_vm_get_devices (vm);
  PtHost *host = pt_session_get_host (pt_page_get_session (PT_PAGE (self)));
  GtkWidget *row = adw_expander_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (state_icon (pt_vm_get_state (vm)));
  guint n = g_strv_length ((char **) devices);
  g_autofree char *subtitle = NULL;
  guint i;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u PCI device",
                                           "%s · %u PCI devices", n),
                              state_words (pt_vm_get_state (vm)), n);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 pt_vm_get_title (vm) != NULL ? pt_vm_get_title (vm)
                                                              : pt_vm_get_name (vm));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  state_words (pt_vm_get_state (vm)), -1);
  adw_expander_row_add_prefix (ADW_EXPANDER_ROW (row), icon);

  for (i = 0; i < n; i++)
    {
      PtDevice *device = host != NULL ? pt_host_lookup_device (host, devices[i]) : NULL;
      GtkWidget *child = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Take Back"));

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (child), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (child),
                                     device != NULL ? pt_device_get_title (device)
                                                    : _("Not on this host"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (child), devices[i]);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_sensitive (button, device != NULL);
      g_object_set_data_full (G_OBJECT (button), "address", g_strdup (devices[i]), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_take_back_clicked), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (child), button);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), child);
    }

  if (n == 0)
    {
      GtkWidget *child = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (child), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (child),
                                     _("No PCI devices: give one from the Devices page"));
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), child);
    }

  return row;
}

static void
update_vms (PtVmsPage *self)
{
  PtConnection *connection = pt_session_get_connection (pt_page_get_session (PT_PAGE (self)));
  const char *error = pt_session_get_connection_error (pt_page_get_session (PT_PAGE (self)));
  GListModel *vms;

  remember_pending (self);
  if (connection == NULL && error != NULL)
    {
      adw_status_page_set_description (self->error_page, error);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  if (connection == NULL || !pt_connection_is_open (connection))
    {
      gtk_stack_set_visible_child_name (self->stack, "connecting");
      return;
    }

  vms = pt_connection_get_vms (connection);
  gtk_list_box_bind_model (self->vm_list, vms, create_vm_row, self, NULL);
  gtk_stack_set_visible_child_name (self->stack,
                                    g_list_model_get_n_items (vms) > 0 ? "vms" : "empty");
}

/* The switcher names the machine; its open list adds the URI beneath. Long
 * URIs are ellipsized so they never make the window wider than a phone. */
static char *
describe_connection (const char *uri)
{
  if (pt_demo_host_is_uri (uri))
    return g_strdup (_("Demo Host"));
  return pt_connection_uri_describe (uri);
}

static void
setup_connection_item (GtkSignalListItemFactory *factory,
                       GtkListItem              *item,
                       gpointer                  with_uri)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *name = gtk_label_new (NULL);

  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (name), 12);
  gtk_box_append (GTK_BOX (box), name);
  if (with_uri != NULL)
    {
      GtkWidget *uri = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (uri), 0);
      gtk_label_set_ellipsize (GTK_LABEL (uri), PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_width_chars (GTK_LABEL (uri), 12);
      gtk_label_set_max_width_chars (GTK_LABEL (uri), 48);
      gtk_widget_add_css_class (uri, "caption");
      gtk_widget_add_css_class (uri, "dim-label");
      gtk_box_append (GTK_BOX (box), uri);
    }
  gtk_list_item_set_child (item, box);
}

static void
bind_connection_item (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      gpointer                  with_uri)
{
  GtkWidget *name = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *uri_label = gtk_widget_get_next_sibling (name);
  const char *uri = gtk_string_object_get_string (gtk_list_item_get_item (item));
  g_autofree char *description = describe_connection (uri);

  gtk_label_set_label (GTK_LABEL (name), description);
  if (uri_label != NULL)
    gtk_label_set_label (GTK_LABEL (uri_label), uri);
}

static GtkListItemFactory *
connection_factory (gboolean with_uri)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_connection_item),
                    GINT_TO_POINTER (with_uri));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_connection_item),
                    GINT_TO_POINTER (with_uri));
  return factory;
}

static void
load_uris (PtVmsPage *self)
{
  g_auto(GStrv) uris = pt_saved_connections_get (self->settings);
  g_autofree char *active = g_settings_get_string (self->settings, "active-connection");
  guint i;

  self->updating = TRUE;
  gtk_string_list_splice (self->uris, 0, g_list_model_get_n_items (G_LIST_MODEL (self->uris)),
                          (const char * const *) uris);
  for (i = 0; i < self->unsaved_uris->len; i++)
    if (!g_strv_contains ((const char * const *) uris, g_ptr_array_index (self->unsaved_uris, i)))
      gtk_string_list_append (self->uris, g_ptr_array_index (self->unsaved_uris, i));
  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->uris)); i++)
    if (g_str_equal (gtk_string_list_get_string (self->uris, i), active))
      gtk_drop_down_set_selected (self->connection_dropdown, i);
  self->updating = FALSE;
}

static void
on_connection_chosen (PtVmsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->connection_dropdown);
  const char *uri = gtk_string_list_get_string (self->uris, selected);

  if (self->updating || uri == NULL)
    return;

  update_forget (self);
  /* Only what is saved is made the next start's connection. */
  if (!g_ptr_array_find_with_equal_func (self->unsaved_uris, uri, g_str_equal, NULL))
    g_settings_set_string (self->settings, "active-connection", uri);
  pt_session_set_uri (pt_page_get_session (PT_PAGE (self)), uri);
}

/* The form's URI, or NULL with @error naming the field to correct. */
static char *
form_uri (PtVmsPage  *self,
          GError    **error)
{
  return pt_connection_uri_build (gtk_drop_down_get_selected (self->where_dropdown) == 1,
                                  gtk_editable_get_text (GTK_EDITABLE (self->user_entry)),
                                  gtk_editable_get_text (GTK_EDITABLE (self->host_entry)),
                                  (guint) gtk_spin_button_get_value_as_int (self->port_spin),
                                  error);
}

/* The URI the fields make, shown live below them, as virt-manager does. */
static void
on_form_edited (PtVmsPage *self)
{
  g_autofree char *uri = form_uri (self, NULL);

  gtk_widget_set_visible (self->ssh_grid, gtk_drop_down_get_selected (self->where_dropdown) == 1);
  gtk_label_set_label (self->uri_label, uri != NULL ? uri : "");
  gtk_widget_set_sensitive (GTK_WIDGET (self->connect_button), uri != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->uri_error), FALSE);
}

/* Saved connections can be forgotten; the built-in ones cannot. */
static void
update_forget (PtVmsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->connection_dropdown);
  const char *uri = gtk_string_list_get_string (self->uris, selected);
  g_auto(GStrv) saved = g_settings_get_strv (self->settings, "connections");

  gtk_widget_set_sensitive (GTK_WIDGET (self->forget_button),
                            uri != NULL && g_strv_contains ((const char * const *) saved, uri));
}

static void
on_forget_clicked (PtVmsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->connection_dropdown);
  g_autofree char *uri = g_strdup (gtk_string_list_get_string (self->uris, selected));
  g_autoptr(GError) error = NULL;

  if (uri == NULL)
    return;
  if (!pt_saved_connections_remove (self->settings, uri, &error))
    {
      pt_compat_show_error (GTK_WIDGET (self), _("The Connection Cannot Be Forgotten"),
                            error->message);
      return;
    }
  /* Back to this computer's, the first one offered. */
  g_settings_set_string (self->settings, "active-connection", "");
  load_uris (self);
  gtk_drop_down_set_selected (self->connection_dropdown, 0);
  on_connection_chosen (self);
}

static void
on_connect_clicked (PtVmsPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = form_uri (self, &error);
  g_auto(GStrv) offered = NULL;
  guint i;

  if (uri == NULL)
    {
      gtk_label_set_label (self->uri_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->uri_error), TRUE);
      return;
    }

  /* Offered for now, remembered only once it connects (update_vms): an
   * address that fails is not kept. */
  offered = pt_saved_connections_get (self->settings);
  if (!g_strv_contains ((const char * const *) offered, uri) &&
      !g_ptr_array_find_with_equal_func (self->unsaved_uris, uri, g_str_equal, NULL))
    g_ptr_array_add (self->unsaved_uris, g_strdup (uri));
  g_free (self->pending_uri);
  self->pending_uri = g_strdup (uri);
  load_uris (self);
  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->uris)); i++)
    if (g_str_equal (gtk_string_list_get_string (self->uris, i), uri))
      {
        self->updating = TRUE;
        gtk_drop_down_set_selected (self->connection_dropdown, i);
        self->updating = FALSE;
      }
  update_forget (self);
  gtk_popover_popdown (self->add_popover);
  pt_session_set_uri (pt_page_get_session (PT_PAGE (self)), uri);
}

/* A connection added with the form is remembered once it opens; one that
 * fails stays offered until the app quits, and is never saved. */
static void
remember_pending (PtVmsPage *self)
{
  PtSession *session = pt_page_get_session (PT_PAGE (self));
  PtConnection *connection = pt_session_get_connection (session);
  g_autoptr(GError) error = NULL;

  if (self->pending_uri == NULL)
    return;
  if (connection != NULL && pt_connection_is_open (connection) &&
      g_str_equal (pt_connection_get_uri (connection), self->pending_uri))
    {
      if (pt_saved_connections_add (self->settings, self->pending_uri, &error))
        g_settings_set_string (self->settings, "active-connection", self->pending_uri);
      else
        g_warning ("could not remember %s: %s", self->pending_uri, error->message);
      g_ptr_array_remove_fast (self->unsaved_uris, self->pending_uri);
      g_clear_pointer (&self->pending_uri, g_free);
      update_forget (self);
    }
  else if (connection == NULL && pt_session_get_connection_error (session) != NULL)
    g_clear_pointer (&self->pending_uri, g_free);
}

/* A connection given on the command line (or the demo's) is shown too. */
static void
select_session_uri (PtVmsPage *self)
{
  PtConnection *connection = pt_session_get_connection (pt_page_get_session (PT_PAGE (self)));
  const char *uri = connection != NULL ? pt_connection_get_uri (connection) : NULL;
  guint i, n = g_list_model_get_n_items (G_LIST_MODEL (self->uris));

  if (uri == NULL)
    return;

  self->updating = TRUE;
  for (i = 0; i < n; i++)
    if (g_str_equal (gtk_string_list_get_string (self->uris, i), uri))
      break;
  if (i == n)
    {
      gtk_string_list_append (self->uris, uri);
      g_ptr_array_add (self->unsaved_uris, g_strdup (uri));
    }
  gtk_drop_down_set_selected (self->connection_dropdown, i);
  self->updating = FALSE;
}

static void
pt_vms_page_session_set (PtPage    *page,
                         PtSession *session)
{
  PtVmsPage *self = PT_VMS_PAGE (page);
  select_session_uri (self);
  g_signal_connect_object (session, "notify::connection", G_CALLBACK (update_vms), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::connection-error", G_CALLBACK (update_vms), self,
                           G_CONNECT_SWAPPED);
  /* Rescans follow every VM change; the rows show the newest state. */
  g_signal_connect_object (session, "notify::host", G_CALLBACK (update_vms), self,
                           G_CONNECT_SWAPPED);
  update_vms (self);
}

static void
pt_vms_page_dispose (GObject *object)
{
  PtVmsPage *self = (PtVmsPage *) object;

  g_clear_object (&self->settings);
  g_clear_object (&self->uris);
  g_clear_pointer (&self->unsaved_uris, g_ptr_array_unref);
  g_clear_pointer (&self->pending_uri, g_free);

  G_OBJECT_CLASS (pt_vms_page_parent_class)->dispose (object);
}

static void
pt_vms_page_class_init (PtVmsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_vms_page_dispose;
  PT_PAGE_CLASS (klass)->session_set = pt_vms_page_session_set;

  pt_page_class_set_template_from_resource (PT_PAGE_CLASS (klass), "/org/example/Passthrough/pt-vms-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, connection_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, add_button);
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, add_popover);
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, where_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, ssh_grid);
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, user_entry);
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, host_entry);
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, port_spin);
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, uri_label);
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, forget_button);
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, uri_error);
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, connect_button);
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, vm_list);
  gtk_widget_class_bind_template_child (widget_class, PtVmsPage, error_page);
}

static void
pt_vms_page_init (PtVmsPage *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));
  pt_compat_spin_while_mapped (self->busy_spinner);

  self->settings = g_settings_new (PT_SETTINGS_SCHEMA);
  self->uris = gtk_string_list_new (NULL);
  self->unsaved_uris = g_ptr_array_new_with_free_func (g_free);
  factory = connection_factory (FALSE);
  gtk_drop_down_set_factory (self->connection_dropdown, factory);
  g_object_unref (factory);
  factory = connection_factory (TRUE);
  gtk_drop_down_set_list_factory (self->connection_dropdown, factory);
  g_object_unref (factory);
  gtk_drop_down_set_model (self->connection_dropdown, G_LIST_MODEL (self->uris));
  load_uris (self);

  g_signal_connect_object (self->connection_dropdown, "notify::selected",
                           G_CALLBACK (on_connection_chosen), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->connect_button, "clicked", G_CALLBACK (on_connect_clicked),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->forget_button, "clicked", G_CALLBACK (on_forget_clicked),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->where_dropdown, "notify::selected", G_CALLBACK (on_form_edited),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->user_entry, "changed", G_CALLBACK (on_form_edited), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->host_entry, "changed", G_CALLBACK (on_form_edited), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->port_spin, "value-changed", G_CALLBACK (on_form_edited), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->user_entry, "activate", G_CALLBACK (on_connect_clicked), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->host_entry, "activate", G_CALLBACK (on_connect_clicked), self,
                           G_CONNECT_SWAPPED);
  on_form_edited (self);
  update_forget (self);
}
