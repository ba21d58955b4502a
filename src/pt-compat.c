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
 * peaks at about 30 MB and the cairo renderer draws the first frame sooner.
 *
 * So when no DRM render node can be opened, or Mesa is told to render in
 * software, GL is turned off: GDK_DEBUG=gl-disable before GTK 4.16,
 * GDK_DISABLE=gl since. An explicit choice always wins: a renderer other
 * than cairo, or one of GDK's own GL switches (gl-egl, gl-glx, gl-gles…).
 * A render node is no proof of hardware GL (Xvfb or ssh -X on a machine with
 * a GPU still end on llvmpipe), so GSK_RENDERER=cairo stays the user's way
 * to get the light path there.
 */
static gboolean
env_is_true (const char *value)
{
  return value != NULL && (g_str_equal (value, "1") || g_ascii_strcasecmp (value, "true") == 0 ||
                           g_ascii_strcasecmp (value, "yes") == 0 ||
                           g_ascii_strcasecmp (value, "y") == 0);
}

static gboolean
render_node_usable (const char *dri_dir)
{
  g_autoptr(GDir) dir = g_dir_open (dri_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dri_dir, name, NULL);

      if (g_str_has_prefix (name, "renderD") && g_access (path, R_OK | W_OK) == 0)
        return TRUE;
    }
  return FALSE;
}

/* GDK's flag lists are separated by any of ":;, \t" (g_parse_debug_string).
 * With @prefix, any flag that starts with it and is not @except counts. */
static gboolean
flags_have (const char *flags,
            const char *flag,
            gboolean    prefix,
            const char *except)
{
  g_auto(GStrv) tokens = g_strsplit_set (flags != NULL ? flags : "", ":;, \t", -1);
  guint i;

  for (i = 0; tokens[i] != NULL; i++)
    if (prefix ? g_str_has_prefix (tokens[i], flag) && g_strcmp0 (tokens[i], except) != 0
               : g_str_equal (tokens[i], flag))
      return TRUE;
  return FALSE;
}

static void
add_flag (GStrvBuilder *changes,
          const char   *name,
          const char   *flags,
          const char   *flag)
{
  g_autofree char *setting = flags != NULL && flags[0] != '\0'
                             ? g_strdup_printf ("%s=%s,%s", name, flags, flag)
                             : g_strdup_printf ("%s=%s", name, flag);

  g_strv_builder_add (changes, setting);
}

/**
 * pt_compat_software_gl_environment:
 * @envp: the environment GTK will start with
 * @dri_dir: where DRM render nodes are (/dev/dri)
 * @gtk_minor: GTK 4's minor version at run time
 *
 * Returns: (transfer full): the NAME=VALUE settings that keep GTK off
 *   software GL, empty when GTK should be left as it is
 */
GStrv
pt_compat_software_gl_environment (const char * const *envp,
                                   const char         *dri_dir,
                                   guint               gtk_minor)
{
  g_autoptr(GStrvBuilder) changes = g_strv_builder_new ();
  const char *renderer = g_environ_getenv ((char **) envp, "GSK_RENDERER");
  const char *debug = g_environ_getenv ((char **) envp, "GDK_DEBUG");
  const char *disable = g_environ_getenv ((char **) envp, "GDK_DISABLE");
  gboolean gl_already_off;

  if (renderer != NULL && renderer[0] != '\0' && !g_str_equal (renderer, "cairo"))
    return g_strv_builder_end (changes);
  if (!env_is_true (g_environ_getenv ((char **) envp, "LIBGL_ALWAYS_SOFTWARE")) &&
      render_node_usable (dri_dir))
    return g_strv_builder_end (changes);

  /* GDK's own GL switches other than "off" are a choice to respect. */
  if (flags_have (debug, "gl-", TRUE, "gl-disable"))
    return g_strv_builder_end (changes);
  gl_already_off = gtk_minor >= 16 ? flags_have (disable, "gl", FALSE, NULL)
                                   : flags_have (debug, "gl-disable", FALSE, NULL);

  if (renderer == NULL || renderer[0] == '\0')
    g_strv_builder_add (changes, "GSK_RENDERER=cairo");
  if (!gl_already_off && gtk_minor >= 16)
    add_flag (changes, "GDK_DISABLE", disable, "gl");
  else if (!gl_already_off)
    add_flag (changes, "GDK_DEBUG", debug, "gl-disable");
  return g_strv_builder_end (changes);
}

