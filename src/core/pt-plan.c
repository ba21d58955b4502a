/* pt-plan.c
 *
 * A change to the host, computed before anything is done: the files it
 * rewrites (whole before and after, so a person can read the diff and the
 * change can be undone), the sysfs writes and the commands it runs, and
 * whether a restart is needed. Dry runs print a plan; the privileged helper
 * applies the very same plan, in this order: files, commands, sysfs writes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-plan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "pt-plan.h"

typedef struct
{
  char *path;
  char *before;   /* NULL: the file is created */
  char *after;    /* NULL: the file is deleted */
} PlanFile;

struct _PtPlan
{
  GObject parent_instance;

  char *summary;
  GPtrArray *files;      /* PlanFile */
  GPtrArray *commands;   /* GStrv */
  GPtrArray *sysfs;      /* PtPlanSysfsWrite */
  GPtrArray *snapshots;  /* host paths the commands rewrite */
  GPtrArray *expectations;  /* PtPlanExpectation: what must be true after the commands */
  gboolean reboot;
};

G_DEFINE_FINAL_TYPE (PtPlan, pt_plan, G_TYPE_OBJECT)

static void
plan_file_free (gpointer data)
{
  PlanFile *file = data;

  g_free (file->path);
  g_free (file->before);
  g_free (file->after);
  g_free (file);
}

static void
sysfs_write_free (gpointer data)
{
  PtPlanSysfsWrite *write = data;

  g_free (write->path);
  g_free (write->value);
  g_free (write);
}

static void
expectation_free (gpointer data)
{
  PtPlanExpectation *expectation = data;

  g_free (expectation->path);
  g_free (expectation->needle);
  g_free (expectation->what);
  g_free (expectation);
}

static void
pt_plan_finalize (GObject *object)
{
  PtPlan *self = (PtPlan *) object;

  g_clear_pointer (&self->summary, g_free);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_pointer (&self->commands, g_ptr_array_unref);
  g_clear_pointer (&self->sysfs, g_ptr_array_unref);
  g_clear_pointer (&self->snapshots, g_ptr_array_unref);
  g_clear_pointer (&self->expectations, g_ptr_array_unref);

  G_OBJECT_CLASS (pt_plan_parent_class)->finalize (object);
}

static void
pt_plan_class_init (PtPlanClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pt_plan_finalize;
}

static void
pt_plan_init (PtPlan *self)
{
  self->files = g_ptr_array_new_with_free_func (plan_file_free);
  self->commands = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  self->sysfs = g_ptr_array_new_with_free_func (sysfs_write_free);
  self->snapshots = g_ptr_array_new_with_free_func (g_free);
  self->expectations = g_ptr_array_new_with_free_func (expectation_free);
}

PtPlan *
pt_plan_new (const char *summary)
{
  PtPlan *self = g_object_new (PT_TYPE_PLAN, NULL);

  self->summary = g_strdup (summary);
  return self;
}

/**
 * pt_plan_add_file:
 * @path: the file as a path on the host, e.g. "/etc/default/grub"
 * @before: (nullable): its contents now; %NULL if it does not exist
 * @after: (nullable): its contents after; %NULL to delete it
 *
 * Adds a file change; a file whose contents would not change is left out.
 */
void
pt_plan_add_file (PtPlan     *self,
                  const char *path,
                  const char *before,
                  const char *after)
{
  PlanFile *file;

  g_return_if_fail (PT_IS_PLAN (self));

  if (g_strcmp0 (before, after) == 0)
    return;

  file = g_new0 (PlanFile, 1);
  file->path = g_strdup (path);
  file->before = g_strdup (before);
  file->after = g_strdup (after);
  g_ptr_array_add (self->files, file);
}

void
pt_plan_add_command (PtPlan             *self,
                     const char * const *argv)
{
  g_return_if_fail (PT_IS_PLAN (self));
  g_ptr_array_add (self->commands, g_strdupv ((char **) argv));
}

static void
add_expectation (PtPlan     *self,
                 const char *path,
                 const char *needle,
                 const char *what)
{
  PtPlanExpectation *expectation = g_new0 (PtPlanExpectation, 1);

  expectation->command = (int) self->commands->len - 1;
  expectation->path = g_strdup (path);
  expectation->needle = g_strdup (needle);
  expectation->what = g_strdup (what);
  g_ptr_array_add (self->expectations, expectation);
}

