/* passthrough-askpass — ssh's askpass program for the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libvirt reaches a qemu+ssh:// host by running ssh, which, having no
 * terminal, runs $SSH_ASKPASS with its question as the only argument and
 * reads the answer from its standard output. libvirt passes ssh only a few
 * variables (SSH_ASKPASS and DISPLAY among them), so this program finds
 * the app that started the connection from its own name: the app sets
 * SSH_ASKPASS to a link to this program inside a directory only its user
 * can enter, next to the socket the app listens on (pt-ssh-askpass.c).
 *
 * It sends the question, NUL-terminated, and reads one answer: 'y' and the
 * reply up to a NUL (printed, with a newline, for ssh), or 'n' (the user
 * cancelled: exit 1, which ssh takes as "no").
 */

#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <stdio.h>
#include <string.h>

#define MAX_REPLY 4096

static gboolean
ask (const char  *socket_path,
     const char  *question,
     GString     *reply,
     GError     **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (socket_path);
  g_autoptr(GSocketConnection) connection = NULL;
  GOutputStream *out;
  GInputStream *in;
  char byte;
  gssize got;

  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, error);
  if (connection == NULL)
    return FALSE;
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  if (!g_output_stream_write_all (out, question, strlen (question) + 1, NULL, NULL, error))
    return FALSE;

  /* 'y' or 'n', then (after 'y') the reply up to its NUL. */
  got = g_input_stream_read (in, &byte, 1, NULL, error);
  if (got < 0)
    return FALSE;
  if (got == 0 || byte != 'y')
    return TRUE;
  g_string_append_c (reply, 'y');
  while ((got = g_input_stream_read (in, &byte, 1, NULL, error)) == 1 && byte != '\0')
    {
      if (reply->len > MAX_REPLY)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                               "the reply is too long");
          return FALSE;
        }
      g_string_append_c (reply, byte);
    }
  return got == 1;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *directory = NULL;
  g_autofree char *socket_path = NULL;
  g_autoptr(GString) reply = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  if (argc != 2)
    {
      fprintf (stderr, "passthrough-askpass: ssh runs this program with its question; "
                       "the Passthrough app sets that up, it is not run by hand\n");
      return 2;
    }
  directory = g_path_get_dirname (argv[0]);
  socket_path = g_build_filename (directory, "socket", NULL);
  if (!ask (socket_path, argv[1], reply, &error))
    {
      fprintf (stderr, "passthrough-askpass: cannot ask the app (%s)\n", error->message);
      return 2;
    }
  if (reply->len == 0)
    return 1;                   /* cancelled */
  fwrite (reply->str + 1, 1, reply->len - 1, stdout);
  fputc ('\n', stdout);
  return fflush (stdout) == 0 ? 0 : 2;
}
