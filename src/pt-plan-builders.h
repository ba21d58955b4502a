/* pt-plan-builders.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pt-host.h"
#include "pt-plan.h"
#include "pt-root.h"

G_BEGIN_DECLS

/* Plans one host change on @host, as the helper will. */
typedef PtPlan *(*PtPlanBuilder) (PtRoot    *root,
                                  PtHost    *host,
                                  gpointer   user_data,
                                  GError   **error);

PtPlan *pt_plan_build_bind   (PtRoot   *root,
                              PtHost   *host,
                              gpointer  address,
                              GError  **error);
PtPlan *pt_plan_build_return (PtRoot   *root,
                              PtHost   *host,
                              gpointer  address,
                              GError  **error);
PtPlan *pt_plan_build_undo   (PtRoot   *root,
                              PtHost   *host,
                              gpointer  change_id,
                              GError  **error);

G_END_DECLS
