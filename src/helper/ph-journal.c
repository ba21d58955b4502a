/* ph-journal.c
 *
 * Every file change the helper makes is a numbered change under
 * /var/lib/passthrough/changes/N: change.ini (summary, time, state, the
 * files and the commands that regenerate what depends on them) and
 * before-K, a copy of file K as it was. The record is written and synced
 * before the first file is touched, with state "applying"; only when the
 * last step succeeded does the state become "done". A run that finds an
 * "applying" change (power loss, kill -9) rolls it back first: every file
 * is restored from its copy and the regenerators run again.
 *
 * Undo builds a plan that restores, for every file touched by the chosen
 * change or any later one, the copy from the earliest of them; it is itself
 * journalled, so an undo can be undone too.
 *
 * The directory is 0755 and the copies keep no secrets (boot and module
 * configuration, world-readable already), so history needs no privilege.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "ph-commands.h"
#include "ph-files.h"
#include "ph-journal.h"
#include "pt-change-history.h"
#include "pt-error.h"
#include "pt-managed-files.h"


static int lock_fd = -1;

gboolean
ph_journal_lock (PhContext  *ctx,
                 GError    **error)
{
  int dir_fd = ph_files_open_dir (ctx->root_fd, PH_STATE_DIR, TRUE, error);

  if (dir_fd < 0)
    return FALSE;

  lock_fd = openat (dir_fd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  close (dir_fd);
  if (lock_fd < 0)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_FAILED, "cannot open /%s/lock: %s",
                   PH_STATE_DIR, g_strerror (errno));
      return FALSE;
    }

  if (flock (lock_fd, LOCK_EX | LOCK_NB) < 0)
    {
      g_set_error_literal (error, PT_ERROR, PT_ERROR_BUSY,
                           "another change to this host is running; try again when it has finished");
      return FALSE;
    }

  return TRUE;
}



/* The record as the history reads it, through the same root. */
static GKeyFile *
load_change (PhContext *ctx,
             guint      id,
             PtRoot   **root_out)
{
  g_autoptr(PtRoot) root = pt_root_open (ctx->root, NULL);
  GKeyFile *file = root != NULL ? pt_change_history_load (root, id) : NULL;

  if (root_out != NULL)
    *root_out = g_steal_pointer (&root);
  return file;
}

static gboolean
save_change (PhContext  *ctx,
             guint       id,
             GKeyFile   *file,
             GError    **error)
{
  g_autofree char *rel = g_strdup_printf (PT_CHANGE_HISTORY_DIR "/%u/change.ini", id);
  g_autofree char *text = g_key_file_to_data (file, NULL, NULL);

  return ph_files_replace (ctx->root_fd, rel, text, error);
}




/**
 * ph_journal_begin:
 *
 * Records the change before any of it is made: a copy of every file the
 * plan rewrites (and of what its commands rewrite), its regenerators, and
 * the state "applying".
 *
 * Returns: the change's number, 0 with @error set
 */
guint
ph_journal_begin (PhContext  *ctx,
                  PtPlan     *plan,
                  GError    **error)
{
  g_autoptr(PtRoot) root = pt_root_open (ctx->root, error);
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *time = g_date_time_format_iso8601 (now);
  g_autofree char *dir = NULL;
  GPtrArray *snapshots = pt_plan_get_snapshots (plan);
  guint id, i, n_commands = 0;
  int dir_fd;

  if (root == NULL)
    return 0;
  changes = pt_change_history_list (root);
  id = changes->len > 0 ? ((PtChange *) g_ptr_array_index (changes, changes->len - 1))->id + 1 : 1;

  for (i = 0; i < pt_plan_get_n_files (plan); i++)
    g_ptr_array_add (paths, g_strdup (pt_plan_get_file (plan, i, NULL, NULL)));
  for (i = 0; i < snapshots->len; i++)
    if (!g_ptr_array_find_with_equal_func (paths, g_ptr_array_index (snapshots, i), g_str_equal, NULL))
      g_ptr_array_add (paths, g_strdup (g_ptr_array_index (snapshots, i)));

  dir = g_strdup_printf (PT_CHANGE_HISTORY_DIR "/%u", id);
  dir_fd = ph_files_open_dir (ctx->root_fd, dir, TRUE, error);
  if (dir_fd < 0)
    return 0;
  close (dir_fd);

  for (i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *rel = g_strdup (path + 1);
      g_autofree char *contents = NULL;
      g_autofree char *group = g_strdup_printf ("file %u", i);

      if (!pt_managed_file_is_editable (path))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                       "refusing to change %s: not a file this helper manages", path);
          return 0;
        }
      if (!ph_files_read (ctx->root_fd, rel, &contents, error))
        return 0;

      g_key_file_set_string (file, group, "path", path);
      g_key_file_set_boolean (file, group, "existed", contents != NULL);
      if (contents != NULL)
        {
          g_autofree char *name = g_strdup_printf ("before-%u", i);
          g_autofree char *copy = g_strdup_printf (PT_CHANGE_HISTORY_DIR "/%u/%s", id, name);

          if (!ph_files_replace (ctx->root_fd, copy, contents, error))
            return 0;
        }
    }

  for (i = 0; i < pt_plan_get_n_commands (plan); i++)
    {
      const char * const *argv = pt_plan_get_command (plan, i);
      g_autofree char *group = NULL;

      if (!pt_managed_command_is_regenerator (argv[0]))
        continue;

      group = g_strdup_printf ("regenerate %u", n_commands++);
      /* kernelstub without options writes its entries from its restored configuration. */
      if (g_str_equal (argv[0], "kernelstub"))
        {
          const char *bare[] = { "kernelstub", NULL };

          g_key_file_set_string_list (file, group, "argv", bare, 1);
        }
      else
        g_key_file_set_string_list (file, group, "argv", argv, g_strv_length ((char **) argv));
    }

  g_key_file_set_string (file, "change", "summary", pt_plan_get_summary (plan));
  g_key_file_set_string (file, "change", "time", time);
  /* Which boot made it: a change is waiting for a restart until the boot id changes. */
  {
    g_autofree char *boot_id = NULL;

    if (ph_files_read (ctx->root_fd, "proc/sys/kernel/random/boot_id", &boot_id, NULL) && boot_id != NULL)
      g_key_file_set_string (file, "change", "boot-id", g_strstrip (boot_id));
  }
  g_key_file_set_string (file, "change", "state", "applying");
  g_key_file_set_integer (file, "change", "files", (int) paths->len);
  g_key_file_set_integer (file, "change", "regenerate", (int) n_commands);

  if (!save_change (ctx, id, file, error))
    return 0;
  return id;
}

