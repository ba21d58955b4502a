/* pt-plan-dialog.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pt-helper-client.h"
#include "pt-host-change.h"
#include "pt-session.h"

G_BEGIN_DECLS

#define PT_TYPE_PLAN_DIALOG (pt_plan_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PtPlanDialog, pt_plan_dialog, PT, PLAN_DIALOG, AdwWindow)

PtPlanDialog *pt_plan_dialog_new (PtPlan             *plan,
                                  PtHelperClient     *helper,
                                  const PtHostChange *change,
                                  const char         *remote_uri);


void          pt_plan_dialog_review  (GtkWidget          *widget,
                                      PtSession          *session,
                                      const PtHostChange *change);

G_END_DECLS
