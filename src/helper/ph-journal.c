/* ph-journal.c
 *
 * Every file change the helper makes is a numbered change under
 * /var/lib/passthrough/changes/N: change.ini (summary, time, state, the
 * files and the commands that regenerate what depends on them) and
 * before-K, a copy of file K as it was, and after-K, what the change writes
 * there. The record is written and synced before the first file is touched,
 * with state "applying"; only when the last step succeeded does the state
 * become "done". A run that finds an "applying" change (power loss, kill -9)
 * rolls it back first. Rolling back never hurts: a file is restored only
 * while it still holds what the change wrote (an administrator's later edit
 * is kept and reported, the old copy stays in the journal); the
 * regenerators are the ones the planner derives for this host, never the
 * stored command lines; and the state becomes "rolled-back" only after they
 * succeeded, so a failure or a power cut leaves "applying" for the next run.
 *
 * Undo builds a plan that restores, for every file touched by the chosen
 * change or any later one, the copy from the earliest of them; it is itself
 * journalled (with the changes it undoes), so an undo can be undone too. The
 * undone changes are marked before the undo is marked done: an undo killed
 * in between is rolled back, and they are marked done again.
 *
 * The journal decides what root runs, so it is trusted only while root alone
 * can change it (ph-trust.c). The copies keep their file's mode
 * less group and other write; they hold boot and module configuration,
 * world-readable already, so history needs no privilege.
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

#include "ph-apply.h"
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



/**
 * ph_journal_boot_id:
 *
 * Returns: (nullable): the running boot's id, %NULL where the kernel has none
 */
char *
ph_journal_boot_id (PhContext *ctx)
{
  g_autofree char *text = NULL;

  if (!ph_files_read (ctx->root_fd, "proc/sys/kernel/random/boot_id", &text, NULL) || text == NULL)
    return NULL;
  g_strstrip (text);
  return text[0] != '\0' ? g_steal_pointer (&text) : NULL;
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
                  GArray     *undoes,
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
          g_autofree char *copy = g_strdup_printf (PT_CHANGE_HISTORY_DIR "/%u/before-%u", id, i);

          if (!ph_files_copy (ctx->root_fd, rel, copy, contents, error))
            return 0;
        }

      /* What the change writes, so a roll back can tell it from a later edit
       * (files a command rewrites are not known in advance). */
      if (i < pt_plan_get_n_files (plan))
        {
          const char *after = NULL;

          pt_plan_get_file (plan, i, NULL, &after);
          g_key_file_set_string (file, group, "after", after != NULL ? "written" : "deleted");
          if (after != NULL)
            {
              g_autofree char *copy = g_strdup_printf (PT_CHANGE_HISTORY_DIR "/%u/after-%u", id, i);

              if (!ph_files_copy (ctx->root_fd, contents != NULL ? rel : NULL, copy, after, error))
                return 0;
            }
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
    g_autofree char *boot_id = ph_journal_boot_id (ctx);

    if (boot_id != NULL)
      g_key_file_set_string (file, "change", "boot-id", boot_id);
  }
  if (undoes != NULL && undoes->len > 0)
    g_key_file_set_integer_list (file, "change", "undoes", (int *) undoes->data, undoes->len);
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



/* Restores file @index unless someone edited it after the change wrote it;
 * then it is kept, and @kept says where the old copy is. */
static gboolean
restore_file (PhContext   *ctx,
              PtRoot      *root,
              GKeyFile    *file,
              guint        id,
              guint        index,
              GString     *kept,
              GError     **error)
{
  g_autofree char *group = g_strdup_printf ("file %u", index);
  g_autofree char *wrote = g_key_file_get_string (file, group, "after", NULL);
  g_autofree char *path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *now = NULL;
  g_autofree char *after = NULL;

  if (!pt_change_history_read_before (root, file, id, index, &path, &before, error) ||
      !ph_files_read (ctx->root_fd, path + 1, &now, error))
    return FALSE;
  /* A step either way: the recovery's steps were counted per file. */
  if (g_strcmp0 (now, before) == 0)
    {
      ph_context_step (ctx, "%s is as it was before change %u", path, id);
      return TRUE;
    }

  if (g_strcmp0 (wrote, "written") == 0)
    {
      g_autofree char *copy = g_strdup_printf (PT_CHANGE_HISTORY_DIR "/%u/after-%u", id, index);

      if (!ph_files_read (ctx->root_fd, copy, &after, error))
        return FALSE;
    }
  if (wrote != NULL && g_strcmp0 (now, after) != 0)
    {
      g_string_append_printf (kept, "%s was edited after change %u wrote it, so it was left as it "
                              "is; the version from before the change is /" PT_CHANGE_HISTORY_DIR
                              "/%u/before-%u\n", path, id, id, index);
      ph_context_step (ctx, "keeping %s: it was edited after change %u", path, id);
      return TRUE;
    }

  ph_context_step (ctx, "restoring %s", path);
  return ph_files_replace (ctx->root_fd, path + 1, before, error);
}

