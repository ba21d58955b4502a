/* ph-request.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pt-host-change.h"

G_BEGIN_DECLS

/* The helper's verbs are the core's kinds of host change, parsed by its one
 * table (pt-host-change.c); the polkit action is chosen by argv[1]. */
typedef PtHostChangeKind PhVerb;

#define PH_VERB_BIND PT_HOST_CHANGE_BIND
#define PH_VERB_RETURN PT_HOST_CHANGE_RETURN
#define PH_VERB_SET_VFS PT_HOST_CHANGE_SET_VFS
#define PH_VERB_ENABLE_IOMMU PT_HOST_CHANGE_ENABLE_IOMMU
#define PH_VERB_EARLY_BIND_IDS PT_HOST_CHANGE_EARLY_BIND_IDS
#define PH_VERB_EARLY_BIND_ADDRESSES PT_HOST_CHANGE_EARLY_BIND_ADDRESSES
#define PH_VERB_BOOT_ONCE_WITHOUT PT_HOST_CHANGE_BOOT_ONCE_WITHOUT
#define PH_VERB_UNDO PT_HOST_CHANGE_UNDO
#define PH_VERB_HISTORY PT_HOST_CHANGE_HISTORY

#define PH_ADDRESS_LEN PT_HOST_CHANGE_ADDRESS_LEN
#define PH_MAX_ARG_LEN PT_HOST_CHANGE_MAX_ARG_LEN
#define PH_MAX_VFS PT_HOST_CHANGE_MAX_VFS
#define PH_MAX_ADDRESSES PT_HOST_CHANGE_MAX_ADDRESSES

typedef struct
{
  PhVerb verb;
  char address[PH_ADDRESS_LEN + 1];
  char addresses[PH_MAX_ADDRESSES][PH_ADDRESS_LEN + 1];   /* early binding */
  int n_addresses;
  int count;
  guint change_id;       /* 0: the latest */
  gboolean force;
  gboolean device_only;
  gboolean keep_vfs_free;
  gboolean dry_run;
  gboolean json;
} PhRequest;

gboolean ph_request_parse (int          argc,
                           char       **argv,
                           PhRequest   *request,
                           GError     **error);

gboolean ph_is_pci_address (const char *text);

G_END_DECLS
