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

static void
add_hex (JsonBuilder *builder,
         const char  *name,
         guint        value,
         int          digits)
{
  g_autofree char *text = g_strdup_printf ("%0*x", digits, value);

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, text);
}

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_nullable_int (JsonBuilder *builder,
                  const char  *name,
                  gint64       value,
                  gboolean     present)
{
  json_builder_set_member_name (builder, name);
  if (present)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_strv (JsonBuilder        *builder,
          const char         *name,
          const char * const *values)
{
  guint i;

  if (name != NULL)
    json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
add_sriov (JsonBuilder *builder,
           PtDevice    *device)
{
  int autoprobe = pt_device_get_sriov_drivers_autoprobe (device);

  json_builder_set_member_name (builder, "sriov");
  if (!pt_device_is_sriov_pf (device))
    {
      json_builder_add_null_value (builder);
      return;
    }

  json_builder_begin_object (builder);
  add_nullable_int (builder, "total_vfs", pt_device_get_sriov_total_vfs (device), TRUE);
  add_nullable_int (builder, "num_vfs", pt_device_get_sriov_num_vfs (device), TRUE);
  json_builder_set_member_name (builder, "drivers_autoprobe");
  if (autoprobe >= 0)
    json_builder_add_boolean_value (builder, autoprobe != 0);
  else
    json_builder_add_null_value (builder);
  add_strv (builder, "vfs", pt_device_get_virtfns (device));
  json_builder_end_object (builder);
}

/**
 * pt_device_to_json:
 *
 * Returns: (transfer full): the device as a JSON object
 */
JsonNode *
pt_device_to_json (PtDevice *device)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  int group = pt_device_get_iommu_group (device);
  int boot_vga = pt_device_get_boot_vga (device);
  int numa = pt_device_get_numa_node (device);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, pt_device_get_address (device));
  add_hex (builder, "vendor_id", pt_device_get_vendor_id (device), 4);
  add_hex (builder, "device_id", pt_device_get_device_id (device), 4);
  add_hex (builder, "subsystem_vendor_id", pt_device_get_subsystem_vendor_id (device), 4);
  add_hex (builder, "subsystem_device_id", pt_device_get_subsystem_device_id (device), 4);
  add_hex (builder, "class_id", pt_device_get_class_id (device), 6);
  add_hex (builder, "revision", pt_device_get_revision (device), 2);
  add_nullable_string (builder, "vendor_name", pt_device_get_vendor_name (device));
  add_nullable_string (builder, "device_name", pt_device_get_device_name (device));
  add_nullable_string (builder, "subsystem_name", pt_device_get_subsystem_name (device));
  add_nullable_string (builder, "class_name", pt_device_get_class_name (device));
  add_nullable_string (builder, "driver", pt_device_get_driver (device));
  add_nullable_string (builder, "driver_override", pt_device_get_driver_override (device));
  add_strv (builder, "modules", pt_device_get_modules (device));
  add_nullable_int (builder, "iommu_group", group, group >= 0);
  json_builder_set_member_name (builder, "is_bridge");
  json_builder_add_boolean_value (builder, pt_device_is_bridge (device));
  add_nullable_string (builder, "parent", pt_device_get_parent_address (device));
  add_nullable_string (builder, "physfn", pt_device_get_physfn (device));
  add_sriov (builder, device);
  add_strv (builder, "reset_methods", pt_device_get_reset_methods (device));
  json_builder_set_member_name (builder, "has_reset");
  json_builder_add_boolean_value (builder, pt_device_has_reset (device));
  add_nullable_string (builder, "reset_quirk", pt_device_get_reset_quirk (device));
  json_builder_set_member_name (builder, "boot_vga");
  if (boot_vga >= 0)
    json_builder_add_boolean_value (builder, boot_vga == 1);
  else
    json_builder_add_null_value (builder);
  add_nullable_int (builder, "numa_node", numa, numa >= 0);
  add_strv (builder, "host_use", pt_device_get_host_use (device));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * pt_iommu_group_to_json:
 *
 * Returns: (transfer full): `{"group", "devices", "viable", …}`
 */
JsonNode *
pt_iommu_group_to_json (PtIommuGroup *group)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GListModel *devices = pt_iommu_group_get_devices (group);
  GPtrArray *blockers = pt_iommu_group_get_blockers (group);
  g_autofree char *state = pt_iommu_group_dup_state_text (group);
  guint i, n;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "group");
  json_builder_add_int_value (builder, pt_iommu_group_get_number (group));
  json_builder_set_member_name (builder, "devices");
  json_builder_begin_array (builder);
  n = g_list_model_get_n_items (devices);
  for (i = 0; i < n; i++)
    {
      g_autoptr(PtDevice) device = g_list_model_get_item (devices, i);

      json_builder_add_string_value (builder, pt_device_get_address (device));
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "viable");
  json_builder_add_boolean_value (builder, pt_iommu_group_is_viable (group));
  json_builder_set_member_name (builder, "host_drivers");
  json_builder_begin_array (builder);
  for (i = 0; i < blockers->len; i++)
    json_builder_add_string_value (builder,
                                   pt_device_get_address (g_ptr_array_index (blockers, i)));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "used_by_host");
  json_builder_add_boolean_value (builder, pt_iommu_group_is_used_by_host (group));
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, state);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * pt_check_to_json:
 *
 * Returns: (transfer full): `{"id", "title", "status", "summary", "fix"}`
 */
