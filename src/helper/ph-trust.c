/* ph-trust.c
 *
 * Whether the helper may believe its own state directory. The journal under
 * /var/lib/passthrough decides what root restores and runs, so it is used
 * only while root alone can change it: the directory, every directory above
 * it and everything in it root's, not writable by group or others, with no
 * link or special file. Checked once under the lock; nobody else can change
 * such a tree afterwards.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>

#include "ph-files.h"
#include "ph-trust.h"
#include "pt-error.h"

static gboolean
refuse_untrusted (GError           **error,
                  const char        *relpath,
                  const char        *what,
                  const char        *top)
{
  g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT,
               "/%s %s, so someone other than root could decide what the helper restores and runs; "
               "refusing to use it. Nothing was changed. Find out how that happened; then make it "
               "root’s alone (“chown -R root:root /%s && chmod -R go-w /%s”, and remove any link "
               "or special file in it) and try again",
               relpath, what, top, top);
  return FALSE;
}

static gboolean
check_entry (const struct stat  *st,
             const char         *relpath,
             const char         *top,
             GError            **error)
{
  if (!S_ISDIR (st->st_mode) && !S_ISREG (st->st_mode))
    return refuse_untrusted (error, relpath, "is not a plain file or directory", top);
  if (st->st_uid != 0)
    return refuse_untrusted (error, relpath, "is not owned by root", top);
  if ((st->st_mode & 022) != 0)
    return refuse_untrusted (error, relpath, "is writable by its group or others", top);
  return TRUE;
}

static gboolean
check_tree (int          dir_fd,
            const char  *relpath,
            const char  *top,
            guint        depth,
            GError     **error)
{
  DIR *dir;
  struct dirent *entry;
  gboolean ok = TRUE;
  int fd = fcntl (dir_fd, F_DUPFD_CLOEXEC, 3);

  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return ph_files_set_errno_error (error, errno, "list", relpath);
    }

  while (ok && (entry = readdir (dir)) != NULL)
    {
      g_autofree char *child = NULL;
      struct stat st;
      int child_fd;

      if (g_str_equal (entry->d_name, ".") || g_str_equal (entry->d_name, ".."))
        continue;
      child = g_strconcat (relpath, "/", entry->d_name, NULL);
      if (fstatat (dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        ok = ph_files_set_errno_error (error, errno, "inspect", child);
      else if (!check_entry (&st, child, top, error))
        ok = FALSE;
      else if (S_ISDIR (st.st_mode))
        {
          if (depth >= 4)
            ok = refuse_untrusted (error, child, "is deeper than the journal ever goes", top);
          else if ((child_fd = openat (dir_fd, entry->d_name,
                                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
            ok = ph_files_set_errno_error (error, errno, "open the directory", child);
          else
            {
              ok = check_tree (child_fd, child, top, depth + 1, error);
              close (child_fd);
            }
        }
    }

  closedir (dir);
  return ok;
}

/**
 * ph_trust_check:
 * @relpath: a directory the helper keeps state in, e.g. "var/lib/passthrough"
 *
 * Returns: %TRUE if so (or if it does not exist yet)
 */
gboolean
ph_trust_check (int          root_fd,
                        const char  *relpath,
                        GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (relpath, "/", -1);
  g_autoptr(GString) walked = g_string_new (NULL);
  gboolean ok;
  int fd = -1;
  guint i;

  for (i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GError) local = NULL;
      struct stat st;

      g_string_append_printf (walked, "%s%s", i > 0 ? "/" : "", parts[i]);
      if (fd >= 0)
        close (fd);
      fd = ph_files_open_dir (root_fd, walked->str, FALSE, &local);
      if (fd < 0)
        {
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            return TRUE;
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS) ||
              g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
            return refuse_untrusted (error, walked->str, "is a link or not a directory", relpath);
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (fstat (fd, &st) < 0)
        {
          int saved = errno;

          close (fd);
          return ph_files_set_errno_error (error, saved, "inspect", walked->str);
        }
      if (!check_entry (&st, walked->str, relpath, error))
        {
          close (fd);
          return FALSE;
        }
    }

  ok = check_tree (fd, relpath, relpath, 0, error);
  close (fd);
  return ok;
}
