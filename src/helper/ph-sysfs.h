/* ph-sysfs.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ph-request.h"

G_BEGIN_DECLS

typedef enum
{
  PH_SYSFS_DEVICE_ATTR,    /* /sys/bus/pci/devices/ADDR/ATTR */
  PH_SYSFS_DRIVER_UNBIND,  /* /sys/bus/pci/drivers/NAME/unbind */
  PH_SYSFS_DRIVERS_PROBE,  /* /sys/bus/pci/drivers_probe */
} PhSysfsKind;

typedef struct
{
  PhSysfsKind kind;
  char address[PH_ADDRESS_LEN + 1];   /* the device (ATTR) or the value */
  char name[65];                      /* the attribute or the driver */
} PhSysfsTarget;

gboolean ph_sysfs_parse_target    (const char     *path,
                                   const char     *value,
                                   PhSysfsTarget  *target,
                                   GError        **error);
int      ph_sysfs_open_device_dir (int             root_fd,
                                   const char     *address,
                                   GError        **error);
int      ph_sysfs_open_target     (int             root_fd,
                                   const PhSysfsTarget *target,
                                   GError        **error);
gboolean ph_is_driver_name        (const char     *name);

G_END_DECLS
