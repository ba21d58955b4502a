/* pt-pci-scan.c
 *
 * Reads every PCI function under ROOT/sys/bus/pci/devices into PtDevices.
 *
 * This is the hot path of a scan: a big host has thousands of functions with
 * a dozen attributes each. Each device directory is opened once and its
 * attributes are read relative to it with one open/read/close apiece, into
 * stack buffers.
 *
 * The IDs, class, subsystem, modalias and driver come from the first source
 * that has them, each read once:
 *
 *  1. `uevent` (every kernel has it), plus the `revision` attribute;
 *  2. without a usable uevent, the first 64 bytes of `config` (the standard
 *     header any user may read: IDs, revision, class, subsystem), the
 *     modalias derived from them as the kernel derives it, and the driver
 *     from one readlinkat. Reading config resumes a runtime-suspended device
 *     (a laptop's sleeping GPU wakes up for lspci), which is why it is not
 *     the first choice on a real host;
 *  3. without either, the separate attributes.
 *
 * All three give the same device (tests/test-scan-paths.py).
 *
 * Everything is read from the device's own directory, including the IOMMU
 * group (from its iommu_group link rather than /sys/kernel/iommu_groups), so
 * the scan also works where /sys/kernel is hidden, as in a Flatpak sandbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-pci-scan"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pt-device-private.h"
#include "pt-error.h"
#include "pt-intern.h"
#include "pt-pci-names.h"
#include "pt-pci-scan.h"
#include "pt-reset-quirks.h"
#include "pt-sysfs.h"

#define PCI_DEVICES_DIR "sys/bus/pci/devices"

/* The standard header of config space: what any user may read. */
#define CONFIG_HEADER_SIZE 64

typedef struct
{
  PtModaliasIndex *aliases;
  GPtrArray *problems;
} ScanContext;

