/* pt-host-json.c
 *
 * The JSON shapes of `passthroughctl … --json`, documented in the README.
 * IDs are lowercase hex strings (4 digits, 6 for the class); absent values
 * are null rather than missing, so scripts can rely on every key.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-host-json"

#include "config.h"

#include "pt-host-json.h"

/* Formatted by hand: printf showed in profiles of big hosts. */
static void
member_hex (PtJsonWriter *writer,
            const char   *name,
            guint         value,
            int           digits)
{
  static const char hex[] = "0123456789abcdef";
  char text[9];
  int i;

  g_assert (digits > 0 && digits < (int) sizeof text);
  for (i = digits - 1; i >= 0; i--, value >>= 4)
    text[i] = hex[value & 0xf];
  text[digits] = '\0';

  pt_json_writer_key (writer, name);
  pt_json_writer_string (writer, text);
}

static void
member_null (PtJsonWriter *writer,
             const char   *name)
{
  pt_json_writer_key (writer, name);
  pt_json_writer_null (writer);
}

static void
member_string (PtJsonWriter *writer,
               const char   *name,
               const char   *value)
{
  pt_json_writer_key (writer, name);
  pt_json_writer_string (writer, value);
}

/* -1 (absent) is written as null. */
static void
member_int_or_null (PtJsonWriter *writer,
                    const char   *name,
                    gint64        value)
{
  pt_json_writer_key (writer, name);
  if (value >= 0)
    pt_json_writer_int (writer, value);
  else
    pt_json_writer_null (writer);
}

static void
member_bool (PtJsonWriter *writer,
             const char   *name,
             gboolean      value)
{
  pt_json_writer_key (writer, name);
  pt_json_writer_bool (writer, value);
}

/* 1/0 as a boolean, -1 (absent) as null. */
static void
member_tristate (PtJsonWriter *writer,
                 const char   *name,
                 int           value)
{
  pt_json_writer_key (writer, name);
  if (value >= 0)
    pt_json_writer_bool (writer, value != 0);
  else
    pt_json_writer_null (writer);
}

static void
member_strv (PtJsonWriter       *writer,
             const char         *name,
             const char * const *values)
{
  pt_json_writer_key (writer, name);
  pt_json_writer_strv (writer, values);
}

/* What the host did not show is null, never an empty (free) answer. */
static void
member_strv_or_unknown (PtJsonWriter       *writer,
                        const char         *name,
                        const char * const *values,
                        gboolean            known)
{
  pt_json_writer_key (writer, name);
  if (known)
    pt_json_writer_strv (writer, values);
  else
    pt_json_writer_null (writer);
}

static void
write_sriov (PtDevice     *device,
             PtJsonWriter *writer)
{
  pt_json_writer_key (writer, "sriov");
  if (!pt_device_is_sriov_pf (device))
    {
      pt_json_writer_null (writer);
      return;
    }

  pt_json_writer_begin_object (writer);
  member_int_or_null (writer, "total_vfs", pt_device_get_sriov_total_vfs (device));
  member_int_or_null (writer, "num_vfs", pt_device_get_sriov_num_vfs (device));
  member_tristate (writer, "drivers_autoprobe", pt_device_get_sriov_drivers_autoprobe (device));
  member_strv (writer, "vfs", pt_device_get_virtfns (device));
  pt_json_writer_end_object (writer);
}

/**
 * pt_device_write_json:
 *
 * Writes the device as one JSON object.
 */
void
pt_device_write_json (PtDevice     *device,
                      PtJsonWriter *writer)
{
  pt_json_writer_begin_object (writer);
  member_string (writer, "address", pt_device_get_address (device));
  member_hex (writer, "vendor_id", pt_device_get_vendor_id (device), 4);
  member_hex (writer, "device_id", pt_device_get_device_id (device), 4);
  /* Read through libvirt (no resets shown), the subsystem and revision are unknown, not 0. */
  if (pt_device_is_reset_known (device))
    {
      member_hex (writer, "subsystem_vendor_id", pt_device_get_subsystem_vendor_id (device), 4);
      member_hex (writer, "subsystem_device_id", pt_device_get_subsystem_device_id (device), 4);
    }
  else
    {
      member_null (writer, "subsystem_vendor_id");
      member_null (writer, "subsystem_device_id");
    }
  member_hex (writer, "class_id", pt_device_get_class_id (device), 6);
  if (pt_device_is_reset_known (device))
    member_hex (writer, "revision", pt_device_get_revision (device), 2);
  else
    member_null (writer, "revision");
  member_string (writer, "vendor_name", pt_device_get_vendor_name (device));
  member_string (writer, "device_name", pt_device_get_device_name (device));
  member_string (writer, "subsystem_name", pt_device_get_subsystem_name (device));
  member_string (writer, "class_name", pt_device_get_class_name (device));
  member_string (writer, "driver", pt_device_get_driver (device));
  member_string (writer, "driver_override", pt_device_get_driver_override (device));
  member_strv (writer, "modules", pt_device_get_modules (device));
  member_int_or_null (writer, "iommu_group", pt_device_get_iommu_group (device));
  member_bool (writer, "is_bridge", pt_device_is_bridge (device));
  member_string (writer, "parent", pt_device_get_parent_address (device));
  member_string (writer, "physfn", pt_device_get_physfn (device));
  write_sriov (device, writer);
  member_strv_or_unknown (writer, "reset_methods", pt_device_get_reset_methods (device),
                          pt_device_is_reset_known (device));
  member_tristate (writer, "has_reset", pt_device_is_reset_known (device) ? pt_device_has_reset (device) : -1);
  member_string (writer, "reset_quirk", pt_device_get_reset_quirk (device));
  member_tristate (writer, "boot_vga", pt_device_get_boot_vga (device));
  member_int_or_null (writer, "numa_node", pt_device_get_numa_node (device));
  member_strv_or_unknown (writer, "host_use", pt_device_get_host_use (device),
                          pt_device_get_state_unknown (device) == NULL);
  member_string (writer, "state_unknown", pt_device_get_state_unknown (device));
  member_string (writer, "vm", pt_device_get_vm (device));
  member_bool (writer, "vm_running", pt_device_is_vm_running (device));
  pt_json_writer_end_object (writer);
}

