/* pt-change-history.c
 *
 * The record of the helper's past changes, as passthrough-helper writes it
 * (src/helper/ph-journal.c): /var/lib/passthrough/changes/N/change.ini with
 * the summary, time, state (applying, done, rolled-back, undone), the files
 * and the commands that regenerate what depends on them, and before-K, each
 * file as it was. Reading it needs no privilege, so `passthroughctl boot
 * history` and the undo dry run work without the helper; the helper
 * computes its undo plan with this same code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-change-history"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pt-boot-setup.h"
#include "pt-change-history.h"
#include "pt-error.h"
#include "pt-managed-files.h"

void
pt_change_free (PtChange *change)
{
  g_free (change->summary);
  g_free (change->time);
  g_free (change->state);
  g_free (change->boot_id);
  g_strfreev (change->paths);
  g_free (change);
}

/* A file's contents, or NULL without an error when it does not exist. */
static gboolean
read_optional (PtRoot      *root,
               const char  *relpath,
               char       **contents,
               GError     **error)
{
  g_autoptr(GError) local = NULL;

  *contents = pt_root_read_file (root, relpath, NULL, &local);
  if (*contents != NULL || g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

static char *
change_path (guint       id,
             const char *name)
{
  return g_strdup_printf (PT_CHANGE_HISTORY_DIR "/%u/%s", id, name);
}

GKeyFile *
pt_change_history_load (PtRoot    *root,
             guint      id)
{
  g_autofree char *rel = change_path (id, "change.ini");
  g_autofree char *text = NULL;
  g_autoptr(GKeyFile) file = g_key_file_new ();

  if (!read_optional (root, rel, &text, NULL) || text == NULL ||
      !g_key_file_load_from_data (file, text, -1, G_KEY_FILE_NONE, NULL))
    return NULL;
  return g_steal_pointer (&file);
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
list_ids (PtRoot    *root)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) names = pt_root_list_dir (root, PT_CHANGE_HISTORY_DIR, NULL);
  guint i;

  for (i = 0; names != NULL && i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
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

/* The contents file @index of change @id had before it, or NULL if none. */
gboolean
pt_change_history_read_before (PtRoot     *root,
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
  if (*path == NULL || !pt_managed_file_is_editable (*path))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT,
                   "the record of change %u is damaged (file %u)", id, index);
      return FALSE;
    }

  if (!g_key_file_get_boolean (file, group, "existed", NULL))
    return TRUE;
  if (!read_optional (root, copy, contents, error))
    return FALSE;
  if (*contents == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT,
                   "the copy of %s from change %u is missing", *path, id);
      return FALSE;
    }
  return TRUE;
}

/* What this host's planner runs to regenerate from the managed files. A
 * record's kernelstub is bare: without options it rewrites its entries from
 * its (restored) configuration. */
static GPtrArray *
known_regenerators (PtRoot *root)
{
  g_autoptr(PtBootSetup) boot = pt_boot_setup_detect (root);
  GPtrArray *known = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  const char *kernelstub[] = { "kernelstub", NULL };

  if (pt_boot_setup_get_regenerate_argv (boot) != NULL)
    g_ptr_array_add (known, g_strdupv ((char **) pt_boot_setup_get_regenerate_argv (boot)));
  if (pt_boot_setup_get_initramfs_regenerate_argv (boot) != NULL)
    g_ptr_array_add (known, g_strdupv ((char **) pt_boot_setup_get_initramfs_regenerate_argv (boot)));
  if (pt_boot_setup_get_bootloader (boot) == PT_BOOTLOADER_KERNELSTUB)
    g_ptr_array_add (known, g_strdupv ((char **) kernelstub));
  return known;
}

/**
 * pt_change_history_regenerators:
 * @record: a change's record, from pt_change_history_load()
 *
 * The commands that regenerate what depends on the change's files. A record
 * is only a hint: each command it names must be one this host's planner
 * derives itself, and the planner's copy is returned, never the stored one.
 *
 * Returns: (transfer full) (element-type GStrv) (nullable): the commands,
 *   %NULL if the record names one the planner would not run
 */
