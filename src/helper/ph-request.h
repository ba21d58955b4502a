/* ph-request.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pt-host-change.h"

G_BEGIN_DECLS

/* The polkit action is chosen by argv[1], so the verb is argv[2]. */
typedef enum
{
  PH_VERB_BIND,          /* bind-devices bind ADDRESS, bind-devices-force bind ADDRESS */
  PH_VERB_RETURN,        /* bind-devices return ADDRESS [--device-only] */
  PH_VERB_SET_VFS,       /* sriov set-vfs ADDRESS COUNT [--keep-vfs-free] */
  PH_VERB_ENABLE_IOMMU,  /* configure-boot enable-iommu */
  PH_VERB_EARLY_BIND_IDS,        /* configure-boot early-bind-ids ADDRESS… */
  PH_VERB_EARLY_BIND_ADDRESSES,  /* configure-boot early-bind-addresses ADDRESS… */
  PH_VERB_BOOT_ONCE_WITHOUT,     /* configure-boot boot-once-without */
  PH_VERB_UNDO,          /* configure-boot undo [ID] */
  PH_VERB_HISTORY,       /* configure-boot history */
} PhVerb;

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
