/* pt-connection.c
 *
 * One libvirt connection and the VMs on it. libvirt-gobject opens the
 * connection and runs libvirt's events on the GLib main loop; the data comes
 * from the plain libvirt API on the connection's handle, in worker threads,
 * and is applied to the list of PtVm on the caller's thread. Any lifecycle
 * event (defined, undefined, started, stopped, …) schedules one refresh.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-connection"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt-glib/libvirt-glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/xmlerror.h>
#include <string.h>

#include "pt-connection.h"
#include "pt-host-change.h"
#include "pt-error.h"
#include "pt-hostdev-edit.h"
#include "pt-libvirt-autoptr.h"
#include "pt-libvirt-error.h"
#include "pt-saved-connections.h"
#include "pt-vm-private.h"

struct _PtConnection
{
  GObject parent_instance;

  char *uri;
  gboolean read_only;
  GVirConnection *connection;
  virConnectPtr handle;
  GListStore *vms;
  int lifecycle_callback;
  guint refresh_source;
  GCancellable *refresh_cancellable;
};

G_DEFINE_FINAL_TYPE (PtConnection, pt_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What one refresh read of a VM, before it is applied on the main thread. */
typedef struct
{
  char *name;
  char *title;
  PtVmState state;
  GStrv devices;
} VmData;

static void
vm_data_free (gpointer data)
{
  VmData *vm = data;

  g_free (vm->name);
  g_free (vm->title);
  g_strfreev (vm->devices);
  g_free (vm);
}

static void
pt_connection_dispose (GObject *object)
{
  PtConnection *self = (PtConnection *) object;

  g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);

  if (self->handle != NULL && self->lifecycle_callback >= 0)
    virConnectDomainEventDeregisterAny (self->handle, self->lifecycle_callback);
  self->lifecycle_callback = -1;

  G_OBJECT_CLASS (pt_connection_parent_class)->dispose (object);
}

static void
pt_connection_finalize (GObject *object)
{
  PtConnection *self = (PtConnection *) object;

  if (self->handle != NULL)
    virConnectClose (self->handle);
  if (self->connection != NULL)
    gvir_connection_close (self->connection);
  g_clear_object (&self->connection);
  g_clear_object (&self->vms);
  g_clear_pointer (&self->uri, g_free);

  G_OBJECT_CLASS (pt_connection_parent_class)->finalize (object);
}

static void
pt_connection_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PtConnection *self = PT_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_connection_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PtConnection *self = PT_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_URI:
      self->uri = g_value_dup_string (value);
      if (self->uri == NULL)
        self->uri = g_strdup (PT_CONNECTION_DEFAULT_URI);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Errors reach people as PtErrors; libvirt and libxml2 must not also print
 * them to stderr on their own. */
static void
ignore_libvirt_error (void       *user_data,
                      virErrorPtr error)
{
}

static void
ignore_xml_error (void       *user_data,
                  const char *message,
                  ...)
{
}

static void
pt_connection_class_init (PtConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pt_connection_dispose;
  object_class->finalize = pt_connection_finalize;
  object_class->get_property = pt_connection_get_property;
  object_class->set_property = pt_connection_set_property;

  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, PT_CONNECTION_DEFAULT_URI,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  virSetErrorFunc (NULL, ignore_libvirt_error);
  xmlSetGenericErrorFunc (NULL, ignore_xml_error);
}

static void
pt_connection_init (PtConnection *self)
{
  self->vms = g_list_store_new (PT_TYPE_VM);
  self->lifecycle_callback = -1;
}

/**
 * pt_connection_new:
 * @uri: (nullable): a libvirt URI; %NULL for qemu:///system
 *
 * Returns: (transfer full): a connection, not yet open
 */
PtConnection *
pt_connection_new (const char *uri)
{
  return g_object_new (PT_TYPE_CONNECTION, "uri", uri, NULL);
}

/**
 * pt_connection_new_read_only:
 * @uri: (nullable): a libvirt URI; %NULL for qemu:///system
 *
 * A connection that can list but not change anything, as libvirt grants to
 * users outside the libvirt group.
 *
 * Returns: (transfer full): a connection, not yet open
 */
PtConnection *
pt_connection_new_read_only (const char *uri)
{
  PtConnection *self = pt_connection_new (uri);

  self->read_only = TRUE;
  return self;
}

const char *
pt_connection_get_uri (PtConnection *self)
{
  g_return_val_if_fail (PT_IS_CONNECTION (self), NULL);
  return self->uri;
}