GPtrArray *
pt_change_history_regenerators (PtRoot    *root,
                                GKeyFile  *record,
                                guint      id,
                                GError   **error)
{
  g_autoptr(GPtrArray) commands = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GPtrArray) known = NULL;
  int i, j, n = g_key_file_get_integer (record, "change", "regenerate", NULL);

  if (n <= 0)
    return g_steal_pointer (&commands);

  known = known_regenerators (root);
  for (i = 0; i < n; i++)
    {
      g_autofree char *group = g_strdup_printf ("regenerate %d", i);
      g_auto(GStrv) argv = g_key_file_get_string_list (record, group, "argv", NULL, NULL);
      char **match = NULL;

      for (j = 0; argv != NULL && j < (int) known->len && match == NULL; j++)
        if (g_strv_equal ((const char * const *) argv, g_ptr_array_index (known, j)))
          match = g_ptr_array_index (known, j);

      if (match == NULL || i >= 16)
        {
          g_autofree char *shown = argv != NULL ? g_strjoinv (" ", argv) : g_strdup ("?");

          g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT,
                       "the record of change %u asks to run “%s”, which is not how this host "
                       "regenerates its boot files; it is not run. Regenerate by hand if needed, "
                       "then move /%s/%u away", id, shown, PT_CHANGE_HISTORY_DIR, id);
          return NULL;
        }
      g_ptr_array_add (commands, g_strdupv (match));
    }
  return g_steal_pointer (&commands);
}

/**
 * pt_change_history_list:
 *
 * Returns: (transfer full) (element-type PtChange): the changes, oldest first
 */
GPtrArray *
pt_change_history_list (PtRoot    *root)
{
  g_autoptr(GArray) ids = list_ids (root);
  GPtrArray *changes = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_change_free);
  guint i;

  for (i = 0; i < ids->len; i++)
    {
      guint id = g_array_index (ids, guint, i);
      g_autoptr(GKeyFile) file = pt_change_history_load (root, id);
      g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
      PtChange *change;
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

      change = g_new0 (PtChange, 1);
      change->id = id;
      change->summary = g_key_file_get_string (file, "change", "summary", NULL);
      change->time = g_key_file_get_string (file, "change", "time", NULL);
      change->state = g_key_file_get_string (file, "change", "state", NULL);
      change->boot_id = g_key_file_get_string (file, "change", "boot-id", NULL);
      change->paths = (GStrv) g_ptr_array_free (g_steal_pointer (&paths), FALSE);
      g_ptr_array_add (changes, change);
    }

  return changes;
}

/**
 * pt_change_history_pending_restart:
 * @changes: (element-type PtChange): from pt_change_history_list()
 * @boot_id: the running boot's id (/proc/sys/kernel/random/boot_id)
 *
 * A boot change takes effect at the next start: one made during this boot
 * and still in effect (an undo is a change too) is waiting for a restart.
 *
 * Returns: (transfer none) (nullable): the latest such change
 */
PtChange *
pt_change_history_pending_restart (GPtrArray  *changes,
                                   const char *boot_id)
{
  guint i;

  for (i = changes->len; boot_id != NULL && i > 0; i--)
    {
      PtChange *change = g_ptr_array_index (changes, i - 1);

      if (g_strcmp0 (change->state, "done") == 0 && g_strcmp0 (change->boot_id, boot_id) == 0)
        return change;
    }
  return NULL;
}

/**
 * pt_change_describe_time:
 * @now: the time to count days from (the current time)
 *
 * When @change was made, in the local time zone and words that cannot be
 * misread whatever the locale: "Today, 07:55", "Yesterday, 23:10",
 * "12 Jun 2026, 07:55" (never 12/06/26).
 *
 * Returns: (transfer full): the words, "" when the record has no time
 */
