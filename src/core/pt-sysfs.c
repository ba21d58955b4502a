/* pt-sysfs.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-sysfs"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "pt-sysfs.h"

/*
 * Reads a whole attribute into @buf with one read(): sysfs attributes are at
 * most a page and the kernel hands them over in one go. Trailing white space
 * is trimmed. Returns FALSE if the attribute is missing or unreadable.
 */
gboolean
pt_sysfs_read_attr (int         dirfd,
                    const char *name,
                    char       *buf,
                    gsize       size)
{
  ssize_t n;
  int fd;

  g_return_val_if_fail (size > 1, FALSE);

  fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return FALSE;

  do
    n = read (fd, buf, size - 1);
  while (n < 0 && errno == EINTR);
  close (fd);

  if (n < 0)
    return FALSE;

  while (n > 0 && g_ascii_isspace (buf[n - 1]))
    n--;
  buf[n] = '\0';

  /* A NUL inside an attribute means it is not text: treat it as unreadable. */
  return strlen (buf) == (gsize) n;
}

char *
pt_sysfs_dup_attr (int         dirfd,
                   const char *name)
{
  char buf[PT_SYSFS_ATTR_MAX];

  if (!pt_sysfs_read_attr (dirfd, name, buf, sizeof buf))
    return NULL;

  return g_strdup (buf);
}

/*
 * Parses "0x8086" or "8086" as hexadecimal, refusing anything else: an empty
 * string, trailing garbage, or a value above @max.
 */
gboolean
pt_sysfs_parse_hex (const char *text,
                    guint64     max,
                    guint64    *value)
{
  const char *p = text;
  guint64 v = 0;

  if (text == NULL)
    return FALSE;

  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    p += 2;

  if (*p == '\0')
    return FALSE;

  for (; *p != '\0'; p++)
    {
      int digit = g_ascii_xdigit_value (*p);

      /* Checked before multiplying, so a long string cannot wrap around. */
      if (digit < 0 || v > (max - (guint64) digit) / 16)
        return FALSE;
      v = v * 16 + (guint64) digit;
    }

  *value = v;
  return TRUE;
}

gboolean
pt_sysfs_parse_int (const char *text,
                    gint64      min,
                    gint64      max,
                    gint64     *value)
{
  if (text == NULL)
    return FALSE;

  return g_ascii_string_to_signed (text, 10, min, max, value, NULL);
}

char *
pt_sysfs_read_link (int         dirfd,
                    const char *name)
{
  char buf[PATH_MAX];
  ssize_t n;

  n = readlinkat (dirfd, name, buf, sizeof buf - 1);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';

  return g_strdup (buf);
}

char *
pt_sysfs_link_basename (int         dirfd,
                        const char *name)
{
  char buf[PATH_MAX];
  const char *slash;
  ssize_t n;

  n = readlinkat (dirfd, name, buf, sizeof buf - 1);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';

  slash = strrchr (buf, '/');
  return g_strdup (slash != NULL ? slash + 1 : buf);
}

/* DDDD:BB:DD.F with lowercase hex, as the kernel names PCI functions. */
gboolean
pt_sysfs_is_pci_address (const char *text)
{
  static const char shape[] = "xxxx:xx:xx.f";
  gsize i;

  if (text == NULL)
    return FALSE;

  for (i = 0; i < sizeof shape - 1; i++)
    {
      char c = text[i];

      switch (shape[i])
        {
        case 'x':
          if (!g_ascii_isdigit (c) && !(c >= 'a' && c <= 'f'))
            return FALSE;
          break;

        case 'f':
          if (c < '0' || c > '7')
            return FALSE;
          break;

        default:
          if (c != shape[i])
            return FALSE;
          break;
        }
    }

  /* The slot is five bits: 00 to 1f. */
  return text[i] == '\0' && text[8] <= '1';
}

/**
 * pt_pci_address_normalize:
 * @text: a PCI address as people type it: the kernel's 0000:01:00.0, or
 *   lspci's 01:00.0 (domain 0000), in either case of hex
 *
 * The helper takes only the kernel's form; faces normalize what people
 * type with this before they build a change.
 *
 * Returns: (transfer full) (nullable): the kernel's form, or %NULL when
 *   @text is no PCI address
 */
char *
pt_pci_address_normalize (const char *text)
{
  g_autofree char *lower = NULL;
  g_autofree char *full = NULL;

  if (text == NULL || (strlen (text) != 7 && strlen (text) != 12))
    return NULL;
  lower = g_ascii_strdown (text, -1);
  full = strlen (lower) == 7 ? g_strconcat ("0000:", lower, NULL) : g_steal_pointer (&lower);
  return pt_sysfs_is_pci_address (full) ? g_steal_pointer (&full) : NULL;
}

/*
 * The deepest PCI function in a sysfs device path, e.g. the NVMe controller
 * 0000:03:00.0 in ../../devices/pci0000:00/0000:00:1d.0/0000:03:00.0/nvme/nvme0.
 */
char *
pt_sysfs_last_pci_address (const char *path)
{
  g_auto(GStrv) parts = NULL;
  guint n;

  if (path == NULL)
    return NULL;

  parts = g_strsplit (path, "/", -1);
  n = g_strv_length (parts);

  while (n > 0)
    {
      n--;
      if (pt_sysfs_is_pci_address (parts[n]))
        return g_strdup (parts[n]);
    }

  return NULL;
}
