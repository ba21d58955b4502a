/* pt-hostdev-edit.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pt-domain-edit.h"

G_BEGIN_DECLS

typedef enum
{
  PT_ROM_BAR_DEFAULT,
  PT_ROM_BAR_ON,
  PT_ROM_BAR_OFF,
} PtRomBar;

typedef struct
{
  gboolean unmanaged;     /* FALSE: managed='yes', libvirt binds vfio-pci itself */
  PtRomBar rom_bar;
  const char *rom_file;   /* nullable */
} PtHostdevOptions;

/* The alias of a root port we add, so that taking back removes only ours. */
#define PT_HOSTDEV_PORT_ALIAS_PREFIX "ua-passthrough-port"

GStrv      pt_hostdev_list_sources  (const char              *domain_xml,
                                     GError                 **error);
GPtrArray *pt_hostdev_plan_attach   (const char              *domain_xml,
                                     const char              *live_xml,
                                     const char * const      *addresses,
                                     const PtHostdevOptions  *options,
                                     GError                 **error);
GPtrArray *pt_hostdev_plan_detach   (const char              *domain_xml,
                                     const char              *live_xml,
                                     const char * const      *addresses,
                                     GError                 **error);
char      *pt_hostdev_attach        (const char              *domain_xml,
                                     const char * const      *addresses,
                                     const PtHostdevOptions  *options,
                                     GError                 **error);
char      *pt_hostdev_detach        (const char              *domain_xml,
                                     const char * const      *addresses,
                                     GError                 **error);

G_END_DECLS
