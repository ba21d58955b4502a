/* pt-vm-plan.c
 *
 * Giving devices to a VM or taking them back, as a plan that can be shown
 * before it is applied: the device edits (pt-hostdev-edit.c places them),
 * shown as a diff of the definition, and whether the change is made live.
 *
 * libvirt owns the definition, so the edits are made through its device
 * API: virDomainAttachDeviceFlags() and virDomainDetachDeviceFlags() with
 * AFFECT_CONFIG, and AFFECT_LIVE too for a running VM. libvirt parses,
 * places and validates each device, and every element we did not mean to
 * touch stays as it was. If one edit fails, the ones made are taken back.
 * Applying reads the definition afresh and plans again, so a change
 * someone made since the preview is kept.
 *
 * Drivers without the device API (libvirt's test driver, which serves the
 * demo) get the same edits made node by node on the saved definition they
 * gave us, then defined: still nothing else changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-vm-plan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

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
  GStrv moved;               /* the addresses move_from has */
  GPtrArray *move_edits;     /* what leaves move_from first */
  GPtrArray *edits;
  char *diff;
  gboolean live;
  gboolean fixed;            /* an undo: its edits are made as they are */
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
  g_clear_pointer (&self->edits, g_ptr_array_unref);
  g_clear_pointer (&self->move_edits, g_ptr_array_unref);
  g_clear_pointer (&self->moved, g_strfreev);
  g_clear_pointer (&self->diff, g_free);

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
/* A domain by name; NULL with @error set. */
static virDomainPtr
lookup_domain (PtConnection  *connection,
               const char    *vm_name,
               GError       **error)
{
  virDomainPtr domain = virDomainLookupByName (pt_connection_get_handle (connection), vm_name);

  if (domain == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Looking up “%s”"), vm_name);

      pt_libvirt_set_error (error, pt_connection_get_uri (connection), what);
    }
  return domain;
}

/* The saved definition, with secrets, as `virsh edit` reads it; and the
 * live one when @live is given and the VM runs. */
static char *
read_definition (PtConnection  *connection,
                 const char    *vm_name,
                 char         **live,
                 GError       **error)
{
  virDomainPtr domain = lookup_domain (connection, vm_name, error);
  char *xml = NULL;

  if (domain == NULL)
    return NULL;

  xml = virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
  if (xml != NULL && live != NULL && virDomainIsActive (domain) == 1)
    {
      *live = virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_SECURE);
      if (*live == NULL)
        g_clear_pointer (&xml, free);
    }

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

/* An address this host does not have is a typo, or lspci's short form. */
static gboolean
check_host_has (PtHost              *host,
                const char * const  *addresses,
                GError             **error)
{
  for (guint i = 0; host != NULL && addresses[i] != NULL; i++)
    if (pt_host_lookup_device (host, addresses[i]) == NULL)
      {
        g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                     _("This host has no PCI device %s. “passthroughctl devices” lists the "
                       "addresses it has (as “lspci -D” does)."),
                     addresses[i]);
        return FALSE;
      }

  return TRUE;
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
  g_autoptr(GStrvBuilder) moved = g_strv_builder_new ();
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
      g_strv_builder_add (moved, self->addresses[i]);
    }

  self->moved = g_strv_builder_end (moved);
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
              PtHost                  *host,
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

  if (kind == PT_VM_PLAN_ATTACH &&
      (!check_host_has (host, addresses, error) || !check_owners (self, connection, error)))
    return NULL;

  return g_steal_pointer (&self);
}

/* The edits for the definition as it is now: on any thread. */
static GPtrArray *
plan_edits (PtVmPlan            *self,
            PtConnection        *connection,
            const char          *vm_name,
            PtVmPlanKind         kind,
            const char * const  *addresses,
            gboolean             want_live,
            gboolean            *live,
            GError             **error)
{
  g_autofree char *saved = NULL;
  g_autofree char *running = NULL;

  saved = read_definition (connection, vm_name, want_live ? &running : NULL, error);
  if (saved == NULL)
    return NULL;

  if (live != NULL)
    *live = running != NULL;

  if (kind == PT_VM_PLAN_ATTACH)
    return pt_hostdev_plan_attach (saved, running, addresses, &self->options, error);
  return pt_hostdev_plan_detach (saved, running, addresses, error);
}