char *
pt_change_describe_time (const PtChange *change,
                         GDateTime      *now)
{
  g_autoptr(GDateTime) time = change->time != NULL
                              ? g_date_time_new_from_iso8601 (change->time, NULL) : NULL;
  g_autoptr(GDateTime) local = time != NULL ? g_date_time_to_local (time) : NULL;
  g_autoptr(GDateTime) local_now = g_date_time_to_local (now);
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (local_now, -1);
  int year, month, day, y, m, d;

  if (local == NULL)
    return g_strdup ("");

  g_date_time_get_ymd (local, &year, &month, &day);
  g_date_time_get_ymd (local_now, &y, &m, &d);
  if (year == y && month == m && day == d)
    /* xgettext:no-c-format */
    /* TRANSLATORS: a change's time today; g_date_time_format()'s codes */
    return g_date_time_format (local, C_("change time", "Today, %H:%M"));
  g_date_time_get_ymd (yesterday, &y, &m, &d);
  if (year == y && month == m && day == d)
    /* xgettext:no-c-format */
    /* TRANSLATORS: a change's time yesterday; g_date_time_format()'s codes */
    return g_date_time_format (local, C_("change time", "Yesterday, %H:%M"));
  /* xgettext:no-c-format */
  /* TRANSLATORS: a change's date and time; g_date_time_format()'s codes. Spell the
   * month or order it as your language does, never as an ambiguous 12/06/26. */
  return g_date_time_format (local, C_("change time", "%-d %b %Y, %H:%M"));
}

/* A summary's first clause, "Turn the IOMMU on at the next boot", without
 * what follows its first ": " or ". " (addresses have colons, not ": "). */
static char *
headline (const char *summary)
{
  const char *colon, *stop;

  if (summary == NULL)
    return g_strdup ("");
  colon = strstr (summary, ": ");
  stop = strstr (summary, ". ");
  if (colon != NULL && (stop == NULL || colon < stop))
    stop = colon;
  return stop != NULL ? g_strndup (summary, (gsize) (stop - summary)) : g_strdup (summary);
}

/**
 * pt_change_history_undo_plan:
 * @from_id: the oldest change to undo; 0 for the latest done one
 * @undone: (out caller-allocates) (element-type guint): the changes undone
 *
 * Returns: (transfer full): the plan that puts the files back as they were
 *   before @from_id and every later change still in effect
 */
PtPlan *
pt_change_history_undo_plan (PtRoot     *root,
                      guint       from_id,
                      GArray     *undone,
                      GError    **error)
{
  g_autoptr(GArray) ids = list_ids (root);
  g_autoptr(GHashTable) restore = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) commands = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GPtrArray) summaries = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *what = NULL;
  g_autoptr(PtPlan) plan = NULL;
  int k;
  guint i;

  /* The latest change still in effect, when no number is given. */
  for (k = (int) ids->len - 1; from_id == 0 && k >= 0; k--)
    {
      g_autoptr(GKeyFile) file = pt_change_history_load (root, g_array_index (ids, guint, k));
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
      g_autofree char *summary = NULL;
      int j, n;

      if (id < from_id)
        break;
      file = pt_change_history_load (root, id);
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
      summary = g_key_file_get_string (file, "change", "summary", NULL);
      g_ptr_array_insert (summaries, 0, headline (summary));
      n = g_key_file_get_integer (file, "change", "files", NULL);
      for (j = 0; j < n; j++)
        {
          g_autofree char *path = NULL;
          g_autofree char *contents = NULL;

          if (!pt_change_history_read_before (root, file, id, (guint) j, &path, &contents, error))
            return NULL;
          if (!g_hash_table_contains (restore, path))
            g_ptr_array_add (order, g_strdup (path));
          g_hash_table_replace (restore, g_strdup (path), g_steal_pointer (&contents));
        }

      regen = pt_change_history_regenerators (root, file, id, error);
      if (regen == NULL)
        return NULL;
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

  /* Say what is undone, not only its number: "Undo change 3: Bind … at every boot". */
  g_ptr_array_add (summaries, NULL);
  what = g_strjoinv ("; ", (char **) summaries->pdata);
  plan = pt_plan_new (NULL);
  if (undone->len == 1)
    pt_plan_set_summary_printf (plan, what[0] != '\0' ? "Undo change %u: %s" : "Undo change %u%s",
                                from_id, what);
  else
    pt_plan_set_summary_printf (plan, "Undo changes %u to %u: %s", from_id,
                                g_array_index (undone, guint, 0), what);
  pt_plan_set_reboot (plan, TRUE);

  for (i = 0; i < order->len; i++)
    {
      const char *path = g_ptr_array_index (order, i);
      g_autofree char *rel = relative (path);
      g_autofree char *now = NULL;

      if (!read_optional (root, rel, &now, error))
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

