/* pt-domain-edit.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  PT_DOMAIN_EDIT_ADD,
  PT_DOMAIN_EDIT_REMOVE,
} PtDomainEditAction;

/**
 * PtDomainEditScope:
 * @PT_DOMAIN_EDIT_SAVED_AND_LIVE: the saved definition, and the live VM
 *   when it runs
 * @PT_DOMAIN_EDIT_SAVED_ONLY: never live, even on a running VM (libvirt
 *   cannot plug or unplug a PCIe root port while the VM runs)
 * @PT_DOMAIN_EDIT_LIVE_ONLY: a device the running VM has but its saved
 *   definition does not
 */
typedef enum
{
  PT_DOMAIN_EDIT_SAVED_AND_LIVE,
  PT_DOMAIN_EDIT_SAVED_ONLY,
  PT_DOMAIN_EDIT_LIVE_ONLY,
} PtDomainEditScope;

/**
 * PtDomainEdit:
 * @action: add or remove the element
 * @xml: one device element, as virDomainAttachDeviceFlags() and
 *   virDomainDetachDeviceFlags() take it
 * @source: (nullable): the host address of a PCI hostdev; %NULL for a controller
 * @scope: the saved definition, the live VM or both
 *
 * One change to a domain's devices, as libvirt's device API makes it.
 */
typedef struct
{
  PtDomainEditAction action;
  char *xml;
  char *source;
  PtDomainEditScope scope;
} PtDomainEdit;

PtDomainEdit *pt_domain_edit_new          (PtDomainEditAction   action,
                                           const char          *xml,
                                           const char          *source,
                                           PtDomainEditScope    scope);
void          pt_domain_edit_free         (PtDomainEdit        *edit);
PtDomainEdit *pt_domain_edit_inverse      (const PtDomainEdit  *edit);

GPtrArray    *pt_domain_edits_new         (void);
char         *pt_domain_edits_apply       (const char          *domain_xml,
                                           GPtrArray           *edits,
                                           GError             **error);
char         *pt_domain_edits_diff        (GPtrArray           *edits);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtDomainEdit, pt_domain_edit_free)

G_END_DECLS
