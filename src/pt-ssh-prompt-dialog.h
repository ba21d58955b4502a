/* pt-ssh-prompt-dialog.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "pt-ssh-prompt.h"

G_BEGIN_DECLS

void  pt_ssh_prompt_dialog_ask        (GtkWindow           *parent,
                                       const PtSshPrompt   *prompt,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
char *pt_ssh_prompt_dialog_ask_finish (GAsyncResult        *result,
                                       GError             **error);

G_END_DECLS
