/* pt-session.c
 *
 * What the window shows, in one place: the host snapshot and the libvirt
 * connection. Everything slow happens off the main thread; pages watch the
 * properties. Whenever the VMs change (a lifecycle event, an attach), the
 * host is scanned again so that every device shows its current owner.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif

#include <glib/gi18n.h>

#include "pt-nodedev-scan.h"
#include "pt-scanner.h"
#include "pt-host-change.h"
#include "pt-sandbox.h"
#include "pt-saved-connections.h"
#include "pt-verdict.h"
#include "pt-vm-labels.h"
#include "pt-session.h"

struct _PtSession
{
  GObject parent_instance;

  char *root;
  char *uri;
  gboolean demo;       /* root is a copy of the demo host */
  PtHost *host;
  PtConnection *connection;
  PtHelperClient *helper;
  char *error;
  char *connection_error;
  GCancellable *cancellable;
  guint scans_running;
  gboolean rescan_again;
  PtOwnerFacts *owner_facts;   /* the connection's owners, for the scans */
  guint generation;   /* of the host shown: a scan of another host is dropped */
};

G_DEFINE_FINAL_TYPE (PtSession, pt_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_HOST,
  PROP_CONNECTION,
  PROP_BUSY,
  PROP_ERROR,
  PROP_CONNECTION_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ANNOUNCE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void scan (PtSession *self);

static void
pt_session_dispose (GObject *object)
{
  PtSession *self = (PtSession *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->host);
  g_clear_object (&self->connection);

  g_clear_object (&self->helper);

  G_OBJECT_CLASS (pt_session_parent_class)->dispose (object);
}

static void
pt_session_finalize (GObject *object)
{
  PtSession *self = (PtSession *) object;

  g_clear_pointer (&self->root, g_free);
  g_clear_pointer (&self->uri, g_free);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->connection_error, g_free);
  g_clear_pointer (&self->owner_facts, pt_owner_facts_unref);

  G_OBJECT_CLASS (pt_session_parent_class)->finalize (object);
}

