/* pt-helper-client.c
 *
 * Runs passthrough-helper for the app and passthroughctl: through pkexec
 * (argv, never a shell) when not root, directly as root, one run at a time
 * (later requests wait their turn), asynchronously. Progress comes as the
 * helper prints it: "step K/N: …" lines become the ::progress signal, tool
 * output ("| …") and everything else the ::output signal. Every way it can
 * end — the helper's own exit statuses, pkexec's 126 (dismissed) and 127
 * (not authorised), pkexec or the helper missing, a signal — becomes a
 * PtError whose message says what happened and what to do.
 *
 * For tests and the demo, pt_helper_client_new_for_root() runs the helper's
 * test build (emulated kernel) on a root prefix, without pkexec.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-helper-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pt-error.h"
#include "pt-helper-client.h"
#include "pt-helper-protocol.h"

#define PKEXEC_DISMISSED 126
#define PKEXEC_NOT_AUTHORISED 127

struct _PtHelperClient
{
  GObject parent_instance;

  char *helper;         /* absolute path of the helper binary */
  char *root;           /* NULL: this host, through pkexec unless root */
  GQueue pending;       /* GTask, waiting for their turn */
  GTask *running;
};

typedef struct
{
  GStrv args;
  GSubprocess *process;
  GDataInputStream *stdout_lines;
  GOutputStream *stderr_text;
  GString *result;
  int outstanding;      /* stdout, stderr, wait */
} Run;

G_DEFINE_FINAL_TYPE (PtHelperClient, pt_helper_client, G_TYPE_OBJECT)

enum {
  SIGNAL_PROGRESS,
  SIGNAL_OUTPUT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_next (PtHelperClient *self);

static void
run_free (gpointer data)
{
  Run *run = data;

  g_strfreev (run->args);
  g_clear_object (&run->process);
  g_clear_object (&run->stdout_lines);
  g_clear_object (&run->stderr_text);
  if (run->result != NULL)
    g_string_free (run->result, TRUE);
  g_free (run);
}

static void
pt_helper_client_dispose (GObject *object)
{
  PtHelperClient *self = (PtHelperClient *) object;
  GTask *task;

  while ((task = g_queue_pop_head (&self->pending)) != NULL)
    {
      g_task_return_new_error (task, PT_ERROR, PT_ERROR_CANCELLED, "%s", _("The change was not started."));
      g_object_unref (task);
    }

  G_OBJECT_CLASS (pt_helper_client_parent_class)->dispose (object);
}

static void
pt_helper_client_finalize (GObject *object)
{
  PtHelperClient *self = (PtHelperClient *) object;

  g_free (self->helper);
  g_free (self->root);

  G_OBJECT_CLASS (pt_helper_client_parent_class)->finalize (object);
}

static void
pt_helper_client_class_init (PtHelperClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pt_helper_client_dispose;
  object_class->finalize = pt_helper_client_finalize;

  /**
   * PtHelperClient::progress:
   * @step: the step now running, from 1
   * @n_steps: how many there are (at least @step)
   * @text: what it does, e.g. "running update-grub"
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_STRING);

  /**
   * PtHelperClient::output:
   * @line: a line of a tool's output or of the helper's result
   */
  signals[SIGNAL_OUTPUT] =
    g_signal_new ("output", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
pt_helper_client_init (PtHelperClient *self)
{
  g_queue_init (&self->pending);
}

/**
 * pt_helper_client_new:
 *
 * Returns: a client for the installed helper, which changes this host
 */
PtHelperClient *
pt_helper_client_new (void)
{
  PtHelperClient *self = g_object_new (PT_TYPE_HELPER_CLIENT, NULL);

  self->helper = g_build_filename (LIBEXECDIR, "passthrough-helper", NULL);
  return self;
}

/**
 * pt_helper_client_new_for_root:
 * @test_helper: the helper's test build (passthrough-helper-test)
 * @root: the tree it works on
 *
 * Returns: a client that runs the test build on @root, never through pkexec
 */
PtHelperClient *
pt_helper_client_new_for_root (const char *test_helper,
                               const char *root)
{
  PtHelperClient *self = g_object_new (PT_TYPE_HELPER_CLIENT, NULL);

  self->helper = g_strdup (test_helper);
  self->root = g_strdup (root);
  return self;
}

const char *
pt_helper_client_get_root (PtHelperClient *self)
{
  g_return_val_if_fail (PT_IS_HELPER_CLIENT (self), NULL);
  return self->root;
}

gboolean
pt_helper_client_is_busy (PtHelperClient *self)
{
  g_return_val_if_fail (PT_IS_HELPER_CLIENT (self), FALSE);
  return self->running != NULL;
}

static char *
strip_prefix (const char *message)
{
  g_autofree char *copy = g_strstrip (g_strdup (message != NULL ? message : ""));
  GString *out = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "passthrough-helper: "))
        line += strlen ("passthrough-helper: ");
      g_string_append_printf (out, "%s%s", i > 0 ? "\n" : "", line);
    }
  return g_string_free (out, FALSE);
}

