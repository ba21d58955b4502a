/* pt-host-use.c
 *
 * Why a device must not be taken from this host: taking it would blank the
 * console, pull the root file system or swap away, or cut the network the
 * person may be logged in over. Each reason is found from what the kernel
 * exposes to any user:
 *
 *  - the boot GPU: boot_vga=1, a firmware framebuffer (efifb, simpledrm, …)
 *    inside the device's memory in /proc/iomem, or a DRM card with a
 *    connected connector;
 *  - the storage under /, /boot, /boot/efi, /efi, /usr, every other file
 *    system mounted writable (/home, /var, /srv, /var/lib/libvirt/images…)
 *    and swap, following device-mapper and md slaves down to the PCI
 *    controller;
 *  - the NIC carrying an IPv4 or IPv6 route (the default one, or any other
 *    network the host reaches through it), through bridges, bonds
 *    and VLANs (their lower_* links);
 *  - the host bridge (class 06 00): the chipset itself, which no guest can
 *    drive and the host cannot run without.
 *
 * Spreading a reason to the rest of the device's IOMMU group is done by the
 * scanner, which knows the groups.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-host-use"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pt-device-private.h"
#include "pt-host-use.h"
#include "pt-sysfs.h"

/* Deep enough for LUKS on LVM on md; stops loops in a broken tree. */
#define MAX_STACK_DEPTH 8

static const char * const framebuffer_names[] = {
  "efifb", "simplefb", "simple-framebuffer", "simpledrm", "BOOTFB", "vesafb", "vesa-framebuffer",
  "VESA VGA", "offb",
};

static void
mark (GHashTable *devices,
      const char *address,
      const char *reason)
{
  PtDevice *device;

  if (address == NULL)
    return;

  device = g_hash_table_lookup (devices, address);
  if (device != NULL)
    _pt_device_add_host_use (device, reason);
}

/* What a device's own attributes say: the boot GPU, the host bridge. */
static void
mark_by_attributes (GHashTable *devices)
{
  GHashTableIter iter;
  PtDevice *device;

  g_hash_table_iter_init (&iter, devices);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &device))
    {
      if (device->boot_vga == 1)
        _pt_device_add_host_use (device, _("boot GPU (boot_vga=1)"));
      if ((device->class_id >> 8) == 0x0600)
        _pt_device_add_host_use (device, _("the chipset’s host bridge"));
    }
}

static gboolean
is_framebuffer_name (const char *name)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (framebuffer_names); i++)
    if (g_str_equal (name, framebuffer_names[i]))
      return TRUE;

  return FALSE;
}

static gboolean
parse_range (const char *text,
             guint64    *start,
             guint64    *end)
{
  g_auto(GStrv) parts = g_strsplit (text, "-", 2);

  return g_strv_length (parts) == 2 &&
         pt_sysfs_parse_hex (parts[0], G_MAXUINT64, start) &&
         pt_sysfs_parse_hex (parts[1], G_MAXUINT64, end);
}

/* The display device whose BARs contain [start, end], from its resource file. */
static char *
find_device_by_range (PtRoot     *root,
                      GHashTable *devices,
                      guint64     start,
                      guint64     end)
{
  GHashTableIter iter;
  PtDevice *device;

  g_hash_table_iter_init (&iter, devices);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &device))
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;
      guint i;

      if ((device->class_id >> 16) != 0x03)
        continue;

      path = g_strdup_printf ("sys/bus/pci/devices/%s/resource", device->address);
      contents = pt_root_read_file (root, path, NULL, NULL);
      if (contents == NULL)
        continue;

      lines = g_strsplit (contents, "\n", -1);
      for (i = 0; lines[i] != NULL; i++)
        {
          g_auto(GStrv) fields = g_strsplit (lines[i], " ", 3);
          guint64 bar_start, bar_end;

          if (g_strv_length (fields) == 3 &&
              pt_sysfs_parse_hex (fields[0], G_MAXUINT64, &bar_start) &&
              pt_sysfs_parse_hex (fields[1], G_MAXUINT64, &bar_end) &&
              bar_end > bar_start && start >= bar_start && end <= bar_end)
            return g_strdup (device->address);
        }
    }

  return NULL;
}

/*
 * /proc/iomem nests a firmware framebuffer under the PCI BAR it lives in, two
 * spaces per level. Addresses read as zero for unprivileged readers, but the
 * nesting stays, so the PCI ancestor is the first thing to look at; the BAR
 * ranges are only compared when the framebuffer is not nested under a device.
 */