/**
 * pt_plan_expect_output:
 * @needle: text the output of the last command added must contain, e.g.
 *   "/vfio-pci.ko" in the listing of a regenerated initramfs
 * @what: what that is, for the message when it is missing
 *
 * A check the helper makes right after that command: if the output lacks
 * @needle, the change is rolled back.
 */
void
pt_plan_expect_output (PtPlan     *self,
                       const char *needle,
                       const char *what)
{
  g_return_if_fail (PT_IS_PLAN (self));
  g_return_if_fail (self->commands->len > 0);

  add_expectation (self, NULL, needle, what);
}

/**
 * pt_plan_expect_file:
 * @path: a file on the host that the last command added regenerates, e.g.
 *   grub.cfg
 * @needle: text it must contain once that command has run
 *
 * Like pt_plan_expect_output(), for the file that command wrote: read back
 * before any later command runs.
 */
void
pt_plan_expect_file (PtPlan     *self,
                     const char *path,
                     const char *needle,
                     const char *what)
{
  g_return_if_fail (PT_IS_PLAN (self));
  g_return_if_fail (self->commands->len > 0 && path != NULL);

  add_expectation (self, path, needle, what);
}

/**
 * pt_plan_get_expectations:
 *
 * Returns: (transfer none) (element-type PtPlanExpectation): the checks
 *   made after the commands
 */
GPtrArray *
pt_plan_get_expectations (PtPlan *self)
{
  g_return_val_if_fail (PT_IS_PLAN (self), NULL);
  return self->expectations;
}

/**
 * pt_plan_add_sysfs:
 * @path: the attribute as a path on the host, e.g.
 *   "/sys/bus/pci/devices/0000:01:00.0/driver_override"
 * @value: what is written, e.g. "vfio-pci"
 *
 * Adds a write to a kernel attribute. Sysfs writes run in the order they were
 * added, after the files and the commands.
 */
void
pt_plan_add_sysfs (PtPlan     *self,
                   const char *path,
                   const char *value)
{
  PtPlanSysfsWrite *write;

  g_return_if_fail (PT_IS_PLAN (self));

  write = g_new0 (PtPlanSysfsWrite, 1);
  write->path = g_strdup (path);
  write->value = g_strdup (value);
  g_ptr_array_add (self->sysfs, write);
}

/**
 * pt_plan_get_sysfs:
 *
 * Returns: (transfer none) (element-type PtPlanSysfsWrite): the sysfs writes
 */
GPtrArray *
pt_plan_get_sysfs (PtPlan *self)
{
  g_return_val_if_fail (PT_IS_PLAN (self), NULL);
  return self->sysfs;
}

/**
 * pt_plan_get_file:
 * @before: (out) (nullable): the contents now, %NULL if the file is new
 * @after: (out) (nullable): the contents after, %NULL if it is deleted
 *
 * Returns: the file's path on the host
 */
const char *
pt_plan_get_file (PtPlan      *self,
                  guint        index,
                  const char **before,
                  const char **after)
{
  PlanFile *file;

  g_return_val_if_fail (PT_IS_PLAN (self), NULL);
  g_return_val_if_fail (index < self->files->len, NULL);

  file = g_ptr_array_index (self->files, index);
  if (before != NULL)
    *before = file->before;
  if (after != NULL)
    *after = file->after;
  return file->path;
}

const char * const *
pt_plan_get_command (PtPlan *self,
                     guint   index)
{
  g_return_val_if_fail (PT_IS_PLAN (self), NULL);
  g_return_val_if_fail (index < self->commands->len, NULL);
  return g_ptr_array_index (self->commands, index);
}

/**
 * pt_plan_add_snapshot:
 * @path: a host path that one of the plan's commands rewrites (grubby edits
 *   the boot entries, kernelstub its configuration)
 *
 * The helper keeps a copy of it before the change, so that undo can restore
 * it as it restores the plan's own files.
 */
void
pt_plan_add_snapshot (PtPlan     *self,
                      const char *path)
{
  g_return_if_fail (PT_IS_PLAN (self));
  g_ptr_array_add (self->snapshots, g_strdup (path));
}

/**
 * pt_plan_get_snapshots:
 *
 * Returns: (transfer none) (element-type utf8): what pt_plan_add_snapshot() added
 */
GPtrArray *
pt_plan_get_snapshots (PtPlan *self)
{
  g_return_val_if_fail (PT_IS_PLAN (self), NULL);
  return self->snapshots;
}

