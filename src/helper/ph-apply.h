/* ph-apply.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ph-context.h"
#include "pt-plan.h"

G_BEGIN_DECLS

/* Error codes of PH_APPLY_ERROR, which decide the exit status. */
typedef enum
{
  PH_APPLY_ERROR_REFUSED,       /* nothing was done */
  PH_APPLY_ERROR_ROLLED_BACK,   /* a step failed; everything was put back */
  PH_APPLY_ERROR_INCONSISTENT,  /* a step failed and putting back failed too */
  PH_APPLY_ERROR_RECOVERY,      /* putting back an interrupted earlier change failed */
} PhApplyError;

#define PH_APPLY_ERROR (ph_apply_error_quark ())
GQuark   ph_apply_error_quark (void);

gboolean ph_apply_check       (PtPlan     *plan,
                               GError    **error);
gboolean ph_apply_plan        (PhContext  *ctx,
                               PtPlan     *plan,
                               GArray     *undoes,
                               guint      *change_id,
                               GError    **error);
void     ph_apply_wrap_error  (GError    **error,
                               PhApplyError code,
                               GError     *cause,
                               const char *format,
                               ...) G_GNUC_PRINTF (4, 5);

G_END_DECLS
