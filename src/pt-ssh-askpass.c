/* pt-ssh-askpass.c — ssh's questions asked in the app's window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A qemu+ssh:// connection is libvirt running ssh. Started from the
 * desktop, ssh has no terminal, so a new host's key or a password ends the
 * connection unless $SSH_ASKPASS answers. libvirt passes ssh SSH_ASKPASS
 * and DISPLAY but no other variable, so everything the askpass program
 * needs is in its path: before any thread starts, the app makes a
 * directory only its user can enter, links passthrough-askpass into it and
 * points SSH_ASKPASS at the link; the program connects to "socket" beside
 * itself. The app listens there, shows the question in its window
 * (pt-ssh-prompt-dialog.c) and sends the answer back. The directory goes
 * when the app quits.
 *
 * ssh asks through the terminal instead when the app was started from one,
 * and uses no askpass at all without DISPLAY (OpenSSH's rules).
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <errno.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <string.h>

#include "pt-install-paths.h"
#include "pt-ssh-askpass.h"
#include "pt-ssh-prompt.h"
#include "pt-ssh-prompt-dialog.h"

#define MAX_QUESTION 16384

struct _PtSshAskpass
{
  GObject parent_instance;

  GtkApplication *app;         /* unowned: the app owns this */
  GSocketService *service;
  char *directory;
  GQueue waiting;              /* Exchange: questions that came before any window */
};

G_DEFINE_FINAL_TYPE (PtSshAskpass, pt_ssh_askpass, G_TYPE_OBJECT)

/* The directory made by pt_ssh_askpass_prepare_environment(): the
 * environment is the process's, and so is this. */
static char *prepared_directory;

static char *
askpass_program (void)
{
  const char *uninstalled = g_getenv ("PASSTHROUGH_ASKPASS");

  if (uninstalled != NULL && *uninstalled != '\0')
    return g_strdup (uninstalled);
  return pt_install_path (PT_INSTALLED_ASKPASS);
}

/**
 * pt_ssh_askpass_prepare_environment:
 *
 * Makes the askpass directory and sets SSH_ASKPASS for the ssh that
 * libvirt will run. Call from main() before anything starts a thread
 * (setting the environment is not thread-safe). Does nothing if the
 * askpass program is not installed.
 */
void
pt_ssh_askpass_prepare_environment (void)
{
  g_autofree char *program = askpass_program ();
  g_autofree char *directory = NULL;
  g_autofree char *link = NULL;

  if (prepared_directory != NULL || !g_file_test (program, G_FILE_TEST_IS_EXECUTABLE))
    return;

  directory = g_build_filename (g_get_user_runtime_dir (), "passthrough-askpass-XXXXXX", NULL);
  if (g_mkdtemp_full (directory, 0700) == NULL)
    {
      g_warning ("Cannot make %s (%s): SSH questions will not be asked in the app",
                 directory, g_strerror (errno));
      return;
    }
  link = g_build_filename (directory, "ssh-askpass", NULL);
  if (symlink (program, link) != 0)
    {
      g_warning ("Cannot link %s (%s): SSH questions will not be asked in the app",
                 link, g_strerror (errno));
      g_rmdir (directory);
      return;
    }
  g_setenv ("SSH_ASKPASS", link, TRUE);
  prepared_directory = g_steal_pointer (&directory);
}

typedef struct {
  PtSshAskpass *self;
  GSocketConnection *connection;
  GDataInputStream *in;
  char *question;
  char *answer;
} Exchange;

static void
exchange_free (Exchange *exchange)
{
  if (exchange->answer != NULL)
    {
      memset (exchange->answer, 0, strlen (exchange->answer));
      g_free (exchange->answer);
    }
  g_free (exchange->question);
  g_io_stream_close (G_IO_STREAM (exchange->connection), NULL, NULL);
  g_clear_object (&exchange->in);
  g_clear_object (&exchange->connection);
  g_clear_object (&exchange->self);
  g_free (exchange);
}

static void
answer_sent (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Exchange *exchange = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    g_debug ("ssh did not wait for its answer: %s", error->message);
  exchange_free (exchange);
}

