/* pt-nodedev-scan.c
 *
 * The host's PCI devices through libvirt's node devices: for remote hosts
 * (qemu+ssh://…), the test driver, and the Flatpak sandbox, where this
 * computer's sysfs is either the wrong host or partly hidden. The node
 * device XML carries the IDs, class, driver, IOMMU group and SR-IOV links;
 * names come from the local pci.ids, as for sysfs scans. What it does not
 * carry (subsystem IDs, revision, reset methods, boot_vga, what the host
 * uses) stays unknown rather than guessed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-nodedev-scan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/libvirt.h>
#include <string.h>

#include "pt-device-private.h"
#include "pt-checks.h"
#include "pt-error.h"
#include "pt-host-private.h"
#include "pt-intern.h"
#include "pt-libvirt-error.h"
#include "pt-nodedev-scan.h"
#include "pt-pci-names.h"
#include "pt-reset-quirks.h"
#include "pt-sysfs.h"

typedef struct
{
  GPtrArray *stack;          /* element names, outermost first */
  GPtrArray *caps;           /* types of the open <capability> elements */
  GString *text;
  guint64 pci[4];            /* domain, bus, slot, function */
  guint have_pci;
  guint64 vendor, product, class_id;
  char *driver;
  char *parent;
  int group;
  int max_vfs;
  char *physfn;
  GPtrArray *virtfns;
} Parse;

static void
parse_clear (Parse *parse)
{
  g_clear_pointer (&parse->stack, g_ptr_array_unref);
  g_clear_pointer (&parse->caps, g_ptr_array_unref);
  if (parse->text != NULL)
    g_string_free (parse->text, TRUE);
  g_clear_pointer (&parse->driver, g_free);
  g_clear_pointer (&parse->parent, g_free);
  g_clear_pointer (&parse->physfn, g_free);
  g_clear_pointer (&parse->virtfns, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Parse, parse_clear)

static const char *
attribute (const char **names,
           const char **values,
           const char  *name)
{
  guint i;

  for (i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], name))
      return values[i];

  return NULL;
}

static gboolean
in (Parse      *parse,
    const char *parent)
{
  return parse->stack->len >= 1 &&
         g_str_equal (g_ptr_array_index (parse->stack, parse->stack->len - 1), parent);
}

/* <address domain='0x0000' bus='0x03' slot='0x10' function='0x0'/> */
static char *
address_from_attributes (const char **names,
                         const char **values)
{
  const char *keys[] = { "domain", "bus", "slot", "function" };
  guint64 v[4];
  guint i;

  for (i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!pt_sysfs_parse_hex (attribute (names, values, keys[i]), 0xffff, &v[i]))
      return NULL;

  if (v[1] > 0xff || v[2] > 0x1f || v[3] > 7)
    return NULL;

  return g_strdup_printf ("%04x:%02x:%02x.%x", (guint) v[0], (guint) v[1], (guint) v[2],
                          (guint) v[3]);
}

static void
on_start (GMarkupParseContext  *context,
          const char           *element,
          const char          **names,
          const char          **values,
          gpointer              user_data,
          GError              **error)
{
  Parse *parse = user_data;
  const char *value;

  if (g_str_equal (element, "product") || g_str_equal (element, "vendor"))
    {
      guint64 id;

      if (pt_sysfs_parse_hex (attribute (names, values, "id"), 0xffff, &id))
        {
          if (element[0] == 'p')
            parse->product = id;
          else
            parse->vendor = id;
        }
    }
  else if (g_str_equal (element, "iommuGroup") &&
           (value = attribute (names, values, "number")) != NULL)
    {
      gint64 number;

      if (pt_sysfs_parse_int (value, 0, G_MAXINT, &number))
        parse->group = (int) number;
    }
  else if (g_str_equal (element, "capability"))
    {
      const char *type = attribute (names, values, "type");

      g_ptr_array_add (parse->caps, g_strdup (type != NULL ? type : ""));
      if (g_strcmp0 (type, "virt_functions") == 0)
        {
          gint64 count;

          if (pt_sysfs_parse_int (attribute (names, values, "maxCount"), 0, 65535, &count))
            parse->max_vfs = (int) count;
          if (parse->virtfns == NULL)
            parse->virtfns = g_ptr_array_new_with_free_func (g_free);
        }
    }
  else if (g_str_equal (element, "address") && in (parse, "capability"))
    {
      const char *type = g_ptr_array_index (parse->caps, parse->caps->len - 1);
      g_autofree char *address = address_from_attributes (names, values);

      if (address != NULL && g_str_equal (type, "virt_functions"))
        g_ptr_array_add (parse->virtfns, g_steal_pointer (&address));
      else if (address != NULL && g_str_equal (type, "phys_function"))
        parse->physfn = g_steal_pointer (&address);
    }

  g_ptr_array_add (parse->stack, g_strdup (element));
  g_string_truncate (parse->text, 0);
}

