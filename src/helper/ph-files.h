/* ph-files.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

int      ph_files_open_dir    (int          root_fd,
                               const char  *relpath,
                               gboolean     create,
                               GError     **error);
gboolean ph_files_read        (int          root_fd,
                               const char  *relpath,
                               char       **contents,
                               GError     **error);
gboolean ph_files_replace     (int          root_fd,
                               const char  *relpath,
                               const char  *contents,
                               GError     **error);
gboolean ph_files_copy        (int          root_fd,
                               const char  *source,
                               const char  *relpath,
                               const char  *contents,
                               GError     **error);
gboolean ph_files_set_errno_error (GError     **error,
                                   int          saved_errno,
                                   const char  *what,
                                   const char  *relpath);

G_END_DECLS
