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
#include "pt-error.h"

#define CHANGES_DIR PH_STATE_DIR "/changes"

static int lock_fd = -1;

void
ph_change_free (PhChange *change)
{
  g_free (change->summary);
  g_free (change->time);
  g_free (change->state);
  g_strfreev (change->paths);
  g_free (change);
}

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

static char *
change_path (guint       id,
             const char *name)
{
  return g_strdup_printf (CHANGES_DIR "/%u/%s", id, name);
}

static GKeyFile *
load_change (PhContext *ctx,
             guint      id)
{
  g_autofree char *rel = change_path (id, "change.ini");
  g_autofree char *text = NULL;
  g_autoptr(GKeyFile) file = g_key_file_new ();

  if (!ph_files_read (ctx->root_fd, rel, &text, NULL) || text == NULL ||
      !g_key_file_load_from_data (file, text, -1, G_KEY_FILE_NONE, NULL))
    return NULL;
  return g_steal_pointer (&file);
}

static gboolean
save_change (PhContext  *ctx,
             guint       id,
             GKeyFile   *file,
             GError    **error)
{
  g_autofree char *rel = change_path (id, "change.ini");
  g_autofree char *text = g_key_file_to_data (file, NULL, NULL);

  return ph_files_replace (ctx->root_fd, rel, text, error);
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x > y) - (x < y);
}

/* Change numbers present, ascending. */
static GArray *
list_ids (PhContext *ctx)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint));
  int dir_fd = ph_files_open_dir (ctx->root_fd, CHANGES_DIR, FALSE, NULL);
  g_autoptr(GDir) dir = NULL;
  g_autofree char *path = NULL;
  const char *name;

  if (dir_fd < 0)
    return ids;
  close (dir_fd);

  path = g_build_filename (ctx->root, CHANGES_DIR, NULL);
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      guint64 id;

      if (g_ascii_string_to_unsigned (name, 10, 1, G_MAXINT, &id, NULL))
        {
          guint v = (guint) id;

          g_array_append_val (ids, v);
        }
    }

  g_array_sort (ids, compare_ids);
  return ids;
}

static char *
relative (const char *host_path)
{
  return g_strdup (host_path + 1);
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
  g_autoptr(GArray) ids = list_ids (ctx);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *time = g_date_time_format_iso8601 (now);
  g_autofree char *dir = NULL;
  GPtrArray *snapshots = pt_plan_get_snapshots (plan);
  guint id = ids->len > 0 ? g_array_index (ids, guint, ids->len - 1) + 1 : 1;
  guint i, n_commands = 0;
  int dir_fd;

  for (i = 0; i < pt_plan_get_n_files (plan); i++)
    g_ptr_array_add (paths, g_strdup (pt_plan_get_file (plan, i, NULL, NULL)));
  for (i = 0; i < snapshots->len; i++)
    if (!g_ptr_array_find_with_equal_func (paths, g_ptr_array_index (snapshots, i), g_str_equal, NULL))
      g_ptr_array_add (paths, g_strdup (g_ptr_array_index (snapshots, i)));

  dir = g_strdup_printf (CHANGES_DIR "/%u", id);
  dir_fd = ph_files_open_dir (ctx->root_fd, dir, TRUE, error);
  if (dir_fd < 0)
    return 0;
  close (dir_fd);

  for (i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *rel = relative (path);
      g_autofree char *contents = NULL;
      g_autofree char *group = g_strdup_printf ("file %u", i);

      if (!ph_files_is_editable (path))
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
          g_autofree char *copy = change_path (id, name);

          if (!ph_files_replace (ctx->root_fd, copy, contents, error))
            return 0;
        }
    }

  for (i = 0; i < pt_plan_get_n_commands (plan); i++)
    {
      const char * const *argv = pt_plan_get_command (plan, i);
      g_autofree char *group = NULL;

      if (!ph_commands_is_regenerator (argv[0]))
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
  g_autoptr(GKeyFile) file = load_change (ctx, id);

  if (file == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND, "there is no change %u", id);
      return FALSE;
    }
  g_key_file_set_string (file, "change", "state", state);
  return save_change (ctx, id, file, error);
}