/**
 * pt_iommu_group_write_json:
 *
 * Writes `{"group", "devices", "viable", "host_drivers", "used_by_host", "state"}`.
 */
void
pt_iommu_group_write_json (PtIommuGroup *group,
                           PtJsonWriter *writer)
{
  GListModel *devices = pt_iommu_group_get_devices (group);
  GPtrArray *blockers = pt_iommu_group_get_blockers (group);
  g_autofree char *state = pt_iommu_group_dup_state_text (group);
  guint i, n;

  pt_json_writer_begin_object (writer);
  pt_json_writer_key (writer, "group");
  pt_json_writer_int (writer, pt_iommu_group_get_number (group));
  pt_json_writer_key (writer, "devices");
  pt_json_writer_begin_array (writer);
  n = g_list_model_get_n_items (devices);
  for (i = 0; i < n; i++)
    {
      g_autoptr(PtDevice) device = g_list_model_get_item (devices, i);

      pt_json_writer_string (writer, pt_device_get_address (device));
    }
  pt_json_writer_end_array (writer);
  member_bool (writer, "viable", pt_iommu_group_is_viable (group));
  pt_json_writer_key (writer, "host_drivers");
  pt_json_writer_begin_array (writer);
  for (i = 0; i < blockers->len; i++)
    pt_json_writer_string (writer, pt_device_get_address (g_ptr_array_index (blockers, i)));
  pt_json_writer_end_array (writer);
  pt_json_writer_key (writer, "used_by_host");
  if (pt_iommu_group_get_state_unknown (group) == NULL)
    pt_json_writer_bool (writer, pt_iommu_group_is_used_by_host (group));
  else
    pt_json_writer_null (writer);
  member_bool (writer, "ready", pt_iommu_group_is_ready (group));
  member_string (writer, "state", state);
  pt_json_writer_end_object (writer);
}

/**
 * pt_check_write_json:
 *
 * Writes `{"id", "title", "status", "summary", "fix"}`.
 */
void
pt_check_write_json (PtCheck      *check,
                     PtJsonWriter *writer)
{
  pt_json_writer_begin_object (writer);
  member_string (writer, "id", pt_check_get_id (check));
  member_string (writer, "title", pt_check_get_title (check));
  member_string (writer, "status", pt_check_status_to_string (pt_check_get_status (check)));
  member_string (writer, "summary", pt_check_get_summary (check));
  member_string (writer, "fix", pt_check_get_fix (check));
  member_string (writer, "fix_command", pt_check_get_fix_command (check));
  pt_json_writer_end_object (writer);
}

static void
write_model (GListModel   *model,
             PtJsonWriter *writer,
             void        (*write) (gpointer item, PtJsonWriter *writer))
{
  guint i, n = g_list_model_get_n_items (model);

  pt_json_writer_begin_array (writer);
  for (i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      write (item, writer);
    }
  pt_json_writer_end_array (writer);
}

/**
 * pt_host_write_devices_json:
 *
 * Writes an array with one object per PCI function.
 */
void
pt_host_write_devices_json (PtHost       *host,
                            PtJsonWriter *writer)
{
  write_model (pt_host_get_devices (host), writer, (gpointer) pt_device_write_json);
}

/**
 * pt_host_write_groups_json:
 *
 * Writes an array with one object per IOMMU group.
 */
void
pt_host_write_groups_json (PtHost       *host,
                           PtJsonWriter *writer)
{
  write_model (pt_host_get_groups (host), writer, (gpointer) pt_iommu_group_write_json);
}

/**
 * pt_host_write_checks_json:
 *
 * Writes `{"ready": bool, "checks": […], "boot": {…}}`.
 */
void
pt_host_write_checks_json (PtHost       *host,
                           PtJsonWriter *writer)
{
  PtBootSetup *boot = pt_host_get_boot_setup (host);

  pt_json_writer_begin_object (writer);
  member_bool (writer, "ready", pt_host_is_ready (host));
  pt_json_writer_key (writer, "checks");
  write_model (pt_host_get_checks (host), writer, (gpointer) pt_check_write_json);
  pt_json_writer_key (writer, "boot");
  pt_json_writer_begin_object (writer);
  member_string (writer, "os_id", pt_boot_setup_get_os_id (boot));
  member_string (writer, "os_name", pt_boot_setup_get_os_name (boot));
  member_string (writer, "kernel", pt_boot_setup_get_kernel_release (boot));
  member_bool (writer, "uefi", pt_boot_setup_is_uefi (boot));
  member_string (writer, "bootloader", pt_boot_setup_get_bootloader_name (boot));
  member_string (writer, "grub_cfg", pt_boot_setup_get_grub_cfg (boot));
  pt_json_writer_key (writer, "regenerate");
  if (pt_boot_setup_get_regenerate_argv (boot) != NULL)
    pt_json_writer_strv (writer, pt_boot_setup_get_regenerate_argv (boot));
  else
    pt_json_writer_null (writer);
  member_string (writer, "initramfs", pt_boot_setup_get_initramfs_name (boot));
  pt_json_writer_end_object (writer);
  pt_json_writer_end_object (writer);
}
