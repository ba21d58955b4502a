/* pt-group-card.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pt-iommu-group.h"

G_BEGIN_DECLS

#define PT_TYPE_GROUP_CARD (pt_group_card_get_type ())

G_DECLARE_FINAL_TYPE (PtGroupCard, pt_group_card, PT, GROUP_CARD, GtkWidget)

GtkWidget    *pt_group_card_new       (void);
void          pt_group_card_set_group (PtGroupCard  *self,
                                       PtIommuGroup *group);

G_END_DECLS
