/* pt-ssh-prompt-dialog.c — what ssh asks, in the app's words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One dialog per question (pt-ssh-askpass.c receives them): a new host's
 * key fingerprint to trust, a password or a key's passphrase typed hidden,
 * or ssh's own text for anything else. The answer is the reply ssh reads;
 * cancelling answers nothing, and ssh then ends the connection.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pt-compat.h"
#include "pt-ssh-prompt-dialog.h"

typedef struct {
  GTask *task;
  GtkWidget *entry;        /* (nullable) where a secret is typed */
  char *yes;               /* (nullable) the reply to a yes/no question */
  gboolean confirmed;
} Question;

static void
on_confirm (gpointer user_data)
{
  ((Question *) user_data)->confirmed = TRUE;
}

/* After the dialog is gone, whichever way: answer once. */
static void
question_done (gpointer user_data)
{
  Question *question = user_data;
  char *answer = NULL;

  if (question->confirmed && question->yes != NULL)
    answer = g_strdup (question->yes);
  else if (question->confirmed && question->entry != NULL)
    answer = g_strdup (gtk_editable_get_text (GTK_EDITABLE (question->entry)));
  if (question->entry != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (question->entry), "");
      g_object_unref (question->entry);
    }
  g_task_return_pointer (question->task, answer, g_free);
  g_object_unref (question->task);
  g_free (question->yes);
  g_free (question);
}

/* "[127.0.0.1]:2222" is how ssh names a host on another port. */
static char *
host_for_people (const char *host)
{
  const char *close = host[0] == '[' ? strstr (host, "]:") : NULL;

  if (close == NULL)
    return g_strdup (host);
  return g_strdup_printf (_("%.*s, port %s"), (int) (close - host - 1), host + 1, close + 2);
}

/* Selectable, to compare or paste; broken anywhere rather than mid-word. */
static GtkWidget *
fingerprint_label (const char *fingerprint)
{
  GtkWidget *label = gtk_label_new (fingerprint);

  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_CHAR);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (label, "monospace");
  return label;
}

static GtkWidget *
secret_entry (Question *question)
{
  question->entry = g_object_ref_sink (gtk_password_entry_new ());
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (question->entry), TRUE);
  g_object_set (question->entry, "activates-default", TRUE, NULL);
  return question->entry;
}

/**
 * pt_ssh_prompt_dialog_ask:
 * @parent: the window the question belongs to
 *
 * Shows @prompt. Finish with pt_ssh_prompt_dialog_ask_finish().
 */
void
pt_ssh_prompt_dialog_ask (GtkWindow           *parent,
                          const PtSshPrompt   *prompt,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  Question *question = g_new0 (Question, 1);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *host = NULL;
  GtkWidget *extra = NULL;
  const char *confirm_label;

  question->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (question->task, pt_ssh_prompt_dialog_ask);
  question->yes = g_strdup (pt_ssh_prompt_yes (prompt));

  switch (prompt->kind)
    {
    case PT_SSH_PROMPT_HOST_KEY:
      host = host_for_people (prompt->host);
      heading = g_strdup (_("Trust This Host?"));
      /* Translators: the first %s is a host, the second a key type (ED25519);
       * the key's fingerprint (SHA256:…) is shown below this text. */
      body = g_strdup_printf (_("This computer has not connected to %s before. Trust it only if "
                                "the fingerprint of its %s key, below, is the one the host’s "
                                "administrator gave you. SSH remembers a trusted host and "
                                "refuses it if its key ever changes."),
                              host, prompt->key_type);
      extra = fingerprint_label (prompt->fingerprint);
      confirm_label = _("_Trust and Connect");
      break;

    case PT_SSH_PROMPT_PASSWORD:
      heading = g_strdup_printf (_("Password for %s"), prompt->host);
      body = g_strdup (_("SSH asks for this password to reach the host’s virtual machines."));
      extra = secret_entry (question);
      confirm_label = _("_Log In");
      break;

    case PT_SSH_PROMPT_PASSPHRASE:
      heading = g_strdup (_("Unlock SSH Key"));
      /* Translators: %s is a file, e.g. /home/ana/.ssh/id_ed25519. */
      body = g_strdup_printf (_("SSH asks for the passphrase of the key %s."), prompt->key_file);
      extra = secret_entry (question);
      confirm_label = _("_Unlock");
      break;

    case PT_SSH_PROMPT_CONFIRM:
      heading = g_strdup (_("Continue Connecting?"));
      body = g_strdup (prompt->text);
      confirm_label = _("C_ontinue");
      break;

    case PT_SSH_PROMPT_SECRET:
    default:
      heading = g_strdup (_("SSH Asks"));
      body = g_strdup (prompt->text);
      extra = secret_entry (question);
      confirm_label = _("_Send");
      break;
    }

  pt_compat_confirm_with_extra (GTK_WIDGET (parent), heading, body, extra, confirm_label,
                                prompt->kind == PT_SSH_PROMPT_CONFIRM,
                                on_confirm, question, question_done);
  if (question->entry != NULL)
    gtk_widget_grab_focus (question->entry);
}

/**
 * pt_ssh_prompt_dialog_ask_finish:
 *
 * Returns: (transfer full) (nullable): the reply for ssh, or NULL if the
 *   person cancelled
 */
char *
pt_ssh_prompt_dialog_ask_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
