/* pt-checks.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pt-boot-setup.h"
#include "pt-root.h"

G_BEGIN_DECLS

typedef enum
{
  PT_CPU_VENDOR_UNKNOWN,
  PT_CPU_VENDOR_INTEL,
  PT_CPU_VENDOR_AMD,
} PtCpuVendor;

GPtrArray   *pt_checks_run          (PtRoot      *root,
                                     PtBootSetup *boot,
                                     guint        n_groups);
GPtrArray   *pt_checks_run_sandboxed (PtRoot     *root,
                                      PtBootSetup *boot,
                                      guint        n_groups);
GPtrArray   *pt_checks_run_remote   (const char  *uri,
                                     guint        n_groups);
PtCpuVendor  pt_checks_cpu_vendor   (const char  *cpuinfo);

gboolean     pt_checks_vfio_pci_is_builtin (PtRoot     *root,
                                           const char *kernel_release);

G_END_DECLS
