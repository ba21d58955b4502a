/* pt-compat.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "pt-compat.h"

/*
 * Without a GPU, GTK's GL renderer runs on Mesa's llvmpipe. On this project's
 * reference machine (Xvfb, no /dev/dri) an empty libadwaita window then peaks
 * at 152 MB, 43 MB of it libLLVM, and GSK_RENDERER=cairo alone does not help,
 * because GDK still opens GL to pick the X visual. With GL off the same window
 * peaks at 31 MB and the cairo renderer draws the first frame sooner.
 *
 * So when no DRM render node can be opened (or Mesa is told to render in
 * software) GL is turned off, unless the user chose a renderer other than
 * cairo or set GDK's GL switches: an explicit choice always wins.
 */
static gboolean
gpu_render_node_usable (void)
{
  const char *software = g_getenv ("LIBGL_ALWAYS_SOFTWARE");
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (software != NULL && !g_str_equal (software, "0") && !g_str_equal (software, "false"))
    return FALSE;

  dir = g_dir_open ("/dev/dri", 0, NULL);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/dev/dri", name, NULL);

      if (g_str_has_prefix (name, "renderD") && g_access (path, R_OK | W_OK) == 0)
        return TRUE;
    }
  return FALSE;
}

void
pt_compat_avoid_software_gl (void)
{
  const char *renderer = g_getenv ("GSK_RENDERER");
  const char *debug = g_getenv ("GDK_DEBUG");
  gboolean gtk_4_16 = gtk_get_major_version () > 4 || gtk_get_minor_version () >= 16;

  if (renderer != NULL && !g_str_equal (renderer, "cairo"))
    return;
  if (g_getenv ("GDK_DISABLE") != NULL || (debug != NULL && strstr (debug, "gl") != NULL))
    return;
  if (gpu_render_node_usable ())
    return;

  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  if (gtk_4_16)
    g_setenv ("GDK_DISABLE", "gl", TRUE);
  else if (debug != NULL && *debug != '\0')
    {
      g_autofree char *flags = g_strconcat (debug, ",gl-disable", NULL);

      g_setenv ("GDK_DEBUG", flags, TRUE);
    }
  else
    g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
}

typedef struct
{
  PtConfirmCallback callback;
  gpointer user_data;
  GDestroyNotify destroy;
} Confirm;

static void
confirm_free (gpointer data)
{
  Confirm *confirm = data;

  if (confirm->destroy != NULL)
    confirm->destroy (confirm->user_data);
  g_free (confirm);
}

static void
on_response (GObject    *dialog,
             const char *response,
             gpointer    user_data)
{
  Confirm *confirm = user_data;

  if (g_str_equal (response, "confirm"))
    confirm->callback (confirm->user_data);
}

static void
confirm_closure_free (gpointer  data,
                      GClosure *closure)
{
  confirm_free (data);
}

#if ADW_CHECK_VERSION (1, 5, 0)

void
pt_compat_show_error (GtkWidget  *parent,
                      const char *heading,
                      const char *body)
{
  AdwDialog *dialog = adw_alert_dialog_new (heading, body);

  adw_alert_dialog_add_response (ADW_ALERT_DIALOG (dialog), "close", _("_Close"));
  adw_dialog_present (dialog, parent);
}

void
pt_compat_confirm (GtkWidget         *parent,
                   const char        *heading,
                   const char        *body,
                   const char        *confirm_label,
                   gboolean           destructive,
                   PtConfirmCallback  callback,
                   gpointer           user_data,
                   GDestroyNotify     destroy)
{
  AdwDialog *dialog = adw_alert_dialog_new (heading, body);
  Confirm *confirm = g_new0 (Confirm, 1);

  confirm->callback = callback;
  confirm->user_data = user_data;
  confirm->destroy = destroy;

  adw_alert_dialog_add_responses (ADW_ALERT_DIALOG (dialog),
                                  "cancel", _("_Cancel"), "confirm", confirm_label, NULL);
  adw_alert_dialog_set_response_appearance (ADW_ALERT_DIALOG (dialog), "confirm",
                                            destructive ? ADW_RESPONSE_DESTRUCTIVE
                                                        : ADW_RESPONSE_SUGGESTED);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_response), confirm,
                         confirm_closure_free, 0);
  adw_dialog_present (dialog, parent);
}

#else

static GtkWindow *
window_of (GtkWidget *parent)
{
  GtkRoot *root = parent != NULL ? gtk_widget_get_root (parent) : NULL;

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

void
pt_compat_show_error (GtkWidget  *parent,
                      const char *heading,
                      const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (window_of (parent), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

void
pt_compat_confirm (GtkWidget         *parent,
                   const char        *heading,
                   const char        *body,
                   const char        *confirm_label,
                   gboolean           destructive,
                   PtConfirmCallback  callback,
                   gpointer           user_data,
                   GDestroyNotify     destroy)
{
  GtkWidget *dialog = adw_message_dialog_new (window_of (parent), heading, body);
  Confirm *confirm = g_new0 (Confirm, 1);

  confirm->callback = callback;
  confirm->user_data = user_data;
  confirm->destroy = destroy;

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "confirm", confirm_label, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "confirm",
                                              destructive ? ADW_RESPONSE_DESTRUCTIVE
                                                          : ADW_RESPONSE_SUGGESTED);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_response), confirm,
                         confirm_closure_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

#endif
