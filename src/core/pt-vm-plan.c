/* pt-vm-plan.c
 *
 * Giving devices to a VM or taking them back, as a plan that can be shown
 * before it is applied: the domain XML as it will be defined, and whether
 * the change is made live too.
 *
 * A shut-off VM gets a new persistent definition (virDomainDefineXML, what
 * `virsh edit` does). A running one gets each hostdev hot-plugged with
 * AFFECT_LIVE | AFFECT_CONFIG, so the change is live and saved; if any
 * hot-plug fails, the ones that worked are unplugged again. Applying reads
 * the definition afresh and repeats the edit on it, so a change someone
 * made since the preview is kept rather than overwritten.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-vm-plan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/libvirt.h>

#include "pt-error.h"
#include "pt-libvirt-error.h"
#include "pt-vm-plan.h"

struct _PtVmPlan
{
  GObject parent_instance;

  PtVmPlanKind kind;
  PtVmPlanFlags flags;
  char *vm;
  char *move_from;
  GStrv addresses;
  PtHostdevOptions options;
  char *rom_file;
  char *summary;
  char *xml;
  gboolean live;
};

G_DEFINE_FINAL_TYPE (PtVmPlan, pt_vm_plan, G_TYPE_OBJECT)

static void
pt_vm_plan_finalize (GObject *object)
{
  PtVmPlan *self = (PtVmPlan *) object;

  g_clear_pointer (&self->vm, g_free);
  g_clear_pointer (&self->move_from, g_free);
  g_clear_pointer (&self->addresses, g_strfreev);
  g_clear_pointer (&self->rom_file, g_free);
  g_clear_pointer (&self->summary, g_free);
  g_clear_pointer (&self->xml, g_free);

  G_OBJECT_CLASS (pt_vm_plan_parent_class)->finalize (object);
}

static void
pt_vm_plan_class_init (PtVmPlanClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pt_vm_plan_finalize;
}

static void
pt_vm_plan_init (PtVmPlan *self)
{
}

/* The saved definition, with secrets, as `virsh edit` reads it. */
static char *
read_definition (PtConnection  *connection,
                 const char    *vm_name,
                 gboolean      *active,
                 GError       **error)
{
  virDomainPtr domain;
  char *xml;

  domain = virDomainLookupByName (pt_connection_get_handle (connection), vm_name);
  if (domain == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Looking up “%s”"), vm_name);

      pt_libvirt_set_error (error, pt_connection_get_uri (connection), what);
      return NULL;
    }

  if (active != NULL)
    *active = virDomainIsActive (domain) == 1;

  xml = virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
  if (xml == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Reading the definition of “%s”"), vm_name);

      pt_libvirt_set_error (error, pt_connection_get_uri (connection), what);
    }

  virDomainFree (domain);
  return xml;
}

static PtVm *
require_vm (PtConnection  *connection,
            const char    *vm_name,
            GError       **error)
{
  PtVm *vm = pt_connection_lookup_vm (connection, vm_name);

  if (vm == NULL)
    g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                 _("There is no virtual machine “%s” on %s. “passthroughctl vms” lists them."),
                 vm_name, pt_connection_get_uri (connection));
  return vm;
}

static char *
join_addresses (const char * const *addresses)
{
  return g_strjoinv (", ", (char **) addresses);
}

/* Which other VM has these devices; refused unless they are to be moved. */
static gboolean
check_owners (PtVmPlan      *self,
              PtConnection  *connection,
              GError       **error)
{
  guint i;

  for (i = 0; self->addresses[i] != NULL; i++)
    {
      const char *owner = pt_connection_find_owner (connection, self->addresses[i]);
      PtVm *owner_vm;

      if (owner == NULL || g_str_equal (owner, self->vm))
        continue;

      if (!(self->flags & PT_VM_PLAN_MOVE))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_BUSY,
                       _("%s is given to the virtual machine “%s”. Take it away from “%s” "
                         "first, or move it (passthroughctl attach --move)."),
                       self->addresses[i], owner, owner);
          return FALSE;
        }

      if (self->move_from != NULL && !g_str_equal (self->move_from, owner))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_BUSY,
                       _("The devices are given to two virtual machines, “%s” and “%s”; move "
                         "them one virtual machine at a time."),
                       self->move_from, owner);
          return FALSE;
        }

      owner_vm = pt_connection_lookup_vm (connection, owner);
      if (owner_vm != NULL && pt_vm_is_active (owner_vm))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_BUSY,
                       _("%s is in use by the running virtual machine “%s”. Shut “%s” down "
                         "before moving the device."),
                       self->addresses[i], owner, owner);
          return FALSE;
        }

      g_free (self->move_from);
      self->move_from = g_strdup (owner);
    }

  return TRUE;
}