/**
 * pt_connection_is_local:
 *
 * Returns: whether the connection's hypervisor runs on this computer, so
 *   that this computer's sysfs describes its devices: qemu:///system and
 *   qemu:///session (in a Flatpak sandbox too: it sees /sys/bus/pci and the
 *   IOMMU group links; see pt-sandbox.c). Remote URIs and the test driver
 *   are not.
 */
gboolean
pt_connection_is_local (PtConnection *self)
{
  g_return_val_if_fail (PT_IS_CONNECTION (self), FALSE);

  return !pt_uri_is_remote (self->uri);
}

gboolean
pt_connection_is_open (PtConnection *self)
{
  g_return_val_if_fail (PT_IS_CONNECTION (self), FALSE);
  return self->handle != NULL;
}

/**
 * pt_connection_get_handle:
 *
 * Returns: (transfer none) (nullable): the virConnectPtr, once open
 */
gpointer
pt_connection_get_handle (PtConnection *self)
{
  g_return_val_if_fail (PT_IS_CONNECTION (self), NULL);
  return self->handle;
}

static PtVmState
state_from_libvirt (int state)
{
  switch (state)
    {
    case VIR_DOMAIN_RUNNING:
    case VIR_DOMAIN_BLOCKED:
      return PT_VM_STATE_RUNNING;
    case VIR_DOMAIN_PAUSED:
    case VIR_DOMAIN_PMSUSPENDED:
      return PT_VM_STATE_PAUSED;
    case VIR_DOMAIN_SHUTOFF:
    case VIR_DOMAIN_CRASHED:
      return PT_VM_STATE_SHUT_OFF;
    default:
      return PT_VM_STATE_OTHER;
    }
}

static char *
title_from_xml (const char *xml)
{
  g_autoptr(GVirConfigDomain) config = gvir_config_domain_new_from_xml (xml, NULL);

  return config != NULL ? g_strdup (gvir_config_domain_get_title (config)) : NULL;
}

/* Sources from the saved definition and, while running, the live one. */
static GStrv
collect_devices (const char *inactive_xml,
                 const char *live_xml)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  const char *xmls[] = { inactive_xml, live_xml };
  GStrv lists[2] = { NULL, NULL };
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (xmls); i++)
    {
      if (xmls[i] == NULL)
        continue;
      lists[i] = pt_hostdev_list_sources (xmls[i], NULL);
      for (j = 0; lists[i] != NULL && lists[i][j] != NULL; j++)
        if (!g_ptr_array_find_with_equal_func (seen, lists[i][j], g_str_equal, NULL))
          {
            g_ptr_array_add (seen, lists[i][j]);
            g_strv_builder_add (builder, lists[i][j]);
          }
    }

  g_strfreev (lists[0]);
  g_strfreev (lists[1]);
  return g_strv_builder_end (builder);
}

static VmData *
read_vm (virDomainPtr domain)
{
  VmData *vm = g_new0 (VmData, 1);
  g_autofree char *inactive = NULL;
  g_autofree char *live = NULL;
  int state = VIR_DOMAIN_NOSTATE;
  int reason = 0;

  vm->name = g_strdup (virDomainGetName (domain));
  if (virDomainGetState (domain, &state, &reason, 0) < 0)
    state = VIR_DOMAIN_NOSTATE;
  vm->state = state_from_libvirt (state);

  inactive = virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_INACTIVE);
  if (virDomainIsActive (domain) == 1)
    live = virDomainGetXMLDesc (domain, 0);

  vm->title = title_from_xml (inactive != NULL ? inactive : live);
  vm->devices = collect_devices (inactive, live);

  return vm;
}

static int
compare_vm_data (gconstpointer a,
                 gconstpointer b)
{
  const VmData *x = *(const VmData * const *) a;
  const VmData *y = *(const VmData * const *) b;

  return g_utf8_collate (x->name, y->name);
}

/* Runs in any thread: the libvirt API is thread-safe per connection. */
static GPtrArray *
read_vms (PtConnection  *self,
          GError       **error)
{
  GPtrArray *vms;
  virDomainPtr *domains = NULL;
  int n, i;

  n = virConnectListAllDomains (self->handle, &domains, 0);
  if (n < 0)
    {
      pt_libvirt_set_error (error, self->uri, _("Listing the virtual machines"));
      return NULL;
    }

  vms = g_ptr_array_new_with_free_func (vm_data_free);
  for (i = 0; i < n; i++)
    {
      g_ptr_array_add (vms, read_vm (domains[i]));
      virDomainFree (domains[i]);
    }
  free (domains);

  g_ptr_array_sort (vms, compare_vm_data);
  return vms;
}

