/* pt-root.c
 *
 * A host's root directory, opened once. Everything Passthrough reads about a
 * host (sys, proc, etc, lib/modules, boot, dev) is read relative to it, so the
 * same code reads "/" on a real host and a fixture tree in the tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-root"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt-error.h"
#include "pt-root.h"

struct _PtRoot
{
  GObject parent_instance;

  char *path;
  int fd;
};

G_DEFINE_FINAL_TYPE (PtRoot, pt_root, G_TYPE_OBJECT)

static void
pt_root_finalize (GObject *object)
{
  PtRoot *self = (PtRoot *) object;

  g_clear_pointer (&self->path, g_free);
  if (self->fd >= 0)
    close (self->fd);

  G_OBJECT_CLASS (pt_root_parent_class)->finalize (object);
}

static void
pt_root_class_init (PtRootClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pt_root_finalize;
}

static void
pt_root_init (PtRoot *self)
{
  self->fd = -1;
}

/**
 * pt_root_open:
 * @path: the directory that stands for "/" of the host
 *
 * Returns: (transfer full): the opened root, or %NULL with @error set
 */
PtRoot *
pt_root_open (const char  *path,
              GError     **error)
{
  g_autoptr(PtRoot) self = NULL;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT,
                   _("Cannot open the host root “%s”: %s. Give a directory that contains "
                     "the host’s sys/ and proc/."),
                   path, g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (PT_TYPE_ROOT, NULL);
  self->fd = fd;
  self->path = g_canonicalize_filename (path, NULL);

  return g_steal_pointer (&self);
}

const char *
pt_root_get_path (PtRoot *self)
{
  g_return_val_if_fail (PT_IS_ROOT (self), NULL);

  return self->path;
}

int
pt_root_get_fd (PtRoot *self)
{
  g_return_val_if_fail (PT_IS_ROOT (self), -1);

  return self->fd;
}

/**
 * pt_root_display_path:
 * @relpath: a path relative to the root, without a leading slash
 *
 * Returns: (transfer full): the path as a person would look for it:
 *   "/proc/cmdline" on the real host, "/tmp/fixture/proc/cmdline" otherwise
 */
char *
pt_root_display_path (PtRoot     *self,
                      const char *relpath)
{
  g_return_val_if_fail (PT_IS_ROOT (self), NULL);

  if (g_str_equal (self->path, "/"))
    return g_strconcat ("/", relpath, NULL);

  return g_build_filename (self->path, relpath, NULL);
}

/**
 * pt_root_read_file:
 * @relpath: path relative to the root
 * @length: (out) (optional): where to store the length
 *
 * Reads a whole file. Unlike g_file_get_contents() it works on procfs files
 * whose reported size is zero.
 *
 * Returns: (transfer full): the contents, always NUL-terminated
 */
char *
pt_root_read_file (PtRoot      *self,
                   const char  *relpath,
                   gsize       *length,
                   GError     **error)
{
  g_autoptr(GByteArray) bytes = NULL;
  int fd;

  g_return_val_if_fail (PT_IS_ROOT (self), NULL);

  fd = openat (self->fd, relpath, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_autofree char *display = pt_root_display_path (self, relpath);

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot read %s: %s"), display, g_strerror (saved_errno));
      return NULL;
    }

  bytes = g_byte_array_sized_new (4096);

  for (;;)
    {
      guint8 chunk[16384];
      ssize_t n = read (fd, chunk, sizeof chunk);

      if (n < 0 && errno == EINTR)
        continue;

      if (n < 0)
        {
          int saved_errno = errno;
          g_autofree char *display = pt_root_display_path (self, relpath);

          close (fd);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("Cannot read %s: %s"), display, g_strerror (saved_errno));
          return NULL;
        }

      if (n == 0)
        break;

      g_byte_array_append (bytes, chunk, n);
    }

  close (fd);

  if (length != NULL)
    *length = bytes->len;

  g_byte_array_append (bytes, (const guint8 *) "", 1);

  return (char *) g_byte_array_free (g_steal_pointer (&bytes), FALSE);
}

/**
 * pt_root_read_line:
 *
 * Returns: (transfer full) (nullable): the first line of a small file,
 *   without the newline, or %NULL if it cannot be read
 */
char *
pt_root_read_line (PtRoot     *self,
                   const char *relpath)
{
  g_autofree char *contents = pt_root_read_file (self, relpath, NULL, NULL);
  char *newline;

  if (contents == NULL)
    return NULL;

  newline = strchr (contents, '\n');
  if (newline != NULL)
    *newline = '\0';

  return g_strstrip (g_steal_pointer (&contents));
}

gboolean
pt_root_exists (PtRoot     *self,
                const char *relpath)
{
  g_return_val_if_fail (PT_IS_ROOT (self), FALSE);

  return faccessat (self->fd, relpath, F_OK, 0) == 0;
}

gboolean
pt_root_is_dir (PtRoot     *self,
                const char *relpath)
{
  struct stat st;

  g_return_val_if_fail (PT_IS_ROOT (self), FALSE);

  return fstatat (self->fd, relpath, &st, 0) == 0 && S_ISDIR (st.st_mode);
}

char *
pt_root_read_link (PtRoot     *self,
                   const char *relpath)
{
  char buf[PATH_MAX];
  ssize_t n;

  g_return_val_if_fail (PT_IS_ROOT (self), NULL);

  n = readlinkat (self->fd, relpath, buf, sizeof buf - 1);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';

  return g_strdup (buf);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * pt_root_list_dir:
 *
 * Returns: (transfer full) (element-type utf8): the entries of a directory,
 *   sorted, without "." and ".."
 */
GPtrArray *
pt_root_list_dir (PtRoot      *self,
                  const char  *relpath,
                  GError     **error)
{
  g_autoptr(GPtrArray) names = NULL;
  struct dirent *entry;
  DIR *dir;
  int fd;

  g_return_val_if_fail (PT_IS_ROOT (self), NULL);

  fd = openat (self->fd, relpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  dir = fd >= 0 ? fdopendir (fd) : NULL;
  if (dir == NULL)
    {
      int saved_errno = errno;
      g_autofree char *display = pt_root_display_path (self, relpath);

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot list %s: %s"), display, g_strerror (saved_errno));
      return NULL;
    }

  names = g_ptr_array_new_with_free_func (g_free);
  while ((entry = readdir (dir)) != NULL)
    {
      if (g_str_equal (entry->d_name, ".") || g_str_equal (entry->d_name, ".."))
        continue;
      g_ptr_array_add (names, g_strdup (entry->d_name));
    }
  closedir (dir);

  g_ptr_array_sort (names, compare_names);

  return g_steal_pointer (&names);
}
