/* pt-groups-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pt-page.h"

G_BEGIN_DECLS

#define PT_TYPE_GROUPS_PAGE (pt_groups_page_get_type ())

G_DECLARE_FINAL_TYPE (PtGroupsPage, pt_groups_page, PT, GROUPS_PAGE, PtPage)

void pt_groups_page_focus_search (PtGroupsPage *self);

G_END_DECLS