static void
pt_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PtSession *self = PT_SESSION (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_object (value, self->host);
      break;

    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, pt_session_get_busy (self));
      break;

    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;

    case PROP_CONNECTION_ERROR:
      g_value_set_string (value, self->connection_error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_session_class_init (PtSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pt_session_dispose;
  object_class->finalize = pt_session_finalize;
  object_class->get_property = pt_session_get_property;

  properties[PROP_HOST] =
    g_param_spec_object ("host", NULL, NULL, PT_TYPE_HOST,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, PT_TYPE_CONNECTION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CONNECTION_ERROR] =
    g_param_spec_string ("connection-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PtSession::announce:
   * @toast: (type Adw.Toast): what was just done, with its Undo
   *
   * A change was made: whoever shows this session (the window) shows the
   * toast. Dialogs announce through the session and need no window.
   */
  signals[ANNOUNCE] =
    g_signal_new ("announce", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_OBJECT);
}

static void
pt_session_init (PtSession *self)
{
  self->cancellable = g_cancellable_new ();
  self->owner_facts = pt_owner_facts_new ();
}

static void
set_string (PtSession   *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* The pages have let go of the previous snapshot, and the scan of what it
 * only needed while reading: give that back to the system, once the frames
 * showing the new one are drawn. The scan's threads allocated in their own
 * malloc arenas, which glibc keeps otherwise (tens of MB on a big host). */
static gboolean
release_freed_memory (gpointer unused)
{
#ifdef HAVE_MALLOC_TRIM
  malloc_trim (0);
#endif
  return G_SOURCE_REMOVE;
}

static void
scan_finished (PtSession *self,
               guint      generation,
               PtHost    *host,
               GError    *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->scans_running--;

  /* Read before the connection changed: it shows another host. */
  if (generation != self->generation)
    ;
  else if (host != NULL)
    {
      g_set_object (&self->host, host);
      set_string (self, &self->error, NULL, PROP_ERROR);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
      g_idle_add_full (G_PRIORITY_LOW, release_freed_memory, NULL, NULL);
    }
  else
    set_string (self, &self->error, error->message, PROP_ERROR);

  /* Owners that came after the scan named them need another scan; owners
   * that came before it got there do not. */
  if (self->rescan_again ||
      (generation == self->generation && pt_owner_facts_changed_since_scan (self->owner_facts)))
    {
      self->rescan_again = FALSE;
      scan (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
scan_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PtSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = pt_scanner_scan_finish (PT_SCANNER (object), result, &error);

  scan_finished (self, GPOINTER_TO_UINT (g_object_get_data (object, "pt-generation")), host, error);
}

static void
nodedev_scan_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  PtSession *self = source_object;
  GError *error = NULL;
  PtHost *host = pt_nodedev_scan_host (self->connection, task_data, &error);

  if (host != NULL)
    g_task_return_pointer (task, host, g_object_unref);
  else
    g_task_return_error (task, error);
}

static void
nodedev_scan_done (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = g_task_propagate_pointer (G_TASK (result), &error);

  scan_finished (PT_SESSION (object), GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (result), "pt-generation")),
                 host, error);
}

/*
 * One scan at a time; a request during a scan runs once it ends. A remote
 * or test-driver host is read through its node devices, unless a root tree
 * was given (the demo): then the tree is the host and libvirt says who owns
 * what. Owners are taken from the VM list here, on its thread.
 */
/* Which VM has which device, from the open connection: the scan under
 * way takes them if it has not yet named owners (pt-owner-facts.c). */
static void
update_owners (PtSession *self)
{
  g_autoptr(GHashTable) owners = NULL;
  g_autoptr(GHashTable) running = NULL;

  if (self->connection == NULL || !pt_connection_is_open (self->connection))
    return;
  owners = pt_connection_dup_owners (self->connection);
  running = pt_connection_dup_running_vms (self->connection);
  pt_owner_facts_set (self->owner_facts, owners, running);
}

static void
scan (PtSession *self)
{
  gboolean open = self->connection != NULL && pt_connection_is_open (self->connection);
  g_autoptr(GHashTable) owners = NULL;
  g_autoptr(GHashTable) running = NULL;

  update_owners (self);
  if (self->scans_running > 0)
    {
      self->rescan_again = TRUE;
      return;
    }

  /* Another host is read only through its connection: until that is
   * open, nothing is shown, never this computer under its name. */
  if (!open && pt_session_get_remote_uri (self) != NULL)
    return;

  self->scans_running++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);

  if (open && !pt_connection_is_local (self->connection) && g_str_equal (self->root, "/"))
    {
      g_autoptr(GTask) task = g_task_new (self, self->cancellable, nodedev_scan_done, NULL);

      pt_owner_facts_take_for_scan (self->owner_facts, &owners, &running);

      g_task_set_task_data (task, g_steal_pointer (&owners), (GDestroyNotify) g_hash_table_unref);
      g_object_set_data (G_OBJECT (task), "pt-generation", GUINT_TO_POINTER (self->generation));
      g_task_run_in_thread (task, nodedev_scan_thread);
    }
  else
    {
      g_autoptr(PtScanner) scanner = pt_scanner_new (self->root);

      pt_scanner_set_owner_facts (scanner, self->owner_facts);
      pt_scanner_set_beside_gtk (scanner, TRUE);
      g_object_set_data (G_OBJECT (scanner), "pt-generation", GUINT_TO_POINTER (self->generation));
      pt_scanner_scan_async (scanner, self->cancellable, scan_done, g_object_ref (self));
    }
}

static void
on_vms_changed (GListModel *vms,
                guint       position,
                guint       removed,
                guint       added,
                gpointer    user_data)
{
  scan (PT_SESSION (user_data));
}

static void
on_vm_devices_changed (PtSession *self)
{
  scan (self);
}

static void
watch_vm (PtSession *self,
          PtVm      *vm)
{
  g_signal_connect_object (vm, "notify::devices", G_CALLBACK (on_vm_devices_changed), self,
                           G_CONNECT_SWAPPED);
}

static void
on_vms_added (GListModel *vms,
              guint       position,
              guint       removed,
              guint       added,
              gpointer    user_data)
{
  guint i;

  for (i = position; i < position + added; i++)
    {
      g_autoptr(PtVm) vm = g_list_model_get_item (vms, i);

      watch_vm (PT_SESSION (user_data), vm);
    }
}

static void
open_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PtSession) self = user_data;
  g_autoptr(GError) error = NULL;
  PtConnection *connection = PT_CONNECTION (object);
  GListModel *vms;

  if (!pt_connection_open_finish (connection, result, &error))
    {
      /* Cancelled, or given up for another connection meanwhile. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || connection != self->connection)
        return;
      set_string (self, &self->connection_error, error->message, PROP_CONNECTION_ERROR);
      g_clear_object (&self->connection);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
      scan (self);
      return;
    }

  if (connection != self->connection)
    return;

  vms = pt_connection_get_vms (connection);
  on_vms_added (vms, 0, 0, g_list_model_get_n_items (vms), self);
  g_signal_connect_object (vms, "items-changed", G_CALLBACK (on_vms_added), self, 0);
  g_signal_connect_object (vms, "items-changed", G_CALLBACK (on_vms_changed), self, 0);

  set_string (self, &self->connection_error, NULL, PROP_CONNECTION_ERROR);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);

  /* The first scan ran while connecting: it names the owners if it has not
   * got there yet, and is followed by another if it has (scan_finished).
   * Another host is read now, through its node devices. */
  if (self->scans_running > 0)
    update_owners (self);
  else
    scan (self);
}

