/* pt-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-application.h"
#include "pt-window.h"

struct _PtApplication
{
  AdwApplication parent_instance;

  char *root;
};

G_DEFINE_FINAL_TYPE (PtApplication, pt_application, ADW_TYPE_APPLICATION)

static int
pt_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  PtApplication *self = PT_APPLICATION (app);
  const char *root = NULL;

  if (g_variant_dict_lookup (options, "root", "^&ay", &root))
    {
      g_free (self->root);
      self->root = g_canonicalize_filename (root, NULL);
    }

  return -1;
}

static void
pt_application_activate (GApplication *app)
{
  PtApplication *self = PT_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (pt_window_new (self, self->root));

  gtk_window_present (window);
}

static void
pt_application_finalize (GObject *object)
{
  PtApplication *self = (PtApplication *) object;

  g_clear_pointer (&self->root, g_free);

  G_OBJECT_CLASS (pt_application_parent_class)->finalize (object);
}

static void
pt_application_class_init (PtApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = pt_application_finalize;
  app_class->activate = pt_application_activate;
  app_class->handle_local_options = pt_application_handle_local_options;
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
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
                         NULL);
}

static void
pt_application_init (PtApplication *self)
{
  static const GActionEntry actions[] = {
    { "quit", quit_activated },
    { "about", about_activated },
  };
  const GOptionEntry options[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Read the host from DIR instead of / (a fixture tree)"), N_("DIR") },
    { NULL }
  };
  const char *quit_accels[] = { "<Control>q", NULL };

  self->root = g_strdup ("/");

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
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
