/* pt-modalias.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pt-root.h"

G_BEGIN_DECLS

typedef struct _PtModaliasIndex PtModaliasIndex;

/* "pci:v0000VVVVd0000DDDDsv0000SSSSsd0000SSSSbcBBscSSiII" and its NUL */
#define PT_MODALIAS_PCI_SIZE 54

void             pt_modalias_format_pci   (char             buf[PT_MODALIAS_PCI_SIZE],
                                           guint16          vendor_id,
                                           guint16          device_id,
                                           guint16          subsystem_vendor_id,
                                           guint16          subsystem_device_id,
                                           guint32          class_id);

PtModaliasIndex *pt_modalias_index_load   (PtRoot          *root,
                                           const char      *kernel_release);
PtModaliasIndex *pt_modalias_index_parse  (const char      *modules_alias);
GStrv            pt_modalias_index_lookup (PtModaliasIndex *self,
                                           const char      *modalias);
void             pt_modalias_index_free   (PtModaliasIndex *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtModaliasIndex, pt_modalias_index_free)

G_END_DECLS