/**
 * pt_session_new:
 * @root: (nullable): the host root, "/" for this computer
 * @uri: (nullable): the libvirt connection, qemu:///system by default
 *
 * Returns: (transfer full): a session; it scans and connects right away
 */
PtSession *
pt_session_new (const char *root,
                const char *uri)
{
  PtSession *self = g_object_new (PT_TYPE_SESSION, NULL);

  self->root = g_strdup (root != NULL ? root : "/");
  pt_session_set_uri (self, uri);

  return self;
}

/**
 * pt_session_set_uri:
 *
 * Switches to another libvirt connection and scans again.
 */
void
pt_session_set_uri (PtSession  *self,
                    const char *uri)
{
  gboolean was_remote;

  g_return_if_fail (PT_IS_SESSION (self));

  was_remote = self->uri != NULL && pt_session_get_remote_uri (self) != NULL;
  g_free (self->uri);
  self->uri = g_strdup (uri != NULL && *uri != '\0' ? uri : PT_CONNECTION_DEFAULT_URI);

  /* The host shown changes: show nothing of the old one meanwhile. */
  if (was_remote || pt_session_get_remote_uri (self) != NULL)
    {
      self->generation++;
      set_string (self, &self->error, NULL, PROP_ERROR);
      g_clear_object (&self->host);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
    }
  set_string (self, &self->connection_error, NULL, PROP_CONNECTION_ERROR);

  g_clear_object (&self->connection);
  self->connection = pt_connection_new (self->uri);
  /* Its owners, once it is open; a scan under way keeps the old facts. */
  g_clear_pointer (&self->owner_facts, pt_owner_facts_unref);
  self->owner_facts = pt_owner_facts_new ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);

  pt_connection_open_async (self->connection, self->cancellable, open_done,
                            g_object_ref (self));

  /* This computer is shown while libvirt is still being reached. */
  scan (self);
}

/**
 * pt_session_reconnect:
 *
 * Tries the same connection again (after it failed, or to read it anew).
 */
