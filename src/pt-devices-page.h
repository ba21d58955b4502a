/* pt-devices-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pt-page.h"

#include "pt-session.h"

G_BEGIN_DECLS

#define PT_TYPE_DEVICES_PAGE (pt_devices_page_get_type ())

G_DECLARE_FINAL_TYPE (PtDevicesPage, pt_devices_page, PT, DEVICES_PAGE, PtPage)

void     pt_devices_page_focus_search        (PtDevicesPage *self);
void     pt_devices_page_show_list           (PtDevicesPage *self);
gboolean pt_devices_page_get_showing_device  (PtDevicesPage *self);
gboolean pt_devices_page_show_device         (PtDevicesPage *self,
                                              const char    *address);

G_END_DECLS