gboolean
ph_journal_set_state (PhContext   *ctx,
                      guint        id,
                      const char  *state,
                      GError     **error)
{
  g_autoptr(GKeyFile) file = load_change (ctx, id, NULL);

  if (file == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND, "there is no change %u", id);
      return FALSE;
    }
  g_key_file_set_string (file, "change", "state", state);
  return save_change (ctx, id, file, error);
}



/**
 * ph_journal_roll_back:
 *
 * @regenerate: run the regenerators again (when one had run with the new files)
 *
 * Puts every file of change @id back as it was, marks the change
 * "rolled-back", and then regenerates what depends on the files. A failing
 * regenerator leaves the files restored; the error names the command to run.
 */
gboolean
ph_journal_roll_back (PhContext  *ctx,
                      guint       id,
                      gboolean    regenerate,
                      GError    **error)
{
  g_autoptr(PtRoot) root = NULL;
  g_autoptr(GKeyFile) file = load_change (ctx, id, &root);
  g_autoptr(GPtrArray) commands = NULL;
  int i, n;

  if (file == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND, "there is no change %u", id);
      return FALSE;
    }

  n = g_key_file_get_integer (file, "change", "files", NULL);
  for (i = 0; i < n; i++)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      g_autofree char *rel = NULL;

      if (!pt_change_history_read_before (root, file, id, (guint) i, &path, &contents, error))
        return FALSE;
      rel = g_strdup (path + 1);
      ph_context_step (ctx, "restoring %s", path);
      if (!ph_files_replace (ctx->root_fd, rel, contents, error))
        return FALSE;
    }

  if (!ph_journal_set_state (ctx, id, "rolled-back", error))
    return FALSE;

  commands = pt_change_history_regenerators (file);
  for (i = 0; regenerate && i < (int) commands->len; i++)
    {
      const char * const *argv = g_ptr_array_index (commands, i);
      g_autoptr(GError) local = NULL;

      ph_context_step (ctx, "running %s", argv[0]);
      if (!ph_kernel_run (ctx, argv, NULL, &local))
        {
          g_autofree char *line = g_strjoinv (" ", (char **) argv);

          g_set_error (error, PT_ERROR, PT_ERROR_FAILED,
                       "the files are back as they were, but regenerating from them failed: %s\n"
                       "Run “%s” as root once the cause is fixed.", local->message, line);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * ph_journal_recover:
 *
 * Rolls back any change a killed run left "applying".
 */
gboolean
ph_journal_recover (PhContext  *ctx,
                    GError    **error)
{
  g_autoptr(PtRoot) root = pt_root_open (ctx->root, error);
  g_autoptr(GPtrArray) changes = NULL;
  guint i;

  if (root == NULL)
    return FALSE;
  changes = pt_change_history_list (root);
  for (i = 0; i < changes->len; i++)
    {
      PtChange *change = g_ptr_array_index (changes, i);
      guint id = change->id;

      if (g_strcmp0 (change->state, "applying") != 0)
        continue;

      /* Whether a regenerator had run is unknown: run them again. */
      ph_context_step (ctx, "change %u was interrupted; rolling it back", id);
      if (!ph_journal_roll_back (ctx, id, TRUE, error))
        return FALSE;
    }

  return TRUE;
}