static void
set_summary (PtVmPlan *self)
{
  g_autofree char *list = join_addresses ((const char * const *) self->addresses);
  const char *when = self->live ? _("now and in its saved definition")
                                : _("in its saved definition, from its next start");

  if (self->kind == PT_VM_PLAN_DETACH)
    self->summary = g_strdup_printf (_("Take %s away from “%s” (%s)."), list, self->vm, when);
  else if (self->move_from != NULL)
    self->summary = g_strdup_printf (_("Move %s from “%s” to “%s” (%s)."),
                                     list, self->move_from, self->vm, when);
  else
    self->summary = g_strdup_printf (_("Give %s to “%s” (%s)."), list, self->vm, when);
}

/* The checks that read the connection's VM list: on its owner's thread. */
static PtVmPlan *
plan_prepare (PtConnection            *connection,
              PtVmPlanKind             kind,
              const char              *vm_name,
              const char * const      *addresses,
              const PtHostdevOptions  *options,
              PtVmPlanFlags            flags,
              GError                 **error)
{
  g_autoptr(PtVmPlan) self = NULL;
  PtVm *vm;

  g_return_val_if_fail (PT_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (vm_name != NULL && addresses != NULL, NULL);

  vm = require_vm (connection, vm_name, error);
  if (vm == NULL)
    return NULL;

  self = g_object_new (PT_TYPE_VM_PLAN, NULL);
  self->kind = kind;
  self->flags = flags;
  self->vm = g_strdup (vm_name);
  self->addresses = g_strdupv ((char **) addresses);
  if (options != NULL)
    {
      self->options = *options;
      self->rom_file = g_strdup (options->rom_file);
      self->options.rom_file = self->rom_file;
    }
  self->live = pt_vm_is_active (vm) && !(flags & PT_VM_PLAN_CONFIG_ONLY);

  if (kind == PT_VM_PLAN_ATTACH && !check_owners (self, connection, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* The part that talks to libvirt: any thread. */
static gboolean
plan_compute (PtVmPlan      *self,
              PtConnection  *connection,
              GError       **error)
{
  g_autofree char *current = read_definition (connection, self->vm, NULL, error);

  if (current == NULL)
    return FALSE;

  if (self->kind == PT_VM_PLAN_ATTACH)
    self->xml = pt_hostdev_attach (current, (const char * const *) self->addresses,
                                   &self->options, error);
  else
    self->xml = pt_hostdev_detach (current, (const char * const *) self->addresses, error);
  if (self->xml == NULL)
    return FALSE;

  set_summary (self);
  return TRUE;
}

static PtVmPlan *
plan_new (PtConnection            *connection,
          PtVmPlanKind             kind,
          const char              *vm_name,
          const char * const      *addresses,
          const PtHostdevOptions  *options,
          PtVmPlanFlags            flags,
          GError                 **error)
{
  g_autoptr(PtVmPlan) self = plan_prepare (connection, kind, vm_name, addresses, options,
                                           flags, error);

  if (self == NULL || !plan_compute (self, connection, error))
    return NULL;

  return g_steal_pointer (&self);
}

static void
compute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PtVmPlan *self = task_data;
  GError *error = NULL;

  if (plan_compute (self, PT_CONNECTION (source_object), &error))
    g_task_return_pointer (task, g_object_ref (self), g_object_unref);
  else
    g_task_return_error (task, error);
}

/**
 * pt_vm_plan_new_async:
 * @kind: attach or detach
 * @options: (nullable): for attach: managed and ROM settings
 *
 * Checks the request against the connection's VMs on this thread (it must
 * own the connection), then reads the VM's definition and computes the
 * change in a worker thread.
 */
void
pt_vm_plan_new_async (PtConnection            *connection,
                      PtVmPlanKind             kind,
                      const char              *vm_name,
                      const char * const      *addresses,
                      const PtHostdevOptions  *options,
                      PtVmPlanFlags            flags,
                      GCancellable            *cancellable,
                      GAsyncReadyCallback      callback,
                      gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(PtVmPlan) self = NULL;
  GError *error = NULL;

  task = g_task_new (connection, cancellable, callback, user_data);
  g_task_set_source_tag (task, pt_vm_plan_new_async);

  self = plan_prepare (connection, kind, vm_name, addresses, options, flags, &error);
  if (self == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_set_task_data (task, g_steal_pointer (&self), g_object_unref);
  g_task_run_in_thread (task, compute_thread);
}

/**
 * pt_vm_plan_new_finish:
 *
 * Returns: (transfer full): the plan, or %NULL with @error set
 */
PtVmPlan *
pt_vm_plan_new_finish (GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pt_vm_plan_new_attach:
 * @addresses: host PCI addresses, e.g. a GPU and its audio function
 * @options: (nullable): managed and ROM settings
 *
 * Returns: (transfer full): the plan, or %NULL if the change cannot be made
 *   (no such VM, a device given to another VM, a bad address)
 */
PtVmPlan *
pt_vm_plan_new_attach (PtConnection            *connection,
                       const char              *vm_name,
                       const char * const      *addresses,
                       const PtHostdevOptions  *options,
                       PtVmPlanFlags            flags,
                       GError                 **error)
{
  return plan_new (connection, PT_VM_PLAN_ATTACH, vm_name, addresses, options, flags, error);
}

/**
 * pt_vm_plan_new_detach:
 *
 * Returns: (transfer full): the plan, or %NULL if the change cannot be made
 */
PtVmPlan *
pt_vm_plan_new_detach (PtConnection        *connection,
                       const char          *vm_name,
                       const char * const  *addresses,
                       PtVmPlanFlags        flags,
                       GError             **error)
{
  return plan_new (connection, PT_VM_PLAN_DETACH, vm_name, addresses, NULL, flags, error);
}

PtVmPlanKind
pt_vm_plan_get_kind (PtVmPlan *self)
{
  g_return_val_if_fail (PT_IS_VM_PLAN (self), PT_VM_PLAN_ATTACH);
  return self->kind;
}

const char *
pt_vm_plan_get_vm (PtVmPlan *self)
{
  g_return_val_if_fail (PT_IS_VM_PLAN (self), NULL);
  return self->vm;
}

const char *
pt_vm_plan_get_summary (PtVmPlan *self)
{
  g_return_val_if_fail (PT_IS_VM_PLAN (self), NULL);
  return self->summary;
}

/**
 * pt_vm_plan_get_xml:
 *
 * Returns: the complete domain XML as it will be defined
 */
const char *
pt_vm_plan_get_xml (PtVmPlan *self)
{
  g_return_val_if_fail (PT_IS_VM_PLAN (self), NULL);
  return self->xml;
}

/**
 * pt_vm_plan_is_live:
 *
 * Returns: whether the VM runs and gets the change live as well
 */
gboolean
pt_vm_plan_is_live (PtVmPlan *self)
{
  g_return_val_if_fail (PT_IS_VM_PLAN (self), FALSE);
  return self->live;
}

/**
 * pt_vm_plan_get_move_from:
 *
 * Returns: (nullable): the VM the devices are taken from first
 */
const char *
pt_vm_plan_get_move_from (PtVmPlan *self)
{
  g_return_val_if_fail (PT_IS_VM_PLAN (self), NULL);
  return self->move_from;
}

static gboolean
define (PtConnection  *connection,
        const char    *vm_name,
        const char    *xml,
        GError       **error)
{
  virDomainPtr domain = virDomainDefineXML (pt_connection_get_handle (connection), xml);

  if (domain == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Saving the definition of “%s”"), vm_name);

      pt_libvirt_set_error (error, pt_connection_get_uri (connection), what);
      return FALSE;
    }

  virDomainFree (domain);
  return TRUE;
}

static void
prefix_hotplug_advice (GError     **error,
                       const char  *vm_name)
{
  g_prefix_error (error, _("Hot-plug into the running virtual machine “%s” failed, and nothing "
                           "was changed. Shut it down and try again, or change only its saved "
                           "definition (--config). "),
                  vm_name);
}

/* Hot-plug or unplug each device, live and saved; undo on the first failure. */
static gboolean
change_live (PtVmPlan      *self,
             PtConnection  *connection,
             const char    *xml_with_devices,
             GError       **error)
{
  virConnectPtr handle = pt_connection_get_handle (connection);
  const unsigned int flags = VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG;
  g_auto(GStrv) devices = NULL;
  virDomainPtr domain;
  gboolean attach = self->kind == PT_VM_PLAN_ATTACH;
  int i, n, done = 0;

  devices = pt_hostdev_device_xmls (xml_with_devices, (const char * const *) self->addresses,
                                    error);
  if (devices == NULL)
    return FALSE;

  domain = virDomainLookupByName (handle, self->vm);
  if (domain == NULL)
    {
      pt_libvirt_set_error (error, pt_connection_get_uri (connection), _("Hot-plug"));
      return FALSE;
    }

  /* QEMU takes a multifunction slot when its function 0 arrives: plug it
   * last, unplug it first. Addresses were sorted by the edit. */
  n = g_strv_length (devices);
  for (i = 0; i < n; i++)
    {
      const char *device = devices[attach ? n - 1 - i : i];
      int result = attach ? virDomainAttachDeviceFlags (domain, device, flags)
                          : virDomainDetachDeviceFlags (domain, device, flags);

      if (result < 0)
        {
          pt_libvirt_set_error (error, pt_connection_get_uri (connection),
                                attach ? _("Attaching") : _("Detaching"));
          break;
        }
      done++;
    }

  if (done < n)
    {
      for (i = done - 1; i >= 0; i--)
        {
          const char *device = devices[attach ? n - 1 - i : i];

          if (attach)
            virDomainDetachDeviceFlags (domain, device, flags);
          else
            virDomainAttachDeviceFlags (domain, device, flags);
        }
      prefix_hotplug_advice (error, self->vm);
    }

  virDomainFree (domain);
  return done == n;
}

/**
 * pt_vm_plan_apply:
 *
 * Makes the change, blocking; pt_vm_plan_apply_async() runs this in a
 * worker thread.
 */
gboolean
pt_vm_plan_apply (PtVmPlan      *self,
                  PtConnection  *connection,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autofree char *current = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *other_before = NULL;
  g_autofree char *other_after = NULL;
  gboolean active = FALSE;
  gboolean live;

  g_return_val_if_fail (PT_IS_VM_PLAN (self), FALSE);
  g_return_val_if_fail (PT_IS_CONNECTION (connection), FALSE);

  if (self->move_from != NULL)
    {
      other_before = read_definition (connection, self->move_from, NULL, error);
      if (other_before == NULL)
        return FALSE;
      other_after = pt_hostdev_detach (other_before, (const char * const *) self->addresses, error);
      if (other_after == NULL || !define (connection, self->move_from, other_after, error))
        return FALSE;
    }

  current = read_definition (connection, self->vm, &active, error);
  if (current != NULL)
    {
      if (self->kind == PT_VM_PLAN_ATTACH)
        changed = pt_hostdev_attach (current, (const char * const *) self->addresses,
                                     &self->options, error);
      else
        changed = pt_hostdev_detach (current, (const char * const *) self->addresses, error);
    }

  live = active && !(self->flags & PT_VM_PLAN_CONFIG_ONLY);
  if (changed != NULL)
    {
      gboolean ok;

      if (live)
        ok = change_live (self, connection,
                          self->kind == PT_VM_PLAN_ATTACH ? changed : current, error);
      else
        ok = define (connection, self->vm, changed, error);

      if (ok)
        return TRUE;
    }

  /* Give the devices back to the VM they were moved from. */
  if (other_before != NULL)
    define (connection, self->move_from, other_before, NULL);

  return FALSE;
}

static void
apply_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (pt_vm_plan_apply (source_object, task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
pt_vm_plan_apply_async (PtVmPlan            *self,
                        PtConnection        *connection,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PT_IS_VM_PLAN (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pt_vm_plan_apply_async);
  g_task_set_task_data (task, g_object_ref (connection), g_object_unref);
  g_task_run_in_thread (task, apply_thread);
}

gboolean
pt_vm_plan_apply_finish (PtVmPlan      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * pt_vm_plan_write_json:
 *
 * Writes `{"summary", "vm", "xml", "live", "move_from", "devices"}`.
 */
void
pt_vm_plan_write_json (PtVmPlan     *self,
                       PtJsonWriter *writer)
{
  pt_json_writer_begin_object (writer);
  pt_json_writer_key (writer, "summary");
  pt_json_writer_string (writer, self->summary);
  pt_json_writer_key (writer, "vm");
  pt_json_writer_string (writer, self->vm);
  pt_json_writer_key (writer, "xml");
  pt_json_writer_string (writer, self->xml);
  pt_json_writer_key (writer, "live");
  pt_json_writer_bool (writer, self->live);
  pt_json_writer_key (writer, "move_from");
  pt_json_writer_string (writer, self->move_from);
  pt_json_writer_key (writer, "devices");
  pt_json_writer_strv (writer, (const char * const *) self->addresses);
  pt_json_writer_end_object (writer);
}
