/* pt-grub-defaults.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

GStrv  pt_kernel_params_edit        (const char * const  *params,
                                     const char * const  *add,
                                     const char * const  *remove);
char  *pt_grub_defaults_edit        (const char          *contents,
                                     const char          *variable,
                                     const char * const  *add,
                                     const char * const  *remove,
                                     GError             **error);
GStrv  pt_grub_defaults_edit_files  (const char * const  *files,
                                     guint                n_files,
                                     const char          *variable,
                                     const char * const  *add,
                                     const char * const  *remove,
                                     GError             **error);
char  *pt_grub_defaults_effective   (const char * const  *files,
                                     guint                n_files,
                                     const char          *variable,
                                     GError             **error);

G_END_DECLS
