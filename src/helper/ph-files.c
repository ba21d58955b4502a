/* ph-files.c
 *
 * Files under the root, touched the paranoid way: every directory on the
 * way is opened with O_NOFOLLOW (a planted symlink anywhere stops the walk),
 * and paths are relative and never contain "." or ".." components. Which
 * files may be rewritten at all is pt-managed-files.c's list.
 * A rewrite is atomic: a temporary file in the same directory, fsync,
 * rename over the old one, fsync of the directory. A reader sees the old
 * file or the new one, never half of either.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>

#include "ph-files.h"
#include "pt-error.h"
#include "pt-managed-files.h"

#define MAX_FILE_SIZE (4 * 1024 * 1024)


static gboolean
has_bad_component (const char *path)
{
  return !pt_managed_path_is_clean (path);
}


static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *what,
                 const char  *relpath)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "cannot %s /%s: %s", what, relpath, g_strerror (saved_errno));
  return FALSE;
}

/**
 * ph_files_open_dir:
 * @relpath: a directory relative to the root, e.g. "etc/default"
 * @create: make missing directories (mode 0755)
 *
 * Returns: an O_PATH-less directory fd, or -1 with @error set
 */
int
ph_files_open_dir (int          root_fd,
                   const char  *relpath,
                   gboolean     create,
                   GError     **error)
{
  g_auto(GStrv) parts = NULL;
  int fd;
  guint i;

  if (relpath[0] == '/' || has_bad_component (relpath))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT, "refusing the path %s", relpath);
      return -1;
    }

  fd = fcntl (root_fd, F_DUPFD_CLOEXEC, 3);
  if (fd < 0)
    return set_errno_error (error, errno, "open", ""), -1;

  parts = g_strsplit (relpath, "/", -1);
  for (i = 0; parts[i] != NULL; i++)
    {
      int next;

      if (parts[i][0] == '\0')
        continue;

      next = openat (fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 && errno == ENOENT && create)
        {
          if (mkdirat (fd, parts[i], 0755) < 0 && errno != EEXIST)
            {
              int saved = errno;

              close (fd);
              return set_errno_error (error, saved, "create", relpath), -1;
            }
          next = openat (fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
      if (next < 0)
        {
          int saved = errno;

          close (fd);
          /* ELOOP/ENOTDIR: a symlink or a file where a directory belongs. */
          return set_errno_error (error, saved, "open the directory", relpath), -1;
        }
      close (fd);
      fd = next;
    }

  return fd;
}

static void
split_path (const char  *relpath,
            char       **dir,
            const char **name)
{
  const char *slash = strrchr (relpath, '/');

  *dir = slash != NULL ? g_strndup (relpath, (gsize) (slash - relpath)) : g_strdup ("");
  *name = slash != NULL ? slash + 1 : relpath;
}

/**
 * ph_files_read:
 * @contents: (out) (nullable): the contents, %NULL if the file does not exist
 *
 * Reads a regular file without following any symlink on the way.
 */
gboolean
ph_files_read (int          root_fd,
               const char  *relpath,
               char       **contents,
               GError     **error)
{
  g_autofree char *dir = NULL;
  const char *name;
  g_autoptr(GString) text = NULL;
  struct stat st;
  char buf[8192];
  int dir_fd, fd;
  ssize_t n;

  *contents = NULL;
  split_path (relpath, &dir, &name);

  dir_fd = ph_files_open_dir (root_fd, dir, FALSE, error);
  if (dir_fd < 0)
    {
      if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_clear_error (error);
          return TRUE;
        }
      return FALSE;
    }

  fd = openat (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  close (dir_fd);
  if (fd < 0)
    return errno == ENOENT ? TRUE : set_errno_error (error, errno, "open", relpath);

  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size > MAX_FILE_SIZE)
    {
      close (fd);
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   "/%s is not a regular file of a sensible size; leaving it alone", relpath);
      return FALSE;
    }

  text = g_string_new (NULL);
  while ((n = read (fd, buf, sizeof buf)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 || text->len + (gsize) n > MAX_FILE_SIZE)
        {
          int saved = n < 0 ? errno : EFBIG;

          close (fd);
          return set_errno_error (error, saved, "read", relpath);
        }
      g_string_append_len (text, buf, n);
    }
  close (fd);

  if (memchr (text->str, '\0', text->len) != NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   "/%s is not a text file; leaving it alone", relpath);
      return FALSE;
    }

  *contents = g_string_free (g_steal_pointer (&text), FALSE);
  return TRUE;
}

static gboolean
write_all (int         fd,
           const char *data,
           gsize       len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/**
 * ph_files_replace:
 * @relpath: relative to the root; its directory is created if missing
 * @contents: (nullable): the new contents, %NULL to delete the file
 *
 * Atomically replaces (or deletes) a file. The new file keeps the old one's
 * mode; a new file gets 0644, or what pt_managed_file_new_mode() says (a
 * hook that must be executable).
 */
gboolean
ph_files_replace (int          root_fd,
                  const char  *relpath,
                  const char  *contents,
                  GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *tmp_name = NULL;
  const char *name;
  struct stat st;
  g_autofree char *host_path = g_strconcat ("/", relpath, NULL);
  mode_t mode = pt_managed_file_new_mode (host_path);
  int dir_fd, fd;

  split_path (relpath, &dir, &name);
  dir_fd = ph_files_open_dir (root_fd, dir, contents != NULL, error);
  if (dir_fd < 0)
    {
      if (contents == NULL && g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_clear_error (error);
          return TRUE;
        }
      return FALSE;
    }

  if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (!S_ISREG (st.st_mode))
        {
          close (dir_fd);
          g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                       "/%s is not a regular file (a symlink?); leaving it alone", relpath);
          return FALSE;
        }
      mode = st.st_mode & 07777;
    }

  if (contents == NULL)
    {
      if (unlinkat (dir_fd, name, 0) < 0 && errno != ENOENT)
        {
          int saved = errno;

          close (dir_fd);
          return set_errno_error (error, saved, "delete", relpath);
        }
      fsync (dir_fd);
      close (dir_fd);
      return TRUE;
    }

  tmp_name = g_strdup_printf (".%s.passthrough-new", name);
  unlinkat (dir_fd, tmp_name, 0);
  fd = openat (dir_fd, tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0)
    {
      int saved = errno;

      close (dir_fd);
      return set_errno_error (error, saved, "create a temporary file for", relpath);
    }

  if (fchmod (fd, mode) < 0 || !write_all (fd, contents, strlen (contents)) || fsync (fd) < 0)
    {
      int saved = errno;

      close (fd);
      unlinkat (dir_fd, tmp_name, 0);
      close (dir_fd);
      return set_errno_error (error, saved, "write", relpath);
    }
  close (fd);

  if (renameat (dir_fd, tmp_name, dir_fd, name) < 0)
    {
      int saved = errno;

      unlinkat (dir_fd, tmp_name, 0);
      close (dir_fd);
      return set_errno_error (error, saved, "replace", relpath);
    }

  fsync (dir_fd);
  close (dir_fd);
  return TRUE;
}
