/* ph-emulator.c
 *
 * The test build's kernel: instead of writing to sysfs it does to a fixture
 * tree (tests/fixtures/build-host.py) what Linux does to /sys —
 *
 *  - driver_override stores a driver name, "\n" clears it to "(null)";
 *  - DRIVER/unbind drops the device's driver link, the driver's link to the
 *    device and DRIVER= in uevent (ENODEV if it is not bound to DRIVER);
 *  - drivers_probe binds a driverless device: to driver_override's driver
 *    only, if that is loaded, otherwise to the first loaded driver whose
 *    module's aliases match the modalias;
 *  - /dev/vfio/N exists while every endpoint of group N is free for VFIO and
 *    one is on vfio-pci;
 *  - sriov_numvfs: ERANGE above sriov_totalvfs, EBUSY from non-zero to
 *    non-zero, 0 removes the VFs, N creates them at offset + stride × i with
 *    their own IOMMU groups, probed if sriov_drivers_autoprobe is 1.
 *
 * Programs are not run: their argv is appended to
 * ROOT/var/log/passthrough-emulator.log; "modprobe vfio-pci" loads the
 * emulated driver. ROOT/.emulate injects faults, one per line:
 *
 *   busy-unbind ADDRESS        the driver's unbind fails with EBUSY
 *   refuse-bind ADDRESS DRIVER  DRIVER's probe of ADDRESS fails
 *   fail-command NAME          NAME exits with status 1
 *   crash-after-step N         the helper is killed (SIGKILL) after step N
 *   signal-after-step N SIG    the helper is sent SIG (a number) after step N
 *   sleep-after-step N         the helper waits a second after step N
 *   crash-in-command NAME      the helper is killed while NAME runs
 *   swap-after-plan ADDRESS DEVICE  another card (device ID DEVICE) sits at
 *                              ADDRESS once the plan is made
 *   edit-after-plan RELPATH    another editor appends a line to RELPATH
 *                              between planning and applying
 *   initramfs-without-vfio all the initramfs listing lacks the vfio modules
 *   grub-cfg-stale all         grub-mkconfig leaves grub.cfg as it was
 *
 * update-grub and grub(2)-mkconfig append an entry to the grub.cfg they
 * write whose kernel line is what /etc/default/grub and its drop-ins give,
 * then what executable /etc/grub.d scripts in the 40_custom form print.
 * lsinitrd, lsinitramfs and lsinitcpio print the vfio modules when the
 * generator's configuration in the tree names vfio_pci, and the udev rule
 * when it exists and the configuration brings it into the image.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "ph-commands.h"
#include "ph-context.h"
#include "ph-sysfs.h"
#include "pt-boot-plan.h"
#include "pt-error.h"
#include "pt-managed-files.h"
#include "pt-modalias.h"
#include "pt-root.h"

static guint steps_done;

static char *
at (PhContext  *ctx,
    const char *format,
    ...) G_GNUC_PRINTF (2, 3);

static char *
at (PhContext  *ctx,
    const char *format,
    ...)
{
  g_autofree char *rel = NULL;
  va_list args;

  va_start (args, format);
  rel = g_strdup_vprintf (format, args);
  va_end (args);
  return g_build_filename (ctx->root, rel, NULL);
}

static gboolean
faulty (PhContext  *ctx,
        const char *kind,
        const char *arg)
{
  g_autofree char *path = at (ctx, ".emulate");
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *wanted = g_strconcat (kind, " ", arg, NULL);

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  return g_strv_contains ((const char * const *) lines, wanted);
}

static gboolean
refuses (PhContext  *ctx,
         const char *address,
         const char *driver)
{
  g_autofree char *arg = g_strconcat (address, " ", driver, NULL);

  return faulty (ctx, "refuse-bind", arg);
}

static char *
read_attr (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return g_strstrip (text);
}

static void
write_attr (const char *dir,
            const char *name,
            const char *value)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, value, -1, NULL);
}

static char *
device_dir (PhContext  *ctx,
            const char *address)
{
  g_autofree char *link = at (ctx, "sys/bus/pci/devices/%s", address);

  return realpath (link, NULL);
}

/* How many "../" lead from a device directory up to ROOT/sys. */
static char *
sys_prefix (PhContext  *ctx,
            const char *dir)
{
  g_autofree char *sys = at (ctx, "sys");
  g_autofree char *real_sys = realpath (sys, NULL);
  const char *rest = dir + strlen (real_sys);
  GString *prefix = g_string_new (NULL);

  for (; *rest != '\0'; rest++)
    if (*rest == '/')
      g_string_append (prefix, "../");
  return g_string_free (prefix, FALSE);
}

