/* pt-pci-names.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pt-device.h"

G_BEGIN_DECLS

void pt_pci_names_fill (PtDevice *device);

G_END_DECLS
