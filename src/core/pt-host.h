/* pt-host.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pt-boot-setup.h"
#include "pt-check.h"
#include "pt-device.h"
#include "pt-iommu-group.h"

G_BEGIN_DECLS

#define PT_TYPE_HOST (pt_host_get_type ())

G_DECLARE_FINAL_TYPE (PtHost, pt_host, PT, HOST, GObject)

const char          *pt_host_get_root            (PtHost     *self);
GListModel          *pt_host_get_devices         (PtHost     *self);
GListModel          *pt_host_get_groups          (PtHost     *self);
GListModel          *pt_host_get_checks          (PtHost     *self);
PtBootSetup         *pt_host_get_boot_setup      (PtHost     *self);
const char * const  *pt_host_get_problems        (PtHost     *self);
const char          *pt_host_get_boot_id         (PtHost     *self);
PtDevice            *pt_host_lookup_device       (PtHost     *self,
                                                  const char *address);
PtIommuGroup        *pt_host_lookup_group        (PtHost     *self,
                                                  int         number);
gboolean             pt_host_is_ready            (PtHost     *self);
char                *pt_host_dup_titles          (PtHost             *host,
                                                  const char * const *addresses);

G_END_DECLS