/* Before GTK opens the display: the renderer is chosen there. */
void
pt_compat_avoid_software_gl (void)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_auto(GStrv) changes = NULL;
  guint i;

  if (gtk_get_major_version () != 4)
    return;
  changes = pt_compat_software_gl_environment ((const char * const *) envp, "/dev/dri",
                                               gtk_get_minor_version ());
  for (i = 0; changes[i] != NULL; i++)
    {
      g_autofree char *name = g_strndup (changes[i], strcspn (changes[i], "="));

      g_setenv (name, changes[i] + strlen (name) + 1, TRUE);
    }
}

typedef struct
{
  PtConfirmCallback callback;
  gpointer user_data;
  GDestroyNotify destroy;
} Confirm;

/*
 * A spinning GtkSpinner keeps the window's frame clock running, and repaints
 * at the display's rate, even inside a stack page nobody sees: the app drew
 * about 59 frames a second forever, on every page, for the "Scanning" and
 * "Connecting" pages it had left long ago. This one spins only while it is
 * mapped, which a stack child is only while it is the page shown (as
 * libadwaita 1.6's AdwSpinner does by itself).
 */
static void
spin_with_mapping (GtkWidget *spinner)
{
  gtk_spinner_set_spinning (GTK_SPINNER (spinner), gtk_widget_get_mapped (spinner));
}

void
pt_compat_spin_while_mapped (GtkSpinner *spinner)
{
  g_return_if_fail (GTK_IS_SPINNER (spinner));

  spin_with_mapping (GTK_WIDGET (spinner));
  g_signal_connect (spinner, "map", G_CALLBACK (spin_with_mapping), NULL);
  g_signal_connect (spinner, "unmap", G_CALLBACK (spin_with_mapping), NULL);
}

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
pt_compat_confirm_with_extra (GtkWidget         *parent,
                              const char        *heading,
                              const char        *body,
                              GtkWidget         *extra,
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
  /* Enter confirms what is not destructive (an entry that activates the
   * default, as a password's, submits); Escape always cancels. */
  adw_alert_dialog_set_close_response (ADW_ALERT_DIALOG (dialog), "cancel");
  if (!destructive)
    adw_alert_dialog_set_default_response (ADW_ALERT_DIALOG (dialog), "confirm");
  if (extra != NULL)
    adw_alert_dialog_set_extra_child (ADW_ALERT_DIALOG (dialog), extra);
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
pt_compat_confirm_with_extra (GtkWidget         *parent,
                              const char        *heading,
                              const char        *body,
                              GtkWidget         *extra,
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
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  if (!destructive)
    adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "confirm");
  if (extra != NULL)
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), extra);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_response), confirm,
                         confirm_closure_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

#endif

/**
 * pt_compat_confirm:
 *
 * Asks before something that cannot simply be taken back; @callback runs
 * only when the person confirms.
 */
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
  pt_compat_confirm_with_extra (parent, heading, body, NULL, confirm_label, destructive,
                                callback, user_data, destroy);
}

/* A banner across the top of the window's content: AdwBanner from
 * libadwaita 1.3; on 1.2 a box styled like one (style.css, .pt-banner). */
GtkWidget *
pt_compat_banner_new (const char *title)
{
#if ADW_CHECK_VERSION (1, 3, 0)
  GtkWidget *banner = adw_banner_new (title);

  adw_banner_set_revealed (ADW_BANNER (banner), TRUE);
  return banner;
#else
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *label = gtk_label_new (title);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_add_css_class (box, "pt-banner");
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  return box;
#endif
}
