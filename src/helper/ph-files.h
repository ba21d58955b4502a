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
gboolean ph_files_check_trusted (int          root_fd,
                                 const char  *relpath,
                                 GError     **error);

G_END_DECLS
