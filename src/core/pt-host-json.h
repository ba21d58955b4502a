/* pt-host-json.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pt-host.h"
#include "pt-json-writer.h"

G_BEGIN_DECLS

void  pt_device_write_json       (PtDevice     *device,
                                  PtJsonWriter *writer);
void  pt_iommu_group_write_json  (PtIommuGroup *group,
                                  PtJsonWriter *writer);
void  pt_check_write_json        (PtCheck      *check,
                                  PtJsonWriter *writer);
void  pt_host_write_devices_json (PtHost       *host,
                                  PtJsonWriter *writer);
char *pt_host_devices_to_json    (PtHost       *host);
char *pt_host_groups_to_json     (PtHost       *host);
char *pt_host_checks_to_json     (PtHost       *host);

G_END_DECLS