/**
 * ph_journal_roll_back:
 * @regenerate: run the regenerators again (when one had run with the new files)
 * @kept: (out) (optional): the files left as an administrator edited them, or %NULL
 *
 * Puts every file of change @id back as it was (unless edited since), runs
 * the regenerators the planner derives for this host, puts the changes an
 * undo had undone back in effect, and only then marks the change
 * "rolled-back". On failure the change stays "applying": the next run tries
 * again.
 */
gboolean
ph_journal_roll_back (PhContext  *ctx,
                      guint       id,
                      gboolean    regenerate,
                      char      **kept,
                      GError    **error)
{
  g_autoptr(PtRoot) root = NULL;
  g_autoptr(GKeyFile) file = load_change (ctx, id, &root);
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GString) kept_files = g_string_new (NULL);
  g_autofree int *undoes = NULL;
  gsize n_undoes = 0;
  int i, n;

  if (file == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND, "there is no change %u", id);
      return FALSE;
    }

  n = g_key_file_get_integer (file, "change", "files", NULL);
  for (i = 0; i < n; i++)
    if (!restore_file (ctx, root, file, id, (guint) i, kept_files, error))
      return FALSE;

  commands = regenerate ? pt_change_history_regenerators (root, file, id, error)
                        : g_ptr_array_new ();
  if (commands == NULL)
    return FALSE;
  for (i = 0; i < (int) commands->len; i++)
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

  undoes = g_key_file_get_integer_list (file, "change", "undoes", &n_undoes, NULL);
  for (i = 0; i < (int) n_undoes; i++)
    {
      g_autoptr(GKeyFile) undone = undoes[i] > 0 ? load_change (ctx, (guint) undoes[i], NULL) : NULL;
      g_autofree char *state = undone != NULL ? g_key_file_get_string (undone, "change", "state", NULL)
                                              : NULL;

      if (g_strcmp0 (state, "undone") == 0 && !ph_journal_set_state (ctx, (guint) undoes[i], "done", error))
        return FALSE;
    }

  if (!ph_journal_set_state (ctx, id, "rolled-back", error))
    return FALSE;
  if (kept != NULL)
    *kept = kept_files->len > 0 ? g_strndup (kept_files->str, kept_files->len - 1) : NULL;
  return TRUE;
}

/**
 * ph_journal_finish:
 * @undoes: (element-type guint) (nullable): the changes the change undoes
 *
 * Marks the changes an undo undid, then the change itself "done".
 */
gboolean
ph_journal_finish (PhContext  *ctx,
                   guint       id,
                   GArray     *undoes,
                   GError    **error)
{
  guint i;

  for (i = 0; undoes != NULL && i < undoes->len; i++)
    if (!ph_journal_set_state (ctx, g_array_index (undoes, guint, i), "undone", error))
      return FALSE;
  if (undoes != NULL && undoes->len > 0)
    ph_kernel_step_done (ctx);
  return ph_journal_set_state (ctx, id, "done", error);
}

/* What rolling back change @id shows: its own line, one per file and one
 * per regenerator (0 regenerators if they cannot be derived: the roll back
 * says why). */
static guint
roll_back_steps (PhContext *ctx,
                 guint      id)
{
  g_autoptr(PtRoot) root = NULL;
  g_autoptr(GKeyFile) file = load_change (ctx, id, &root);
  g_autoptr(GPtrArray) commands = NULL;
  int files;

  if (file == NULL)
    return 1;
  files = g_key_file_get_integer (file, "change", "files", NULL);
  commands = pt_change_history_regenerators (root, file, id, NULL);
  return 1 + (guint) MAX (files, 0) + (commands != NULL ? commands->len : 0);
}

/**
 * ph_journal_recover:
 *
 * Rolls back any change a killed run left "applying". A failure is a
 * PH_APPLY_ERROR_RECOVERY: nothing else may be done until it succeeds.
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

  /* Numbered against the whole recovery, not step by step. */
  ctx->n_steps = ctx->step;
  for (i = 0; i < changes->len; i++)
    {
      PtChange *change = g_ptr_array_index (changes, i);

      if (g_strcmp0 (change->state, "applying") == 0)
        ctx->n_steps += roll_back_steps (ctx, change->id);
    }

  for (i = 0; i < changes->len; i++)
    {
      PtChange *change = g_ptr_array_index (changes, i);
      g_autoptr(GError) local = NULL;
      g_autofree char *kept = NULL;
      guint id = change->id;

      if (g_strcmp0 (change->state, "applying") != 0)
        continue;

      /* Whether a regenerator had run is unknown: run them again. */
      ph_context_step (ctx, "change %u was interrupted; rolling it back", id);
      ctx->recovered = TRUE;
      if (!ph_journal_roll_back (ctx, id, TRUE, &kept, &local))
        {
          ph_apply_wrap_error (error, PH_APPLY_ERROR_RECOVERY, local,
                               "Change %u (%s) had been interrupted, and rolling it back failed; it "
                               "stays recorded as applying and every run of the helper tries again "
                               "first. Nothing else was done.",
                               id, change->summary != NULL ? change->summary : "");
          return FALSE;
        }
      if (kept != NULL)
        ph_context_log (ctx, kept);
    }

  return TRUE;
}
