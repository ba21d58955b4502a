/* pt-managed-files.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean pt_managed_file_is_editable (const char *path);
gboolean pt_managed_path_is_clean    (const char *path);
gboolean pt_managed_file_is_verifiable (const char *path);
guint    pt_managed_file_new_mode    (const char *path);
gboolean pt_managed_command_is_allowed     (const char *name);
gboolean pt_managed_command_is_regenerator (const char *name);
gboolean pt_managed_command_lists_initramfs (const char *name);

G_END_DECLS
