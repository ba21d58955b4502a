/* ph-devices.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ph-context.h"
#include "ph-request.h"
#include "pt-host.h"
#include "pt-plan.h"

G_BEGIN_DECLS

PtPlan   *ph_devices_plan    (PhContext        *ctx,
                              PtHost           *host,
                              const PhRequest  *request,
                              GError          **error);
gboolean  ph_devices_apply   (PhContext        *ctx,
                              PtHost           *host,
                              const PhRequest  *request,
                              PtPlan           *plan,
                              GError          **error);
gboolean  ph_devices_recover (PhContext        *ctx,
                              GError          **error);
gboolean  ph_devices_check_identity (PhContext   *ctx,
                                     const char  *address,
                                     GError     **error);

G_END_DECLS