/* The contents file @index of change @id had before it, or NULL if none. */
static gboolean
read_before (PhContext  *ctx,
             GKeyFile   *file,
             guint       id,
             guint       index,
             char      **path,
             char      **contents,
             GError    **error)
{
  g_autofree char *group = g_strdup_printf ("file %u", index);
  g_autofree char *name = g_strdup_printf ("before-%u", index);
  g_autofree char *copy = change_path (id, name);

  *contents = NULL;
  *path = g_key_file_get_string (file, group, "path", NULL);
  if (*path == NULL || !ph_files_is_editable (*path))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT,
                   "the record of change %u is damaged (file %u)", id, index);
      return FALSE;
    }

  if (!g_key_file_get_boolean (file, group, "existed", NULL))
    return TRUE;
  if (!ph_files_read (ctx->root_fd, copy, contents, error))
    return FALSE;
  if (*contents == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT,
                   "the copy of %s from change %u is missing", *path, id);
      return FALSE;
    }
  return TRUE;
}

static GPtrArray *
regenerators (GKeyFile *file)
{
  GPtrArray *commands = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  int i, n = g_key_file_get_integer (file, "change", "regenerate", NULL);

  for (i = 0; i < n && i < 16; i++)
    {
      g_autofree char *group = g_strdup_printf ("regenerate %d", i);
      g_auto(GStrv) argv = g_key_file_get_string_list (file, group, "argv", NULL, NULL);

      if (argv != NULL && ph_commands_check ((const char * const *) argv, NULL) &&
          ph_commands_is_regenerator (argv[0]))
        g_ptr_array_add (commands, g_steal_pointer (&argv));
    }
  return commands;
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
  g_autoptr(GKeyFile) file = load_change (ctx, id);
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

      if (!read_before (ctx, file, id, (guint) i, &path, &contents, error))
        return FALSE;
      rel = relative (path);
      ph_context_step (ctx, "restoring %s", path);
      if (!ph_files_replace (ctx->root_fd, rel, contents, error))
        return FALSE;
    }

  if (!ph_journal_set_state (ctx, id, "rolled-back", error))
    return FALSE;

  commands = regenerators (file);
  for (i = 0; regenerate && i < (int) commands->len; i++)
    {
      const char * const *argv = g_ptr_array_index (commands, i);
      g_autoptr(GError) local = NULL;

      ph_context_step (ctx, "running %s", argv[0]);
      if (!ph_kernel_run (ctx, argv, &local))
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
  g_autoptr(GArray) ids = list_ids (ctx);
  guint i;

  for (i = 0; i < ids->len; i++)
    {
      guint id = g_array_index (ids, guint, i);
      g_autoptr(GKeyFile) file = load_change (ctx, id);
      g_autofree char *state = file != NULL ? g_key_file_get_string (file, "change", "state", NULL) : NULL;

      if (g_strcmp0 (state, "applying") != 0)
        continue;

      /* Whether a regenerator had run is unknown: run them again. */
      ph_context_step (ctx, "change %u was interrupted; rolling it back", id);
      if (!ph_journal_roll_back (ctx, id, TRUE, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * ph_journal_list:
 *
 * Returns: (transfer full) (element-type PhChange): the changes, oldest first
 */
GPtrArray *
ph_journal_list (PhContext *ctx)
{
  g_autoptr(GArray) ids = list_ids (ctx);
  GPtrArray *changes = g_ptr_array_new_with_free_func ((GDestroyNotify) ph_change_free);
  guint i;

  for (i = 0; i < ids->len; i++)
    {
      guint id = g_array_index (ids, guint, i);
      g_autoptr(GKeyFile) file = load_change (ctx, id);
      g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
      PhChange *change;
      int j, n;

      if (file == NULL)
        continue;

      n = g_key_file_get_integer (file, "change", "files", NULL);
      for (j = 0; j < n && j < 4096; j++)
        {
          g_autofree char *group = g_strdup_printf ("file %d", j);

          g_ptr_array_add (paths, g_key_file_get_string (file, group, "path", NULL));
        }
      g_ptr_array_add (paths, NULL);

      change = g_new0 (PhChange, 1);
      change->id = id;
      change->summary = g_key_file_get_string (file, "change", "summary", NULL);
      change->time = g_key_file_get_string (file, "change", "time", NULL);
      change->state = g_key_file_get_string (file, "change", "state", NULL);
      change->paths = (GStrv) g_ptr_array_free (g_steal_pointer (&paths), FALSE);
      g_ptr_array_add (changes, change);
    }

  return changes;
}

/**
 * ph_journal_undo_plan:
 * @from_id: the oldest change to undo; 0 for the latest done one
 * @undone: (out caller-allocates) (element-type guint): the changes undone
 *
 * Returns: (transfer full): the plan that puts the files back as they were
 *   before @from_id and every later change still in effect
 */
PtPlan *
ph_journal_undo_plan (PhContext  *ctx,
                      guint       from_id,
                      GArray     *undone,
                      GError    **error)
{
  g_autoptr(GArray) ids = list_ids (ctx);
  g_autoptr(GHashTable) restore = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) commands = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(PtPlan) plan = NULL;
  int k;
  guint i;

  /* The latest change still in effect, when no number is given. */
  for (k = (int) ids->len - 1; from_id == 0 && k >= 0; k--)
    {
      g_autoptr(GKeyFile) file = load_change (ctx, g_array_index (ids, guint, k));
      g_autofree char *state = file != NULL ? g_key_file_get_string (file, "change", "state", NULL) : NULL;

      if (g_strcmp0 (state, "done") == 0)
        from_id = g_array_index (ids, guint, k);
    }
  if (from_id == 0)
    {
      g_set_error_literal (error, PT_ERROR, PT_ERROR_NOT_FOUND, "there is no change to undo");
      return NULL;
    }

  /* Newest first, so the earliest change's copy of a file wins. */
  for (k = (int) ids->len - 1; k >= 0; k--)
    {
      guint id = g_array_index (ids, guint, k);
      g_autoptr(GKeyFile) file = NULL;
      g_autoptr(GPtrArray) regen = NULL;
      g_autofree char *state = NULL;
      int j, n;

      if (id < from_id)
        break;
      file = load_change (ctx, id);
      state = file != NULL ? g_key_file_get_string (file, "change", "state", NULL) : NULL;
      if (g_strcmp0 (state, "done") != 0)
        {
          if (id == from_id)
            {
              g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                           "change %u is not in effect (%s); “history” lists the changes",
                           id, state != NULL ? state : "missing");
              return NULL;
            }
          continue;
        }

      g_array_append_val (undone, id);
      n = g_key_file_get_integer (file, "change", "files", NULL);
      for (j = 0; j < n; j++)
        {
          g_autofree char *path = NULL;
          g_autofree char *contents = NULL;

          if (!read_before (ctx, file, id, (guint) j, &path, &contents, error))
            return NULL;
          if (!g_hash_table_contains (restore, path))
            g_ptr_array_add (order, g_strdup (path));
          g_hash_table_replace (restore, g_strdup (path), g_steal_pointer (&contents));
        }

      regen = regenerators (file);
      for (i = 0; i < regen->len; i++)
        {
          char **argv = g_ptr_array_index (regen, i);
          g_autofree char *key = g_strjoinv ("\x1f", argv);

          if (!g_hash_table_contains (seen, key))
            {
              g_hash_table_add (seen, g_strdup (key));
              g_ptr_array_add (commands, g_strdupv (argv));
            }
        }
    }

  if (undone->len == 0)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND, "there is no change %u to undo", from_id);
      return NULL;
    }

  plan = pt_plan_new (NULL);
  if (undone->len == 1)
    pt_plan_set_summary_printf (plan, "Undo change %u", from_id);
  else
    pt_plan_set_summary_printf (plan, "Undo changes %u to %u", from_id,
                                g_array_index (undone, guint, 0));
  pt_plan_set_reboot (plan, TRUE);

  for (i = 0; i < order->len; i++)
    {
      const char *path = g_ptr_array_index (order, i);
      g_autofree char *rel = relative (path);
      g_autofree char *now = NULL;

      if (!ph_files_read (ctx->root_fd, rel, &now, error))
        return NULL;
      pt_plan_add_file (plan, path, now, g_hash_table_lookup (restore, path));
      /* A file unchanged now is still recorded, so undoing the undo restores it. */
      if (g_strcmp0 (now, g_hash_table_lookup (restore, path)) == 0)
        pt_plan_add_snapshot (plan, path);
    }
  for (i = 0; i < commands->len; i++)
    pt_plan_add_command (plan, g_ptr_array_index (commands, i));

  return g_steal_pointer (&plan);
}