static char *
driver_of (const char *dir)
{
  g_autofree char *link = g_build_filename (dir, "driver", NULL);
  g_autofree char *target = g_file_read_link (link, NULL);

  return target != NULL ? g_path_get_basename (target) : NULL;
}

static void
set_uevent_driver (const char *dir,
                   const char *driver)
{
  g_autofree char *text = read_attr (dir, "uevent");
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  g_autoptr(GString) out = g_string_new (NULL);
  guint i;

  if (driver != NULL)
    g_string_append_printf (out, "DRIVER=%s\n", driver);
  for (i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && !g_str_has_prefix (lines[i], "DRIVER="))
      g_string_append_printf (out, "%s\n", lines[i]);
  write_attr (dir, "uevent", out->str);
}

static int
group_of (const char *dir)
{
  g_autofree char *link = g_build_filename (dir, "iommu_group", NULL);
  g_autofree char *target = g_file_read_link (link, NULL);
  g_autofree char *base = target != NULL ? g_path_get_basename (target) : NULL;

  return base != NULL ? atoi (base) : -1;
}

static gboolean
is_bridge (const char *dir)
{
  g_autofree char *class = read_attr (dir, "class");

  return class != NULL && g_str_has_prefix (class, "0x0604");
}

/* /dev/vfio/N follows the group's members, as vfio does. */
static void
update_vfio_node (PhContext *ctx,
                  int        group)
{
  g_autofree char *devices = at (ctx, "sys/kernel/iommu_groups/%d/devices", group);
  g_autofree char *node = at (ctx, "dev/vfio/%d", group);
  g_autoptr(GDir) dir = g_dir_open (devices, 0, NULL);
  gboolean viable = TRUE, any_vfio = FALSE;
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *member = device_dir (ctx, name);
      g_autofree char *driver = member != NULL ? driver_of (member) : NULL;

      if (member == NULL || is_bridge (member))
        continue;
      if (g_strcmp0 (driver, "vfio-pci") == 0)
        any_vfio = TRUE;
      else if (driver != NULL && !g_str_equal (driver, "pci-stub") && !g_str_equal (driver, "pcieport"))
        viable = FALSE;
    }

  if (viable && any_vfio)
    {
      g_autofree char *vfio_dir = at (ctx, "dev/vfio");

      g_mkdir_with_parents (vfio_dir, 0755);
      g_file_set_contents (node, "", 0, NULL);
    }
  else
    g_unlink (node);
}

static void
bind_to (PhContext  *ctx,
         const char *dir,
         const char *address,
         const char *driver)
{
  g_autofree char *prefix = sys_prefix (ctx, dir);
  g_autofree char *device_link = g_build_filename (dir, "driver", NULL);
  g_autofree char *target = g_strconcat (prefix, "bus/pci/drivers/", driver, NULL);
  g_autofree char *driver_link = at (ctx, "sys/bus/pci/drivers/%s/%s", driver, address);
  g_autofree char *sys = at (ctx, "sys");
  g_autofree char *real_sys = realpath (sys, NULL);
  g_autofree char *back = g_strconcat ("../../../..", dir + strlen (real_sys), NULL);

  symlink (target, device_link);
  symlink (back, driver_link);
  set_uevent_driver (dir, driver);
}

static char *
module_of_driver (PhContext  *ctx,
                  const char *driver)
{
  g_autofree char *link = at (ctx, "sys/bus/pci/drivers/%s/module", driver);
  g_autofree char *target = g_file_read_link (link, NULL);

  return target != NULL ? g_path_get_basename (target) : NULL;
}

