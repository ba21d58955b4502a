/* pt-sandbox.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pt-boot-setup.h"
#include "pt-root.h"

G_BEGIN_DECLS

gboolean     pt_sandbox_is_flatpak          (void);
gboolean     pt_sandbox_is_active           (PtRoot      *root);
void         pt_sandbox_add_checks          (GPtrArray   *checks);
char        *pt_sandbox_dup_install_command (PtBootSetup *boot);
char        *pt_sandbox_dup_change_advice   (PtBootSetup *boot,
                                             const char  *command);

G_END_DECLS
