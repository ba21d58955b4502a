/* ph-trust.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean ph_trust_check (int          root_fd,
                         const char  *relpath,
                         GError     **error);

G_END_DECLS
