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
void  pt_host_write_groups_json  (PtHost       *host,
                                  PtJsonWriter *writer);
void  pt_host_write_checks_json  (PtHost       *host,
                                  PtJsonWriter *writer);

G_END_DECLS
