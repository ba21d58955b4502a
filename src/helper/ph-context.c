/* ph-context.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>

#include "ph-context.h"
#include "pt-helper-protocol.h"
#include "pt-scanner.h"

void
ph_context_step (PhContext  *ctx,
                 const char *format,
                 ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  ctx->step++;
  printf (PT_HELPER_STEP_PREFIX "%u/%u: %s\n", ctx->step, MAX (ctx->step, ctx->n_steps), text);
  fflush (stdout);
}

void
ph_context_log (PhContext  *ctx,
                const char *line)
{
  printf (PT_HELPER_LOG_PREFIX "%s\n", line);
  fflush (stdout);
}

/**
 * ph_context_scan:
 *
 * Reads the host as a plan needs it: devices, groups, host use and boot
 * setup, without the readiness checks (and, in the helper's build of the
 * core, without pci.ids names).
 *
 * Returns: (transfer full): the snapshot, or %NULL with @error set
 */
PtHost *
ph_context_scan (PhContext  *ctx,
                 GError    **error)
{
  g_autoptr(PtScanner) scanner = pt_scanner_new (ctx->root);

  pt_scanner_set_skip_checks (scanner, TRUE);
  return pt_scanner_scan (scanner, NULL, error);
}
