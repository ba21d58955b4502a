/* pt-owner-facts.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PtOwnerFacts PtOwnerFacts;

PtOwnerFacts *pt_owner_facts_new              (void);
PtOwnerFacts *pt_owner_facts_ref              (PtOwnerFacts  *self);
void          pt_owner_facts_unref            (PtOwnerFacts  *self);
void          pt_owner_facts_set              (PtOwnerFacts  *self,
                                               GHashTable    *owners,
                                               GHashTable    *running);
void          pt_owner_facts_take_for_scan    (PtOwnerFacts  *self,
                                               GHashTable   **owners,
                                               GHashTable   **running);
gboolean      pt_owner_facts_changed_since_scan (PtOwnerFacts *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtOwnerFacts, pt_owner_facts_unref)

G_END_DECLS