/* The diff a person reviews: of both VMs when the devices move. */
static void
set_diff (PtVmPlan *self)
{
  g_autofree char *diff = pt_domain_edits_diff (self->edits);

  g_free (self->diff);
  if (self->move_edits == NULL)
    self->diff = g_steal_pointer (&diff);
  else
    {
      g_autofree char *from = pt_domain_edits_diff (self->move_edits);

      self->diff = g_strdup_printf ("%s\n%s\n\n%s\n%s",
                                    self->move_from, from, self->vm, diff);
    }
}

static gboolean
plan_compute (PtVmPlan      *self,
              PtConnection  *connection,
              GError       **error)
{
  g_autoptr(GPtrArray) edits = NULL;
  g_autoptr(GPtrArray) move_edits = NULL;
  gboolean want_live = !(self->flags & PT_VM_PLAN_CONFIG_ONLY);

  /* The VM the devices come from is shut off: its saved definition only. */
  if (self->move_from != NULL)
    {
      move_edits = plan_edits (self, connection, self->move_from, PT_VM_PLAN_DETACH,
                               (const char * const *) self->moved, FALSE, NULL, error);
      if (move_edits == NULL)
        {
          g_prefix_error (error, "%s: ", self->move_from);
          return FALSE;
        }
    }

  edits = plan_edits (self, connection, self->vm, self->kind,
                      (const char * const *) self->addresses, want_live, &self->live, error);
  if (edits == NULL)
    return FALSE;

  self->edits = g_steal_pointer (&edits);
  self->move_edits = g_steal_pointer (&move_edits);
  set_diff (self);
  set_summary (self);
  return TRUE;
}

