/* pt-device-row.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pt-device.h"

G_BEGIN_DECLS

#define PT_TYPE_DEVICE_ROW (pt_device_row_get_type ())

G_DECLARE_FINAL_TYPE (PtDeviceRow, pt_device_row, PT, DEVICE_ROW, GtkWidget)

const char *pt_device_kind_icon_name (PtDeviceKind  kind);
void        pt_device_show_driver    (PtDevice     *device,
                                      GtkLabel     *badge);
void        pt_device_show_host_use  (PtDevice     *device,
                                      GtkWidget    *icon);
char       *pt_device_dup_vm_label   (PtDevice     *device,
                                      GtkWidget    *shown_in);

G_END_DECLS
