/* ph-commands.c
 *
 * Where the helper looks for the programs it may run (pt-managed-files.c
 * names them): only in the system's own directories, only regular
 * executable files owned by root and writable by no one else.
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
#include "pt-managed-files.h"

static const char * const search_dirs[] = {
  "usr/sbin", "usr/bin", "sbin", "bin", NULL,
};

gboolean
ph_commands_check (const char * const  *argv,
                   GError             **error)
{
  guint i;

  if (argv == NULL || argv[0] == NULL || !pt_managed_command_is_allowed (argv[0]))
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

  if (!pt_managed_command_is_allowed (name))
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
