/* pt-window.c
 *
 * The main window: Host, Devices, IOMMU Groups and Virtual Machines as
 * pages of one view stack, with the switcher in the header when there is
 * room and at the bottom when the window is narrow.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-compat.h"
#include "pt-devices-page.h"
#include "pt-groups-page.h"
#include "pt-host-page.h"
#include "pt-saved-connections.h"
#include "pt-vms-page.h"
#if HAVE_POLKIT
#include "pt-helper-permission.h"
#endif
#include "pt-window.h"

struct _PtWindow
{
  AdwApplicationWindow parent_instance;

  PtSession *session;
  GSettings *settings;

  GtkStack *host_stack;
  AdwStatusPage *host_status;
  GtkSpinner *host_spinner;
  GtkWidget *use_this_computer;
  GtkWidget *try_again;
  GtkBox *content_box;
  GtkWidget *header_bar;
  AdwViewStack *view_stack;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar *switcher_bar;
  AdwToastOverlay *toasts;
  GtkSpinner *spinner;
  GtkLockButton *lock_button;
  PtHostPage *host_page;
  PtDevicesPage *devices_page;
  PtGroupsPage *groups_page;
  PtVmsPage *vms_page;

  /* Where Back returns to from a device's details opened on another page
   * (a group card's member), or NULL for the device list. */
  char *back_to;
};

G_DEFINE_FINAL_TYPE (PtWindow, pt_window, ADW_TYPE_APPLICATION_WINDOW)

static void update_subtitle (PtWindow *self);

static void
rescan_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  pt_session_rescan (PT_WINDOW (widget)->session);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PtWindow *self = PT_WINDOW (widget);

  /* The Groups page has the same search; elsewhere it is the devices'. */
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "groups") == 0)
    {
      pt_groups_page_focus_search (self->groups_page);
      return;
    }
  adw_view_stack_set_visible_child_name (self->view_stack, "devices");
  pt_devices_page_focus_search (self->devices_page);
}

static void
page_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  adw_view_stack_set_visible_child_name (PT_WINDOW (widget)->view_stack,
                                         g_variant_get_string (parameter, NULL));
}

/* win.show-device ADDRESS: a device's details, from anywhere (group cards);
 * Back returns to the page it was opened from. */
static void
show_device_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PtWindow *self = PT_WINDOW (widget);
  const char *from = adw_view_stack_get_visible_child_name (self->view_stack);

  if (!pt_devices_page_show_device (self->devices_page, g_variant_get_string (parameter, NULL)))
    return;
  g_free (self->back_to);
  self->back_to = g_strcmp0 (from, "devices") != 0 ? g_strdup (from) : NULL;
  adw_view_stack_set_visible_child_name (self->view_stack, "devices");
}

/* win.back (the details' back button, Escape, Alt+Left): from a device's
 * details to where the user came from. */
static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PtWindow *self = PT_WINDOW (widget);
  g_autofree char *back_to = g_steal_pointer (&self->back_to);

  pt_devices_page_show_list (self->devices_page);
  if (back_to != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, back_to);
}

/* Back is there only while a device's details are in view: otherwise
 * Escape is left to whatever else wants it. */
static void
update_back (PtWindow *self)
{
  const char *page = adw_view_stack_get_visible_child_name (self->view_stack);
  gboolean details = g_strcmp0 (page, "devices") == 0 &&
                     pt_devices_page_get_showing_device (self->devices_page);

  /* Going to another page by hand forgets where the details came from. */
  if (g_strcmp0 (page, "devices") != 0)
    g_clear_pointer (&self->back_to, g_free);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", details);
}

/*
 * The pages show a host once it has been read. Until then, and when another
 * host cannot be reached, this says so: never this computer's devices under
 * another host's name.
 */
static void
update_host_state (PtWindow *self)
{
  PtSession *session = self->session;
  const char *remote = pt_session_get_remote_uri (session);
  const char *failure = remote != NULL ? pt_session_get_connection_error (session) : NULL;
  g_autofree char *name = pt_session_describe_host (session);
  g_autofree char *title = NULL;

  if (pt_session_get_host (session) != NULL || (remote == NULL && pt_session_get_error (session) != NULL))
    {
      update_subtitle (self);
      gtk_stack_set_visible_child_name (self->host_stack, "pages");
      gtk_widget_set_sensitive (GTK_WIDGET (self->switcher_title), TRUE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->switcher_bar), TRUE);
      return;
    }

  update_subtitle (self);
  if (failure != NULL)
    title = g_strdup_printf (_("Cannot Reach %s"), name);
  else if (remote != NULL)
    title = g_strdup_printf (_("Connecting to %s…"), name);
  else
    title = g_strdup (_("Reading This Computer…"));
  adw_status_page_set_title (self->host_status, title);
  adw_status_page_set_description (self->host_status, failure);
  adw_status_page_set_icon_name (self->host_status,
                                 failure != NULL ? "network-error-symbolic" : "network-server-symbolic");
  gtk_widget_set_visible (GTK_WIDGET (self->host_spinner), failure == NULL);
  gtk_widget_set_visible (self->use_this_computer, failure != NULL);
  gtk_widget_set_visible (self->try_again, failure != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->switcher_title), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->switcher_bar), FALSE);
  gtk_stack_set_visible_child_name (self->host_stack, "status");
}

static void
use_this_computer_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  PtWindow *self = PT_WINDOW (widget);

  g_settings_reset (self->settings, "active-connection");
  pt_session_set_uri (self->session, NULL);
}

static void
reconnect_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PtWindow *self = PT_WINDOW (widget);

  pt_session_reconnect (self->session);
}

static void
on_busy (PtWindow *self)
{
  gboolean busy = pt_session_get_busy (self->session);

  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
}

