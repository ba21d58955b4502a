/* pt-pci-names-none.c
 *
 * pt_pci_names_fill() for the privileged helper's build of the core: plans
 * need IDs and addresses, never names, so root neither links libpci nor
 * parses pci.ids. Devices get lspci's numeric fallbacks ("Device 2503").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-pci-names"

#include "config.h"

#include "pt-device-private.h"
#include "pt-pci-names.h"

void
pt_pci_names_fill (PtDevice *device)
{
  _pt_device_fill_numeric_names (device);
}
