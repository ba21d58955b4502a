/* pt-plan-dialog.c
 *
 * The review of a host change before it is made: what it does, the lines of
 * each file it changes, the commands it runs, the kernel attributes it
 * writes and whether a restart follows. "Apply" asks polkit through the
 * helper, then shows each step and the tools' output as they run. On
 * success the dialog closes and emits ::applied; on failure it stays open
 * with the message and the log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pt-compat.h"
#include "pt-plan-dialog.h"
#include "pt-sandbox.h"

struct _PtPlanDialog
{
  AdwWindow parent_instance;

  PtHelperClient *helper;
  PtHostChange change;
  char *remote_uri;        /* the host it is for, when it is not this computer */
  char *summary;

  GtkWidget *apply_button;
  GtkWidget *cancel_button;
  GtkLabel *message;
  GtkLabel *risks;          /* what applying accepts, when the verdict names risks */
  GtkStack *stack;
  GtkProgressBar *progress;
  GtkTextBuffer *log;
  gulong progress_id;
  gulong output_id;
  gboolean running;
  guint recorded_change;   /* the boot change the helper recorded, or 0 */
};

G_DEFINE_FINAL_TYPE (PtPlanDialog, pt_plan_dialog, ADW_TYPE_WINDOW)

enum {
  APPLIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
disconnect_helper (PtPlanDialog *self)
{
  if (self->helper != NULL)
    {
      g_clear_signal_handler (&self->progress_id, self->helper);
      g_clear_signal_handler (&self->output_id, self->helper);
    }
}

static void
pt_plan_dialog_dispose (GObject *object)
{
  PtPlanDialog *self = (PtPlanDialog *) object;

  disconnect_helper (self);
  g_clear_object (&self->helper);
  g_clear_pointer (&self->remote_uri, g_free);
  g_clear_pointer (&self->summary, g_free);

  G_OBJECT_CLASS (pt_plan_dialog_parent_class)->dispose (object);
}

static gboolean
pt_plan_dialog_close_request (GtkWindow *window)
{
  PtPlanDialog *self = PT_PLAN_DIALOG (window);

  /* A change being made is seen through; the helper cannot be stopped half-way. */
  return self->running;
}

static void
pt_plan_dialog_class_init (PtPlanDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = pt_plan_dialog_dispose;
  window_class->close_request = pt_plan_dialog_close_request;

  /**
   * PtPlanDialog::applied:
   * @summary: what was done
   */
  signals[APPLIED] = g_signal_new ("applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pt_plan_dialog_init (PtPlanDialog *self)
{
}

static void
on_progress (PtHelperClient *helper,
             guint           step,
             guint           n_steps,
             const char     *text,
             PtPlanDialog   *self)
{
  GtkTextIter end;
  g_autofree char *line = g_strdup_printf ("[%u/%u] %s\n", step, n_steps, text);

  gtk_progress_bar_set_fraction (self->progress, n_steps > 0 ? (double) step / n_steps : 0);
  gtk_progress_bar_set_text (self->progress, text);
  gtk_text_buffer_get_end_iter (self->log, &end);
  gtk_text_buffer_insert (self->log, &end, line, -1);
}

static void
on_output (PtHelperClient *helper,
           const char     *text,
           PtPlanDialog   *self)
{
  GtkTextIter end;
  g_autofree char *line = g_strdup_printf ("    %s\n", text);

  gtk_text_buffer_get_end_iter (self->log, &end);
  gtk_text_buffer_insert (self->log, &end, line, -1);
}

static void
applied_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PtPlanDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = pt_helper_client_run_finish (PT_HELPER_CLIENT (source), result, &error);

  self->running = FALSE;
  disconnect_helper (self);
  gtk_widget_set_sensitive (self->cancel_button, TRUE);

  if (error != NULL)
    {
      gtk_label_set_label (self->message, error->message);
      gtk_widget_remove_css_class (GTK_WIDGET (self->message), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->message), "error");
      gtk_widget_set_visible (GTK_WIDGET (self->message), TRUE);
      gtk_button_set_label (GTK_BUTTON (self->cancel_button), _("_Close"));
      return;
    }

  self->recorded_change = pt_helper_client_recorded_change (output);
  g_signal_emit (self, signals[APPLIED], 0, self->summary);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_apply (PtPlanDialog *self)
{
  g_auto(GStrv) helper_args = NULL;

  self->running = TRUE;
  gtk_widget_set_visible (self->apply_button, FALSE);
  gtk_widget_set_sensitive (self->cancel_button, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->message), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "progress");
  gtk_progress_bar_set_text (self->progress, _("Waiting for authentication…"));

  self->progress_id = g_signal_connect (self->helper, "progress", G_CALLBACK (on_progress), self);
  self->output_id = g_signal_connect (self->helper, "output", G_CALLBACK (on_output), self);
  helper_args = pt_host_change_to_argv (&self->change);
  pt_helper_client_run_async (self->helper, (const char * const *) helper_args, NULL,
                              applied_cb, g_object_ref (self));
}

static GtkWidget *
text_view (const char *text,
           const char *accessible_label,
           GtkTextBuffer **buffer)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();

