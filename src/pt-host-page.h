/* pt-host-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pt-page.h"

#include "pt-session.h"

G_BEGIN_DECLS

#define PT_TYPE_HOST_PAGE (pt_host_page_get_type ())

G_DECLARE_FINAL_TYPE (PtHostPage, pt_host_page, PT, HOST_PAGE, PtPage)

G_END_DECLS
