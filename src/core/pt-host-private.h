/* pt-host-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pt-host.h"

G_BEGIN_DECLS

PtHost *_pt_host_new (const char  *root,
                      GPtrArray   *devices,
                      GPtrArray   *groups,
                      GPtrArray   *checks,
                      PtBootSetup *boot_setup,
                      GPtrArray   *problems,
                      const char  *boot_id);

GPtrArray *_pt_host_build_groups (GPtrArray  *devices);
void       _pt_host_set_owners   (GPtrArray  *devices,
                                  GHashTable *owners,
                                  GHashTable *running);

G_END_DECLS