void
pt_session_reconnect (PtSession *self)
{
  g_autofree char *uri = NULL;

  g_return_if_fail (PT_IS_SESSION (self));

  uri = g_strdup (self->uri);
  pt_session_set_uri (self, uri);
}

const char *
pt_session_get_root (PtSession *self)
{
  g_return_val_if_fail (PT_IS_SESSION (self), NULL);
  return self->root;
}

/**
 * pt_session_set_demo:
 *
 * Marks the session's tree as the demo host, so the window says so.
 */
void
pt_session_set_demo (PtSession *self,
                     gboolean   demo)
{
  g_return_if_fail (PT_IS_SESSION (self));
  self->demo = demo;
}

gboolean
pt_session_is_demo (PtSession *self)
{
  g_return_val_if_fail (PT_IS_SESSION (self), FALSE);
  return self->demo;
}

/**
 * pt_session_announce:
 * @toast: (transfer full): what was just done (an AdwToast), with its Undo
 *
 * Hands @toast to whoever shows this session; it is dropped when nobody does.
 */
void
pt_session_announce (PtSession *self,
                     GObject   *toast)
{
  g_return_if_fail (PT_IS_SESSION (self));

  g_signal_emit (self, signals[ANNOUNCE], 0, toast);
  g_object_unref (toast);
}

/**
 * pt_session_new_search_query:
 * @self: (nullable): the session, whose VMs' titles the search knows
 *
 * Returns: (transfer full): the one search every page uses for @text
 */
PtSearchQuery *
pt_session_new_search_query (PtSession  *self,
                             const char *text)
{
  PtConnection *connection = self != NULL ? self->connection : NULL;
  g_autoptr(GHashTable) vm_labels = connection != NULL
    ? pt_vm_dup_labels (pt_connection_get_vms (connection)) : NULL;

  return pt_search_query_new (text, vm_labels);
}

/**
 * pt_session_shows_this_computer:
 *
 * Returns: whether the host shown is plainly this computer through its
 *   system libvirt: not the demo, a fixture tree, another host, the user
 *   session or the view from a sandbox (each of those is named)
 */
gboolean
pt_session_shows_this_computer (PtSession *self)
{
  g_return_val_if_fail (PT_IS_SESSION (self), FALSE);

  return !self->demo && g_str_equal (self->root, "/") &&
         g_str_equal (self->uri, PT_CONNECTION_DEFAULT_URI) && !pt_sandbox_is_flatpak ();
}

/**
 * pt_session_describe_host:
 *
 * Names the host being looked at honestly: the demo host, a fixture tree
 * given with --root, another host by its connection, or this computer
 * (sandboxed, in the Flatpak).
 *
 * Returns: (transfer full): the name
 */
char *
pt_session_describe_host (PtSession *self)
{
  g_return_val_if_fail (PT_IS_SESSION (self), NULL);

  if (self->demo)
    return g_strdup (_("Demo Host"));
  if (!g_str_equal (self->root, "/"))
    /* TRANSLATORS: %s is a folder holding a copy of a computer's /sys, /proc and /etc */
    return g_strdup_printf (_("Fixture tree %s"), self->root);
  /* "This Computer", "(sandboxed)" in the Flatpak, or the other host's name. */
  return pt_connection_uri_describe (pt_uri_is_remote (self->uri) ? self->uri : PT_CONNECTION_DEFAULT_URI);
}

/**
 * pt_session_get_host:
 *
 * Returns: (transfer none) (nullable): the newest snapshot
 */
PtHost *
pt_session_get_host (PtSession *self)
{
  g_return_val_if_fail (PT_IS_SESSION (self), NULL);
  return self->host;
}

/**
 * pt_session_get_connection:
 *
 * Returns: (transfer none) (nullable): the libvirt connection, while it is
 *   open or opening
 */
PtConnection *
pt_session_get_connection (PtSession *self)
{
  g_return_val_if_fail (PT_IS_SESSION (self), NULL);
  return self->connection;
}

