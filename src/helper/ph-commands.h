/* ph-commands.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  ph_commands_check          (const char * const  *argv,
                                      GError             **error);
char     *ph_commands_resolve        (int                  root_fd,
                                      const char          *name);

G_END_DECLS
