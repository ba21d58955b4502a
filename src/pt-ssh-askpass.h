/* pt-ssh-askpass.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PT_TYPE_SSH_ASKPASS (pt_ssh_askpass_get_type ())

G_DECLARE_FINAL_TYPE (PtSshAskpass, pt_ssh_askpass, PT, SSH_ASKPASS, GObject)

void          pt_ssh_askpass_prepare_environment (void);
PtSshAskpass *pt_ssh_askpass_new                 (GtkApplication *app);

G_END_DECLS