void
pt_plan_set_reboot (PtPlan   *self,
                    gboolean  reboot)
{
  g_return_if_fail (PT_IS_PLAN (self));
  self->reboot = reboot;
}

void
pt_plan_set_summary (PtPlan     *self,
                     const char *summary)
{
  g_return_if_fail (PT_IS_PLAN (self));
  g_free (self->summary);
  self->summary = g_strdup (summary);
}

void
pt_plan_set_summary_printf (PtPlan     *self,
                            const char *format,
                            ...)
{
  va_list args;

  g_return_if_fail (PT_IS_PLAN (self));

  va_start (args, format);
  g_free (self->summary);
  self->summary = g_strdup_vprintf (format, args);
  va_end (args);
}

const char *
pt_plan_get_summary (PtPlan *self)
{
  g_return_val_if_fail (PT_IS_PLAN (self), NULL);
  return self->summary;
}

gboolean
pt_plan_get_reboot (PtPlan *self)
{
  g_return_val_if_fail (PT_IS_PLAN (self), FALSE);
  return self->reboot;
}

guint
pt_plan_get_n_files (PtPlan *self)
{
  g_return_val_if_fail (PT_IS_PLAN (self), 0);
  return self->files->len;
}

guint
pt_plan_get_n_commands (PtPlan *self)
{
  g_return_val_if_fail (PT_IS_PLAN (self), 0);
  return self->commands->len;
}

gboolean
pt_plan_is_empty (PtPlan *self)
{
  g_return_val_if_fail (PT_IS_PLAN (self), TRUE);
  return self->files->len == 0 && self->commands->len == 0 && self->sysfs->len == 0;
}

/**
 * pt_plan_write_json:
 *
 * Writes `{"summary", "files": [{"path", "before", "after"}], "sysfs": [],
 * "commands": [[argv…]], "reboot"}`.
 */
void
pt_plan_write_json (PtPlan       *self,
                    PtJsonWriter *writer)
{
  guint i;

  pt_json_writer_begin_object (writer);
  pt_json_writer_key (writer, "summary");
  pt_json_writer_string (writer, self->summary);
  pt_json_writer_key (writer, "files");
  pt_json_writer_begin_array (writer);
  for (i = 0; i < self->files->len; i++)
    {
      PlanFile *file = g_ptr_array_index (self->files, i);

      pt_json_writer_begin_object (writer);
      pt_json_writer_key (writer, "path");
      pt_json_writer_string (writer, file->path);
      pt_json_writer_key (writer, "before");
      pt_json_writer_string (writer, file->before);
      pt_json_writer_key (writer, "after");
      pt_json_writer_string (writer, file->after);
      pt_json_writer_end_object (writer);
    }
  pt_json_writer_end_array (writer);
  pt_json_writer_key (writer, "sysfs");
  pt_json_writer_begin_array (writer);
  for (i = 0; i < self->sysfs->len; i++)
    {
      PtPlanSysfsWrite *write = g_ptr_array_index (self->sysfs, i);

      pt_json_writer_begin_object (writer);
      pt_json_writer_key (writer, "path");
      pt_json_writer_string (writer, write->path);
      pt_json_writer_key (writer, "value");
      pt_json_writer_string (writer, write->value);
      pt_json_writer_end_object (writer);
    }
  pt_json_writer_end_array (writer);
  pt_json_writer_key (writer, "commands");
  pt_json_writer_begin_array (writer);
  for (i = 0; i < self->commands->len; i++)
    pt_json_writer_strv (writer, g_ptr_array_index (self->commands, i));
  pt_json_writer_end_array (writer);
  /* Only where there are some, so that plans without checks read as before. */
  if (self->expectations->len > 0)
    {
      pt_json_writer_key (writer, "verify");
      pt_json_writer_begin_array (writer);
      for (i = 0; i < self->expectations->len; i++)
        {
          PtPlanExpectation *expectation = g_ptr_array_index (self->expectations, i);

          pt_json_writer_begin_object (writer);
          pt_json_writer_key (writer, "command");
          pt_json_writer_int (writer, expectation->command);
          if (expectation->path != NULL)
            {
              pt_json_writer_key (writer, "path");
              pt_json_writer_string (writer, expectation->path);
            }
          pt_json_writer_key (writer, "contains");
          pt_json_writer_string (writer, expectation->needle);
          pt_json_writer_key (writer, "what");
          pt_json_writer_string (writer, expectation->what);
          pt_json_writer_end_object (writer);
        }
      pt_json_writer_end_array (writer);
    }
  pt_json_writer_key (writer, "reboot");
  pt_json_writer_bool (writer, self->reboot);
  pt_json_writer_end_object (writer);
}