/**
 * pt_helper_client_error_for_status:
 * @status: the exit status of pkexec or of the helper
 * @helper_message: (nullable): what the helper wrote on standard error
 *
 * Returns: (transfer full): the error a person reads, or %NULL for success
 */
GError *
pt_helper_client_error_for_status (int         status,
                                   const char *helper_message)
{
  g_autofree char *detail = strip_prefix (helper_message);
  const char *what;
  int code;

  switch (status)
    {
    case PT_HELPER_EXIT_OK:
      return NULL;
    case PT_HELPER_EXIT_USAGE:
      code = PT_ERROR_INVALID_ARGUMENT;
      what = _("The request was refused and nothing was changed.");
      break;
    case PT_HELPER_EXIT_REFUSED:
      code = PT_ERROR_NOT_SUPPORTED;
      what = _("Nothing was changed.");
      break;
    case PT_HELPER_EXIT_NOT_FOUND:
      code = PT_ERROR_NOT_FOUND;
      what = _("Nothing was changed.");
      break;
    case PT_HELPER_EXIT_ROLLED_BACK:
      code = PT_ERROR_FAILED;
      what = _("The change failed, and what it had done was put back.");
      break;
    case PT_HELPER_EXIT_INCONSISTENT:
      code = PT_ERROR_FAILED;
      what = _("The change failed and could not be fully put back. Read the details, "
               "check the host with “passthroughctl check”, and undo boot changes with "
               "“passthroughctl boot undo”.");
      break;
    case PT_HELPER_EXIT_RECOVERED:
      code = PT_ERROR_FAILED;
      what = _("An earlier change to this host had been interrupted; it was put back first, as "
               "the steps above show. What you asked for was not done: review it and try again.");
      break;
    case PT_HELPER_EXIT_RECOVERY_FAILED:
      code = PT_ERROR_FAILED;
      what = _("An earlier change to this host had been interrupted and could not be fully put "
               "back. Nothing else was done. Read the details, fix the cause, and try again: "
               "every change first finishes putting it back.");
      break;
    case PT_HELPER_EXIT_LOCKED:
      code = PT_ERROR_BUSY;
      what = _("Another change to this host is running. Try again when it has finished.");
      break;
    case PT_HELPER_EXIT_NOT_ROOT:
      code = PT_ERROR_PERMISSION_DENIED;
      what = _("The helper was not started as root. Run it through pkexec.");
      break;
    case PKEXEC_DISMISSED:
      return g_error_new_literal (PT_ERROR, PT_ERROR_CANCELLED,
                                  _("Authentication was dismissed, so nothing was changed."));
    case PKEXEC_NOT_AUTHORISED:
      return g_error_new_literal (PT_ERROR, PT_ERROR_PERMISSION_DENIED,
                                  _("You are not allowed to make this change. Ask an administrator, "
                                    "or sign in as a user who may administer this computer."));
    default:
      code = PT_ERROR_FAILED;
      what = _("The helper stopped unexpectedly. The next change finishes or undoes what it started.");
      break;
    }

  if (detail[0] == '\0')
    return g_error_new_literal (PT_ERROR, code, what);
  return g_error_new (PT_ERROR, code, "%s\n%s", detail, what);
}

static void
finish_run (PtHelperClient *self,
            GTask          *task)
{
  Run *run = g_task_get_task_data (task);
  g_autofree char *errors = NULL;
  GError *error = NULL;
  int status;

  if (--run->outstanding > 0)
    return;

  errors = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (run->stderr_text)),
                      g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (run->stderr_text)));

  if (g_subprocess_get_if_exited (run->process))
    status = g_subprocess_get_exit_status (run->process);
  else
    status = 128 + g_subprocess_get_term_sig (run->process);

  error = pt_helper_client_error_for_status (status, errors);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_string_free (g_steal_pointer (&run->result), FALSE), g_free);

  g_clear_object (&self->running);
  start_next (self);
  g_object_unref (task);
}

static void
handle_line (PtHelperClient *self,
             Run            *run,
             const char     *line)
{
  if (g_str_has_prefix (line, PT_HELPER_STEP_PREFIX))
    {
      guint step = 0, n_steps = 0;
      const char *colon = strchr (line, ':');

      if (sscanf (line + strlen (PT_HELPER_STEP_PREFIX), "%u/%u", &step, &n_steps) == 2 && colon != NULL)
        {
          g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, step, MAX (step, n_steps), colon + 2);
          return;
        }
    }

  if (g_str_has_prefix (line, PT_HELPER_LOG_PREFIX))
    {
      g_signal_emit (self, signals[SIGNAL_OUTPUT], 0, line + strlen (PT_HELPER_LOG_PREFIX));
      return;
    }

  g_string_append_printf (run->result, "%s\n", line);
  g_signal_emit (self, signals[SIGNAL_OUTPUT], 0, line);
}

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  PtHelperClient *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                      result, NULL, NULL);

  if (line == NULL)
    {
      finish_run (self, task);
      return;
    }

  handle_line (self, run, line);
  g_data_input_stream_read_line_async (run->stdout_lines, G_PRIORITY_DEFAULT, NULL, read_line_cb, task);
}

