/* pt-scanner.c
 *
 * Reads a host from a root directory into a PtHost snapshot: the PCI
 * functions, who on the host needs them, the IOMMU groups they form, and the
 * readiness checks. The scan only reads, needs no privilege, and runs in a
 * worker thread for the UI.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-scanner"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pt-boot-setup.h"
#include "pt-checks.h"
#include "pt-device-private.h"
#include "pt-host-private.h"
#include "pt-host-use.h"
#include "pt-modalias.h"
#include "pt-pci-scan.h"
#include "pt-root.h"
#include "pt-early-bind-plan.h"
#include "pt-sandbox.h"
#include "pt-scanner.h"

struct _PtScanner
{
  GObject parent_instance;

  char *root;
  PtOwnerFacts *owner_facts;   /* (nullable) */
  gboolean skip_checks;
  guint parallel_from;         /* functions from which two threads read */
};

G_DEFINE_FINAL_TYPE (PtScanner, pt_scanner, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ROOT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pt_scanner_finalize (GObject *object)
{
  PtScanner *self = (PtScanner *) object;

  g_clear_pointer (&self->root, g_free);
  g_clear_pointer (&self->owner_facts, pt_owner_facts_unref);

  G_OBJECT_CLASS (pt_scanner_parent_class)->finalize (object);
}

static void
pt_scanner_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PtScanner *self = PT_SCANNER (object);

  switch (prop_id)
    {
    case PROP_ROOT:
      g_value_set_string (value, self->root);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_scanner_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  PtScanner *self = PT_SCANNER (object);

  switch (prop_id)
    {
    case PROP_ROOT:
      self->root = g_value_dup_string (value);
      if (self->root == NULL)
        self->root = g_strdup ("/");
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_scanner_class_init (PtScannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pt_scanner_finalize;
  object_class->get_property = pt_scanner_get_property;
  object_class->set_property = pt_scanner_set_property;

  properties[PROP_ROOT] =
    g_param_spec_string ("root", NULL, NULL, "/",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pt_scanner_init (PtScanner *self)
{
  self->parallel_from = PT_PCI_SCAN_PARALLEL_FROM;
}

/**
 * pt_scanner_new:
 * @root: (nullable): the host's root directory; %NULL for "/"
 *
 * Returns: (transfer full): a scanner for that host
 */
PtScanner *
pt_scanner_new (const char *root)
{
  return g_object_new (PT_TYPE_SCANNER, "root", root, NULL);
}

/**
 * pt_scanner_set_skip_checks:
 *
 * Leaves out the readiness checks, which no plan needs: the privileged
 * helper reads no more as root than its plan takes.
 */
/**
 * pt_scanner_set_beside_gtk:
 *
 * The scans run while GTK starts on the other core (the app): two threads
 * only on bigger hosts than for a command.
 */
void
pt_scanner_set_beside_gtk (PtScanner *self,
                           gboolean   beside_gtk)
{
  g_return_if_fail (PT_IS_SCANNER (self));
  self->parallel_from = beside_gtk ? PT_PCI_SCAN_PARALLEL_FROM_BESIDE_GTK : PT_PCI_SCAN_PARALLEL_FROM;
}

void
pt_scanner_set_skip_checks (PtScanner *self,
                            gboolean   skip_checks)
{
  g_return_if_fail (PT_IS_SCANNER (self));
  self->skip_checks = skip_checks;
}

/**
 * pt_scanner_set_owners:
 * @owners: (nullable) (element-type utf8 utf8): host address -> the VM it is
 *   given to, as libvirt says; %NULL when unknown
 * @running: (nullable) (element-type utf8 utf8): the names of the VMs that
 *   run or are paused, as a set
 *
 * Lets the next scans say which VM has which device, and whether it runs.
 */
void
pt_scanner_set_owners (PtScanner  *self,
                       GHashTable *owners,
                       GHashTable *running)
{
  g_autoptr(PtOwnerFacts) facts = pt_owner_facts_new ();

  g_return_if_fail (PT_IS_SCANNER (self));

  pt_owner_facts_set (facts, owners, running);
  pt_scanner_set_owner_facts (self, facts);
}

/**
 * pt_scanner_set_owner_facts:
 * @facts: (nullable): where the scans take owners from, when they come to
 *   name them (they may be set while a scan runs)
 */
void
pt_scanner_set_owner_facts (PtScanner    *self,
                            PtOwnerFacts *facts)
{
  g_return_if_fail (PT_IS_SCANNER (self));

  g_clear_pointer (&self->owner_facts, pt_owner_facts_unref);
  if (facts != NULL)
    self->owner_facts = pt_owner_facts_ref (facts);
}

const char *
pt_scanner_get_root (PtScanner *self)
{
  g_return_val_if_fail (PT_IS_SCANNER (self), NULL);
  return self->root;
}

static gint
compare_group_numbers (gconstpointer a,
                       gconstpointer b)
{
  int x = GPOINTER_TO_INT (*(gconstpointer *) a);
  int y = GPOINTER_TO_INT (*(gconstpointer *) b);

  return (x > y) - (x < y);
}

/* Devices are in address order, so each group's members are too. */
GPtrArray *
_pt_host_build_groups (GPtrArray *devices)
{
  g_autoptr(GHashTable) members = NULL;
  g_autoptr(GPtrArray) numbers = NULL;
  GPtrArray *groups;
  guint i;

  members = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                   (GDestroyNotify) g_ptr_array_unref);
  numbers = g_ptr_array_new ();

  for (i = 0; i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);
      gpointer key = GINT_TO_POINTER (device->iommu_group);
      GPtrArray *list;

      if (device->iommu_group < 0)
        continue;

      list = g_hash_table_lookup (members, key);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (members, key, list);
          g_ptr_array_add (numbers, key);
        }
      g_ptr_array_add (list, device);
    }

  g_ptr_array_sort (numbers, compare_group_numbers);

  groups = g_ptr_array_new_with_free_func (g_object_unref);
  for (i = 0; i < numbers->len; i++)
    {
      gpointer key = g_ptr_array_index (numbers, i);

      g_ptr_array_add (groups, pt_iommu_group_new (GPOINTER_TO_INT (key),
                                                   g_hash_table_lookup (members, key)));
    }

  return groups;
}

/*
 * Giving away one member of a group takes the whole group, so every other
 * endpoint inherits the reasons of the members the host needs. Bridges are
 * never given away and are left alone.
 */
static void
spread_host_use (GPtrArray *devices)
{
  g_autoptr(GHashTable) owners = NULL;
  guint i;

  /* Collect first, so that only reasons of the device's own are spread. */
  owners = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                  (GDestroyNotify) g_ptr_array_unref);
  for (i = 0; i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);
      gpointer key = GINT_TO_POINTER (device->iommu_group);
      GPtrArray *list;

      if (device->iommu_group < 0 || device->host_use->len == 0)
        continue;

      list = g_hash_table_lookup (owners, key);
      if (list == NULL)
        g_hash_table_insert (owners, key, list = g_ptr_array_new ());
      g_ptr_array_add (list, device);
    }

  for (i = 0; i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);
      GPtrArray *list;
      guint j;

      if (device->iommu_group < 0 || _pt_device_is_bridge_class (device->class_id))
        continue;

      list = g_hash_table_lookup (owners, GINT_TO_POINTER (device->iommu_group));
      for (j = 0; list != NULL && j < list->len; j++)
        {
          PtDevice *owner = g_ptr_array_index (list, j);
          g_autofree char *reason = NULL;

          if (owner == device)
            continue;

          reason = g_strdup_printf (_("shares IOMMU group %d with %s: %s"),
                                    device->iommu_group, owner->address,
                                    (const char *) g_ptr_array_index (owner->host_use, 0));
          _pt_device_add_host_use (device, reason);
        }
    }
}

