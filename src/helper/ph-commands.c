/* ph-commands.c
 *
 * The programs the helper may run, by name, and where it looks for them:
 * only in the system's own directories, only regular executable files owned
 * by root. A regenerator rebuilds something from the files the helper
 * edits (grub.cfg, an initramfs, kernelstub's entries); undo runs those again
 * after the files are restored.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ph-commands.h"
#include "pt-error.h"

static const char * const allowed[] = {
  "modprobe", "grubby", "kernelstub", "grub-reboot", "grub2-reboot",
  "update-grub", "grub-mkconfig", "grub2-mkconfig",
  "dracut", "update-initramfs", "mkinitcpio",
  NULL,
};

static const char * const regenerators[] = {
  "update-grub", "grub-mkconfig", "grub2-mkconfig",
  "dracut", "update-initramfs", "mkinitcpio", "kernelstub",
  NULL,
};

static const char * const search_dirs[] = {
  "usr/sbin", "usr/bin", "sbin", "bin", NULL,
};

gboolean
ph_commands_check (const char * const  *argv,
                   GError             **error)
{
  guint i;

  if (argv == NULL || argv[0] == NULL || !g_strv_contains (allowed, argv[0]))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT, "refusing to run “%s”",
                   argv != NULL && argv[0] != NULL ? argv[0] : "");
      return FALSE;
    }

  for (i = 1; argv[i] != NULL; i++)
    if (strlen (argv[i]) > 1024 || strpbrk (argv[i], "\n\r") != NULL)
      {
        g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                     "refusing an argument of “%s”", argv[0]);
        return FALSE;
      }

  return TRUE;
}

gboolean
ph_commands_is_regenerator (const char *name)
{
  return g_strv_contains (regenerators, name);
}

/**
 * ph_commands_resolve:
 *
 * Returns: (nullable): the program's absolute path, if one of the system
 *   directories has it as a root-owned executable not writable by others
 */
char *
ph_commands_resolve (int         root_fd,
                     const char *name)
{
  guint i;

  if (!g_strv_contains (allowed, name))
    return NULL;

  for (i = 0; search_dirs[i] != NULL; i++)
    {
      g_autofree char *rel = g_strconcat (search_dirs[i], "/", name, NULL);
      struct stat st;

      /* /sbin may be a symlink to usr/sbin on merged-/usr systems: follow. */
      if (fstatat (root_fd, rel, &st, 0) == 0 && S_ISREG (st.st_mode) &&
          (st.st_mode & 0111) != 0 && st.st_uid == 0 && (st.st_mode & 0022) == 0)
        return g_strconcat ("/", rel, NULL);
    }

  return NULL;
}
