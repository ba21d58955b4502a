/* pt-device-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pt-page.h"

#include "pt-device.h"

G_BEGIN_DECLS

#define PT_TYPE_DEVICE_PAGE (pt_device_page_get_type ())

G_DECLARE_FINAL_TYPE (PtDevicePage, pt_device_page, PT, DEVICE_PAGE, PtPage)

PtDevice *pt_device_page_get_device (PtDevicePage *self);
void      pt_device_page_set_device (PtDevicePage *self,
                                     PtDevice     *device);

G_END_DECLS