static void
probe (PhContext  *ctx,
       const char *address)
{
  g_autofree char *dir = device_dir (ctx, address);
  g_autofree char *current = NULL;
  g_autofree char *override = NULL;
  g_autofree char *modalias = NULL;
  g_autofree char *release = NULL;
  g_autofree char *drivers_path = at (ctx, "sys/bus/pci/drivers");
  g_autoptr(PtRoot) root = NULL;
  g_autoptr(PtModaliasIndex) index = NULL;
  g_auto(GStrv) modules = NULL;
  g_autoptr(GDir) drivers = NULL;
  const char *name;

  if (dir == NULL || (current = driver_of (dir)) != NULL)
    return;

  override = read_attr (dir, "driver_override");
  if (override != NULL && !g_str_equal (override, "(null)"))
    {
      g_autofree char *driver_dir = g_build_filename (drivers_path, override, NULL);

      if (g_file_test (driver_dir, G_FILE_TEST_IS_DIR) && !refuses (ctx, address, override))
        bind_to (ctx, dir, address, override);
      return;
    }

  root = pt_root_open (ctx->root, NULL);
  release = root != NULL ? pt_root_read_line (root, "proc/sys/kernel/osrelease") : NULL;
  index = root != NULL && release != NULL ? pt_modalias_index_load (root, release) : NULL;
  modalias = read_attr (dir, "modalias");
  modules = index != NULL && modalias != NULL ? pt_modalias_index_lookup (index, modalias) : NULL;
  if (modules == NULL)
    return;

  drivers = g_dir_open (drivers_path, 0, NULL);
  while (drivers != NULL && (name = g_dir_read_name (drivers)) != NULL)
    {
      g_autofree char *module = module_of_driver (ctx, name);

      /* vfio-pci has no ID table of its own: it binds only by override. */
      if (module != NULL && !g_str_equal (name, "vfio-pci") &&
          g_strv_contains ((const char * const *) modules, module) && !refuses (ctx, address, name))
        {
          bind_to (ctx, dir, address, name);
          return;
        }
    }
}

static gboolean
unbind (PhContext   *ctx,
        const char  *driver,
        const char  *address,
        GError     **error)
{
  g_autofree char *dir = device_dir (ctx, address);
  g_autofree char *current = dir != NULL ? driver_of (dir) : NULL;
  g_autofree char *device_link = NULL;
  g_autofree char *driver_link = NULL;

  if (current == NULL || !g_str_equal (current, driver))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "the kernel refused /sys/bus/pci/drivers/%s/unbind: %s", driver, g_strerror (ENODEV));
      return FALSE;
    }
  if (faulty (ctx, "busy-unbind", address))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   "the kernel refused /sys/bus/pci/drivers/%s/unbind: %s", driver, g_strerror (EBUSY));
      return FALSE;
    }

  device_link = g_build_filename (dir, "driver", NULL);
  driver_link = at (ctx, "sys/bus/pci/drivers/%s/%s", driver, address);
  g_unlink (device_link);
  g_unlink (driver_link);
  set_uevent_driver (dir, NULL);
  return TRUE;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static int
new_group_number (PhContext *ctx)
{
  g_autofree char *groups = at (ctx, "sys/kernel/iommu_groups");
  g_autoptr(GDir) dir = g_dir_open (groups, 0, NULL);
  const char *name;
  int max = -1;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    max = MAX (max, atoi (name));
  return max + 1;
}

static void
remove_vfs (PhContext  *ctx,
            const char *pf_dir)
{
  int i;

  for (i = 0; i < 4096; i++)
    {
      g_autofree char *name = g_strdup_printf ("virtfn%d", i);
      g_autofree char *link = g_build_filename (pf_dir, name, NULL);
      g_autofree char *target = g_file_read_link (link, NULL);
      g_autofree char *address = target != NULL ? g_path_get_basename (target) : NULL;
      g_autofree char *vf_dir = NULL;
      g_autofree char *driver = NULL;
      g_autofree char *bus_link = NULL;
      g_autofree char *group_dir = NULL;

      if (address == NULL)
        break;

      vf_dir = g_build_filename (pf_dir, "..", address, NULL);
      if ((driver = driver_of (vf_dir)) != NULL)
        unbind (ctx, driver, address, NULL);
      group_dir = at (ctx, "sys/kernel/iommu_groups/%d", group_of (vf_dir));
      remove_tree (group_dir);
      remove_tree (vf_dir);
      bus_link = at (ctx, "sys/bus/pci/devices/%s", address);
      g_unlink (bus_link);
      g_unlink (link);
    }
}