static void
add_problem (GPtrArray  *problems,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
add_problem (GPtrArray  *problems,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (problems, g_strdup_vprintf (format, args));
  va_end (args);
}

/*
 * Reads a hexadecimal ID attribute. A missing or garbled one is reported and
 * read as @fallback, so one odd attribute costs a device its ID, not the scan.
 */
static guint64
read_hex (int         dirfd,
          PtDevice   *device,
          const char *name,
          guint64     max,
          guint64     fallback,
          gboolean    required,
          GPtrArray  *problems)
{
  char buf[64];
  guint64 value;

  if (!pt_sysfs_read_attr (dirfd, name, buf, sizeof buf))
    {
      if (required)
        add_problem (problems,
                     _("%s: its “%s” attribute is missing or unreadable; "
                       "the device is shown without it."),
                     device->address, name);
      return fallback;
    }

  if (!pt_sysfs_parse_hex (buf, max, &value))
    {
      add_problem (problems,
                   _("%s: its “%s” attribute reads “%s”, which is not a hexadecimal ID; "
                     "the device is shown without it."),
                   device->address, name, buf);
      return fallback;
    }

  return value;
}

static int
read_int (int         dirfd,
          const char *name,
          int         fallback)
{
  char buf[64];
  gint64 value;

  if (!pt_sysfs_read_attr (dirfd, name, buf, sizeof buf) ||
      !pt_sysfs_parse_int (buf, G_MININT, G_MAXINT, &value))
    return fallback;

  return (int) value;
}

/* The revision attribute is fairly new; older kernels only have it in config space. */
static guint8
read_revision (int        dirfd,
               PtDevice  *device,
               GPtrArray *problems)
{
  guint8 config[9];
  char buf[64];
  guint64 value;
  ssize_t n;
  int fd;

  if (pt_sysfs_read_attr (dirfd, "revision", buf, sizeof buf))
    {
      if (pt_sysfs_parse_hex (buf, 0xff, &value))
        return (guint8) value;
      add_problem (problems,
                   _("%s: its “revision” attribute reads “%s”, which is not a hexadecimal "
                     "number; the device is shown without it."),
                   device->address, buf);
      return 0;
    }

  fd = openat (dirfd, "config", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read (fd, config, sizeof config);
  close (fd);

  return n == sizeof config ? config[8] : 0;
}

/*
 * The driver a link names. Whether the driver exists is checked once per
 * driver name rather than per device (a big host has thousands of devices
 * on a handful of drivers): a link that points nowhere is reported with the
 * first device that has it, and its target's name is still shown.
 */
static const char *
read_driver_link (int          dirfd,
                  PtDevice    *device,
                  ScanContext *ctx)
{
  g_autofree char *target = pt_sysfs_link_basename (dirfd, "driver");
  const char *driver;

  if (target == NULL)
    return NULL;

  /* Whether it exists is checked once per driver, after the scan (check_links). */
  driver = g_intern_string (target);
  return driver;
}

/*
 * Whether the group directory exists is checked once per group, not per
 * member, and against one listing of /sys/kernel/iommu_groups where that is
 * visible: a dangling link is a broken tree, and checking thousands of
 * members would cost a system call each.
 */
static void
read_iommu_group (int          dirfd,
                  PtDevice    *device,
                  ScanContext *ctx)
{
  g_autofree char *group = pt_sysfs_link_basename (dirfd, "iommu_group");
  gint64 number;

  if (group == NULL)
    return;

  if (!pt_sysfs_parse_int (group, 0, G_MAXINT, &number))
    {
      add_problem (ctx->problems,
                   _("%s: its iommu_group link names “%s”, which is not a group number."),
                   device->address, group);
      return;
    }

  /* Whether it exists is checked once per group, after the scan (check_links). */
  device->iommu_group = (int) number;
}

static void
read_sriov (int        dirfd,
            PtDevice  *device)
{
  g_autoptr(GStrvBuilder) virtfns = NULL;
  int i, found;

  /* A VF's physfn is set from its PF's virtfn links once every function is
   * read (link_virtual_functions): the kernel makes both links together, and
   * looking for physfn in every function cost a system call each. */
  device->sriov_total_vfs = read_int (dirfd, "sriov_totalvfs", -1);
  if (device->sriov_total_vfs <= 0)
    return;

  device->sriov_num_vfs = read_int (dirfd, "sriov_numvfs", 0);
  device->sriov_drivers_autoprobe = read_int (dirfd, "sriov_drivers_autoprobe", -1);

  /* The links are numbered by VF, so where the platform enables only some
   * VFs (s390's zPCI) the numbers have gaps: a missing one ends the list
   * only once sriov_numvfs are found. */
  virtfns = g_strv_builder_new ();
  for (i = 0, found = 0; i < device->sriov_total_vfs; i++)
    {
      char name[32];
      g_autofree char *vf = NULL;

      g_snprintf (name, sizeof name, "virtfn%d", i);
      vf = pt_sysfs_link_basename (dirfd, name);
      if (vf == NULL)
        {
          if (found >= device->sriov_num_vfs)
            break;
          continue;
        }
      g_strv_builder_add (virtfns, vf);
      found++;
    }
  device->virtfns = g_strv_builder_end (virtfns);
}

static void
read_reset (int       dirfd,
            PtDevice *device)
{
  char buf[256];

  if (pt_sysfs_read_attr (dirfd, "reset_method", buf, sizeof buf) && buf[0] != '\0')
    {
      g_auto(GStrv) methods = g_strsplit (buf, " ", -1);

      device->reset_methods = pt_intern_strv ((const char * const *) methods);
    }

  /* Since 5.15 reset_method is shown exactly when `reset` is; only older
   * kernels need the second look. */
  device->has_reset = device->reset_methods != NULL ||
                      faccessat (dirfd, "reset", F_OK, 0) == 0;
  device->reset_quirk = pt_reset_quirks_lookup (device->vendor_id, device->device_id,
                                                device->reset_methods);
}

static void
read_driver_override (int       dirfd,
                      PtDevice *device)
{
  char buf[256];

  if (pt_sysfs_read_attr (dirfd, "driver_override", buf, sizeof buf) &&
      buf[0] != '\0' && !g_str_equal (buf, "(null)"))
    device->driver_override = g_strdup (buf);
}

static void
derive_modalias (PtDevice  *device,
                 char     **modalias)
{
  char buf[PT_MODALIAS_PCI_SIZE];

  pt_modalias_format_pci (buf, device->vendor_id, device->device_id,
                          device->subsystem_vendor_id, device->subsystem_device_id,
                          device->class_id);
  g_free (*modalias);
  *modalias = g_strdup (buf);
}

static void
read_subsystem_attributes (int          dirfd,
                           PtDevice    *device,
                           ScanContext *ctx)
{
  device->subsystem_vendor_id =
    read_hex (dirfd, device, "subsystem_vendor", 0xffff, 0, FALSE, ctx->problems);
  device->subsystem_device_id =
    read_hex (dirfd, device, "subsystem_device", 0xffff, 0, FALSE, ctx->problems);
}

/*
 * Without a usable uevent: the IDs, revision, class and subsystem from one
 * read of config's standard header (PCI Local Bus spec, type 0 and 1
 * headers). Returns FALSE, having set nothing, when config is missing or
 * shorter than the header.
 *
 * What the header cannot say is read from the attributes, which hold what
 * the kernel made of it: an SR-IOV virtual function's IDs read as ffff in
 * its own config space (the kernel takes them from its PF), and a bridge's
 * subsystem IDs live in a capability beyond the header, if anywhere.
 */
static gboolean
read_ids_from_config (int          dirfd,
                      PtDevice    *device,
                      char       **modalias,
                      ScanContext *ctx)
{
  guint8 config[CONFIG_HEADER_SIZE];
  ssize_t n;
  int fd;

  fd = openat (dirfd, "config", O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return FALSE;
  do
    n = read (fd, config, sizeof config);
  while (n < 0 && errno == EINTR);
  close (fd);
  if (n != sizeof config)
    return FALSE;

  device->vendor_id = config[0x00] | config[0x01] << 8;
  device->device_id = config[0x02] | config[0x03] << 8;
  device->revision = config[0x08];
  device->class_id = config[0x09] | config[0x0a] << 8 | (guint32) config[0x0b] << 16;
  if (device->vendor_id == 0xffff || device->device_id == 0xffff)
    {
      device->vendor_id = read_hex (dirfd, device, "vendor", 0xffff, 0xffff, TRUE, ctx->problems);
      device->device_id = read_hex (dirfd, device, "device", 0xffff, 0xffff, TRUE, ctx->problems);
    }
  if ((config[0x0e] & 0x7f) == 0)
    {
      device->subsystem_vendor_id = config[0x2c] | config[0x2d] << 8;
      device->subsystem_device_id = config[0x2e] | config[0x2f] << 8;
    }
  else
    read_subsystem_attributes (dirfd, device, ctx);

  derive_modalias (device, modalias);
  device->driver = read_driver_link (dirfd, device, ctx);
  return TRUE;
}

/* The slow way, for trees with neither a usable uevent nor config. */
static void
read_ids_from_attributes (int          dirfd,
                          PtDevice    *device,
                          char       **modalias,
                          ScanContext *ctx)
{
  device->vendor_id = read_hex (dirfd, device, "vendor", 0xffff, 0xffff, TRUE, ctx->problems);
  device->device_id = read_hex (dirfd, device, "device", 0xffff, 0xffff, TRUE, ctx->problems);
  device->class_id = read_hex (dirfd, device, "class", 0xffffff, 0xff0000, TRUE, ctx->problems);
  read_subsystem_attributes (dirfd, device, ctx);
  device->revision = read_revision (dirfd, device, ctx->problems);
  derive_modalias (device, modalias);
  device->driver = read_driver_link (dirfd, device, ctx);
}

/* "10DE:2503" */
static gboolean
parse_id_pair (const char *text,
               guint16    *first,
               guint16    *second)
{
  char a[5], b[5];
  guint64 x, y;

  if (strlen (text) != 9 || text[4] != ':')
    return FALSE;

  memcpy (a, text, 4);
  a[4] = '\0';
  memcpy (b, text + 5, 4);
  b[4] = '\0';
  if (!pt_sysfs_parse_hex (a, 0xffff, &x) || !pt_sysfs_parse_hex (b, 0xffff, &y))
    return FALSE;

  *first = (guint16) x;
  *second = (guint16) y;
  return TRUE;
}

/*
 * The kernel's uevent file (drivers/pci/pci-driver.c, pci_uevent()) carries
 * the IDs, class, subsystem and modalias of struct pci_dev, plus the bound
 * driver: the same values as the separate attributes that lspci reads, in
 * one read instead of seven. Returns FALSE when it is missing or lacks the
 * IDs or class, so that the caller reads the attributes instead.
 */
static gboolean
read_uevent (int         dirfd,
             PtDevice   *device,
             char      **modalias,
             GPtrArray  *problems)
{
  char buf[PT_SYSFS_ATTR_MAX];
  gboolean have_id = FALSE, have_class = FALSE;
  char *line, *next;

  if (!pt_sysfs_read_attr (dirfd, "uevent", buf, sizeof buf))
    return FALSE;

  for (line = buf; line != NULL; line = next)
    {
      char *eq;

      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';

      eq = strchr (line, '=');
      if (eq == NULL)
        continue;
      *eq = '\0';

      if (g_str_equal (line, "PCI_ID"))
        have_id = parse_id_pair (eq + 1, &device->vendor_id, &device->device_id);
      else if (g_str_equal (line, "PCI_SUBSYS_ID"))
        parse_id_pair (eq + 1, &device->subsystem_vendor_id, &device->subsystem_device_id);
      else if (g_str_equal (line, "PCI_CLASS"))
        {
          guint64 class_id;

          have_class = pt_sysfs_parse_hex (eq + 1, 0xffffff, &class_id);
          device->class_id = (guint32) class_id;
        }
      else if (g_str_equal (line, "MODALIAS") && *modalias == NULL)
        *modalias = g_strdup (eq + 1);
      else if (g_str_equal (line, "DRIVER") && device->driver == NULL && eq[1] != '\0')
        device->driver = g_intern_string (eq + 1);
    }

  return have_id && have_class;
}

/* "../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0" -> "0000:00:01.0" */
static char *
parent_from_link (const char *link)
{
  const char *last, *before;

  if (link == NULL || (last = strrchr (link, '/')) == NULL || last == link)
    return NULL;

  for (before = last - 1; before > link && *before != '/'; before--)
    ;
  if (*before == '/')
    before++;

  if (last - before == 12)
    {
      char candidate[13];

      memcpy (candidate, before, 12);
      candidate[12] = '\0';
      if (pt_sysfs_is_pci_address (candidate))
        return g_strdup (candidate);
    }

  return NULL;
}

static PtDevice *
read_device (int          devices_fd,
             const char  *address,
             ScanContext *ctx)
{
  g_autoptr(PtDevice) device = _pt_device_new (address);
  g_autofree char *link = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *modalias = NULL;
  g_auto(GStrv) modules = NULL;
  int fd;

  fd = openat (devices_fd, address, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;

      add_problem (ctx->problems, _("%s: cannot open its sysfs directory: %s; it is left out."),
                   address, g_strerror (saved_errno));
      return NULL;
    }

  link = pt_sysfs_read_link (devices_fd, address);
  parent = parent_from_link (link);
  device->parent_address = g_intern_string (parent);

  if (read_uevent (fd, device, &modalias, ctx->problems))
    device->revision = read_revision (fd, device, ctx->problems);
  else if (!read_ids_from_config (fd, device, &modalias, ctx))
    read_ids_from_attributes (fd, device, &modalias, ctx);
  modules = pt_modalias_index_lookup (ctx->aliases, modalias);
  device->modules = pt_intern_strv ((const char * const *) modules);
  device->numa_node = read_int (fd, "numa_node", -1);
  read_driver_override (fd, device);
  read_iommu_group (fd, device, ctx);
  read_sriov (fd, device);
  read_reset (fd, device);

  /* The kernel creates boot_vga only for VGA-class devices. */
  if ((device->class_id >> 8) == 0x0300)
    device->boot_vga = read_int (fd, "boot_vga", -1);

  close (fd);

  return g_steal_pointer (&device);
}

/* Two threads from @parallel_from functions: reading sysfs is system-call
 * time that two cores halve. In the app, GTK's own start-up runs meanwhile
 * on the other core, and its first frame came sooner with one thread at
 * 4,096 functions (557 against 650 ms) and with two at 16,384 (1,025
 * against 1,280 ms; build-aux/benchmark.py's hosts, 2 cores).
 * PASSTHROUGH_SCAN_THREADS=1 or 2 chooses, for the tests to compare. */
static guint
scan_threads (guint n_functions,
              guint parallel_from)
{
  const char *chosen = g_getenv ("PASSTHROUGH_SCAN_THREADS");

  if (g_strcmp0 (chosen, "1") == 0 || g_strcmp0 (chosen, "2") == 0)
    return chosen[0] - '0';
  return n_functions >= parallel_from ? 2 : 1;
}

/* One thread's share of the functions, with its own checks and problems. */
typedef struct
{
  int devices_fd;
  GPtrArray *names;
  guint from, to;
  ScanContext ctx;
  GCancellable *cancellable;
  GPtrArray *devices;         /* (nullable) the share's functions; NULL if cancelled */
} Share;

static gpointer
read_share (gpointer data)
{
  Share *share = data;
  guint i;

  share->devices = g_ptr_array_new_full (share->to - share->from, g_object_unref);
  for (i = share->from; i < share->to; i++)
    {
      const char *name = g_ptr_array_index (share->names, i);
      PtDevice *device;

      if (g_cancellable_is_cancelled (share->cancellable))
        {
          g_clear_pointer (&share->devices, g_ptr_array_unref);
          return NULL;
        }

      if (!pt_sysfs_is_pci_address (name))
        {
          add_problem (share->ctx.problems,
                       _("“%s” in the PCI devices directory is not a PCI address; it is left out."),
                       name);
          continue;
        }

      device = read_device (share->devices_fd, name, &share->ctx);
      if (device != NULL)
        g_ptr_array_add (share->devices, device);
    }
  return NULL;
}

static void
share_init (Share           *share,
            int              devices_fd,
            GPtrArray       *names,
            guint            from,
            guint            to,
            PtModaliasIndex *aliases,
            GCancellable    *cancellable)
{
  share->devices_fd = devices_fd;
  share->names = names;
  share->from = from;
  share->to = to;
  share->cancellable = cancellable;
  share->ctx.aliases = aliases;
  share->ctx.problems = g_ptr_array_new_with_free_func (g_free);
}

/*
 * Dangling driver and iommu_group links mean a broken tree. They are
 * checked once per driver and per group, not per function (thousands of
 * system calls), against one listing of /sys/kernel/iommu_groups where
 * that is visible, in address order once every function is read, so the
 * same tree says the same, however many threads read it.
 */
static void
check_links (int          devices_fd,
             GPtrArray   *devices,
             GHashTable  *known_groups,
             GPtrArray   *problems)
{
  g_autoptr(GHashTable) checked_drivers = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) checked_groups = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint i;

  for (i = 0; i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);
      char group[16];
      char path[64];

      if (device->driver != NULL && !g_hash_table_contains (checked_drivers, device->driver))
        {
          g_hash_table_add (checked_drivers, (gpointer) device->driver);
          g_snprintf (path, sizeof path, "%s/driver", device->address);
          if (faccessat (devices_fd, path, F_OK, 0) != 0)
            add_problem (problems, _("%s: its “%s” link points to “%s”, which does not exist."),
                         device->address, "driver", device->driver);
        }

      if (device->iommu_group < 0 ||
          g_hash_table_contains (checked_groups, GINT_TO_POINTER (device->iommu_group)))
        continue;
      g_hash_table_add (checked_groups, GINT_TO_POINTER (device->iommu_group));
      g_snprintf (group, sizeof group, "%d", device->iommu_group);
      g_snprintf (path, sizeof path, "%s/iommu_group", device->address);
      if (!g_hash_table_contains (known_groups, group) && faccessat (devices_fd, path, F_OK, 0) != 0)
        add_problem (problems,
                     _("%s: its iommu_group link points to group “%s”, which does not exist."),
                     device->address, group);
    }
}

static int
compare_address (const void *key,
                 const void *member)
{
  return strcmp (key, pt_device_get_address (*(PtDevice * const *) member));
}

/* Each VF names its PF, as its physfn link does: from the PF's virtfn links
 * (pci_iov_sysfs_link() creates the two together). @devices is in address
 * order. */
static void
link_virtual_functions (GPtrArray *devices)
{
  guint i, j;

  for (i = 0; i < devices->len; i++)
    {
      PtDevice *pf = g_ptr_array_index (devices, i);

      for (j = 0; pf->virtfns != NULL && pf->virtfns[j] != NULL; j++)
        {
          PtDevice **vf = bsearch (pf->virtfns[j], devices->pdata, devices->len,
                                   sizeof (PtDevice *), compare_address);

          if (vf != NULL && (*vf)->physfn == NULL)
            (*vf)->physfn = g_strdup (pf->address);
        }
    }
}

/**
 * pt_pci_scan_devices:
 * @problems: (element-type utf8): where to add a message for everything odd
 *   that was read around
 *
 * Returns: (transfer full) (element-type PtDevice): the functions, sorted by
 *   address, or %NULL if ROOT has no PCI bus directory at all
 */
GPtrArray *
pt_pci_scan_devices (PtRoot           *root,
                     PtModaliasIndex  *aliases,
                     guint             parallel_from,
                     GPtrArray        *problems,
                     GCancellable     *cancellable,
                     GError          **error)
{
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GPtrArray) group_names = NULL;
  g_autoptr(GHashTable) known_groups = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) local_error = NULL;
  Share shares[2] = { { 0 } };
  GThread *other = NULL;
  guint i, n_shares;
  int devices_fd;

  names = pt_root_list_dir (root, PCI_DEVICES_DIR, &local_error);
  if (names == NULL)
    {
      g_autofree char *display = pt_root_display_path (root, PCI_DEVICES_DIR);

      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT,
                   _("Cannot read the PCI devices in %s (%s). Is sysfs mounted, and is “%s” "
                     "the root of a Linux host?"),
                   display, local_error->message, pt_root_get_path (root));
      return NULL;
    }

  devices_fd = openat (pt_root_get_fd (root), PCI_DEVICES_DIR,
                       O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (devices_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT,
                   _("Cannot open the PCI devices directory: %s"), g_strerror (saved_errno));
      return NULL;
    }

  group_names = pt_root_list_dir (root, "sys/kernel/iommu_groups", NULL);
  for (i = 0; group_names != NULL && i < group_names->len; i++)
    g_hash_table_add (known_groups, g_ptr_array_index (group_names, i));

  /* The first half here, the second in another thread on a big host. */
  n_shares = scan_threads (names->len, parallel_from);
  for (i = 0; i < n_shares; i++)
    share_init (&shares[i], devices_fd, names, names->len * i / n_shares,
                names->len * (i + 1) / n_shares, aliases, cancellable);
  if (n_shares == 2)
    other = g_thread_new ("pt-pci-scan", read_share, &shares[1]);
  read_share (&shares[0]);
  if (other != NULL)
    g_thread_join (other);

  /* The shares' functions and problems, in address order. */
  devices = g_ptr_array_new_full (names->len, g_object_unref);
  for (i = 0; i < n_shares; i++)
    {
      if (shares[i].devices != NULL)
        g_ptr_array_extend_and_steal (devices, g_steal_pointer (&shares[i].devices));
      g_ptr_array_extend_and_steal (problems, g_steal_pointer (&shares[i].ctx.problems));
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      close (devices_fd);
      return NULL;
    }

  check_links (devices_fd, devices, known_groups, problems);
  link_virtual_functions (devices);

  /* libpci's names are not for threads: one pass once every function is read. */
  for (i = 0; i < devices->len; i++)
    pt_pci_names_fill (g_ptr_array_index (devices, i));

  close (devices_fd);

  return g_steal_pointer (&devices);
}