static void
stderr_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, NULL);
  finish_run (g_task_get_source_object (task), task);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  finish_run (g_task_get_source_object (task), task);
}

static GPtrArray *
build_argv (PtHelperClient  *self,
            Run             *run,
            GError         **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  guint i;

  if (!g_file_test (self->helper, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_UNAVAILABLE,
                   _("The privileged helper is not installed at %s. Install Passthrough from your "
                     "distribution or with “meson install”."), self->helper);
      return NULL;
    }

  if (self->root == NULL && geteuid () != 0)
    {
      g_autofree char *pkexec = g_find_program_in_path ("pkexec");

      if (pkexec == NULL)
        {
          g_set_error_literal (error, PT_ERROR, PT_ERROR_UNAVAILABLE,
                               _("pkexec is not installed, so changes cannot be authorised. Install "
                                 "polkit (the package is “pkexec” or “polkit”), or run "
                                 "passthroughctl as root."));
          return NULL;
        }
      g_ptr_array_add (argv, g_steal_pointer (&pkexec));
    }

  g_ptr_array_add (argv, g_strdup (self->helper));
  if (self->root != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--root"));
      g_ptr_array_add (argv, g_strdup (self->root));
    }
  for (i = 0; run->args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (run->args[i]));
  g_ptr_array_add (argv, NULL);
  return g_steal_pointer (&argv);
}

static void
start_next (PtHelperClient *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  GTask *task;
  Run *run;

  if (self->running != NULL || (task = g_queue_pop_head (&self->pending)) == NULL)
    return;

  run = g_task_get_task_data (task);
  argv = build_argv (self, run, &error);
  if (argv != NULL)
    {
      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                            G_SUBPROCESS_FLAGS_STDERR_PIPE);
      run->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
    }

  if (run->process == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      start_next (self);
      return;
    }

  self->running = g_object_ref (task);
  run->outstanding = 3;
  run->stdout_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run->process));
  run->stderr_text = g_memory_output_stream_new_resizable ();
  g_data_input_stream_read_line_async (run->stdout_lines, G_PRIORITY_DEFAULT, NULL, read_line_cb, task);
  g_output_stream_splice_async (run->stderr_text, g_subprocess_get_stderr_pipe (run->process),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, stderr_done_cb, task);
  /* Not cancellable once started: a half-made change is the helper's to finish. */
  g_subprocess_wait_async (run->process, NULL, wait_cb, task);
}

/**
 * pt_helper_client_run_async:
 * @args: the helper's arguments, e.g. {"bind-devices", "bind", "0000:01:00.0", NULL}
 *
 * Queues a run; it starts when the one before it has finished.
 */
void
pt_helper_client_run_async (PtHelperClient      *self,
                            const char * const  *args,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  Run *run;

  g_return_if_fail (PT_IS_HELPER_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pt_helper_client_run_async);
  run = g_new0 (Run, 1);
  run->args = g_strdupv ((char **) args);
  run->result = g_string_new (NULL);
  g_task_set_task_data (task, run, run_free);

  g_queue_push_tail (&self->pending, task);
  start_next (self);
}

/**
 * pt_helper_client_recorded_change:
 * @output: what pt_helper_client_run_finish() returned
 *
 * Returns: the number of the boot change the run recorded, or 0 when it
 *   recorded none (device changes, or nothing to change)
 */
guint
pt_helper_client_recorded_change (const char *output)
{
  g_auto(GStrv) lines = g_strsplit (output != NULL ? output : "", "\n", -1);
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    {
      const char *digits;
      g_autofree char *number = NULL;
      guint64 id = 0;
      gsize n;

      /* "change N recorded…", N a plain positive number: the line
       * PT_HELPER_CHANGE_RECORDED makes. */
      if (!g_str_has_prefix (lines[i], "change "))
        continue;
      digits = lines[i] + strlen ("change ");
      n = strspn (digits, "0123456789");
      number = g_strndup (digits, n);
      if (n > 0 && n < 10 && g_str_has_prefix (digits + n, " recorded") &&
          g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT, &id, NULL))
        return (guint) id;
    }
  return 0;
}

/**
 * pt_helper_client_run_finish:
 *
 * Returns: (transfer full): the helper's result lines (not the progress)
 */
char *
pt_helper_client_run_finish (PtHelperClient  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
