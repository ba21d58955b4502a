/* pt-sysfs.h
 *
 * Small, allocation-free readers for sysfs attributes relative to an open
 * directory. A scan reads tens of thousands of them, so these stay cheap.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PT_SYSFS_ATTR_MAX 4096

gboolean  pt_sysfs_read_attr          (int          dirfd,
                                       const char  *name,
                                       char        *buf,
                                       gsize        size);
char     *pt_sysfs_dup_attr           (int          dirfd,
                                       const char  *name);
gboolean  pt_sysfs_parse_hex          (const char  *text,
                                       guint64      max,
                                       guint64     *value);
gboolean  pt_sysfs_parse_int          (const char  *text,
                                       gint64       min,
                                       gint64       max,
                                       gint64      *value);
char     *pt_sysfs_link_basename      (int          dirfd,
                                       const char  *name);
char     *pt_sysfs_read_link          (int          dirfd,
                                       const char  *name);
gboolean  pt_sysfs_is_pci_address     (const char  *text);
char     *pt_pci_address_normalize    (const char  *text);
char     *pt_sysfs_last_pci_address   (const char  *path);

G_END_DECLS
