/* pt-change-history.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pt-plan.h"
#include "pt-root.h"

G_BEGIN_DECLS

#define PT_CHANGE_HISTORY_DIR "var/lib/passthrough/changes"

typedef struct
{
  guint id;
  char *summary;
  char *time;             /* ISO 8601, UTC */
  char *state;            /* applying, done, rolled-back, undone */
  char *boot_id;          /* the boot during which it was made, or NULL */
  GStrv paths;
} PtChange;

void       pt_change_free                 (PtChange    *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtChange, pt_change_free)

GPtrArray *pt_change_history_list         (PtRoot      *root);
GKeyFile  *pt_change_history_load         (PtRoot      *root,
                                           guint        id);
gboolean   pt_change_history_read_before  (PtRoot      *root,
                                           GKeyFile    *record,
                                           guint        id,
                                           guint        index,
                                           char       **path,
                                           char       **contents,
                                           GError     **error);
GPtrArray *pt_change_history_regenerators (PtRoot      *root,
                                           GKeyFile    *record,
                                           guint        id,
                                           GError     **error);
PtChange  *pt_change_history_pending_restart (GPtrArray *changes,
                                              const char *boot_id);
char      *pt_change_describe_time        (const PtChange *change,
                                           GDateTime   *now);
PtPlan    *pt_change_history_undo_plan    (PtRoot      *root,
                                           guint        from_id,
                                           GArray      *undone,
                                           GError     **error);

G_END_DECLS
