/* pt-host-change.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pt-host.h"
#include "pt-plan.h"
#include "pt-root.h"

G_BEGIN_DECLS

/* One change to the host, in the words of the root helper's argv. */
typedef enum
{
  PT_HOST_CHANGE_BIND,                 /* bind-devices[-force] bind ADDRESS */
  PT_HOST_CHANGE_RETURN,               /* bind-devices return ADDRESS [--device-only] */
  PT_HOST_CHANGE_SET_VFS,              /* sriov set-vfs ADDRESS COUNT [--keep-vfs-free] */
  PT_HOST_CHANGE_ENABLE_IOMMU,         /* configure-boot enable-iommu */
  PT_HOST_CHANGE_EARLY_BIND_IDS,       /* configure-boot early-bind-ids ADDRESS… */
  PT_HOST_CHANGE_EARLY_BIND_ADDRESSES, /* configure-boot early-bind-addresses ADDRESS… */
  PT_HOST_CHANGE_BOOT_ONCE_WITHOUT,    /* configure-boot boot-once-without */
  PT_HOST_CHANGE_UNDO,                 /* configure-boot undo [ID] */
  PT_HOST_CHANGE_HISTORY,              /* configure-boot history */
} PtHostChangeKind;

typedef enum
{
  PT_HOST_CHANGE_FLAGS_NONE = 0,
  PT_HOST_CHANGE_FORCE = 1 << 0,         /* take what the host uses: its own polkit action */
  PT_HOST_CHANGE_DEVICE_ONLY = 1 << 1,   /* return one function, not its group */
  PT_HOST_CHANGE_KEEP_VFS_FREE = 1 << 2, /* new VFs with autoprobe off */
  PT_HOST_CHANGE_DRY_RUN = 1 << 3,
  PT_HOST_CHANGE_JSON = 1 << 4,
} PtHostChangeFlags;

#define PT_HOST_CHANGE_ADDRESS_LEN 12   /* dddd:bb:ss.f */
#define PT_HOST_CHANGE_MAX_ADDRESSES 8
#define PT_HOST_CHANGE_MAX_VFS 65535
#define PT_HOST_CHANGE_MAX_ARG_LEN 64

/* Fixed size, so the helper parses into it without allocating. */
typedef struct
{
  PtHostChangeKind kind;
  char addresses[PT_HOST_CHANGE_MAX_ADDRESSES][PT_HOST_CHANGE_ADDRESS_LEN + 1];
  guint n_addresses;
  int count;                /* SET_VFS */
  guint change_id;          /* UNDO; 0: the latest */
  PtHostChangeFlags flags;
} PtHostChange;

gboolean    pt_host_change_init        (PtHostChange        *change,
                                        PtHostChangeKind     kind,
                                        const char * const  *addresses,
                                        int                  count,
                                        guint                change_id,
                                        PtHostChangeFlags    flags,
                                        GError             **error);
/* What the person chose in a Give that decides what the host needs. */
typedef enum
{
  PT_GIVE_MANAGED = 1 << 0,        /* libvirt binds the devices when the VM starts */
  PT_GIVE_AT_EVERY_BOOT = 1 << 1,  /* keep the host's drivers away from every boot */
  PT_GIVE_ON_VFIO = 1 << 2,        /* the device is on vfio-pci already */
  PT_GIVE_ACKNOWLEDGED = 1 << 3,   /* the verdict's risks were accepted */
  PT_GIVE_HOST_USES = 1 << 4,      /* the host uses a device of the group (a fact, not a choice) */
} PtGiveChoice;

gboolean    pt_host_change_for_give    (PtHostChange        *change,
                                        const char * const  *addresses,
                                        PtGiveChoice         choice,
                                        gboolean            *needed,
                                        GError             **error);
gboolean    pt_host_change_parse_argv  (int                  argc,
                                        char               **argv,
                                        PtHostChange        *change,
                                        GError             **error);
GStrv       pt_host_change_to_argv     (const PtHostChange  *change);
char       *pt_host_change_to_command  (const PtHostChange  *change);
gboolean    pt_host_change_inverse     (const PtHostChange  *change,
                                        guint                recorded_change,
                                        PtHostChange        *inverse);
gboolean    pt_uri_is_remote           (const char          *uri);
char       *pt_host_change_to_remote_command (const PtHostChange *change,
                                              const char         *uri);
gboolean    pt_host_change_is_write    (const PtHostChange  *change);
gboolean    pt_host_change_is_boot     (const PtHostChange  *change);
PtPlan     *pt_host_change_plan        (const PtHostChange  *change,
                                        PtRoot              *root,
                                        PtHost              *host,
                                        GError             **error);

G_END_DECLS
