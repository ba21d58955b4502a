/* ph-context.h
 *
 * One run of the helper: the root it works on (always "/" in the installed
 * helper), its progress counter, and the kernel it talks to — the real one,
 * or in test builds the emulated one of ph-emulator.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pt-host.h"
#include "pt-plan.h"

G_BEGIN_DECLS

typedef struct
{
  int root_fd;
  char *root;             /* "/" or, in test builds, a fixture tree */
  guint step;
  guint n_steps;
  gboolean recovered;     /* an interrupted earlier change was put back */
  PtHost *host;           /* (nullable): what a device verb was planned from */
} PhContext;

void     ph_context_step     (PhContext          *ctx,
                              const char         *format,
                              ...) G_GNUC_PRINTF (2, 3);
void     ph_context_log      (PhContext          *ctx,
                              const char         *line);
PtHost  *ph_context_scan     (PhContext          *ctx,
                              GError            **error);

/* The kernel and the system's tools: ph-kernel.c (installed helper) or
 * ph-emulator.c (test builds). Both validate exactly the same way. */
gboolean ph_kernel_write     (PhContext          *ctx,
                              const char         *path,
                              const char         *value,
                              GError            **error);
gboolean ph_kernel_run       (PhContext          *ctx,
                              const char * const *argv,
                              char              **output,
                              GError            **error);
void     ph_kernel_step_done (PhContext          *ctx);
void     ph_kernel_plan_made (PhContext          *ctx);

G_END_DECLS