static void
copy_attr (const char *from,
           const char *to,
           const char *name)
{
  g_autofree char *value = read_attr (from, name);

  if (value != NULL)
    {
      g_autofree char *line = g_strconcat (value, "\n", NULL);

      write_attr (to, name, line);
    }
}

static void
create_vfs (PhContext  *ctx,
            const char *pf_dir,
            const char *pf_address,
            int         count)
{
  g_autofree char *offset_text = read_attr (pf_dir, "sriov_offset");
  g_autofree char *stride_text = read_attr (pf_dir, "sriov_stride");
  g_autofree char *vf_device = read_attr (pf_dir, "sriov_vf_device");
  g_autofree char *vendor = read_attr (pf_dir, "vendor");
  g_autofree char *class = read_attr (pf_dir, "class");
  g_autofree char *autoprobe = read_attr (pf_dir, "sriov_drivers_autoprobe");
  g_autofree char *parent = g_path_get_dirname (pf_dir);
  g_autofree char *prefix = sys_prefix (ctx, pf_dir);
  g_autofree char *real_sys = NULL;
  g_autofree char *sys = at (ctx, "sys");
  unsigned domain, bus, slot, function;
  int i;

  real_sys = realpath (sys, NULL);
  sscanf (pf_address, "%x:%x:%x.%u", &domain, &bus, &slot, &function);

  for (i = 0; i < count; i++)
    {
      unsigned rid = (bus << 8 | slot << 3 | function) + (unsigned) atoi (offset_text) +
                     (unsigned) atoi (stride_text) * (unsigned) i;
      g_autofree char *address = g_strdup_printf ("%04x:%02x:%02x.%u", domain, rid >> 8,
                                                  (rid & 0xff) >> 3, rid & 7);
      g_autofree char *dir = g_build_filename (parent, address, NULL);
      int group = new_group_number (ctx);
      g_autofree char *group_dir = at (ctx, "sys/kernel/iommu_groups/%d/devices", group);
      g_autofree char *vendor_id = g_ascii_strup (vendor + 2, -1);
      g_autofree char *device_id = g_ascii_strup (vf_device, -1);
      guint class_id = (guint) strtoul (class, NULL, 16);
      g_autofree char *modalias = g_strdup_printf ("pci:v0000%sd0000%ssv%08Xsd%08Xbc%02Xsc%02Xi%02X",
                                                   vendor_id, device_id, 0u, 0u, class_id >> 16,
                                                   (class_id >> 8) & 0xff, class_id & 0xff);
      g_autofree char *uevent = g_strdup_printf ("PCI_CLASS=%X\nPCI_ID=%s:%s\nPCI_SUBSYS_ID=0000:0000\n"
                                                 "PCI_SLOT_NAME=%s\nMODALIAS=%s\n",
                                                 class_id, vendor_id, device_id, address, modalias);
      g_autofree char *device_line = g_strdup_printf ("0x%s\n", vf_device);
      g_autofree char *modalias_line = g_strconcat (modalias, "\n", NULL);
      g_autofree char *virtfn = g_strdup_printf ("virtfn%d", i);
      g_autofree char *virtfn_link = g_build_filename (pf_dir, virtfn, NULL);
      g_autofree char *virtfn_target = g_strconcat ("../", address, NULL);
      g_autofree char *physfn_link = g_build_filename (dir, "physfn", NULL);
      g_autofree char *physfn_target = g_strconcat ("../", pf_address, NULL);
      g_autofree char *group_link = g_build_filename (dir, "iommu_group", NULL);
      g_autofree char *group_target = g_strdup_printf ("%skernel/iommu_groups/%d", prefix + 3, group);
      g_autofree char *subsystem_link = g_build_filename (dir, "subsystem", NULL);
      g_autofree char *subsystem_target = g_strconcat (prefix + 3, "bus/pci", NULL);
      g_autofree char *member_link = g_build_filename (group_dir, address, NULL);
      g_autofree char *member_target = g_strconcat ("../../../../", dir + strlen (real_sys) + 1, NULL);
      g_autofree char *bus_link = at (ctx, "sys/bus/pci/devices/%s", address);
      g_autofree char *bus_target = g_strconcat ("../../..", dir + strlen (real_sys), NULL);

      g_mkdir_with_parents (dir, 0755);
      g_mkdir_with_parents (group_dir, 0755);
      copy_attr (pf_dir, dir, "vendor");
      copy_attr (pf_dir, dir, "class");
      copy_attr (pf_dir, dir, "revision");
      copy_attr (pf_dir, dir, "numa_node");
      write_attr (dir, "device", device_line);
      write_attr (dir, "subsystem_vendor", "0x0000\n");
      write_attr (dir, "subsystem_device", "0x0000\n");
      write_attr (dir, "driver_override", "(null)\n");
      write_attr (dir, "modalias", modalias_line);
      write_attr (dir, "uevent", uevent);
      symlink (virtfn_target, virtfn_link);
      symlink (physfn_target, physfn_link);
      symlink (group_target, group_link);
      symlink (subsystem_target, subsystem_link);
      symlink (member_target, member_link);
      symlink (bus_target, bus_link);

      if (g_strcmp0 (autoprobe, "0") != 0)
        probe (ctx, address);
    }
}

