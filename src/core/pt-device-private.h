/* pt-device-private.h
 *
 * The scanner fills a PtDevice field by field while it builds a snapshot;
 * once the snapshot is handed out the device never changes again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pt-device.h"

G_BEGIN_DECLS

struct _PtDevice
{
  GObject parent_instance;

  char *address;
  const char *parent_address;   /* interned */

  guint16 vendor_id;
  guint16 device_id;
  guint16 subsystem_vendor_id;
  guint16 subsystem_device_id;
  guint32 class_id;
  guint8 revision;

  /* Interned: shared by every device with the same IDs or driver. */
  const char *vendor_name;
  const char *device_name;
  const char *subsystem_name;
  const char *subsystem_vendor_name;   /* the card's maker, "Micro-Star …" */
  const char *class_name;
  const char *driver;

  char *driver_override;
  const char * const *modules;   /* interned, see pt_intern_strv() */

  int iommu_group;

  int sriov_total_vfs;
  int sriov_num_vfs;
  int sriov_drivers_autoprobe;
  char *physfn;
  GStrv virtfns;

  const char * const *reset_methods;   /* interned */
  const char *reset_quirk;
  guint has_reset : 1;

  const char *vm;   /* interned: the VM it is given to */
  guint vm_running : 1;   /* ...and that VM runs or is paused */
  guint bound_at_boot : 1;   /* by address or ID, see pt_early_bind_read_bound() */
  char *title;      /* the name with its maker when another has the name too */

  int boot_vga;
  int numa_node;

  GPtrArray *host_use;

  /* Interned: why what the host uses the device for, and whether a VM holds
   * it, cannot be seen (read through libvirt, or from a sandbox); %NULL when
   * it can. Never taken as "free". */
  const char *state_unknown;
  guint reset_unknown : 1;   /* libvirt does not show the resets */
};

PtDevice *_pt_device_new           (const char *address);
void      _pt_device_add_host_use  (PtDevice   *self,
                                    const char *reason);
void      _pt_device_set_state_unknown (PtDevice   *self,
                                      const char *reason);
gboolean  _pt_device_is_bridge_class (guint32   class_id);
void      _pt_device_fill_numeric_names (PtDevice *self);
void      _pt_device_titles_assign  (GPtrArray  *devices);

G_END_DECLS
