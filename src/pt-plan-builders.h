/* pt-plan-builders.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pt-plan-dialog.h"

G_BEGIN_DECLS

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
