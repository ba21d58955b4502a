/* pt-plan-dialog.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pt-helper-client.h"
#include "pt-plan-builders.h"
#include "pt-session.h"

G_BEGIN_DECLS

#define PT_TYPE_PLAN_DIALOG (pt_plan_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PtPlanDialog, pt_plan_dialog, PT, PLAN_DIALOG, AdwWindow)

PtPlanDialog *pt_plan_dialog_new (PtPlan             *plan,
                                  PtHelperClient     *helper,
                                  const char * const *helper_args);

void          pt_plan_dialog_present (GtkWidget          *widget,
                                      PtSession          *session,
                                      PtPlan             *plan,
                                      const char * const *helper_args);

void          pt_plan_dialog_review  (GtkWidget          *widget,
                                      PtSession          *session,
                                      PtPlanBuilder       build,
                                      gpointer            user_data,
                                      const char * const *helper_args);

G_END_DECLS
