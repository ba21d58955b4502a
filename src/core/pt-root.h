/* pt-root.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PT_TYPE_ROOT (pt_root_get_type ())

G_DECLARE_FINAL_TYPE (PtRoot, pt_root, PT, ROOT, GObject)

PtRoot     *pt_root_open           (const char  *path,
                                    GError     **error);
const char *pt_root_get_path       (PtRoot      *self);
int         pt_root_get_fd         (PtRoot      *self);
char       *pt_root_display_path   (PtRoot      *self,
                                    const char  *relpath);
char       *pt_root_read_file      (PtRoot      *self,
                                    const char  *relpath,
                                    gsize       *length,
                                    GError     **error);
char       *pt_root_read_line      (PtRoot      *self,
                                    const char  *relpath);
gboolean    pt_root_exists         (PtRoot      *self,
                                    const char  *relpath);
gboolean    pt_root_is_dir         (PtRoot      *self,
                                    const char  *relpath);
char       *pt_root_read_link      (PtRoot      *self,
                                    const char  *relpath);
GPtrArray  *pt_root_list_dir       (PtRoot      *self,
                                    const char  *relpath,
                                    GError     **error);

G_END_DECLS
