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
#include <sys/xattr.h>
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

/**
 * ph_files_set_errno_error:
 *
 * Sets @error to "cannot WHAT /RELPATH: reason" in the GIO domain.
 *
 * Returns: %FALSE, to return it directly
 */
gboolean
ph_files_set_errno_error (GError     **error,
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
    return ph_files_set_errno_error (error, errno, "open", ""), -1;

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
              return ph_files_set_errno_error (error, saved, "create", relpath), -1;
            }
          /* The new directory's entry must survive a power cut as well. */
          fsync (fd);
          next = openat (fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
      if (next < 0)
        {
          int saved = errno;

          close (fd);
          /* ELOOP/ENOTDIR: a symlink or a file where a directory belongs. */
          return ph_files_set_errno_error (error, saved, "open the directory", relpath), -1;
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
  g_autoptr(GError) local = NULL;
  struct stat st;
  char buf[8192];
  int dir_fd, fd;
  ssize_t n;

  *contents = NULL;
  split_path (relpath, &dir, &name);

  /* A missing directory is a missing file; the caller may pass no GError. */
  dir_fd = ph_files_open_dir (root_fd, dir, FALSE, &local);
  if (dir_fd < 0)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  fd = openat (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  close (dir_fd);
  if (fd < 0)
    return errno == ENOENT ? TRUE : ph_files_set_errno_error (error, errno, "open", relpath);

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
          return ph_files_set_errno_error (error, saved, "read", relpath);
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

/* The kernel computes these itself from the contents; a copy would lie. */
static gboolean
is_kernel_maintained (const char *name)
{
  return g_str_equal (name, "security.ima") || g_str_equal (name, "security.evm");
}

/* Gives @fd the extended attributes of @old_fd: ACLs, the SELinux label,
 * user attributes. */
static gboolean
copy_xattrs (int old_fd,
             int fd)
{
  g_autofree char *names = NULL;
  ssize_t size = flistxattr (old_fd, NULL, 0);
  ssize_t pos;

  if (size < 0)
    return errno == ENOTSUP;
  names = g_malloc (size + 1);
  size = flistxattr (old_fd, names, size);
  if (size < 0)
    return FALSE;

  for (pos = 0; pos < size; pos += strlen (names + pos) + 1)
    {
      const char *name = names + pos;
      g_autofree char *value = NULL;
      ssize_t len = fgetxattr (old_fd, name, NULL, 0);

      if (is_kernel_maintained (name))
        continue;
      if (len < 0)
        return FALSE;
      value = g_malloc (len + 1);
      len = fgetxattr (old_fd, name, value, len);
      if (len < 0 || fsetxattr (fd, name, value, len, 0) < 0)
        return FALSE;
    }
  return TRUE;
}

/* Owner, group, mode and extended attributes of the file being replaced. */
static gboolean
keep_metadata (int          dir_fd,
               const char  *name,
               const struct stat *old,
               int          fd)
{
  int old_fd;
  gboolean ok;

  if (fchown (fd, old->st_uid, old->st_gid) < 0 || fchmod (fd, old->st_mode & 07777) < 0)
    return FALSE;
  old_fd = openat (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (old_fd < 0)
    return FALSE;
  ok = copy_xattrs (old_fd, fd);
  close (old_fd);
  return ok;
}

static gboolean
replace_file (int          root_fd,
              const char  *relpath,
              const char  *contents,
              mode_t       new_mode,
              gboolean     keep_old,
              GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *tmp_name = NULL;
  g_autoptr(GError) local = NULL;
  const char *name;
  struct stat st;
  gboolean existed = FALSE;
  int dir_fd, fd;

  split_path (relpath, &dir, &name);
  dir_fd = ph_files_open_dir (root_fd, dir, contents != NULL, &local);
  if (dir_fd < 0)
    {
      if (contents == NULL && g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
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
      existed = TRUE;
    }

  if (contents == NULL)
    {
      if (unlinkat (dir_fd, name, 0) < 0 && errno != ENOENT)
        {
          int saved = errno;

          close (dir_fd);
          return ph_files_set_errno_error (error, saved, "delete", relpath);
        }
      fsync (dir_fd);
      close (dir_fd);
      return TRUE;
    }

  tmp_name = g_strdup_printf (".%s.passthrough-new", name);
  unlinkat (dir_fd, tmp_name, 0);
  fd = openat (dir_fd, tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      close (dir_fd);
      return ph_files_set_errno_error (error, saved, "create a temporary file for", relpath);
    }

  if (!(keep_old && existed ? keep_metadata (dir_fd, name, &st, fd) : fchmod (fd, new_mode) == 0) ||
      !write_all (fd, contents, strlen (contents)) || fsync (fd) < 0)
    {
      int saved = errno;

      close (fd);
      unlinkat (dir_fd, tmp_name, 0);
      close (dir_fd);
      return ph_files_set_errno_error (error, saved, "write", relpath);
    }
  close (fd);

  if (renameat (dir_fd, tmp_name, dir_fd, name) < 0)
    {
      int saved = errno;

      unlinkat (dir_fd, tmp_name, 0);
      close (dir_fd);
      return ph_files_set_errno_error (error, saved, "replace", relpath);
    }

  fsync (dir_fd);
  close (dir_fd);
  return TRUE;
}

/**
 * ph_files_replace:
 * @relpath: relative to the root; its directory is created if missing
 * @contents: (nullable): the new contents, %NULL to delete the file
 *
 * Atomically replaces (or deletes) a file. The new file keeps the old one's
 * owner, group, mode and extended attributes (ACLs, SELinux label); a new
 * file is root's, 0644, or what pt_managed_file_new_mode() says (a hook
 * that must be executable).
 */
gboolean
ph_files_replace (int          root_fd,
                  const char  *relpath,
                  const char  *contents,
                  GError     **error)
{
  g_autofree char *host_path = g_strconcat ("/", relpath, NULL);

  return replace_file (root_fd, relpath, contents, pt_managed_file_new_mode (host_path), TRUE,
                       error);
}

/**
 * ph_files_copy:
 * @source: (nullable): the file @contents came from, relative to the root
 * @relpath: where the copy goes (in the journal)
 *
 * Writes a copy with the source's mode, less group and other write (the
 * journal must stay root's alone), or 0644 without a source.
 */
gboolean
ph_files_copy (int          root_fd,
               const char  *source,
               const char  *relpath,
               const char  *contents,
               GError     **error)
{
  struct stat st;
  mode_t mode = 0644;

  if (source != NULL && fstatat (root_fd, source, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode))
    mode = st.st_mode & 0755;
  return replace_file (root_fd, relpath, contents, mode, FALSE, error);
}