static void
on_end (GMarkupParseContext  *context,
        const char           *element,
        gpointer              user_data,
        GError              **error)
{
  Parse *parse = user_data;
  const char *text = parse->text->str;
  static const char * const pci_fields[] = { "domain", "bus", "slot", "function" };
  guint i;

  g_ptr_array_remove_index (parse->stack, parse->stack->len - 1);

  if (g_str_equal (element, "parent") && parse->stack->len == 1)
    parse->parent = g_strdup (text);
  else if (g_str_equal (element, "name") && in (parse, "driver"))
    parse->driver = g_strdup (text);
  else if (g_str_equal (element, "class") && in (parse, "capability"))
    pt_sysfs_parse_hex (text, 0xffffff, &parse->class_id);
  else if (in (parse, "capability"))
    for (i = 0; i < G_N_ELEMENTS (pci_fields); i++)
      if (g_str_equal (element, pci_fields[i]) &&
          g_ascii_string_to_unsigned (text, 10, 0, 0xffff, &parse->pci[i], NULL))
        parse->have_pci |= 1 << i;

  if (g_str_equal (element, "capability") && parse->caps->len > 0)
    g_ptr_array_remove_index (parse->caps, parse->caps->len - 1);
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 len,
         gpointer              user_data,
         GError              **error)
{
  Parse *parse = user_data;

  g_string_append_len (parse->text, text, len);
}

/* "pci_0000_00_01_0" -> "0000:00:01.0" */
static char *
address_from_name (const char *name)
{
  char address[13];

  if (name == NULL || strlen (name) != 16 || !g_str_has_prefix (name, "pci_"))
    return NULL;

  g_snprintf (address, sizeof address, "%.4s:%.2s:%.2s.%.1s",
              name + 4, name + 9, name + 12, name + 15);
  return pt_sysfs_is_pci_address (address) ? g_strdup (address) : NULL;
}

/**
 * pt_nodedev_parse_device:
 * @xml: a PCI node device's XML (virNodeDeviceGetXMLDesc)
 *
 * Returns: (transfer full): the device, or %NULL with @error set
 */
PtDevice *
pt_nodedev_parse_device (const char  *xml,
                         GError     **error)
{
  static const GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_auto(Parse) parse = { 0 };
  g_autoptr(PtDevice) device = NULL;
  g_autofree char *address = NULL;
  g_autofree char *parent = NULL;

  parse.stack = g_ptr_array_new_with_free_func (g_free);
  parse.caps = g_ptr_array_new_with_free_func (g_free);
  parse.text = g_string_new (NULL);
  parse.group = -1;
  parse.max_vfs = -1;

  context = g_markup_parse_context_new (&parser, 0, &parse, NULL);
  if (!g_markup_parse_context_parse (context, xml, -1, error) ||
      !g_markup_parse_context_end_parse (context, error))
    return NULL;

  if (parse.have_pci != 0xf || parse.pci[1] > 0xff || parse.pci[2] > 0x1f || parse.pci[3] > 7)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("A node device has no complete PCI address."));
      return NULL;
    }

  address = g_strdup_printf ("%04x:%02x:%02x.%x", (guint) parse.pci[0], (guint) parse.pci[1],
                             (guint) parse.pci[2], (guint) parse.pci[3]);
  device = _pt_device_new (address);
  device->vendor_id = parse.vendor;
  device->device_id = parse.product;
  device->class_id = parse.class_id;
  device->driver = g_intern_string (parse.driver);
  device->iommu_group = parse.group;
  parent = address_from_name (parse.parent);
  device->parent_address = g_intern_string (parent);
  device->physfn = g_steal_pointer (&parse.physfn);
  if (parse.virtfns != NULL)
    {
      device->sriov_total_vfs = MAX (parse.max_vfs, (int) parse.virtfns->len);
      device->sriov_num_vfs = parse.virtfns->len;
      g_ptr_array_add (parse.virtfns, NULL);
      device->virtfns = g_strdupv ((char **) parse.virtfns->pdata);
    }
  /* libvirt shows neither the host's use of a device nor its resets. */
  _pt_device_set_state_unknown (device, _("State unknown on a remote host"));
  device->reset_unknown = TRUE;
  device->reset_quirk = pt_reset_quirks_lookup (device->vendor_id, device->device_id, NULL);
  pt_pci_names_fill (device);

  return g_steal_pointer (&device);
}