static gboolean
set_numvfs (PhContext   *ctx,
            const char  *dir,
            const char  *address,
            const char  *value,
            GError     **error)
{
  g_autofree char *total = read_attr (dir, "sriov_totalvfs");
  g_autofree char *current = read_attr (dir, "sriov_numvfs");
  g_autofree char *pf_driver = driver_of (dir);
  int count = atoi (value);
  int errsv = 0;

  if (total == NULL)
    errsv = ENOENT;
  else if (count > atoi (total))
    errsv = ERANGE;
  else if (count != 0 && atoi (current) != 0)
    errsv = EBUSY;
  else if (count != 0 && pf_driver == NULL)
    errsv = ENOENT;

  if (errsv != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "the kernel refused /sys/bus/pci/devices/%s/sriov_numvfs: %s",
                   address, g_strerror (errsv));
      return FALSE;
    }

  if (count == 0)
    remove_vfs (ctx, dir);
  else
    create_vfs (ctx, dir, address, count);
  write_attr (dir, "sriov_numvfs", value);
  return TRUE;
}

gboolean
ph_kernel_write (PhContext   *ctx,
                 const char  *path,
                 const char  *value,
                 GError     **error)
{
  PhSysfsTarget target;
  g_autofree char *dir = NULL;
  int fd;

  if (!ph_sysfs_parse_target (path, value, &target, error))
    return FALSE;

  /* The same checks and the same open as the real kernel write. */
  fd = ph_sysfs_open_target (ctx->root_fd, &target, error);
  if (fd < 0)
    return FALSE;
  close (fd);
  dir = device_dir (ctx, target.address);

  switch (target.kind)
    {
    case PH_SYSFS_DEVICE_ATTR:
      if (g_str_equal (target.name, "driver_override"))
        write_attr (dir, "driver_override", g_str_equal (value, "\n") ? "(null)\n" : value);
      else if (g_str_equal (target.name, "sriov_numvfs"))
        return set_numvfs (ctx, dir, target.address, value, error);
      else
        write_attr (dir, target.name, value);
      return TRUE;

    case PH_SYSFS_DRIVER_UNBIND:
      if (!unbind (ctx, target.name, target.address, error))
        return FALSE;
      update_vfio_node (ctx, group_of (dir));
      return TRUE;

    case PH_SYSFS_DRIVERS_PROBE:
    default:
      probe (ctx, target.address);
      update_vfio_node (ctx, group_of (dir));
      return TRUE;
    }
}