static void
mark_framebuffers (PtRoot     *root,
                   GHashTable *devices)
{
  g_autofree char *contents = pt_root_read_file (root, "proc/iomem", NULL, NULL);
  g_auto(GStrv) lines = NULL;
  const char *stack[32] = { NULL };
  guint i;

  if (contents == NULL)
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      char *sep = strstr (line, " : ");
      guint indent = 0;
      guint depth;
      const char *name;
      const char *owner = NULL;
      int level;

      if (sep == NULL)
        continue;

      while (line[indent] == ' ')
        indent++;
      depth = MIN (indent / 2, G_N_ELEMENTS (stack) - 1);

      *sep = '\0';
      name = sep + 3;
      stack[depth] = name;

      if (!is_framebuffer_name (name))
        continue;

      for (level = (int) depth - 1; level >= 0 && owner == NULL; level--)
        if (stack[level] != NULL && pt_sysfs_is_pci_address (stack[level]))
          owner = stack[level];

      if (owner != NULL)
        {
          g_autofree char *reason = g_strdup_printf (_("boot framebuffer (%s)"), name);

          mark (devices, owner, reason);
        }
      else
        {
          guint64 start, end;

          if (parse_range (line + indent, &start, &end) && start != 0)
            {
              g_autofree char *address = find_device_by_range (root, devices, start, end);
              g_autofree char *reason = g_strdup_printf (_("boot framebuffer (%s)"), name);

              mark (devices, address, reason);
            }
        }
    }
}

static void
mark_connected_displays (PtRoot     *root,
                         GHashTable *devices)
{
  g_autoptr(GPtrArray) names = pt_root_list_dir (root, "sys/class/drm", NULL);
  guint i;

  if (names == NULL)
    return;

  for (i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      const char *dash = strchr (name, '-');
      g_autofree char *status_path = NULL;
      g_autofree char *status = NULL;
      g_autofree char *card = NULL;
      g_autofree char *device_link = NULL;
      g_autofree char *target = NULL;
      g_autofree char *address = NULL;
      g_autofree char *reason = NULL;

      /* Connectors are "card0-HDMI-A-1"; render nodes and cards have no dash. */
      if (!g_str_has_prefix (name, "card") || dash == NULL)
        continue;

      status_path = g_strdup_printf ("sys/class/drm/%s/status", name);
      status = pt_root_read_line (root, status_path);
      if (g_strcmp0 (status, "connected") != 0)
        continue;

      card = g_strndup (name, dash - name);
      /* sys/class/drm/card0 -> ../../devices/pci0000:00/0000:00:01.0/0000:01:00.0/drm/card0 */
      device_link = g_strdup_printf ("sys/class/drm/%s", card);
      target = pt_root_read_link (root, device_link);
      address = pt_sysfs_last_pci_address (target);

      reason = g_strdup_printf (_("drives a connected display (%s)"), dash + 1);
      mark (devices, address, reason);
    }
}

/*
 * The PCI controller(s) under a block device, given its name in
 * sys/class/block. Device-mapper and md devices are virtual: their
 * controllers are those of their slaves.
 */
static void
collect_block_controllers (PtRoot     *root,
                           const char *name,
                           guint       depth,
                           GPtrArray  *addresses)
{
  g_autofree char *class_link = NULL;
  g_autofree char *target = NULL;
  g_autofree char *address = NULL;
  g_autofree char *slaves_dir = NULL;
  g_autoptr(GPtrArray) slaves = NULL;
  guint i;

  if (depth > MAX_STACK_DEPTH || name == NULL || strchr (name, '/') != NULL)
    return;

  class_link = g_strdup_printf ("sys/class/block/%s", name);
  target = pt_root_read_link (root, class_link);
  address = pt_sysfs_last_pci_address (target);
  if (address != NULL)
    {
      g_ptr_array_add (addresses, g_steal_pointer (&address));
      return;
    }

  slaves_dir = g_strdup_printf ("sys/class/block/%s/slaves", name);
  slaves = pt_root_list_dir (root, slaves_dir, NULL);
  if (slaves == NULL)
    {
      /* A partition of a virtual device: the slaves hang off its parent. */
      g_autofree char *parent = target != NULL ? g_path_get_dirname (target) : NULL;
      g_autofree char *parent_name = parent != NULL ? g_path_get_basename (parent) : NULL;

      if (parent_name != NULL && !g_str_equal (parent_name, "block") &&
          !g_str_equal (parent_name, name) && !g_str_equal (parent_name, "."))
        collect_block_controllers (root, parent_name, depth + 1, addresses);
      return;
    }

  for (i = 0; i < slaves->len; i++)
    collect_block_controllers (root, g_ptr_array_index (slaves, i), depth + 1, addresses);
}

/* "/dev/mapper/vg-root" -> "dm-0", "/dev/nvme0n1p2" -> "nvme0n1p2" */
static char *
block_name_from_source (PtRoot     *root,
                        const char *source)
{
  g_autofree char *target = NULL;

  if (source == NULL || !g_str_has_prefix (source, "/dev/") || strstr (source, "..") != NULL)
    return NULL;

  target = pt_root_read_link (root, source + 1);
  if (target != NULL)
    return g_path_get_basename (target);

  return g_path_get_basename (source);
}