  if (text != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
  if (buffer != NULL)
    *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible_label, -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_widget_set_vexpand (scrolled, TRUE);
  return scrolled;
}

/* Why this host cannot be changed from here, and what to run instead. */
static char *
advice_without_helper (const PtHostChange *change,
                       const char         *remote_uri)
{
  g_autofree char *command = pt_host_change_to_command (change);

  if (remote_uri != NULL)
    return pt_verdict_dup_remote_advice (change, remote_uri);
  return g_strdup_printf (_("This host was opened from a folder, so it cannot be changed from "
                            "here. On the computer itself, this change is:\n\nsudo %s"), command);
}

/**
 * pt_plan_dialog_new:
 * @helper: (nullable): the helper that applies it; %NULL when this host
 *   cannot be changed from here (a tree given with --root, a remote host)
 * @change: the change @plan is the plan of
 * @remote_uri: (nullable): the libvirt URI of the host, when it is not
 *   this computer
 *
 * Returns: (transfer full): a window showing @plan, with Apply, or with
 *   the command that makes the change where it can be made
 */
PtPlanDialog *
pt_plan_dialog_new (PtPlan             *plan,
                    PtHelperClient     *helper,
                    const PtHostChange *change,
                    const char         *remote_uri)
{
  PtPlanDialog *self = g_object_new (PT_TYPE_PLAN_DIALOG,
                                     "modal", TRUE,
                                     "default-width", 640,
                                     "default-height", 520,
                                     "title", _("Review the Change"),
                                     NULL);
  g_autofree char *text = pt_plan_to_text (plan);
  const char *details;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *progress_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *message = gtk_label_new (NULL);
  GtkWidget *summary = gtk_label_new (pt_plan_get_summary (plan));
  gboolean can_apply = helper != NULL && !pt_plan_is_empty (plan);

  self->helper = helper != NULL ? g_object_ref (helper) : NULL;
  self->change = *change;
  self->remote_uri = g_strdup (remote_uri);
  self->summary = g_strdup (pt_plan_get_summary (plan));
  self->message = GTK_LABEL (message);

  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  self->cancel_button = gtk_button_new_with_mnemonic (can_apply ? _("_Cancel") : _("_Close"));
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (gtk_window_close), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->cancel_button);
  self->apply_button = gtk_button_new_with_mnemonic (pt_plan_get_reboot (plan) ? _("_Apply and Restart Later")
                                                                              : _("_Apply"));
  gtk_widget_add_css_class (self->apply_button, "suggested-action");
  gtk_widget_set_visible (self->apply_button, can_apply);
  g_signal_connect_swapped (self->apply_button, "clicked", G_CALLBACK (on_apply), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->apply_button);

  gtk_label_set_wrap (GTK_LABEL (summary), TRUE);
  gtk_label_set_xalign (GTK_LABEL (summary), 0);
  gtk_widget_set_margin_start (summary, 12);
  gtk_widget_set_margin_end (summary, 12);
  gtk_widget_set_margin_top (summary, 12);
  gtk_widget_add_css_class (summary, "title-4");

  gtk_label_set_wrap (GTK_LABEL (message), TRUE);
  gtk_label_set_xalign (GTK_LABEL (message), 0);
  gtk_label_set_selectable (GTK_LABEL (message), TRUE);
  gtk_widget_set_margin_start (message, 12);
  gtk_widget_set_margin_end (message, 12);
  gtk_widget_set_margin_top (message, 12);
  gtk_widget_set_margin_bottom (message, 6);
  gtk_widget_add_css_class (message, "dim-label");
  if (helper == NULL && !pt_plan_is_empty (plan))
    {
      g_autofree char *advice = advice_without_helper (change, remote_uri);

      gtk_label_set_label (GTK_LABEL (message), advice);
    }
  else if (pt_helper_client_get_root (helper) != NULL)
    gtk_label_set_label (GTK_LABEL (message), _("The demo applies this to its own copy of the demo "
                                                "host: nothing on this computer changes."));
  else
    gtk_label_set_label (GTK_LABEL (message), _("Applying asks for an administrator’s password."));