/* What the regenerated initramfs would hold: the vfio modules if the
 * generator's configuration names them, the udev rule if it exists and the
 * configuration brings it (dracut install_items, an initramfs-tools hook,
 * mkinitcpio FILES), modprobe.d's passthrough-vfio.conf if it exists (every
 * generator copies modprobe.d); fault "initramfs-without-vfio": none. */
static char *
initramfs_listing (PhContext *ctx)
{
  const char *configs[] = {
    "etc/dracut.conf.d/passthrough-vfio.conf", "etc/initramfs-tools/modules", "etc/mkinitcpio.conf",
    "etc/initramfs-tools/hooks/passthrough-vfio", NULL,
  };
  g_autofree char *rule = at (ctx, "etc/udev/rules.d/60-passthrough-vfio.rules");
  g_autofree char *options = at (ctx, "etc/modprobe.d/passthrough-vfio.conf");
  GString *listing = g_string_new ("usr/lib/modules/kernel/drivers/gpu/drm/drm.ko\n");
  gboolean modules = FALSE, rule_inside = FALSE;
  guint i;

  if (faulty (ctx, "initramfs-without-vfio", "all"))
    return g_string_free (listing, FALSE);

  for (i = 0; configs[i] != NULL; i++)
    {
      g_autofree char *path = at (ctx, "%s", configs[i]);
      g_autofree char *text = NULL;

      if (!g_file_get_contents (path, &text, NULL, NULL))
        continue;
      modules |= strstr (text, "vfio_pci") != NULL;
      rule_inside |= strstr (text, "60-passthrough-vfio.rules") != NULL;
    }

  if (modules)
    g_string_append (listing, "usr/lib/modules/kernel/drivers/vfio/pci/vfio-pci.ko.xz\n"
                              "usr/lib/modules/kernel/drivers/vfio/vfio.ko.xz\n");
  if (rule_inside && g_file_test (rule, G_FILE_TEST_EXISTS))
    g_string_append (listing, "etc/udev/rules.d/60-passthrough-vfio.rules\n");
  if (g_file_test (options, G_FILE_TEST_EXISTS))
    g_string_append (listing, "etc/modprobe.d/passthrough-vfio.conf\n");
  return g_string_free (listing, FALSE);
}

/* grub-mkconfig, as far as the kernel line goes: the generated grub.cfg
 * gets an entry with what /etc/default/grub and its drop-ins give. */
static void
regenerate_grub_cfg (PhContext          *ctx,
                     const char * const *argv)
{
  g_autoptr(PtRoot) root = pt_root_open (ctx->root, NULL);
  g_autofree char *line = root != NULL ? pt_boot_plan_grub_kernel_line (root, NULL) : NULL;
  const char *target = g_str_equal (argv[0], "update-grub") ? "/boot/grub/grub.cfg" : NULL;
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) scripts = NULL;
  FILE *file;
  guint i;

  for (i = 1; argv[i] != NULL && argv[i + 1] != NULL; i++)
    if (g_str_equal (argv[i], "-o"))
      target = argv[i + 1];
  if (target == NULL || line == NULL || strstr (target, "..") != NULL ||
      faulty (ctx, "grub-cfg-stale", "all"))
    return;
  path = at (ctx, "%s", target + 1);
  file = fopen (path, "a");
  if (file == NULL)
    return;
  fprintf (file, "menuentry 'Emulated %s' {\n\tlinux\t/vmlinuz ro %s\n}\n", argv[0], line);

  /* Scripts in the 40_custom form print themselves from line N on. */
  scripts = pt_root_list_dir (root, "etc/grub.d", NULL);
  for (i = 0; scripts != NULL && i < scripts->len; i++)
    {
      g_autofree char *script_path = at (ctx, "etc/grub.d/%s", (char *) g_ptr_array_index (scripts, i));
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;
      guint from = 0, j;

      if (!g_file_get_contents (script_path, &text, NULL, NULL) ||
          !g_file_test (script_path, G_FILE_TEST_IS_EXECUTABLE))
        continue;
      lines = g_strsplit (text, "\n", -1);
      if (lines[0] == NULL || lines[1] == NULL ||
          sscanf (lines[1], "exec tail -n +%u \"$0\"", &from) != 1 || from == 0)
        continue;
      for (j = from - 1; j < g_strv_length (lines); j++)
        fprintf (file, "%s\n", lines[j]);
    }
  fclose (file);
}