/**
 * pt_plan_to_json:
 *
 * Returns: (transfer full): the plan as a pretty-printed JSON document
 */
char *
pt_plan_to_json (PtPlan *self)
{
  PtJsonWriter *writer = pt_json_writer_new (TRUE);

  g_return_val_if_fail (PT_IS_PLAN (self), NULL);

  pt_plan_write_json (self, writer);
  return pt_json_writer_free_to_string (writer);
}

/* The lines of @a that are not in @b, each prefixed with @mark. */
static void
append_lines_not_in (GString    *out,
                     const char *a,
                     const char *b,
                     char        mark)
{
  g_auto(GStrv) lines_a = g_strsplit (a != NULL ? a : "", "\n", -1);
  g_auto(GStrv) lines_b = g_strsplit (b != NULL ? b : "", "\n", -1);
  guint i;

  for (i = 0; lines_a[i] != NULL; i++)
    if (lines_a[i][0] != '\0' && !g_strv_contains ((const char * const *) lines_b, lines_a[i]))
      g_string_append_printf (out, "%c%s\n", mark, lines_a[i]);
}

/**
 * pt_plan_to_text:
 *
 * Returns: (transfer full): the plan for a terminal: what changes in each
 *   file (lines removed and added), the commands, and the restart
 */
char *
pt_plan_to_text (PtPlan *self)
{
  GString *out = g_string_new (NULL);
  guint i;

  g_return_val_if_fail (PT_IS_PLAN (self), NULL);

  g_string_append_printf (out, "%s\n", self->summary);
  for (i = 0; i < self->files->len; i++)
    {
      PlanFile *file = g_ptr_array_index (self->files, i);

      g_string_append_printf (out, "\n--- %s\n+++ %s\n", file->path, file->path);
      append_lines_not_in (out, file->before, file->after, '-');
      append_lines_not_in (out, file->after, file->before, '+');
    }

  /* "Then" only after something: most device changes are kernel writes alone. */
  if (self->commands->len > 0)
    g_string_append_printf (out, "\n%s\n", self->files->len > 0 ? _("Then runs:") : _("Runs:"));
  for (i = 0; i < self->commands->len; i++)
    {
      char **argv = g_ptr_array_index (self->commands, i);
      guint j;

      /* Shown as a shell would need it typed; the helper runs argv as is. */
      g_string_append (out, " ");
      for (j = 0; argv[j] != NULL; j++)
        {
          g_autofree char *quoted = strpbrk (argv[j], " \t'\"$`\\;&|<>()*?[]#~") != NULL
                                    ? g_shell_quote (argv[j]) : g_strdup (argv[j]);

          g_string_append_printf (out, " %s", quoted);
        }
      g_string_append_c (out, '\n');
    }

  if (self->sysfs->len > 0)
    g_string_append_printf (out, "\n%s\n", self->files->len + self->commands->len > 0
                                              ? _("Then writes to the kernel:")
                                              : _("Writes to the kernel:"));
  for (i = 0; i < self->sysfs->len; i++)
    {
      PtPlanSysfsWrite *write = g_ptr_array_index (self->sysfs, i);
      g_autofree char *shown = g_strescape (write->value, NULL);

      g_string_append_printf (out, "  %s ← \"%s\"\n", write->path, shown);
    }

  if (self->expectations->len > 0)
    g_string_append_printf (out, "\n%s\n", _("Then checks:"));
  for (i = 0; i < self->expectations->len; i++)
    {
      PtPlanExpectation *expectation = g_ptr_array_index (self->expectations, i);
      const char * const *argv = g_ptr_array_index (self->commands, expectation->command);

      if (expectation->path == NULL)
        {
          g_autofree char *command = g_strjoinv (" ", (char **) argv);

          g_string_append_printf (out, "  %s (%s)\n", expectation->what, command);
        }
      else
        g_string_append_printf (out, "  %s (%s)\n", expectation->what, expectation->path);
    }

  if (self->reboot)
    g_string_append_printf (out, "\n%s\n", _("A restart is needed for this to take effect."));

  return g_string_free (out, FALSE);
}