  /* The summary is the dialog's heading already; the text starts after it. */
  details = text;
  if (g_str_has_prefix (details, self->summary))
    details += strlen (self->summary);
  while (*details == '\n')
    details++;

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->stack, text_view (details, _("The planned change"), NULL), "plan");
  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_progress_bar_set_show_text (self->progress, TRUE);
  gtk_widget_set_margin_start (GTK_WIDGET (self->progress), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->progress), 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Progress of the change"), -1);
  gtk_box_append (GTK_BOX (progress_box), GTK_WIDGET (self->progress));
  gtk_box_append (GTK_BOX (progress_box), text_view (NULL, _("What the change did"), &self->log));
  gtk_stack_add_named (self->stack, progress_box, "progress");

  gtk_box_append (GTK_BOX (box), header);
  self->risks = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->risks, TRUE);
  gtk_label_set_xalign (self->risks, 0);
  gtk_widget_set_margin_start (GTK_WIDGET (self->risks), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->risks), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (self->risks), 12);
  gtk_widget_add_css_class (GTK_WIDGET (self->risks), "warning");
  gtk_widget_set_visible (GTK_WIDGET (self->risks), FALSE);

  gtk_box_append (GTK_BOX (box), summary);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->risks));
  gtk_box_append (GTK_BOX (box), message);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));
  adw_window_set_content (ADW_WINDOW (self), box);

  return self;
}

/* What the toast's Undo reviews: the inverse of the change (the opposite
 * device change, or the undo of the boot change the helper says it
 * recorded). Changing the VF count has no Undo (the old count is not known
 * here); the Host page lists boot changes too. Reviewed only once the
 * rescan that follows the change is done, so the plan is made on the host
 * as it is now. */
typedef struct
{
  GtkWidget *window;
  PtSession *session;
  PtHostChange inverse;
} UndoOffer;

static void
undo_offer_clear (gpointer data)
{
  UndoOffer *offer = data;

  g_clear_weak_pointer (&offer->window);
  g_object_unref (offer->session);
}

static void
undo_offer_release (gpointer  data,
                    GClosure *closure)
{
  g_rc_box_release_full (data, undo_offer_clear);
}

static UndoOffer *
undo_offer_new (PtPlanDialog *dialog,
                PtSession    *session)
{
  PtHostChange inverse;
  UndoOffer *offer;

  if (!pt_host_change_inverse (&dialog->change, dialog->recorded_change, &inverse))
    return NULL;
  offer = g_rc_box_new0 (UndoOffer);
  offer->session = g_object_ref (session);
  offer->inverse = inverse;
  return offer;
}

static void
review_undo (UndoOffer *offer)
{
  if (offer->window == NULL)
    return;
  pt_plan_dialog_review (offer->window, offer->session, &offer->inverse);
}

static void
on_rescanned (PtSession  *session,
              GParamSpec *pspec,
              UndoOffer  *offer)
{
  if (pt_session_get_busy (session))
    return;
  g_signal_handlers_disconnect_by_func (session, on_rescanned, offer);
  review_undo (offer);
}

static void
on_undo (AdwToast  *toast,
         UndoOffer *offer)
{
  if (!pt_session_get_busy (offer->session))
    {
      review_undo (offer);
      return;
    }
  g_signal_connect_data (offer->session, "notify::busy", G_CALLBACK (on_rescanned),
                         g_rc_box_acquire (offer), undo_offer_release, 0);
}

static void
forget_toast (AdwToast *toast,
              GObject  *session)
{
  if (g_object_get_data (session, "pt-host-change-toast") == toast)
    g_object_set_data (session, "pt-host-change-toast", NULL);
}