void
_pt_host_set_owners (GPtrArray  *devices,
                     GHashTable *owners,
                     GHashTable *running)
{
  guint i;

  for (i = 0; owners != NULL && i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);

      device->vm = g_intern_string (g_hash_table_lookup (owners, device->address));
      device->vm_running = device->vm != NULL && running != NULL &&
                           g_hash_table_contains (running, device->vm);
    }
}

/* What the boot-time binding names, by address or by vendor:device ID. */
static void
mark_bound_at_boot (PtRoot    *root,
                    GPtrArray *devices)
{
  g_autoptr(GHashTable) bound = pt_early_bind_read_bound (root);
  guint i;

  for (i = 0; g_hash_table_size (bound) > 0 && i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);
      char id[10];

      g_snprintf (id, sizeof id, "%04x:%04x", device->vendor_id, device->device_id);
      device->bound_at_boot = g_hash_table_contains (bound, device->address) ||
                              g_hash_table_contains (bound, id);
    }
}

static PtHost *
scan_root (PtScanner     *self,
           PtOwnerFacts  *owner_facts,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GHashTable) owners = NULL;
  g_autoptr(GHashTable) running = NULL;
  g_autoptr(PtRoot) root = NULL;
  g_autoptr(PtBootSetup) boot = NULL;
  g_autoptr(PtModaliasIndex) aliases = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GHashTable) by_address = NULL;
  g_autofree char *boot_id = NULL;
  gboolean sandboxed;
  guint i;

  root = pt_root_open (self->root, error);
  if (root == NULL)
    return NULL;

  problems = g_ptr_array_new_with_free_func (g_free);
  sandboxed = pt_sandbox_is_active (root);
  boot = sandboxed ? pt_boot_setup_detect_sandboxed (root) : pt_boot_setup_detect (root);
  aliases = pt_modalias_index_load (root, pt_boot_setup_get_kernel_release (boot));

  devices = pt_pci_scan_devices (root, aliases, self->parallel_from, problems, cancellable, error);
  if (devices == NULL)
    return NULL;

  by_address = g_hash_table_new (g_str_hash, g_str_equal);
  for (i = 0; i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);

      g_hash_table_insert (by_address, device->address, device);
    }

  pt_host_use_apply (root, by_address, problems);
  spread_host_use (devices);
  /* The sandbox shows the displays and the boot GPU, not the host's mounts. */
  for (i = 0; sandboxed && i < devices->len; i++)
    _pt_device_set_state_unknown (g_ptr_array_index (devices, i), _("State unknown in the sandbox"));
  /* Owners as they are now: libvirt may have answered while the devices were read. */
  if (owner_facts != NULL)
    pt_owner_facts_take_for_scan (owner_facts, &owners, &running);
  _pt_host_set_owners (devices, owners, running);
  mark_bound_at_boot (root, devices);
  groups = _pt_host_build_groups (devices);
  if (self->skip_checks)
    checks = g_ptr_array_new_with_free_func (g_object_unref);
  else if (sandboxed)
    checks = pt_checks_run_sandboxed (root, boot, groups->len);
  else
    checks = pt_checks_run (root, boot, groups->len);
  boot_id = pt_root_read_line (root, "proc/sys/kernel/random/boot_id");

  return _pt_host_new (pt_root_get_path (root), devices, groups, checks, boot, problems, boot_id);
}

