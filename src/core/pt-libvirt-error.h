/* pt-libvirt-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void pt_libvirt_set_error (GError     **error,
                           const char  *uri,
                           const char  *what);

G_END_DECLS
