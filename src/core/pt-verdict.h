/* pt-verdict.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pt-host.h"
#include "pt-host-change.h"

G_BEGIN_DECLS

typedef enum
{
  PT_VERDICT_ALLOWED,
  PT_VERDICT_NEEDS_ACKNOWLEDGEMENT,  /* allowed once the person accepts the named risks */
  PT_VERDICT_REFUSED,
} PtVerdictKind;

typedef enum
{
  PT_VERDICT_ACTION_BIND,     /* a group to vfio-pci, on the host */
  PT_VERDICT_ACTION_RETURN,   /* a group back to the host's drivers */
  PT_VERDICT_ACTION_SET_VFS,  /* a new number of SR-IOV virtual functions */
  PT_VERDICT_ACTION_GIVE,     /* devices to a virtual machine */
} PtVerdictAction;

/* What the verdict is made from; every face gathers the same facts. */
typedef struct
{
  PtVerdictAction action;
  const char *address;
  gboolean address_missing;      /* the host has no device there */
  gboolean iommu_off;
  const char * const *host_use;  /* what the host uses the group for (nullable) */
  const char *running_vm;        /* a running or paused VM with a member of the group */
  const char *vf_in_use;         /* a VF on vfio-pci or given to a running VM */
  const char * const *left_out;  /* group mates left out of a Give (nullable) */
  const char *unknown;           /* why the host's state cannot be seen (remote, sandbox) */
  gboolean vms_unseen;           /* libvirt runs here but could not say which VMs run */
} PtVerdictFacts;

typedef struct
{
  PtVerdictKind kind;
  GPtrArray *risks;   /* (element-type utf8): what the person acknowledges */
  char *reason;       /* REFUSED: what stands in the way */
  char *remedy;       /* REFUSED: what to do, in the app's words */
  char *cli_remedy;   /* REFUSED: what to do, with the passthroughctl command */
} PtVerdict;

PtVerdict *pt_verdict_decide             (const PtVerdictFacts *facts);
PtVerdict *pt_verdict_for_host_change    (PtHost               *host,
                                          const PtHostChange   *change,
                                          const char           *running_vm,
                                          const char           *unknown,
                                          gboolean              vms_seen);
PtVerdict *pt_verdict_for_give           (PtHost               *host,
                                          const char * const   *addresses,
                                          const char           *unknown);
const char *pt_verdict_find_running_vm   (PtHost               *host,
                                          const char           *address,
                                          GHashTable           *running);
char      *pt_verdict_dup_remote_advice  (const PtHostChange   *change,
                                          const char           *uri);
char      *pt_verdict_to_text            (const PtVerdict      *verdict,
                                          const char           *acknowledge_option);
void       pt_verdict_free               (PtVerdict            *verdict);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtVerdict, pt_verdict_free)

G_END_DECLS