static void
load_vfio_pci (PhContext *ctx)
{
  g_autofree char *driver = at (ctx, "sys/bus/pci/drivers/vfio-pci");
  g_autofree char *module = at (ctx, "sys/module/vfio_pci");
  g_autofree char *module_link = g_build_filename (driver, "module", NULL);
  const char *files[] = { "bind", "unbind", "new_id", "remove_id", "uevent", NULL };
  guint i;

  g_mkdir_with_parents (driver, 0755);
  g_mkdir_with_parents (module, 0755);
  for (i = 0; files[i] != NULL; i++)
    write_attr (driver, files[i], "");
  symlink ("../../../../module/vfio_pci", module_link);
}

gboolean
ph_kernel_run (PhContext          *ctx,
               const char * const *argv,
               char              **output,
               GError            **error)
{
  g_autofree char *log_dir = at (ctx, "var/log");
  g_autofree char *log_path = at (ctx, "var/log/passthrough-emulator.log");
  g_autofree char *line = NULL;
  FILE *log;

  if (!ph_commands_check (argv, error))
    return FALSE;

  line = g_strjoinv ("\t", (char **) argv);
  g_mkdir_with_parents (log_dir, 0755);
  log = fopen (log_path, "a");
  if (log != NULL)
    {
      fprintf (log, "%s\n", line);
      fclose (log);
    }
  ph_context_log (ctx, line);

  if (faulty (ctx, "crash-in-command", argv[0]))
    {
      fflush (stdout);
      kill (getpid (), SIGKILL);
    }

  if (faulty (ctx, "fail-command", argv[0]))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_FAILED, "%s failed (exit status 1):\nemulated failure\n",
                   argv[0]);
      return FALSE;
    }

  if (g_str_equal (argv[0], "modprobe") && g_strv_contains (argv + 1, "vfio-pci"))
    load_vfio_pci (ctx);
  if (g_str_equal (argv[0], "update-grub") || g_str_has_suffix (argv[0], "-mkconfig"))
    regenerate_grub_cfg (ctx, argv);
  if (output != NULL)
    *output = pt_managed_command_lists_initramfs (argv[0]) ? initramfs_listing (ctx) : g_strdup ("");
  return TRUE;
}

void
ph_kernel_step_done (PhContext *ctx)
{
  g_autofree char *wanted = g_strdup_printf ("%u", ++steps_done);
  int sig;

  if (faulty (ctx, "crash-after-step", wanted))
    {
      fflush (stdout);
      kill (getpid (), SIGKILL);
    }
  if (faulty (ctx, "sleep-after-step", wanted))
    g_usleep (G_USEC_PER_SEC);
  for (sig = 1; sig < 32; sig++)
    {
      g_autofree char *arg = g_strdup_printf ("%u %d", steps_done, sig);

      if (faulty (ctx, "signal-after-step", arg))
        kill (getpid (), sig);
    }
}

/* The race the helper must notice: someone edits a file it has planned for. */
void
ph_kernel_plan_made (PhContext *ctx)
{
  g_autofree char *path = at (ctx, ".emulate");
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint i;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "swap-after-plan "))
      {
        g_auto(GStrv) words = g_strsplit (lines[i], " ", 3);
        g_autofree char *dir = g_strv_length (words) == 3 && ph_is_pci_address (words[1])
                               ? device_dir (ctx, words[1]) : NULL;
        g_autofree char *value = dir != NULL ? g_strdup_printf ("0x%s\n", words[2]) : NULL;

        if (dir != NULL)
          write_attr (dir, "device", value);
      }
    else if (g_str_has_prefix (lines[i], "edit-after-plan ") && strstr (lines[i], "..") == NULL)
      {
        g_autofree char *target = at (ctx, "%s", lines[i] + strlen ("edit-after-plan "));
        FILE *file = fopen (target, "a");

        if (file != NULL)
          {
            fputs ("# edited by someone else\n", file);
            fclose (file);
          }
      }
}
