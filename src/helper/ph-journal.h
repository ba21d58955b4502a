/* ph-journal.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ph-context.h"
#include "pt-plan.h"

G_BEGIN_DECLS

#define PH_STATE_DIR "var/lib/passthrough"

char      *ph_journal_boot_id      (PhContext  *ctx);
gboolean   ph_journal_lock         (PhContext  *ctx,
                                    GError    **error);
guint      ph_journal_begin        (PhContext  *ctx,
                                    PtPlan     *plan,
                                    GArray     *undoes,
                                    GError    **error);
gboolean   ph_journal_finish       (PhContext  *ctx,
                                    guint       id,
                                    GArray     *undoes,
                                    GError    **error);
gboolean   ph_journal_set_state    (PhContext  *ctx,
                                    guint       id,
                                    const char *state,
                                    GError    **error);
gboolean   ph_journal_roll_back    (PhContext  *ctx,
                                    guint       id,
                                    gboolean    regenerate,
                                    char      **kept,
                                    GError    **error);
gboolean   ph_journal_recover      (PhContext  *ctx,
                                    GError    **error);

G_END_DECLS