void
pt_window_add_toast (PtWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (PT_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toasts, toast);
}

static void
pt_window_dispose (GObject *object)
{
  PtWindow *self = (PtWindow *) object;

  /* libadwaita 1.2's switchers must let go of the stack before it is gone. */
  if (self->switcher_bar != NULL)
    adw_view_switcher_bar_set_stack (self->switcher_bar, NULL);
  if (self->switcher_title != NULL)
    adw_view_switcher_title_set_stack (self->switcher_title, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), PT_TYPE_WINDOW);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->back_to, g_free);

  G_OBJECT_CLASS (pt_window_parent_class)->dispose (object);
}

static void
pt_window_class_init (PtWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_window_dispose;

  g_type_ensure (PT_TYPE_HOST_PAGE);
  g_type_ensure (PT_TYPE_DEVICES_PAGE);
  g_type_ensure (PT_TYPE_GROUPS_PAGE);
  g_type_ensure (PT_TYPE_VMS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/example/Passthrough/pt-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PtWindow, host_stack);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, host_status);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, host_spinner);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, use_this_computer);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, try_again);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, lock_button);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, host_page);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, devices_page);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, groups_page);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, vms_page);

  gtk_widget_class_install_action (widget_class, "win.rescan", NULL, rescan_action);
  gtk_widget_class_install_action (widget_class, "win.use-this-computer", NULL, use_this_computer_action);
  gtk_widget_class_install_action (widget_class, "win.reconnect", NULL, reconnect_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.page", "s", page_action);
  gtk_widget_class_install_action (widget_class, "win.show-device", "s", show_device_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.rescan", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.page", "s", "host");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.page", "s", "devices");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.page", "s", "groups");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.page", "s", "vms");
}

static void
pt_window_init (PtWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Escape and Alt+Left are Back before any widget sees them (a search
   * entry that kept the focus would take Escape for itself); while Back is
   * disabled the keys go on to the focused widget as usual. */
  {
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();

    gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                            gtk_named_action_new ("win.back")));
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Left, GDK_ALT_MASK),
                                                            gtk_named_action_new ("win.back")));
    gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
  }
  pt_compat_spin_while_mapped (self->host_spinner);

  self->settings = g_settings_new (PT_SETTINGS_SCHEMA);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (self->view_stack, "notify::visible-child-name",
                           G_CALLBACK (update_back), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->devices_page, "notify::showing-device",
                           G_CALLBACK (update_back), self, G_CONNECT_SWAPPED);
  update_back (self);
}

#if HAVE_POLKIT
/* The lock shows whether moving devices will ask for a password; it is
 * polkit's bind-devices action, kept for a while once authorised. Only on
 * this host, as a user: root, the demo and trees from --root have no lock. */
static void
on_permission (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PtWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPermission) permission = pt_helper_permission_new_finish (result, &error);

  if (permission == NULL)
    {
      g_debug ("no polkit permission for the helper: %s", error->message);
      return;
    }
  if (g_permission_get_allowed (permission) && !g_permission_get_can_release (permission))
    return;

  gtk_lock_button_set_permission (self->lock_button, permission);
  gtk_widget_set_visible (GTK_WIDGET (self->lock_button), TRUE);
}
#endif

/* What a dialog did, announced through the session: the window shows it. */
static void
on_announce (PtWindow *self,
             GObject  *toast)
{
  pt_window_add_toast (self, ADW_TOAST (g_object_ref (toast)));
}

/* The header names the host under the app's name: "Demo Host", "Fixture
 * tree DIR", another host, "This Computer (sandboxed)"; this computer
 * itself goes without saying. */
static void
update_subtitle (PtWindow *self)
{
  g_autofree char *host = pt_session_shows_this_computer (self->session)
    ? NULL : pt_session_describe_host (self->session);

  adw_view_switcher_title_set_subtitle (self->switcher_title, host);
}

/* The demo and a fixture tree must never pass for the user's own computer. */
static void
show_identity (PtWindow *self)
{

  if (pt_session_is_demo (self->session))
    {
      gtk_window_set_title (GTK_WINDOW (self), _("Passthrough Demo"));
      gtk_box_insert_child_after (self->content_box,
                                  pt_compat_banner_new (_("Demo: nothing on this computer changes")),
                                  self->header_bar);
    }
  update_subtitle (self);
}

PtWindow *
pt_window_new (GtkApplication *application,
               PtSession     *session)
{
  PtWindow *self = g_object_new (PT_TYPE_WINDOW, "application", application, NULL);
#if HAVE_POLKIT
  PtHelperClient *helper;
#endif

  self->session = g_object_ref (session);
  g_object_set (self->host_page, "session", session, NULL);
  g_object_set (self->devices_page, "session", session, NULL);
  g_object_set (self->groups_page, "session", session, NULL);
  g_object_set (self->vms_page, "session", session, NULL);
  g_signal_connect_object (session, "notify::busy", G_CALLBACK (on_busy), self,
                           G_CONNECT_SWAPPED);
  on_busy (self);
  g_signal_connect_object (session, "notify::host", G_CALLBACK (update_host_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "announce", G_CALLBACK (on_announce), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::error", G_CALLBACK (update_host_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::connection-error", G_CALLBACK (update_host_state), self,
                           G_CONNECT_SWAPPED);
  update_host_state (self);
  show_identity (self);

#if HAVE_POLKIT
  helper = pt_session_get_helper (session);
  if (helper != NULL && pt_helper_client_get_root (helper) == NULL)
    pt_helper_permission_new_async (PT_HELPER_ACTION_BIND_DEVICES, NULL, on_permission,
                                    g_object_ref (self));
#endif

  /* The startup benchmark measures the device list. */
  if (g_getenv ("PASSTHROUGH_STARTUP_BENCHMARK") != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, "devices");

  return self;
}