JsonNode *
pt_check_to_json (PtCheck *check)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, pt_check_get_id (check));
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, pt_check_get_title (check));
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, pt_check_status_to_string (pt_check_get_status (check)));
  json_builder_set_member_name (builder, "summary");
  json_builder_add_string_value (builder, pt_check_get_summary (check));
  add_nullable_string (builder, "fix", pt_check_get_fix (check));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static JsonNode *
model_to_json_array (GListModel *model,
                     JsonNode *(*to_json) (gpointer item))
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);
  guint i, n = g_list_model_get_n_items (model);

  for (i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      json_array_add_element (array, to_json (item));
    }

  json_node_take_array (node, array);
  return node;
}

/**
 * pt_host_devices_to_json:
 *
 * Returns: (transfer full): an array with one object per PCI function
 */
JsonNode *
pt_host_devices_to_json (PtHost *host)
{
  return model_to_json_array (pt_host_get_devices (host), (gpointer) pt_device_to_json);
}

/**
 * pt_host_groups_to_json:
 *
 * Returns: (transfer full): an array with one object per IOMMU group
 */
JsonNode *
pt_host_groups_to_json (PtHost *host)
{
  return model_to_json_array (pt_host_get_groups (host), (gpointer) pt_iommu_group_to_json);
}

/**
 * pt_host_checks_to_json:
 *
 * Returns: (transfer full): `{"ready": bool, "checks": […], "boot": {…}}`
 */
JsonNode *
pt_host_checks_to_json (PtHost *host)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  PtBootSetup *boot = pt_host_get_boot_setup (host);
  const char * const *argv = pt_boot_setup_get_regenerate_argv (boot);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ready");
  json_builder_add_boolean_value (builder, pt_host_is_ready (host));
  json_builder_set_member_name (builder, "checks");
  json_builder_add_value (builder, model_to_json_array (pt_host_get_checks (host),
                                                       (gpointer) pt_check_to_json));
  json_builder_set_member_name (builder, "boot");
  json_builder_begin_object (builder);
  add_nullable_string (builder, "os_id", pt_boot_setup_get_os_id (boot));
  add_nullable_string (builder, "os_name", pt_boot_setup_get_os_name (boot));
  add_nullable_string (builder, "kernel", pt_boot_setup_get_kernel_release (boot));
  json_builder_set_member_name (builder, "uefi");
  json_builder_add_boolean_value (builder, pt_boot_setup_is_uefi (boot));
  add_nullable_string (builder, "bootloader", pt_boot_setup_get_bootloader_name (boot));
  add_nullable_string (builder, "grub_cfg", pt_boot_setup_get_grub_cfg (boot));
  json_builder_set_member_name (builder, "regenerate");
  if (argv != NULL)
    add_strv (builder, NULL, argv);
  else
    json_builder_add_null_value (builder);
  add_nullable_string (builder, "initramfs", pt_boot_setup_get_initramfs_name (boot));
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
