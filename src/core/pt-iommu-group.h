/* pt-iommu-group.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pt-device.h"

G_BEGIN_DECLS

#define PT_TYPE_IOMMU_GROUP (pt_iommu_group_get_type ())

G_DECLARE_FINAL_TYPE (PtIommuGroup, pt_iommu_group, PT, IOMMU_GROUP, GObject)

PtIommuGroup *pt_iommu_group_new            (int            number,
                                             GPtrArray     *devices);
int           pt_iommu_group_get_number     (PtIommuGroup  *self);
GListModel   *pt_iommu_group_get_devices    (PtIommuGroup  *self);
guint         pt_iommu_group_get_n_devices  (PtIommuGroup  *self);
gboolean      pt_iommu_group_is_viable      (PtIommuGroup  *self);
GPtrArray    *pt_iommu_group_get_blockers   (PtIommuGroup  *self);
gboolean      pt_iommu_group_is_used_by_host (PtIommuGroup *self);
char         *pt_iommu_group_dup_state_text (PtIommuGroup  *self);
const char   *pt_iommu_group_get_state_unknown (PtIommuGroup *self);
gboolean      pt_iommu_group_is_ready       (PtIommuGroup  *self);
const char   *pt_iommu_group_get_preparable_member (PtIommuGroup *self);

G_END_DECLS