/**
 * pt_scanner_scan:
 *
 * Reads the host. Oddities in the tree (a garbled attribute, a dangling
 * link) are collected as problems in the snapshot; only a root that is not
 * a Linux host at all is an error.
 *
 * Returns: (transfer full): the snapshot, or %NULL with @error set
 */
PtHost *
pt_scanner_scan (PtScanner     *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_return_val_if_fail (PT_IS_SCANNER (self), NULL);

  return scan_root (self, self->owner_facts, cancellable, error);
}

static void
scan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PtScanner *self = source_object;
  GError *error = NULL;
  PtHost *host;

  host = scan_root (self, task_data, cancellable, &error);
  if (host == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, host, g_object_unref);
}

/**
 * pt_scanner_scan_async:
 *
 * Reads the host in a worker thread.
 */
void
pt_scanner_scan_async (PtScanner           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PT_IS_SCANNER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pt_scanner_scan_async);
  /* The scan's own reference: the scanner may be given other facts meanwhile. */
  if (self->owner_facts != NULL)
    g_task_set_task_data (task, pt_owner_facts_ref (self->owner_facts),
                          (GDestroyNotify) pt_owner_facts_unref);
  g_task_run_in_thread (task, scan_thread);
}

/**
 * pt_scanner_scan_finish:
 *
 * Returns: (transfer full): the snapshot, or %NULL with @error set
 */
PtHost *
pt_scanner_scan_finish (PtScanner     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (PT_IS_SCANNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pt_scanner_scan_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
