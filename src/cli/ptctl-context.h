/* ptctl-context.h
 *
 * What every passthroughctl command gets: the parsed global options.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses, as documented in the README. */
enum {
  PTCTL_EXIT_OK = 0,
  PTCTL_EXIT_NOT_READY = 1,
  PTCTL_EXIT_ERROR = 2,
};

typedef struct
{
  const char *root;
  gboolean json;
  char **args;   /* positional arguments after the command name */
} PtctlContext;

void ptctl_print_document (const char *text);
int  ptctl_fail        (const char *format,
                        ...) G_GNUC_PRINTF (1, 2);

int  ptctl_cmd_devices (PtctlContext *ctx);
int  ptctl_cmd_groups  (PtctlContext *ctx);
int  ptctl_cmd_check   (PtctlContext *ctx);

G_END_DECLS