static PtVmPlan *
plan_new (PtConnection            *connection,
          PtHost                  *host,
          PtVmPlanKind             kind,
          const char              *vm_name,
          const char * const      *addresses,
          const PtHostdevOptions  *options,
          PtVmPlanFlags            flags,
          GError                 **error)
{
  g_autoptr(PtVmPlan) self = plan_prepare (connection, host, kind, vm_name, addresses, options,
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
 * @host: (nullable): the host the devices are on, to refuse an address it
 *   does not have; %NULL when it cannot be seen
 * @kind: attach or detach
 * @options: (nullable): for attach: managed and ROM settings
 *
 * Checks the request against the connection's VMs on this thread (it must
 * own the connection), then reads the VM's definition and computes the
 * change in a worker thread.
 */
void
pt_vm_plan_new_async (PtConnection            *connection,
                      PtHost                  *host,
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

  self = plan_prepare (connection, host, kind, vm_name, addresses, options, flags, &error);
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
 * @host: (nullable): the host the devices are on; %NULL when unknown
 * @addresses: host PCI addresses, e.g. a GPU and its audio function
 * @options: (nullable): managed and ROM settings
 *
 * Returns: (transfer full): the plan, or %NULL if the change cannot be made
 *   (no such VM, a device given to another VM, a bad address)
 */
PtVmPlan *
pt_vm_plan_new_attach (PtConnection            *connection,
                       PtHost                  *host,
                       const char              *vm_name,
                       const char * const      *addresses,
                       const PtHostdevOptions  *options,
                       PtVmPlanFlags            flags,
                       GError                 **error)
{
  return plan_new (connection, host, PT_VM_PLAN_ATTACH, vm_name, addresses, options, flags, error);
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
  return plan_new (connection, NULL, PT_VM_PLAN_DETACH, vm_name, addresses, NULL, flags, error);
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
 * pt_vm_plan_get_diff:
 *
 * Returns: what the change does to the definition: the <devices> elements
 *   it adds (lines starting with “+”) and removes (“-”)
 */
const char *
pt_vm_plan_get_diff (PtVmPlan *self)
{
  g_return_val_if_fail (PT_IS_VM_PLAN (self), NULL);
  return self->diff;
}

/**
 * pt_vm_plan_get_edits:
 *
 * Returns: (transfer none) (element-type PtDomainEdit): the device edits,
 *   in the order they are made
 */
GPtrArray *
pt_vm_plan_get_edits (PtVmPlan *self)
{
  g_return_val_if_fail (PT_IS_VM_PLAN (self), NULL);
  return self->edits;
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

/* A driver without the device API (the test driver): the same edits, made
 * node by node on the saved definition, which is then defined. */
static gboolean
define_edited (PtConnection  *connection,
               const char    *vm_name,
               GPtrArray     *edits,
               GError       **error)
{
  g_autofree char *saved = read_definition (connection, vm_name, NULL, error);
  g_autofree char *changed = NULL;
  virDomainPtr domain;

  if (saved == NULL || (changed = pt_domain_edits_apply (saved, edits, error)) == NULL)
    return FALSE;

  domain = virDomainDefineXML (pt_connection_get_handle (connection), changed);
  if (domain == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Saving the definition of “%s”"), vm_name);

      pt_libvirt_set_error (error, pt_connection_get_uri (connection), what);
      return FALSE;
    }

  virDomainFree (domain);
  return TRUE;
}

static int
make_edit (virDomainPtr        domain,
           const PtDomainEdit *edit,
           gboolean            live)
{
  unsigned int flags = VIR_DOMAIN_AFFECT_CONFIG;

  if (live && edit->scope == PT_DOMAIN_EDIT_SAVED_AND_LIVE)
    flags |= VIR_DOMAIN_AFFECT_LIVE;
  else if (edit->scope == PT_DOMAIN_EDIT_LIVE_ONLY)
    flags = VIR_DOMAIN_AFFECT_LIVE;

  return edit->action == PT_DOMAIN_EDIT_ADD ? virDomainAttachDeviceFlags (domain, edit->xml, flags)
                                            : virDomainDetachDeviceFlags (domain, edit->xml, flags);
}

static char *
edit_step (const PtDomainEdit *edit)
{
  if (edit->source == NULL)
    return g_strdup (edit->action == PT_DOMAIN_EDIT_ADD ? _("Adding a PCIe root port")
                                                        : _("Removing the PCIe root port we added"));
  if (edit->action == PT_DOMAIN_EDIT_ADD)
    return g_strdup_printf (_("Giving %s"), edit->source);
  return g_strdup_printf (_("Taking back %s"), edit->source);
}

/* One edit through libvirt's device API. */
static gboolean
apply_edit (PtConnection        *connection,
            virDomainPtr         domain,
            const PtDomainEdit  *edit,
            gboolean             live,
            GError             **error)
{
  g_autofree char *step = NULL;

  if (make_edit (domain, edit, live) == 0)
    return TRUE;

  step = edit_step (edit);
  pt_libvirt_set_error (error, pt_connection_get_uri (connection), step);
  return FALSE;
}

/* Whether the running VM still has the device at @source. */
static gboolean
live_has (virDomainPtr  domain,
          const char   *source)
{
  g_autofree char *xml = NULL;
  char *live = virDomainGetXMLDesc (domain, 0);
  g_auto(GStrv) sources = NULL;

  if (live == NULL)
    return FALSE;
  xml = g_strdup (live);
  free (live);
  sources = pt_hostdev_list_sources (xml, NULL);
  return sources != NULL && g_strv_contains ((const char * const *) sources, source);
}

/*
 * An unplug only asks the guest: libvirt waits some seconds for it, then
 * returns all the same. A device the guest still holds is not taken back.
 */
static gboolean
wait_released (virDomainPtr  domain,
               const char   *source)
{
  for (guint i = 0; i < 50; i++)
    {
      if (!live_has (domain, source))
        return TRUE;
      g_usleep (200 * 1000);
    }

  return FALSE;
}

typedef enum
{
  RUN_DONE,
  RUN_FAILED,            /* nothing changed: the edits made were taken back */
  RUN_FAILED_PARTLY,     /* taking back failed too */
  RUN_PENDING,           /* saved, but the guest has not let go of a device yet */
} RunOutcome;

/*
 * Makes the edits in order; if one fails, the ones made are taken back in
 * reverse. A device a running guest does not release is reported, not
 * put back: the unplug request stands.
 */
static RunOutcome
run_edits (PtConnection  *connection,
           const char    *vm_name,
           GPtrArray     *edits,
           gboolean       live,
           GError       **error)
{
  virDomainPtr domain = lookup_domain (connection, vm_name, error);
  g_autoptr(GString) not_undone = g_string_new (NULL);
  g_autoptr(GString) pending = g_string_new (NULL);
  guint done = 0;

  if (domain == NULL)
    return RUN_FAILED;

  for (; done < edits->len; done++)
    {
      const PtDomainEdit *edit = g_ptr_array_index (edits, done);
      g_autoptr(GError) local_error = NULL;

      if (apply_edit (connection, domain, edit, live, &local_error))
        {
          if (live && edit->action == PT_DOMAIN_EDIT_REMOVE && edit->source != NULL &&
              edit->scope != PT_DOMAIN_EDIT_SAVED_ONLY && !wait_released (domain, edit->source))
            g_string_append_printf (pending, "%s%s", pending->len > 0 ? ", " : "", edit->source);
          continue;
        }

      /* No device API (the test driver): the rest, node by node. */
      if (!live && g_error_matches (local_error, PT_ERROR, PT_ERROR_NOT_SUPPORTED))
        {
          g_autoptr(GPtrArray) rest = g_ptr_array_new ();

          for (guint i = done; i < edits->len; i++)
            g_ptr_array_add (rest, g_ptr_array_index (edits, i));
          g_clear_error (&local_error);
          if (define_edited (connection, vm_name, rest, &local_error))
            {
              done = edits->len;
              break;
            }
        }

      g_propagate_error (error, g_steal_pointer (&local_error));
      break;
    }

  if (done < edits->len)
    for (guint i = done; i-- > 0;)
      {
        g_autoptr(PtDomainEdit) inverse = pt_domain_edit_inverse (g_ptr_array_index (edits, i));
        g_autoptr(GError) undo_error = NULL;

        if (!apply_edit (connection, domain, inverse, live, &undo_error))
          g_string_append_printf (not_undone, "\n%s", undo_error->message);
      }

  virDomainFree (domain);

  if (done < edits->len && not_undone->len > 0)
    {
      g_prefix_error (error, _("“%s” did not take the whole change, and putting back what was "
                               "done failed too; check its definition (virsh dumpxml --inactive "
                               "%s): "),
                      vm_name, vm_name);
      if (error != NULL && *error != NULL)
        {
          g_autofree char *message = g_strconcat ((*error)->message, not_undone->str, NULL);

          g_free ((*error)->message);
          (*error)->message = g_steal_pointer (&message);
        }
      return RUN_FAILED_PARTLY;
    }
  if (done < edits->len)
    return RUN_FAILED;

  if (pending->len > 0)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_BUSY,
                   _("The saved definition of “%s” no longer has %s, but the running guest has "
                     "not let go of it yet: it has to accept the unplug. It leaves when the "
                     "guest releases it or shuts down; look again in a moment."),
                   vm_name, pending->str);
      return RUN_PENDING;
    }

  return RUN_DONE;
}

static gboolean
is_running (PtConnection *connection,
            const char   *vm_name)
{
  virDomainPtr domain = virDomainLookupByName (pt_connection_get_handle (connection), vm_name);
  gboolean running = domain != NULL && virDomainIsActive (domain) == 1;

  if (domain != NULL)
    virDomainFree (domain);
  return running;
}

static void
put_back_moved (PtVmPlan      *self,
                PtConnection  *connection,
                GPtrArray     *moved,
                GError       **error)
{
  g_autoptr(GPtrArray) back = pt_domain_edits_new ();
  g_autoptr(GError) back_error = NULL;

  for (guint i = moved->len; i-- > 0;)
    g_ptr_array_add (back, pt_domain_edit_inverse (g_ptr_array_index (moved, i)));
  if (run_edits (connection, self->move_from, back, FALSE, &back_error) != RUN_DONE &&
      error != NULL && *error != NULL)
    g_prefix_error (error, _("The devices left “%s” and could not be given back to it (%s). "),
                    self->move_from, back_error->message);
}

/**
 * pt_vm_plan_apply:
 *
 * Makes the change, blocking; pt_vm_plan_apply_async() runs this in a
 * worker thread. The definition is read again and the edits planned
 * again on it, so a change made since the preview is kept; afterwards
 * pt_vm_plan_get_edits() and pt_vm_plan_get_diff() are what was done.
 * A plan from pt_vm_plan_new_inverse() makes its edits as they are.
 */
gboolean
pt_vm_plan_apply (PtVmPlan      *self,
                  PtConnection  *connection,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GPtrArray) moved = NULL;
  g_autoptr(GPtrArray) edits = NULL;
  gboolean want_live;
  gboolean live = FALSE;
  RunOutcome outcome;

  g_return_val_if_fail (PT_IS_VM_PLAN (self), FALSE);
  g_return_val_if_fail (PT_IS_CONNECTION (connection), FALSE);

  want_live = !(self->flags & PT_VM_PLAN_CONFIG_ONLY);

  if (self->fixed)
    {
      live = want_live && is_running (connection, self->vm);
      edits = g_ptr_array_ref (self->edits);
    }
  else
    {
      if (self->move_from != NULL)
        {
          if (is_running (connection, self->move_from))
            {
              g_set_error (error, PT_ERROR, PT_ERROR_BUSY,
                           _("“%s” was started since the change was planned, so the devices "
                             "cannot leave it. Shut it down first."),
                           self->move_from);
              return FALSE;
            }
          moved = plan_edits (self, connection, self->move_from, PT_VM_PLAN_DETACH,
                              (const char * const *) self->moved, FALSE, NULL, error);
          if (moved == NULL)
            return FALSE;
          if (run_edits (connection, self->move_from, moved, FALSE, error) != RUN_DONE)
            return FALSE;
        }

      edits = plan_edits (self, connection, self->vm, self->kind,
                          (const char * const *) self->addresses, want_live, &live, error);
    }

  if (edits != NULL && live != self->live)
    {
      g_clear_pointer (&edits, g_ptr_array_unref);
      g_set_error (error, PT_ERROR, PT_ERROR_BUSY,
                   live ? _("“%s” was started since the change was planned. Look at the change "
                            "again.")
                        : _("“%s” was shut down since the change was planned. Look at the change "
                            "again."),
                   self->vm);
    }

  outcome = edits != NULL ? run_edits (connection, self->vm, edits, live, error) : RUN_FAILED;
  if (outcome == RUN_DONE || outcome == RUN_PENDING)
    {
      g_clear_pointer (&self->edits, g_ptr_array_unref);
      self->edits = g_steal_pointer (&edits);
      g_clear_pointer (&self->move_edits, g_ptr_array_unref);
      self->move_edits = g_steal_pointer (&moved);
      set_diff (self);
      return outcome == RUN_DONE;
    }

  if (outcome == RUN_FAILED && edits != NULL && live)
    g_prefix_error (error, _("“%s” is running and did not take the change, so nothing was "
                             "changed. "),
                    self->vm);

  if (moved != NULL)
    put_back_moved (self, connection, moved, error);

  return FALSE;
}

/**
 * pt_vm_plan_new_inverse:
 * @applied: a plan that was applied
 *
 * The undo of @applied: the opposite of each edit it made, in reverse, with
 * the very elements it added or removed (a device taken back returns with
 * its address, ROM and boot order).
 *
 * Returns: (transfer full): the plan that undoes @applied
 */
PtVmPlan *
pt_vm_plan_new_inverse (PtVmPlan *applied)
{
  PtVmPlan *self;

  g_return_val_if_fail (PT_IS_VM_PLAN (applied), NULL);

  self = g_object_new (PT_TYPE_VM_PLAN, NULL);
  self->kind = applied->kind == PT_VM_PLAN_ATTACH ? PT_VM_PLAN_DETACH : PT_VM_PLAN_ATTACH;
  self->flags = applied->flags & ~PT_VM_PLAN_MOVE;
  self->vm = g_strdup (applied->vm);
  self->addresses = g_strdupv (applied->addresses);
  self->live = applied->live;
  self->fixed = TRUE;
  self->edits = pt_domain_edits_new ();
  for (guint i = applied->edits->len; i-- > 0;)
    g_ptr_array_add (self->edits, pt_domain_edit_inverse (g_ptr_array_index (applied->edits, i)));
  set_diff (self);
  set_summary (self);
  return self;
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
/**
 * pt_vm_plan_write_json:
 *
 * Writes `{"summary", "vm", "live", "move_from", "devices", "diff",
 * "edits": [{"action": "add"|"remove", "xml", "source", "live"}]}`.
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
  pt_json_writer_key (writer, "live");
  pt_json_writer_bool (writer, self->live);
  pt_json_writer_key (writer, "move_from");
  pt_json_writer_string (writer, self->move_from);
  pt_json_writer_key (writer, "devices");
  pt_json_writer_strv (writer, (const char * const *) self->addresses);
  pt_json_writer_key (writer, "diff");
  pt_json_writer_string (writer, self->diff);
  pt_json_writer_key (writer, "edits");
  pt_json_writer_begin_array (writer);
  for (guint i = 0; i < self->edits->len; i++)
    {
      const PtDomainEdit *edit = g_ptr_array_index (self->edits, i);

      pt_json_writer_begin_object (writer);
      pt_json_writer_key (writer, "action");
      pt_json_writer_string (writer, edit->action == PT_DOMAIN_EDIT_ADD ? "add" : "remove");
      pt_json_writer_key (writer, "xml");
      pt_json_writer_string (writer, edit->xml);
      pt_json_writer_key (writer, "source");
      pt_json_writer_string (writer, edit->source);
      pt_json_writer_key (writer, "live");
      pt_json_writer_bool (writer, self->live && edit->scope != PT_DOMAIN_EDIT_SAVED_ONLY);
      pt_json_writer_end_object (writer);
    }
  pt_json_writer_end_array (writer);
  pt_json_writer_end_object (writer);
}