static char *
block_name_from_devnum (PtRoot     *root,
                        const char *devnum)
{
  g_autofree char *link = g_strdup_printf ("sys/dev/block/%s", devnum);
  g_autofree char *target = pt_root_read_link (root, link);

  return target != NULL ? g_path_get_basename (target) : NULL;
}

static void
mark_block (PtRoot     *root,
            GHashTable *devices,
            const char *block_name,
            const char *what)
{
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  guint i;

  collect_block_controllers (root, block_name, 0, addresses);
  for (i = 0; i < addresses->len; i++)
    {
      g_autofree char *reason = g_strdup_printf (_("storage controller of %s (%s)"),
                                                 what, block_name);

      mark (devices, g_ptr_array_index (addresses, i), reason);
    }
}

static gboolean
is_protected_mountpoint (const char *mountpoint)
{
  static const char * const protected[] = { "/", "/boot", "/boot/efi", "/efi", "/usr" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (protected); i++)
    if (g_str_equal (mountpoint, protected[i]))
      return TRUE;

  return FALSE;
}

/*
 * mountinfo: "36 35 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw".
 * Btrfs and other multi-device file systems report a 0:N device number, so the
 * source after " - fstype " is used when the number is anonymous.
 */
static void
mark_mounts (PtRoot     *root,
             GHashTable *devices)
{
  g_autofree char *contents = pt_root_read_file (root, "proc/self/mountinfo", NULL, NULL);
  g_auto(GStrv) lines = NULL;
  guint i;

  if (contents == NULL)
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);
      g_autofree char *block_name = NULL;
      guint n = g_strv_length (fields);
      guint sep;

      /* A read-only mount loses no data when its disk goes; a writable one
       * (its mount options start "rw") does, whatever its path. */
      if (n < 10 || !(is_protected_mountpoint (fields[4]) || g_str_has_prefix (fields[5], "rw")))
        continue;

      for (sep = 6; sep < n && !g_str_equal (fields[sep], "-"); sep++)
        ;
      if (sep + 2 >= n)
        continue;

      if (!g_str_has_prefix (fields[2], "0:"))
        block_name = block_name_from_devnum (root, fields[2]);
      if (block_name == NULL)
        block_name = block_name_from_source (root, fields[sep + 2]);

      if (block_name != NULL)
        mark_block (root, devices, block_name, fields[4]);
    }
}

static void
mark_swaps (PtRoot     *root,
            GHashTable *devices)
{
  g_autofree char *contents = pt_root_read_file (root, "proc/swaps", NULL, NULL);
  g_auto(GStrv) lines = NULL;
  guint i;

  if (contents == NULL)
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (i = 1; lines[i] != NULL; i++)
    {
      g_autofree char *source = g_strndup (lines[i], strcspn (lines[i], " \t"));
      g_autofree char *block_name = block_name_from_source (root, source);

      if (block_name != NULL)
        mark_block (root, devices, block_name, _("swap"));
    }
}

/* @route: what the interface carries, in words ("the default route"). */
static void
mark_interface (PtRoot     *root,
                GHashTable *devices,
                const char *iface,
                const char *route_iface,
                const char *route,
                guint       depth)
{
  g_autofree char *link = NULL;
  g_autofree char *target = NULL;
  g_autofree char *address = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  guint i;

  if (depth > MAX_STACK_DEPTH || iface[0] == '\0' || strchr (iface, '/') != NULL ||
      g_str_equal (iface, "..") || g_str_equal (iface, "."))
    return;

  link = g_strdup_printf ("sys/class/net/%s", iface);
  target = pt_root_read_link (root, link);
  address = pt_sysfs_last_pci_address (target);
  if (address != NULL)
    {
      g_autofree char *reason = NULL;

      /* TRANSLATORS: the second %s is a route, e.g. "the default route" */
      if (g_str_equal (iface, route_iface))
        reason = g_strdup_printf (_("network interface %s carries %s"), iface, route);
      else
        reason = g_strdup_printf (_("network interface %s carries %s (through %s)"),
                                  iface, route, route_iface);
      mark (devices, address, reason);
      return;
    }

  /* Bridges, bonds and VLANs link to the interfaces below them. */
  dir = g_strdup_printf ("sys/class/net/%s", iface);
  entries = pt_root_list_dir (root, dir, NULL);
  if (entries == NULL)
    return;

  for (i = 0; i < entries->len; i++)
    {
      const char *entry = g_ptr_array_index (entries, i);

      if (g_str_has_prefix (entry, "lower_"))
        mark_interface (root, devices, entry + strlen ("lower_"), route_iface, route, depth + 1);
    }
}