/* Keeps the PtVm objects of VMs that are still there, so views keep rows. */
static void
apply_vms (PtConnection *self,
           GPtrArray    *data)
{
  guint i, n;

  for (i = 0; i < data->len; i++)
    {
      VmData *vm_data = g_ptr_array_index (data, i);
      g_autoptr(PtVm) vm = NULL;
      PtVm *existing = pt_connection_lookup_vm (self, vm_data->name);

      if (existing != NULL)
        {
          _pt_vm_update (existing, vm_data->title, vm_data->state,
                         (const char * const *) vm_data->devices);
          continue;
        }

      vm = _pt_vm_new (vm_data->name);
      _pt_vm_update (vm, vm_data->title, vm_data->state, (const char * const *) vm_data->devices);
      g_list_store_insert (self->vms, i, vm);
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->vms));
  for (i = n; i > 0; i--)
    {
      g_autoptr(PtVm) vm = g_list_model_get_item (G_LIST_MODEL (self->vms), i - 1);
      gboolean gone = TRUE;
      guint j;

      for (j = 0; j < data->len && gone; j++)
        gone = !g_str_equal (((VmData *) g_ptr_array_index (data, j))->name, pt_vm_get_name (vm));

      if (gone)
        g_list_store_remove (self->vms, i - 1);
    }
}

static void
refresh_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *vms = read_vms (source_object, &error);

  if (vms == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, vms, (GDestroyNotify) g_ptr_array_unref);
}

void
pt_connection_refresh_async (PtConnection        *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PT_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pt_connection_refresh_async);

  if (self->handle == NULL)
    {
      g_task_return_new_error (task, PT_ERROR, PT_ERROR_UNAVAILABLE,
                               _("The connection to %s is not open."), self->uri);
      return;
    }

  g_task_run_in_thread (task, refresh_thread);
}

/**
 * pt_connection_refresh_finish:
 *
 * Applies what was read to the list of VMs; call it on the thread that
 * owns the views.
 */
gboolean
pt_connection_refresh_finish (PtConnection  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_autoptr(GPtrArray) vms = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  vms = g_task_propagate_pointer (G_TASK (result), error);
  if (vms == NULL)
    return FALSE;

  apply_vms (self, vms);
  return TRUE;
}

/**
 * pt_connection_refresh:
 *
 * Reads the VMs again, blocking. For command-line use.
 */
gboolean
pt_connection_refresh (PtConnection  *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GPtrArray) vms = NULL;

  g_return_val_if_fail (PT_IS_CONNECTION (self), FALSE);

  if (self->handle == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_UNAVAILABLE,
                   _("The connection to %s is not open."), self->uri);
      return FALSE;
    }

  vms = read_vms (self, error);
  if (vms == NULL)
    return FALSE;

  apply_vms (self, vms);
  return TRUE;
}

static void
refresh_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!pt_connection_refresh_finish (PT_CONNECTION (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Refreshing the virtual machines failed: %s", error->message);
}

static gboolean
refresh_timeout (gpointer user_data)
{
  PtConnection *self = user_data;

  self->refresh_source = 0;
  pt_connection_refresh_async (self, self->refresh_cancellable, refresh_done, NULL);
  return G_SOURCE_REMOVE;
}

/* Events come in bursts (define, start, …): one refresh after the burst. */
static int
on_lifecycle (virConnectPtr  conn,
              virDomainPtr   domain,
              int            event,
              int            detail,
              void          *user_data)
{
  PtConnection *self = user_data;

  if (self->refresh_source == 0)
    self->refresh_source = g_timeout_add (100, refresh_timeout, self);

  return 0;
}

static gboolean
open_sync (PtConnection  *self,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GVirConnection) connection = gvir_connection_new (self->uri);
  g_autoptr(GError) local_error = NULL;
  virConnectPtr handle = NULL;

  if (self->read_only ? !gvir_connection_open_read_only (connection, cancellable, &local_error)
                      : !gvir_connection_open (connection, cancellable, &local_error))
    {
      g_autofree char *name = pt_connection_uri_describe (self->uri);
      g_autofree char *what = g_strdup_printf (_("Connecting to %s"), name);

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      pt_libvirt_set_error (error, name, what);
      return FALSE;
    }

  g_object_get (connection, "handle", &handle, NULL);
  self->connection = g_steal_pointer (&connection);
  self->handle = handle;
  return TRUE;
}

static void
watch_lifecycle (PtConnection *self)
{
  /* libvirt-gobject registers libvirt's event loop on GLib's. */
  gvir_event_register ();
  self->refresh_cancellable = g_cancellable_new ();
  self->lifecycle_callback =
    virConnectDomainEventRegisterAny (self->handle, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                      VIR_DOMAIN_EVENT_CALLBACK (on_lifecycle), self, NULL);
}

