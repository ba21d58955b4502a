/* pt-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>

#include "pt-application.h"
#include "pt-sandbox.h"
#include "pt-compat.h"
#include "pt-demo-host.h"
#include "pt-saved-connections.h"
#include "pt-ssh-askpass.h"
#include "pt-window.h"

struct _PtApplication
{
  AdwApplication parent_instance;

  char *root;
  char *uri;
  gboolean demo;
  char *demo_copy;     /* the demo's writable copy of its tree, removed at exit */
  PtSshAskpass *askpass;  /* asks what ssh asks, for qemu+ssh:// connections */
  PtSession *session;     /* started at startup, until the window takes it */
};

G_DEFINE_FINAL_TYPE (PtApplication, pt_application, ADW_TYPE_APPLICATION)

/* Quit cleanly on SIGTERM and SIGINT (see pt_application_startup). */
static gboolean
on_quit_signal (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_CONTINUE;
}

static void
remove_demo_host (const char *dir)
{
  const char *argv[] = { "rm", "-rf", "--one-file-system", dir, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

static int
pt_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  PtApplication *self = PT_APPLICATION (app);
  const char *root = NULL;
  const char *uri = NULL;

  if (g_variant_dict_lookup (options, "root", "^&ay", &root))
    {
      g_free (self->root);
      self->root = g_canonicalize_filename (root, NULL);
    }

  if (g_variant_dict_lookup (options, "connect", "&s", &uri))
    {
      g_autoptr(GError) error = NULL;

      if (!pt_connection_uri_validate (uri, &error))
        {
          g_printerr ("passthrough: %s\n", error->message);
          return 2;
        }
      g_free (self->uri);
      self->uri = g_strdup (uri);
    }

  /* The demo host: a fixture tree and a libvirt test-driver host made from
   * it, so every step works without an IOMMU or real VMs. */
  if (g_variant_dict_lookup (options, "demo", "b", &self->demo) && self->demo)
    {
      g_autoptr(GError) error = NULL;

      if (!pt_demo_host_find (&error) ||
          (self->demo_copy = pt_demo_host_copy_tree (&error)) == NULL)
        {
          g_printerr ("passthrough: %s\n", error->message);
          return 2;
        }
      g_free (self->root);
      g_free (self->uri);
      self->root = g_strdup (self->demo_copy);
      self->uri = pt_demo_host_libvirt_uri ();
    }

  return -1;
}

static PtSession *
start_session (PtApplication *self)
{
  g_autoptr(GSettings) settings = g_settings_new (PT_SETTINGS_SCHEMA);
  g_autofree char *saved_uri = g_settings_get_string (settings, "active-connection");

  return pt_session_new (self->root, self->uri != NULL ? self->uri : saved_uri);
}

static void
pt_application_activate (GApplication *app)
{
  PtApplication *self = PT_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      g_autoptr(PtSession) session = g_steal_pointer (&self->session);
      g_autoptr(PtHelperClient) helper = NULL;

      if (session == NULL)
        session = start_session (self);

      /* The installed helper changes this host; a tree from --root is only
       * looked at, and a Flatpak cannot reach a helper on the host (no polkit
       * policy can be installed from a Flatpak): reviews say what to run there. */
      if (self->demo_copy != NULL)
        {
          g_autofree char *demo_helper = pt_demo_host_helper ();

          helper = pt_helper_client_new_for_root (demo_helper, self->demo_copy);
        }
      else if (self->root == NULL && !pt_sandbox_is_flatpak ())
        helper = pt_helper_client_new ();
      pt_session_set_helper (session, helper);
      pt_session_set_demo (session, self->demo_copy != NULL);

      window = GTK_WINDOW (pt_window_new (GTK_APPLICATION (self), session));
    }

  gtk_window_present (window);
}

static void
pt_application_startup (GApplication *app)
{
  PtApplication *self = PT_APPLICATION (app);

  /* The host is read (and libvirt reached) while GTK starts: on a big host
   * the scan is most of the wait for the first window. ssh may ask before
   * that window exists: the askpass listens first and waits for it. */
  self->askpass = pt_ssh_askpass_new (GTK_APPLICATION (app));
  self->session = start_session (self);
  G_APPLICATION_CLASS (pt_application_parent_class)->startup (app);
  /* Quitting on a signal still removes what the app made for itself
   * (the demo's copy, the askpass directory). */
  g_unix_signal_add (SIGTERM, on_quit_signal, self);
  g_unix_signal_add (SIGINT, on_quit_signal, self);
}

static void
pt_application_shutdown (GApplication *app)
{
  PtApplication *self = PT_APPLICATION (app);

  if (self->demo_copy != NULL)
    remove_demo_host (self->demo_copy);
  /* Its directory goes now, even while a question is still open. */
  if (self->askpass != NULL)
    g_object_run_dispose (G_OBJECT (self->askpass));
  g_clear_object (&self->askpass);

  G_APPLICATION_CLASS (pt_application_parent_class)->shutdown (app);
}

static void
pt_application_finalize (GObject *object)
{
  PtApplication *self = (PtApplication *) object;

  g_clear_pointer (&self->demo_copy, g_free);
  g_clear_pointer (&self->root, g_free);
  g_clear_pointer (&self->uri, g_free);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (pt_application_parent_class)->finalize (object);
}

static void
pt_application_class_init (PtApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = pt_application_finalize;
  app_class->startup = pt_application_startup;
  app_class->activate = pt_application_activate;
  app_class->shutdown = pt_application_shutdown;
  app_class->handle_local_options = pt_application_handle_local_options;
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

/* Without a help viewer GTK only says "Operation not supported". */
static void
help_shown (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error) && source != NULL)
    pt_compat_show_error (GTK_WIDGET (source), _("The Help Cannot Be Shown"),
                          _("No help viewer is installed. Install GNOME’s help viewer, Yelp "
                            "(the package is called “yelp” on Debian, Ubuntu, Fedora, openEuler "
                            "and Arch), then press F1 again."));
}

static void
help_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  gtk_show_uri_full (window, "help:passthrough", GDK_CURRENT_TIME, NULL, help_shown, NULL);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { "The Passthrough developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("Passthrough"),
                         "application-icon", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "comments", _("Give PCI devices to virtual machines, safely"),
                         "website", "https://example.org/passthrough",
                         "issue-url", "https://example.org/passthrough/issues",
                         NULL);
}

static void
pt_application_init (PtApplication *self)
{
  static const GActionEntry actions[] = {
    { "quit", quit_activated },
    { "help", help_activated },
    { "about", about_activated },
  };
  const GOptionEntry options[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Read the host from DIR instead of / (a fixture tree)"), N_("DIR") },
    { "connect", 'c', 0, G_OPTION_ARG_STRING, NULL,
      N_("libvirt connection (default: the last one used, qemu:///system at first)"), N_("URI") },
    { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Open the demo host: try everything without an IOMMU"), NULL },
    { NULL }
  };
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *help_accels[] = { "F1", NULL };

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.help", help_accels);
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

PtApplication *
pt_application_new (void)
{
  return g_object_new (PT_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/org/example/Passthrough",
                       NULL);
}

const char *
pt_application_get_root (PtApplication *self)
{
  g_return_val_if_fail (PT_IS_APPLICATION (self), NULL);
  return self->root;
}