/* The white-space separated fields of a /proc table line. */
static GPtrArray *
split_fields (const char *line)
{
  g_auto(GStrv) parts = g_strsplit_set (line, " \t", -1);
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  guint i;

  for (i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_ptr_array_add (fields, g_strdup (parts[i]));

  return fields;
}

/* An IPv4 address or mask as /proc/net/route prints it: the network-order
 * bytes read as one number of this CPU, in 8 hex digits. */
static gboolean
parse_route_hex (const char *hex,
                 guint32    *value)
{
  guint64 number;

  if (strlen (hex) != 8 || !g_ascii_string_to_unsigned (hex, 16, 0, G_MAXUINT32, &number, NULL))
    return FALSE;
  *value = g_ntohl ((guint32) number);
  return TRUE;
}

static char *
route_to_words (guint32 destination,
                guint32 mask)
{
  guint prefix = 0;

  while (prefix < 32 && (mask & (0x80000000u >> prefix)) != 0)
    prefix++;
  return g_strdup_printf (_("the route to %u.%u.%u.%u/%u"), destination >> 24, (destination >> 16) & 0xff,
                          (destination >> 8) & 0xff, destination & 0xff, prefix);
}

static void
add_route (GHashTable *routes,
           const char *iface,
           char       *words,
           gboolean    is_default)
{
  /* The default route is the one named; otherwise the first route. */
  if (is_default || !g_hash_table_contains (routes, iface))
    g_hash_table_insert (routes, g_strdup (iface), words);
  else
    g_free (words);
}

/*
 * Every interface that carries a route: the default route (IPv4 or IPv6),
 * and any other network the host reaches through it (a storage or
 * management network). Giving such a NIC away cuts that network off.
 * Link-local and multicast IPv6 routes, which every interface has, and
 * host routes do not count.
 */
static void
mark_routes (PtRoot     *root,
             GHashTable *devices)
{
  g_autofree char *route = pt_root_read_file (root, "proc/net/route", NULL, NULL);
  g_autofree char *route6 = pt_root_read_file (root, "proc/net/ipv6_route", NULL, NULL);
  g_autoptr(GHashTable) routes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) defaults = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer iface, words;
  guint i;

  if (route != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (route, "\n", -1);

      /* "Iface Destination Gateway Flags RefCnt Use Metric Mask …" */
      for (i = 1; lines[i] != NULL; i++)
        {
          g_autoptr(GPtrArray) fields = split_fields (lines[i]);
          guint32 destination, mask;
          const char *name;

          if (fields->len < 8 || !parse_route_hex (g_ptr_array_index (fields, 1), &destination) ||
              !parse_route_hex (g_ptr_array_index (fields, 7), &mask))
            continue;
          name = g_ptr_array_index (fields, 0);
          if (g_str_equal (name, "lo"))
            continue;
          if (destination == 0 && mask == 0)
            add_route (routes, name, g_strdup (_("the default route")), TRUE);
          else if (mask != 0xffffffffu)
            add_route (routes, name, route_to_words (destination, mask), FALSE);
        }
    }

  if (route6 != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (route6, "\n", -1);

      /* "dest prefix src prefix next-hop metric refcnt use flags iface" */
      for (i = 0; lines[i] != NULL; i++)
        {
          g_autoptr(GPtrArray) fields = split_fields (lines[i]);
          const char *destination, *name;
          guint64 prefix;

          if (fields->len < 10 ||
              !g_ascii_string_to_unsigned (g_ptr_array_index (fields, 1), 16, 0, 128, &prefix, NULL))
            continue;
          destination = g_ptr_array_index (fields, 0);
          name = g_ptr_array_index (fields, 9);
          if (g_str_equal (name, "lo") || strlen (destination) != 32)
            continue;
          if (prefix == 0 && g_str_equal (destination, "00000000000000000000000000000000"))
            add_route (routes, name, g_strdup (_("the default route")), TRUE);
          else if (prefix < 128 && !g_str_has_prefix (destination, "fe80") &&
                   !g_str_has_prefix (destination, "ff"))
            add_route (routes, name, g_strdup (_("an IPv6 network")), FALSE);
        }
    }

  g_hash_table_iter_init (&iter, routes);
  while (g_hash_table_iter_next (&iter, &iface, &words))
    mark_interface (root, devices, iface, iface, words, 0);
}

/**
 * pt_host_use_apply:
 * @devices: (element-type utf8 PtDevice): the scanned devices by address
 *
 * Adds to each device the reasons the host needs it.
 */
void
pt_host_use_apply (PtRoot     *root,
                   GHashTable *devices,
                   GPtrArray  *problems)
{
  mark_by_attributes (devices);
  mark_framebuffers (root, devices);
  mark_connected_displays (root, devices);
  mark_mounts (root, devices);
  mark_swaps (root, devices);
  mark_routes (root, devices);
}
