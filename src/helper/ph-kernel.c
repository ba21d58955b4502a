/* ph-kernel.c
 *
 * The installed helper's kernel: real sysfs writes and real programs, with
 * an empty environment apart from a fixed PATH and the C locale, /dev/null
 * as standard input and a session of their own. A tool's output is passed
 * on line by line as it runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "ph-commands.h"
#include "ph-context.h"
#include "ph-files.h"
#include "ph-sysfs.h"
#include "pt-error.h"

gboolean
ph_kernel_write (PhContext   *ctx,
                 const char  *path,
                 const char  *value,
                 GError     **error)
{
  PhSysfsTarget target;
  gsize len = strlen (value);
  ssize_t n;
  int fd;

  if (!ph_sysfs_parse_target (path, value, &target, error))
    return FALSE;

  fd = ph_sysfs_open_target (ctx->root_fd, &target, error);
  if (fd < 0)
    return FALSE;

  do
    n = write (fd, value, len);
  while (n < 0 && errno == EINTR);
  if (n < 0 || (gsize) n != len)
    {
      int saved = n < 0 ? errno : EIO;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "the kernel refused %s: %s", path, g_strerror (saved));
      return FALSE;
    }

  close (fd);
  return TRUE;
}

/* In the child, before the tool starts: the dispositions the helper ignores
 * are the tool's default again, and it runs in a session of its own, so a
 * Ctrl-C meant for the caller never reaches it. */
static void
child_setup (gpointer data)
{
  signal (SIGINT, SIG_DFL);
  signal (SIGTERM, SIG_DFL);
  signal (SIGHUP, SIG_DFL);
  signal (SIGPIPE, SIG_DFL);
  setsid ();
}

gboolean
ph_kernel_run (PhContext          *ctx,
               const char * const *argv,
               char              **output,
               GError            **error)
{
  const char *env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *program = ph_commands_resolve (ctx->root_fd, argv[0]);
  g_autoptr(GPtrArray) full = g_ptr_array_new ();
  g_autoptr(GString) tail = g_string_new (NULL);
  g_autoptr(GString) all = g_string_new (NULL);
  char *line;
  guint i;

  if (!ph_commands_check (argv, error))
    return FALSE;

  if (program == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   "%s is not installed in /usr/sbin, /usr/bin, /sbin or /bin", argv[0]);
      return FALSE;
    }

  g_ptr_array_add (full, program);
  for (i = 1; argv[i] != NULL; i++)
    g_ptr_array_add (full, (char *) argv[i]);
  g_ptr_array_add (full, NULL);

  /* Standard input is /dev/null: a tool that asks a question gets no answer. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_set_environ (launcher, (char **) env);
  g_subprocess_launcher_set_cwd (launcher, "/");
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) full->pdata, error);
  if (process == NULL)
    return FALSE;

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, NULL)) != NULL)
    {
      ph_context_log (ctx, line);
      g_string_append_printf (tail, "%s\n", line);
      if (output != NULL && all->len < 16 * 1024 * 1024)
        g_string_append_printf (all, "%s\n", line);
      if (tail->len > 2048)
        g_string_erase (tail, 0, tail->len - 2048);
      g_free (line);
    }

  if (!g_subprocess_wait (process, NULL, error))
    return FALSE;

  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_FAILED, "%s failed (exit status %d):\n%s",
                   argv[0], g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1,
                   tail->str);
      return FALSE;
    }

  if (output != NULL)
    *output = g_string_free (g_steal_pointer (&all), FALSE);
  return TRUE;
}

void
ph_kernel_step_done (PhContext *ctx)
{
}

void
ph_kernel_plan_made (PhContext *ctx)
{
}
