/* pt-install-paths.c
 *
 * Where the installed app's own files are. They are where meson was told
 * (the prefix) unless the whole prefix sits under another directory: a
 * `meson install --destdir` staging tree run in place, or a prefix moved as
 * a whole. Then the running program's own path says where: it is in BINDIR
 * (or LIBEXECDIR) under the same base. A program elsewhere (the build tree,
 * tests) gets the configured path.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <string.h>

#include "pt-install-paths.h"

static char *
install_base (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe != NULL ? g_path_get_dirname (exe) : NULL;
  const char *installed_in[] = { BINDIR, LIBEXECDIR };
  guint i;

  /* These are absolute: /x/usr/bin is under /x, /x/myusr/bin matches nothing. */
  for (i = 0; dir != NULL && i < G_N_ELEMENTS (installed_in); i++)
    if (g_str_has_suffix (dir, installed_in[i]))
      return g_strndup (dir, strlen (dir) - strlen (installed_in[i]));
  return NULL;
}

/**
 * pt_install_path:
 * @configured: an absolute path under the configured prefix (LOCALEDIR, …)
 *
 * Returns: (transfer full): where that path is for the running program
 */
char *
pt_install_path (const char *configured)
{
  static gsize initialized = 0;
  static char *base = NULL;

  if (g_once_init_enter (&initialized))
    {
      base = install_base ();
      g_once_init_leave (&initialized, 1);
    }
  if (base == NULL || base[0] == '\0')
    return g_strdup (configured);
  return g_strconcat (base, configured, NULL);
}