static int
compare_devices (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (pt_device_get_address (*(PtDevice * const *) a),
                 pt_device_get_address (*(PtDevice * const *) b));
}

/**
 * pt_nodedev_scan_devices:
 * @handle: an open virConnectPtr
 *
 * Returns: (transfer full) (element-type PtDevice): the PCI functions,
 *   sorted by address, or %NULL with @error set
 */
GPtrArray *
pt_nodedev_scan_devices (gpointer     handle,
                         const char  *uri,
                         GPtrArray   *problems,
                         GError     **error)
{
  g_autoptr(GPtrArray) devices = NULL;
  virNodeDevicePtr *nodes = NULL;
  int n, i;

  /* No ACTIVE/INACTIVE filter bits: the test driver refuses them. */
  n = virConnectListAllNodeDevices (handle, &nodes, VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV);
  if (n < 0)
    {
      pt_libvirt_set_error (error, uri, _("Listing the PCI devices"));
      return NULL;
    }

  devices = g_ptr_array_new_full (n, g_object_unref);
  for (i = 0; i < n; i++)
    {
      g_autofree char *xml = virNodeDeviceGetXMLDesc (nodes[i], 0);
      g_autoptr(GError) local_error = NULL;
      PtDevice *device = xml != NULL ? pt_nodedev_parse_device (xml, &local_error) : NULL;

      if (device != NULL)
        g_ptr_array_add (devices, device);
      else
        g_ptr_array_add (problems,
                         g_strdup_printf (_("The node device %s could not be read (%s); it is "
                                            "left out."),
                                          virNodeDeviceGetName (nodes[i]),
                                          local_error != NULL ? local_error->message
                                                              : _("no XML")));
      virNodeDeviceFree (nodes[i]);
    }
  free (nodes);

  g_ptr_array_sort (devices, compare_devices);
  return g_steal_pointer (&devices);
}

/**
 * pt_nodedev_scan_host:
 * @connection: an open connection to a host that is not this computer
 * @owners: (nullable) (element-type utf8 utf8): address -> VM name
 *
 * Reads a remote (or test-driver) host through its node devices. Blocks:
 * call it in a worker thread from a UI.
 *
 * Returns: (transfer full): the snapshot, or %NULL with @error set
 */
PtHost *
pt_nodedev_scan_host (PtConnection  *connection,
                      GHashTable    *owners,
                      GError       **error)
{
  g_autoptr(PtBootSetup) boot = pt_boot_setup_new_unknown ();
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GHashTable) running = NULL;
  const char *uri = pt_connection_get_uri (connection);

  devices = pt_nodedev_scan_devices (pt_connection_get_handle (connection), uri, problems, error);
  if (devices == NULL)
    return NULL;

  running = pt_connection_dup_running_vms (connection);
  _pt_host_set_owners (devices, owners, running);
  groups = _pt_host_build_groups (devices);
  checks = pt_checks_run_remote (uri, groups->len);

  return _pt_host_new (uri, devices, groups, checks, boot, problems, NULL);
}