/* 'y' and the answer with its NUL, or 'n' alone. */
static void
send_answer (Exchange *exchange,
             char     *answer)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (exchange->connection));
  gsize size = 1;

  if (answer != NULL)
    {
      gsize length = strlen (answer);

      size = length + 2;
      exchange->answer = g_malloc (size);
      exchange->answer[0] = 'y';
      memcpy (exchange->answer + 1, answer, length + 1);
      memset (answer, 0, length);
      g_free (answer);
    }
  else
    exchange->answer = g_strdup ("n");
  g_output_stream_write_all_async (out, exchange->answer, size, G_PRIORITY_DEFAULT, NULL,
                                   answer_sent, exchange);
}

static void
answered (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Exchange *exchange = user_data;

  send_answer (exchange, pt_ssh_prompt_dialog_ask_finish (result, NULL));
}

static void
ask (Exchange  *exchange,
     GtkWindow *window)
{
  g_autoptr(PtSshPrompt) prompt = pt_ssh_prompt_parse (exchange->question);

  pt_ssh_prompt_dialog_ask (window, prompt, NULL, answered, exchange);
}

/* The app asks while its window is being made (it connects meanwhile). */
static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window,
                 PtSshAskpass   *self)
{
  Exchange *exchange;

  g_signal_handlers_disconnect_by_func (app, on_window_added, self);
  while ((exchange = g_queue_pop_head (&self->waiting)) != NULL)
    ask (exchange, window);
}

static void
question_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Exchange *exchange = user_data;
  PtSshAskpass *self = exchange->self;
  g_autoptr(GError) error = NULL;
  GtkWindow *window;
  gsize length = 0;

  exchange->question = g_data_input_stream_read_upto_finish (exchange->in, result, &length, &error);
  if (exchange->question == NULL || length > MAX_QUESTION)
    {
      send_answer (exchange, NULL);
      return;
    }
  window = gtk_application_get_active_window (self->app);
  if (window != NULL)
    {
      ask (exchange, window);
      return;
    }
  if (g_queue_is_empty (&self->waiting))
    g_signal_connect (self->app, "window-added", G_CALLBACK (on_window_added), self);
  g_queue_push_tail (&self->waiting, exchange);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  Exchange *exchange = g_new0 (Exchange, 1);

  exchange->self = g_object_ref (PT_SSH_ASKPASS (user_data));
  exchange->connection = g_object_ref (connection);
  exchange->in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_read_upto_async (exchange->in, "", 1, G_PRIORITY_DEFAULT, NULL,
                                       question_read, exchange);
  return TRUE;
}

static void
pt_ssh_askpass_dispose (GObject *object)
{
  PtSshAskpass *self = (PtSshAskpass *) object;
  Exchange *exchange;

  /* Quitting before any window: ssh is told no. */
  if (self->app != NULL)
    g_signal_handlers_disconnect_by_func (self->app, on_window_added, self);
  while ((exchange = g_queue_pop_head (&self->waiting)) != NULL)
    send_answer (exchange, NULL);

  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_clear_object (&self->service);
    }
  if (self->directory != NULL)
    {
      g_autofree char *socket_path = g_build_filename (self->directory, "socket", NULL);
      g_autofree char *link = g_build_filename (self->directory, "ssh-askpass", NULL);

      g_unlink (socket_path);
      g_unlink (link);
      g_rmdir (self->directory);
      g_clear_pointer (&self->directory, g_free);
    }

  G_OBJECT_CLASS (pt_ssh_askpass_parent_class)->dispose (object);
}

static void
pt_ssh_askpass_class_init (PtSshAskpassClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pt_ssh_askpass_dispose;
}

static void
pt_ssh_askpass_init (PtSshAskpass *self)
{
}

/**
 * pt_ssh_askpass_new:
 * @app: whose active window shows the questions
 *
 * Listens in the directory pt_ssh_askpass_prepare_environment() made (and
 * removes it when finalized). Without that directory it does nothing.
 */
PtSshAskpass *
pt_ssh_askpass_new (GtkApplication *app)
{
  PtSshAskpass *self = g_object_new (PT_TYPE_SSH_ASKPASS, NULL);
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *socket_path = NULL;
  g_autoptr(GError) error = NULL;

  self->app = app;
  if (prepared_directory == NULL)
    return self;

  self->directory = g_steal_pointer (&prepared_directory);
  socket_path = g_build_filename (self->directory, "socket", NULL);
  address = g_unix_socket_address_new (socket_path);
  self->service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                                      NULL, NULL, &error))
    {
      g_warning ("Cannot listen on %s (%s): SSH questions will not be asked in the app",
                 socket_path, error->message);
      g_clear_object (&self->service);
      return self;
    }
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (self->service);
  return self;
}
