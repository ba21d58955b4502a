/* pt-search-query.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pt-device.h"
#include "pt-iommu-group.h"

G_BEGIN_DECLS

typedef struct _PtSearchQuery PtSearchQuery;

PtSearchQuery *pt_search_query_new            (const char          *text,
                                               GHashTable          *vm_titles);
void           pt_search_query_free           (PtSearchQuery       *self);
gboolean       pt_search_query_is_empty       (const PtSearchQuery *self);
gboolean       pt_search_query_matches_device (const PtSearchQuery *self,
                                               PtDevice            *device);
gboolean       pt_search_query_matches_group  (const PtSearchQuery *self,
                                               PtIommuGroup        *group);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtSearchQuery, pt_search_query_free)

G_END_DECLS