static void
on_applied (PtPlanDialog *dialog,
            const char   *summary,
            PtSession    *session)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));
  /* TRANSLATORS: %s is what the change did, in the review's words */
  g_autofree char *escaped = g_markup_escape_text (summary, -1);
  g_autofree char *title = g_strdup_printf (_("Done: %s"), escaped);
  AdwToast *toast = adw_toast_new (title);
  UndoOffer *offer = undo_offer_new (dialog, session);

  if (offer != NULL && parent != NULL)
    {
      g_set_weak_pointer (&offer->window, GTK_WIDGET (parent));
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_timeout (toast, 10);
      g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_undo), offer,
                             undo_offer_release, 0);
    }
  else if (offer != NULL)
    undo_offer_release (offer, NULL);

  {
    /* A newer change makes the last one's Undo stale: it goes at once. */
    AdwToast *previous = g_object_get_data (G_OBJECT (session), "pt-host-change-toast");

    if (previous != NULL)
      adw_toast_dismiss (previous);
    g_object_set_data (G_OBJECT (session), "pt-host-change-toast", toast);
    g_signal_connect_object (toast, "dismissed", G_CALLBACK (forget_toast), session, 0);
    pt_session_announce (session, G_OBJECT (toast));
  }
  pt_session_rescan (session);
}

/* Shows the review of @plan (of @change) for @session's host, with the
 * risks of @verdict that applying accepts; once applied, the window shows
 * a toast and the host is scanned again. */
static void
present_with_risks (GtkWidget          *widget,
                    PtSession          *session,
                    PtPlan             *plan,
                    const PtHostChange *change,
                    const PtVerdict    *verdict)
{
  PtPlanDialog *dialog = pt_plan_dialog_new (plan, pt_session_get_helper (session), change,
                                             pt_session_get_remote_uri (session));

  /* Applying is accepting the verdict's risks: they are said above the plan. */
  if (verdict != NULL && verdict->risks->len > 0)
    {
      g_autoptr(GString) words = g_string_new (NULL);

      for (guint i = 0; i < verdict->risks->len; i++)
        g_string_append_printf (words, "%s%s", i > 0 ? "\n" : "",
                                (const char *) g_ptr_array_index (verdict->risks, i));
      gtk_label_set_label (dialog->risks, words->str);
      gtk_widget_set_visible (GTK_WIDGET (dialog->risks), TRUE);
    }

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (gtk_widget_get_root (widget)));
  g_signal_connect_object (dialog, "applied", G_CALLBACK (on_applied), session, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * pt_plan_dialog_review:
 * @change: the change to review
 *
 * Plans @change with the core, as the helper will, and opens its review;
 * a change that cannot be planned gets a dialog that says why.
 */
void
pt_plan_dialog_review (GtkWidget          *widget,
                       PtSession          *session,
                       const PtHostChange *change)
{
  PtHost *host = pt_session_get_host (session);
  const char *remote_uri = pt_session_get_remote_uri (session);
  g_autoptr(PtVerdict) verdict = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtRoot) root = NULL;
  g_autoptr(PtPlan) plan = NULL;

  /* Another host's boot files cannot be seen from here: no plan, the
   * command to run. Its device changes are planned from its devices, as
   * passthroughctl --connect does; the review then shows that command
   * instead of Apply. */
  if (remote_uri != NULL && pt_host_change_is_boot (change))
    {
      g_autofree char *advice = pt_verdict_dup_remote_advice (change, remote_uri);

      pt_compat_show_error (widget, _("Make This Change on the Other Computer"), advice);
      return;
    }
  /* Every review asks the verdict, an Undo's too: a VM may run now. */
  if (host != NULL)
    {
      verdict = pt_session_judge_host_change (session, change);
      if (verdict->kind == PT_VERDICT_REFUSED)
        {
          g_autofree char *words = g_strdup_printf ("%s %s", verdict->reason, verdict->remedy);

          pt_compat_show_error (widget, _("The Change Cannot Be Made"), words);
          return;
        }
      root = pt_root_open (remote_uri != NULL ? "/" : pt_host_get_root (host), &error);
    }

  /* The sandbox's /etc is not this computer's: nothing is planned from it. */
  if (root != NULL && remote_uri == NULL && pt_sandbox_is_active (root))
    {
      g_autofree char *command = pt_host_change_to_command (change);
      g_autofree char *advice = pt_sandbox_dup_change_advice (pt_host_get_boot_setup (host), command);

      pt_compat_show_error (widget, _("Install Passthrough to Change This Computer"), advice);
      return;
    }
  if (root != NULL)
    plan = pt_host_change_plan (change, root, host, &error);

  if (plan == NULL)
    {
      pt_compat_show_error (widget, _("The Change Cannot Be Made"),
                            error != NULL ? error->message : _("The host has not been read yet."));
      return;
    }
  present_with_risks (widget, session, plan, change, verdict);
}