gboolean
pt_session_get_busy (PtSession *self)
{
  g_return_val_if_fail (PT_IS_SESSION (self), FALSE);
  return self->scans_running > 0;
}

/**
 * pt_session_get_error:
 *
 * Returns: (nullable): why the host could not be read
 */
const char *
pt_session_get_error (PtSession *self)
{
  g_return_val_if_fail (PT_IS_SESSION (self), NULL);
  return self->error;
}

/**
 * pt_session_get_connection_error:
 *
 * Returns: (nullable): why libvirt could not be reached
 */
const char *
pt_session_get_connection_error (PtSession *self)
{
  g_return_val_if_fail (PT_IS_SESSION (self), NULL);
  return self->connection_error;
}

static void
refresh_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PtSession) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pt_connection_refresh_finish (PT_CONNECTION (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_string (self, &self->connection_error, error->message, PROP_CONNECTION_ERROR);
}

/**
 * pt_session_rescan:
 *
 * Reads the host and the VMs again.
 */
void
pt_session_rescan (PtSession *self)
{
  g_return_if_fail (PT_IS_SESSION (self));

  if (self->connection != NULL && pt_connection_is_open (self->connection))
    pt_connection_refresh_async (self->connection, self->cancellable, refresh_done,
                                 g_object_ref (self));
  scan (self);
}

/**
 * pt_session_get_helper:
 *
 * Returns: (transfer none) (nullable): what changes this host (the installed
 *   helper, or the emulated one of the demo); %NULL for a tree opened with --root
 */
PtHelperClient *
pt_session_get_helper (PtSession *self)
{
  g_return_val_if_fail (PT_IS_SESSION (self), NULL);

  /* This computer's helper never changes it on behalf of another host. */
  if (pt_session_get_remote_uri (self) != NULL)
    return NULL;
  return self->helper;
}

/**
 * pt_session_judge_host_change:
 *
 * The core's verdict on @change to the host shown (which must have been
 * read), from what this session sees: the VMs that run (or that libvirt could not be asked), and what a
 * host read through libvirt hides. The device page and every review ask
 * this, so a change offered later (an Undo) is judged as when it was made.
 *
 * Returns: (transfer full): the verdict
 */
PtVerdict *
pt_session_judge_host_change (PtSession          *self,
                              const PtHostChange *change)
{
  g_autoptr(GHashTable) running = NULL;
  gboolean connected, vms_seen;
  const char *running_vm = NULL;

  g_return_val_if_fail (PT_IS_SESSION (self), NULL);
  g_return_val_if_fail (self->host != NULL, NULL);

  connected = self->connection != NULL && pt_connection_is_open (self->connection);
  /* This computer without libvirt runs no VM of it: which ones run is
   * known, as passthroughctl has it. */
  vms_seen = connected || (pt_session_get_remote_uri (self) == NULL && g_str_equal (self->root, "/") &&
                           !pt_libvirt_listens_here ());
  /* Which VMs run now; without a connection, as the snapshot has it. */
  if (connected)
    running = pt_connection_dup_running_vms (self->connection);
  if (change->n_addresses > 0)
    running_vm = pt_verdict_find_running_vm (self->host, change->addresses[0], running);
  return pt_verdict_for_host_change (self->host, change, running_vm, NULL, vms_seen);
}

/**
 * pt_session_get_remote_uri:
 *
 * Returns: (transfer none) (nullable): the connection's URI when the host
 *   shown is another computer (read through libvirt), else %NULL
 */
const char *
pt_session_get_remote_uri (PtSession *self)
{
  g_return_val_if_fail (PT_IS_SESSION (self), NULL);

  if (g_str_equal (self->root, "/") && pt_uri_is_remote (self->uri))
    return self->uri;
  return NULL;
}

void
pt_session_set_helper (PtSession      *self,
                       PtHelperClient *helper)
{
  g_return_if_fail (PT_IS_SESSION (self));
  g_set_object (&self->helper, helper);
}
