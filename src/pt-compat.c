/* pt-compat.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-compat.h"

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
