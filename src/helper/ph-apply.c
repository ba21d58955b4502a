/* ph-apply.c
 *
 * Applies a plan the helper computed itself: first every path, command and
 * sysfs write is checked against the allowlists (nothing is done if one
 * fails), then the change is journalled with copies of the files, then the
 * files are replaced one by one, the commands run, and the sysfs writes
 * made. If any step fails, the files are restored, the regenerators run
 * again, and the error says so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ph-apply.h"
#include "ph-commands.h"
#include "ph-devices.h"
#include "ph-files.h"
#include "ph-journal.h"
#include "ph-sysfs.h"
#include "pt-error.h"
#include "pt-managed-files.h"

G_DEFINE_QUARK (ph-apply-error-quark, ph_apply_error)

void
ph_apply_wrap_error (GError       **error,
                     PhApplyError   code,
                     GError        *cause,
                     const char    *format,
                     ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, PH_APPLY_ERROR, code, "%s%s%s", cause != NULL ? cause->message : "",
               cause != NULL && what[0] != '\0' ? "\n" : "", what);
}

gboolean
ph_apply_check (PtPlan  *plan,
                GError **error)
{
  GPtrArray *sysfs = pt_plan_get_sysfs (plan);
  GPtrArray *snapshots = pt_plan_get_snapshots (plan);
  g_autoptr(GError) local = NULL;
  guint i;

  for (i = 0; i < pt_plan_get_n_files (plan) && local == NULL; i++)
    {
      const char *path = pt_plan_get_file (plan, i, NULL, NULL);

      if (!pt_managed_file_is_editable (path))
        g_set_error (&local, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                     "refusing to change %s: not a file this helper manages", path);
    }
  for (i = 0; i < snapshots->len && local == NULL; i++)
    if (!pt_managed_file_is_editable (g_ptr_array_index (snapshots, i)))
      g_set_error (&local, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   "refusing to keep %s: not a file this helper manages",
                   (const char *) g_ptr_array_index (snapshots, i));
  for (i = 0; i < pt_plan_get_n_commands (plan) && local == NULL; i++)
    ph_commands_check (pt_plan_get_command (plan, i), &local);
  for (i = 0; i < pt_plan_get_expectations (plan)->len && local == NULL; i++)
    {
      PtPlanExpectation *expectation = g_ptr_array_index (pt_plan_get_expectations (plan), i);

      if (expectation->path != NULL && !pt_managed_file_is_verifiable (expectation->path))
        g_set_error (&local, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                     "refusing to read %s: not a file this helper checks", expectation->path);
    }
  for (i = 0; i < sysfs->len && local == NULL; i++)
    {
      PtPlanSysfsWrite *write = g_ptr_array_index (sysfs, i);
      PhSysfsTarget target;

      ph_sysfs_parse_target (write->path, write->value, &target, &local);
    }

  if (local != NULL)
    {
      ph_apply_wrap_error (error, PH_APPLY_ERROR_REFUSED, local, "Nothing was changed.");
      return FALSE;
    }
  return TRUE;
}

/* The files must still be what the plan was computed from: another editor
 * may have written one since. Then nothing is done and the user tries again. */
static gboolean
check_unchanged (PhContext  *ctx,
                 PtPlan     *plan,
                 GError    **error)
{
  guint i;

  for (i = 0; i < pt_plan_get_n_files (plan); i++)
    {
      const char *before;
      const char *path = pt_plan_get_file (plan, i, &before, NULL);
      g_autofree char *now = NULL;
      g_autoptr(GError) local = NULL;

      if (!ph_files_read (ctx->root_fd, path + 1, &now, &local))
        {
          ph_apply_wrap_error (error, PH_APPLY_ERROR_REFUSED, local, "Nothing was changed.");
          return FALSE;
        }
      if (g_strcmp0 (now, before) != 0)
        {
          g_set_error (error, PH_APPLY_ERROR, PH_APPLY_ERROR_REFUSED,
                       "%s changed while the change was being planned. Nothing was changed; try again.",
                       path);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
put_back (PhContext  *ctx,
          guint       id,
          gboolean    regenerate,
          GError     *cause,
          GError    **error)
{
  g_autoptr(GError) undo_error = NULL;
  g_autofree char *kept = NULL;

  /* Without files there is nothing to restore here: sysfs changes are put
   * back by the verb that knows the devices' previous drivers. */
  if (id == 0)
    {
      ph_apply_wrap_error (error, PH_APPLY_ERROR_ROLLED_BACK, cause, "%s", "");
      return FALSE;
    }

  if (!ph_journal_roll_back (ctx, id, regenerate, &kept, &undo_error))
    {
      ph_apply_wrap_error (error, PH_APPLY_ERROR_INCONSISTENT, cause,
                           "Putting the files back failed too: %s. The copies are in /%s/changes/%u; "
                           "the change stays recorded as applying and the next run of the helper "
                           "tries again.",
                           undo_error->message, PH_STATE_DIR, id);
      return FALSE;
    }

  if (kept != NULL)
    ph_apply_wrap_error (error, PH_APPLY_ERROR_ROLLED_BACK, cause,
                         "Change %u was rolled back, except:\n%s", id, kept);
  else
    ph_apply_wrap_error (error, PH_APPLY_ERROR_ROLLED_BACK, cause,
                         "Every file was put back as it was (change %u rolled back).", id);
  return FALSE;
}

/* What the plan says must be true after command @command: in its @output,
 * or in a file it regenerated, read back before anything later runs. A
 * listing with nothing expected of it proves nothing, so it is refused. */
static gboolean
verify (PhContext   *ctx,
        PtPlan      *plan,
        int          command,
        const char  *output,
        GError     **error)
{
  GPtrArray *expectations = pt_plan_get_expectations (plan);
  gboolean checked = FALSE;
  guint i;

  for (i = 0; i < expectations->len; i++)
    {
      PtPlanExpectation *expectation = g_ptr_array_index (expectations, i);
      g_autofree char *text = NULL;

      if (expectation->command != command)
        continue;
      checked = TRUE;
      if (expectation->path == NULL)
        {
          if (strstr (output, expectation->needle) != NULL)
            continue;
          g_set_error (error, PT_ERROR, PT_ERROR_FAILED, "%s shows no %s in the new initramfs",
                       pt_plan_get_command (plan, command)[0], expectation->what);
          return FALSE;
        }
      if (!pt_managed_file_is_verifiable (expectation->path))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                       "refusing to read %s: not a file this helper checks", expectation->path);
          return FALSE;
        }
      if (!ph_files_read (ctx->root_fd, expectation->path + 1, &text, error))
        return FALSE;
      if (text == NULL || strstr (text, expectation->needle) == NULL)
        {
          g_set_error (error, PT_ERROR, PT_ERROR_FAILED, "%s has no %s after regenerating it",
                       expectation->path, expectation->what);
          return FALSE;
        }
    }

  if (!checked && pt_managed_command_lists_initramfs (pt_plan_get_command (plan, command)[0]))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_FAILED, "%s was run with nothing to check",
                   pt_plan_get_command (plan, command)[0]);
      return FALSE;
    }
  return TRUE;
}

