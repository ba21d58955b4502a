/* pt-host-json.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "pt-host.h"

G_BEGIN_DECLS

JsonNode *pt_device_to_json       (PtDevice     *device);
JsonNode *pt_iommu_group_to_json  (PtIommuGroup *group);
JsonNode *pt_check_to_json        (PtCheck      *check);
JsonNode *pt_host_devices_to_json (PtHost       *host);
JsonNode *pt_host_groups_to_json  (PtHost       *host);
JsonNode *pt_host_checks_to_json  (PtHost       *host);

G_END_DECLS
