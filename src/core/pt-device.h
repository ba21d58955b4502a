/* pt-device.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Where a device is, in the words the app and passthroughctl both use. */
typedef enum
{
  PT_DEVICE_STATE_WITH_HOST,       /* on a host driver, or none */
  PT_DEVICE_STATE_READY,           /* on vfio-pci, free for a VM */
  PT_DEVICE_STATE_BOUND_AT_BOOT,   /* kept on vfio-pci from every boot */
  PT_DEVICE_STATE_GIVEN,           /* in a VM's definition */
  PT_DEVICE_STATE_BRIDGE,          /* a PCI bridge or the host bridge: never given */
} PtDeviceState;

#define PT_TYPE_DEVICE (pt_device_get_type ())

G_DECLARE_FINAL_TYPE (PtDevice, pt_device, PT, DEVICE, GObject)

/**
 * PtDeviceKind:
 *
 * The coarse kinds people filter by, derived from the PCI base class.
 */
typedef enum
{
  PT_DEVICE_KIND_OTHER,
  PT_DEVICE_KIND_GRAPHICS,
  PT_DEVICE_KIND_AUDIO,
  PT_DEVICE_KIND_NETWORK,
  PT_DEVICE_KIND_STORAGE,
  PT_DEVICE_KIND_USB,
  PT_DEVICE_KIND_BRIDGE,
} PtDeviceKind;

const char          *pt_device_get_address              (PtDevice *self);
const char          *pt_device_get_parent_address       (PtDevice *self);
guint                pt_device_get_vendor_id            (PtDevice *self);
guint                pt_device_get_device_id            (PtDevice *self);
guint                pt_device_get_subsystem_vendor_id  (PtDevice *self);
guint                pt_device_get_subsystem_device_id  (PtDevice *self);
guint                pt_device_get_class_id             (PtDevice *self);
guint                pt_device_get_revision             (PtDevice *self);
const char          *pt_device_get_vendor_name          (PtDevice *self);
const char          *pt_device_get_device_name          (PtDevice *self);
const char          *pt_device_get_subsystem_name       (PtDevice *self);
const char          *pt_device_get_class_name           (PtDevice *self);
const char          *pt_device_get_title                (PtDevice *self);
PtDeviceKind         pt_device_get_kind                 (PtDevice *self);
const char          *pt_device_get_driver               (PtDevice *self);
const char          *pt_device_get_driver_override      (PtDevice *self);
const char * const  *pt_device_get_modules              (PtDevice *self);
int                  pt_device_get_iommu_group          (PtDevice *self);
gboolean             pt_device_is_bridge                (PtDevice *self);
gboolean             pt_device_is_sriov_pf              (PtDevice *self);
int                  pt_device_get_sriov_total_vfs      (PtDevice *self);
int                  pt_device_get_sriov_num_vfs        (PtDevice *self);
int                  pt_device_get_sriov_drivers_autoprobe (PtDevice *self);
const char          *pt_device_get_physfn               (PtDevice *self);
const char * const  *pt_device_get_virtfns              (PtDevice *self);
const char * const  *pt_device_get_reset_methods        (PtDevice *self);
gboolean             pt_device_has_reset                (PtDevice *self);
const char          *pt_device_get_reset_quirk          (PtDevice *self);
int                  pt_device_get_boot_vga             (PtDevice *self);
int                  pt_device_get_numa_node            (PtDevice *self);
const char * const  *pt_device_get_host_use             (PtDevice *self);
const char          *pt_device_get_vm                   (PtDevice *self);
gboolean             pt_device_is_vm_running            (PtDevice *self);
gboolean             pt_device_is_bound_at_boot         (PtDevice *self);
PtDeviceState        pt_device_get_state                (PtDevice *self);
char                *pt_device_dup_state_words          (PtDevice   *self,
                                                         const char *vm_label);
char                *pt_device_dup_boot_words           (PtDevice   *self);
gboolean             pt_device_is_used_by_host          (PtDevice *self);
const char          *pt_device_get_state_unknown        (PtDevice *self);
gboolean             pt_device_is_reset_known           (PtDevice *self);
gboolean             pt_device_is_free_for_vfio         (PtDevice *self);
char                *pt_device_dup_display_name         (PtDevice *self);

char                *pt_vendor_dup_short_name           (const char *vendor);

G_END_DECLS