/**
 * pt_connection_open:
 *
 * Connects and reads the VMs, blocking. For command-line use; the UI uses
 * pt_connection_open_async().
 */
gboolean
pt_connection_open (PtConnection  *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_return_val_if_fail (PT_IS_CONNECTION (self), FALSE);

  if (self->handle != NULL)
    return TRUE;

  return open_sync (self, cancellable, error) && pt_connection_refresh (self, cancellable, error);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PtConnection *self = source_object;
  GError *error = NULL;
  GPtrArray *vms;

  if (!open_sync (self, cancellable, &error) || (vms = read_vms (self, &error)) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, vms, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * pt_connection_open_async:
 *
 * Connects and reads the VMs in a worker thread; afterwards the list of VMs
 * follows libvirt's lifecycle events.
 */
void
pt_connection_open_async (PtConnection        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PT_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pt_connection_open_async);
  g_task_run_in_thread (task, open_thread);
}

gboolean
pt_connection_open_finish (PtConnection  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_autoptr(GPtrArray) vms = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  vms = g_task_propagate_pointer (G_TASK (result), error);
  if (vms == NULL)
    return FALSE;

  apply_vms (self, vms);
  watch_lifecycle (self);
  return TRUE;
}

/**
 * pt_connection_get_vms:
 *
 * Returns: (transfer none): the VMs, a list of #PtVm sorted by name
 */
GListModel *
pt_connection_get_vms (PtConnection *self)
{
  g_return_val_if_fail (PT_IS_CONNECTION (self), NULL);
  return G_LIST_MODEL (self->vms);
}

/**
 * pt_connection_lookup_vm:
 *
 * Returns: (transfer none) (nullable): the VM called @name
 */
PtVm *
pt_connection_lookup_vm (PtConnection *self,
                         const char   *name)
{
  guint i, n;

  g_return_val_if_fail (PT_IS_CONNECTION (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->vms));
  for (i = 0; i < n; i++)
    {
      PtVm *vm = g_list_model_get_item (G_LIST_MODEL (self->vms), i);

      g_object_unref (vm);   /* the store keeps it alive */
      if (g_str_equal (pt_vm_get_name (vm), name))
        return vm;
    }

  return NULL;
}

/**
 * pt_connection_find_owner:
 *
 * Returns: (nullable): the name of the VM that @address is given to
 */
const char *
pt_connection_find_owner (PtConnection *self,
                          const char   *address)
{
  guint i, n;

  g_return_val_if_fail (PT_IS_CONNECTION (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->vms));
  for (i = 0; i < n; i++)
    {
      g_autoptr(PtVm) vm = g_list_model_get_item (G_LIST_MODEL (self->vms), i);

      if (pt_vm_has_device (vm, address))
        return pt_vm_get_name (vm);
    }

  return NULL;
}

/**
 * pt_connection_dup_running_vms:
 *
 * Returns: (transfer full) (element-type utf8 utf8): the names of the VMs
 *   that run or are paused, as a set: their devices cannot leave them
 */
GHashTable *
pt_connection_dup_running_vms (PtConnection *self)
{
  GHashTable *running = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint i, n;

  g_return_val_if_fail (PT_IS_CONNECTION (self), running);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->vms));
  for (i = 0; i < n; i++)
    {
      g_autoptr(PtVm) vm = g_list_model_get_item (G_LIST_MODEL (self->vms), i);
      PtVmState state = pt_vm_get_state (vm);

      if (state == PT_VM_STATE_RUNNING || state == PT_VM_STATE_PAUSED)
        g_hash_table_add (running, g_strdup (pt_vm_get_name (vm)));
    }

  return running;
}

/**
 * pt_connection_dup_owners:
 *
 * Returns: (transfer full) (element-type utf8 utf8): host address -> the
 *   name of the VM it is given to
 */
GHashTable *
pt_connection_dup_owners (PtConnection *self)
{
  GHashTable *owners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint i, n;

  g_return_val_if_fail (PT_IS_CONNECTION (self), owners);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->vms));
  for (i = 0; i < n; i++)
    {
      g_autoptr(PtVm) vm = g_list_model_get_item (G_LIST_MODEL (self->vms), i);
      const char * const *devices = pt_vm_get_devices (vm);
      guint j;

      for (j = 0; devices[j] != NULL; j++)
        if (!g_hash_table_contains (owners, devices[j]))
          g_hash_table_insert (owners, g_strdup (devices[j]), g_strdup (pt_vm_get_name (vm)));
    }

  return owners;
}
