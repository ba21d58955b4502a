/* pt-early-bind-plan.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pt-host.h"
#include "pt-plan.h"
#include "pt-root.h"

G_BEGIN_DECLS

typedef enum
{
  PT_EARLY_BIND_BY_ID,
  PT_EARLY_BIND_BY_ADDRESS,
} PtEarlyBindKind;

PtPlan *pt_early_bind_plan (PtRoot              *root,
                            PtHost              *host,
                            const char * const  *addresses,
                            PtEarlyBindKind      kind,
                            GError             **error);

G_END_DECLS
