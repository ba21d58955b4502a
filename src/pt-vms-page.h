/* pt-vms-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pt-page.h"

#include "pt-session.h"

G_BEGIN_DECLS

#define PT_TYPE_VMS_PAGE (pt_vms_page_get_type ())

G_DECLARE_FINAL_TYPE (PtVmsPage, pt_vms_page, PT, VMS_PAGE, PtPage)

G_END_DECLS