/**
 * ph_apply_plan:
 * @undoes: (element-type guint) (nullable): the changes an undo undoes, marked
 *   "undone" once it succeeded (and "done" again if it is rolled back)
 * @change_id: (out) (optional): the journal's number for the change, 0 if
 *   the plan changes no file
 */
gboolean
ph_apply_plan (PhContext  *ctx,
               PtPlan     *plan,
               GArray     *undoes,
               guint      *change_id,
               GError    **error)
{
  GPtrArray *sysfs = pt_plan_get_sysfs (plan);
  g_autoptr(GHashTable) checked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) local = NULL;
  gboolean regenerated = FALSE;
  guint id = 0;
  guint i;

  if (!ph_apply_check (plan, error) || !check_unchanged (ctx, plan, error))
    return FALSE;

  ctx->n_steps = ctx->step + pt_plan_get_n_files (plan) + pt_plan_get_n_commands (plan) + sysfs->len;

  if (pt_plan_get_n_files (plan) > 0 || pt_plan_get_snapshots (plan)->len > 0)
    {
      id = ph_journal_begin (ctx, plan, undoes, &local);
      if (id == 0)
        {
          ph_apply_wrap_error (error, PH_APPLY_ERROR_REFUSED, local, "Nothing was changed.");
          return FALSE;
        }
      ph_kernel_step_done (ctx);
    }

  for (i = 0; i < pt_plan_get_n_files (plan); i++)
    {
      const char *after;
      const char *path = pt_plan_get_file (plan, i, NULL, &after);

      ph_context_step (ctx, "writing %s", path);
      if (!ph_files_replace (ctx->root_fd, path + 1, after, &local))
        return put_back (ctx, id, regenerated, local, error);
      ph_kernel_step_done (ctx);
    }

  for (i = 0; i < pt_plan_get_n_commands (plan); i++)
    {
      const char * const *argv = pt_plan_get_command (plan, i);
      g_autofree char *output = NULL;

      ph_context_step (ctx, "running %s", argv[0]);
      if (!ph_kernel_run (ctx, argv, &output, &local))
        return put_back (ctx, id, regenerated, local, error);
      /* What it regenerated must be regenerated again if the check fails. */
      regenerated |= pt_managed_command_is_regenerator (argv[0]);
      if (!verify (ctx, plan, (int) i, output, &local))
        return put_back (ctx, id, regenerated, local, error);
      ph_kernel_step_done (ctx);
    }

  for (i = 0; i < sysfs->len; i++)
    {
      PtPlanSysfsWrite *write = g_ptr_array_index (sysfs, i);
      PhSysfsTarget target;

      if (ph_sysfs_parse_target (write->path, write->value, &target, NULL) &&
          g_hash_table_add (checked, g_strdup (target.address)) &&
          !ph_devices_check_identity (ctx, target.address, &local))
        return put_back (ctx, id, regenerated, local, error);

      ph_context_step (ctx, "writing %s", write->path);
      if (!ph_kernel_write (ctx, write->path, write->value, &local))
        return put_back (ctx, id, regenerated, local, error);
      ph_kernel_step_done (ctx);
    }

  if (id != 0 && !ph_journal_finish (ctx, id, undoes, &local))
    return put_back (ctx, id, regenerated, local, error);

  if (change_id != NULL)
    *change_id = id;
  return TRUE;
}
