/* test-libvirt.c
 *
 * The libvirt side against libvirt's test driver: VMs and their devices,
 * giving devices to a shut-off VM and taking them back, refusals, moves,
 * hot-plug on a running VM (which the test driver cannot do: the error must
 * say so and nothing may change), a VM that vanishes, read-only and
 * unreachable connections, lifecycle events, and the node-device backend
 * compared with the sysfs scan of the same fixture host.
 *
 * Each test opens its own connection, and with it its own copy of the test
 * host: the test driver keeps state per connection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libvirt/libvirt.h>
#include <string.h>

#include "pt-connection.h"
#include "pt-error.h"
#include "pt-hostdev-edit.h"
#include "pt-nodedev-scan.h"
#include "pt-verdict.h"
#include "pt-scanner.h"
#include "pt-vm-labels.h"
#include "pt-vm-plan.h"
#include "pt-vm-private.h"

static char *
host_uri (const char *fixture)
{
  g_autofree char *name = g_strdup_printf ("%s-node.xml", fixture);
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);

  return g_strconcat ("test://", absolute, NULL);
}

static PtConnection *
open_desktop (void)
{
  g_autofree char *uri = host_uri ("desktop-intel");
  g_autoptr(PtConnection) connection = pt_connection_new (uri);
  g_autoptr(GError) error = NULL;

  g_assert_true (pt_connection_open (connection, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&connection);
}

static char *
vm_devices (PtConnection *connection,
            const char   *name)
{
  PtVm *vm = pt_connection_lookup_vm (connection, name);

  g_assert_nonnull (vm);
  return g_strjoinv (" ", (char **) pt_vm_get_devices (vm));
}

static char *
saved_definition (PtConnection *connection,
                  const char   *name)
{
  virDomainPtr domain = virDomainLookupByName (pt_connection_get_handle (connection), name);
  char *xml;

  g_assert_nonnull (domain);
  xml = virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_INACTIVE);
  virDomainFree (domain);
  return xml;
}

static void
test_vms (void)
{
  g_autoptr(PtConnection) connection = open_desktop ();
  GListModel *vms = pt_connection_get_vms (connection);
  g_autoptr(PtVm) first = NULL;
  g_autofree char *ml = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (vms), ==, 3);
  first = g_list_model_get_item (vms, 0);
  g_assert_cmpstr (pt_vm_get_name (first), ==, "nas");

  g_assert_cmpint (pt_vm_get_state (pt_connection_lookup_vm (connection, "ubuntu-ml")), ==,
                   PT_VM_STATE_RUNNING);
  g_assert_cmpint (pt_vm_get_state (pt_connection_lookup_vm (connection, "win11-gaming")), ==,
                   PT_VM_STATE_SHUT_OFF);
  g_assert_cmpstr (pt_vm_get_title (pt_connection_lookup_vm (connection, "win11-gaming")), ==,
                   "Windows 11 (gaming)");
  ml = vm_devices (connection, "ubuntu-ml");
  g_assert_cmpstr (ml, ==, "0000:02:00.0 0000:02:00.1");
  g_assert_cmpstr (pt_connection_find_owner (connection, "0000:03:00.0"), ==, "nas");
  g_assert_null (pt_connection_find_owner (connection, "0000:01:00.0"));
  g_assert_false (pt_connection_is_local (connection));
}

static void
test_attach_detach_shut_off (void)
{
  g_autoptr(PtConnection) connection = open_desktop ();
  const char * const pair[] = { "0000:01:00.0", "0000:01:00.1", NULL };
  g_autoptr(PtVmPlan) attach = NULL;
  g_autoptr(PtVmPlan) detach = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *devices = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *golden_path = NULL;
  g_autofree char *golden = NULL;

  attach = pt_vm_plan_new_attach (connection, NULL, "win11-gaming", pair, NULL,
                                  PT_VM_PLAN_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_false (pt_vm_plan_is_live (attach));
  g_assert_nonnull (strstr (pt_vm_plan_get_summary (attach), "win11-gaming"));

  /* The preview is the diff of what gets added. */
  golden_path = g_test_build_filename (G_TEST_DIST, "libvirt", "golden",
                                       "test-driver-win11-gpu.diff", NULL);
  if (g_getenv ("PT_UPDATE_GOLDEN") != NULL)
    g_file_set_contents (golden_path, pt_vm_plan_get_diff (attach), -1, NULL);
  g_file_get_contents (golden_path, &golden, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pt_vm_plan_get_diff (attach), ==, golden);

  g_assert_true (pt_vm_plan_apply (attach, connection, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pt_connection_refresh (connection, NULL, &error));
  devices = vm_devices (connection, "win11-gaming");
  g_assert_cmpstr (devices, ==, "0000:01:00.0 0000:01:00.1");
  g_assert_cmpstr (pt_connection_find_owner (connection, "0000:01:00.1"), ==, "win11-gaming");

  saved = saved_definition (connection, "win11-gaming");
  g_assert_nonnull (strstr (saved, "multifunction='on'"));
  g_assert_nonnull (strstr (saved, "<source>\n        <address domain='0x0000' bus='0x01' "
                                   "slot='0x00' function='0x1'/>"));

  detach = pt_vm_plan_new_detach (connection, "win11-gaming", pair, PT_VM_PLAN_FLAGS_NONE,
                                  &error);
  g_assert_no_error (error);
  g_assert_true (pt_vm_plan_apply (detach, connection, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pt_connection_refresh (connection, NULL, &error));
  g_clear_pointer (&devices, g_free);
  devices = vm_devices (connection, "win11-gaming");
  g_assert_cmpstr (devices, ==, "");
}

static void
test_refusals (void)
{
  g_autoptr(PtConnection) connection = open_desktop ();
  static const struct {
    const char *vm;
    const char *address;
    PtVmPlanFlags flags;
    int code;
    const char *message_part;
  } cases[] = {
    { "win11-gaming", "0000:02:00.0", 0, PT_ERROR_BUSY, "given to the virtual machine “ubuntu-ml”" },
    { "win11-gaming", "0000:02:00.0", PT_VM_PLAN_MOVE, PT_ERROR_BUSY, "Shut “ubuntu-ml” down" },
    { "no-such-vm", "0000:01:00.0", 0, PT_ERROR_NOT_FOUND, "no virtual machine “no-such-vm”" },
    { "win11-gaming", "01:00.0", 0, PT_ERROR_INVALID_ARGUMENT, "is not a PCI address" },
    { "nas", "0000:03:00.0", 0, PT_ERROR_INVALID_ARGUMENT, "already given" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *addresses[] = { cases[i].address, NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(PtVmPlan) plan = NULL;

      plan = pt_vm_plan_new_attach (connection, NULL, cases[i].vm, addresses, NULL, cases[i].flags,
                                    &error);
      g_test_message ("case %u: %s", i, error != NULL ? error->message : "(no error)");
      g_assert_null (plan);
      g_assert_error (error, PT_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
    }
}

static void
test_move (void)
{
  g_autoptr(PtConnection) connection = open_desktop ();
  const char * const nvme[] = { "0000:03:00.0", NULL };
  g_autoptr(PtVmPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *nas = NULL;
  g_autofree char *win = NULL;

  plan = pt_vm_plan_new_attach (connection, NULL, "win11-gaming", nvme, NULL, PT_VM_PLAN_MOVE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pt_vm_plan_get_move_from (plan), ==, "nas");
  g_assert_nonnull (strstr (pt_vm_plan_get_summary (plan), "from “nas”"));
  g_assert_true (pt_vm_plan_apply (plan, connection, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (pt_connection_refresh (connection, NULL, &error));
  nas = vm_devices (connection, "nas");
  win = vm_devices (connection, "win11-gaming");
  g_assert_cmpstr (nas, ==, "");
  g_assert_cmpstr (win, ==, "0000:03:00.0");
}

static void
test_running_vm (void)
{
  g_autoptr(PtConnection) connection = open_desktop ();
  const char * const nvme[] = { "0000:01:00.0", NULL };
  g_autoptr(PtVmPlan) live = NULL;
  g_autoptr(PtVmPlan) saved_only = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = saved_definition (connection, "ubuntu-ml");
  g_autofree char *after = NULL;

  /* ubuntu-ml is a q35 VM without a free root port, and a running VM
   * cannot get one: the plan says so and offers the next start. */
  live = pt_vm_plan_new_attach (connection, NULL, "ubuntu-ml", nvme, NULL, 0, &error);
  g_assert_null (live);
  g_assert_error (error, PT_ERROR, PT_ERROR_NEEDS_RESTART);
  g_assert_nonnull (strstr (error->message, "next start"));
  g_clear_error (&error);
  after = saved_definition (connection, "ubuntu-ml");
  g_assert_cmpstr (before, ==, after);

  /* Saved definition only: takes effect at the next start, behind a root
   * port added for it (the test driver has no device API: the same edits
   * are made node by node and defined). */
  saved_only = pt_vm_plan_new_attach (connection, NULL, "ubuntu-ml", nvme, NULL,
                                      PT_VM_PLAN_CONFIG_ONLY, &error);
  g_assert_no_error (error);
  g_assert_false (pt_vm_plan_is_live (saved_only));
  g_assert_nonnull (strstr (pt_vm_plan_get_diff (saved_only), "+  <controller"));
  g_assert_true (pt_vm_plan_apply (saved_only, connection, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&after, g_free);
  after = saved_definition (connection, "ubuntu-ml");
  g_assert_nonnull (strstr (after, "<address domain='0x0000' bus='0x01' slot='0x00' "
                                   "function='0x0'/>"));
}

/* An address the host does not have is refused before anything is planned. */
static void
test_unknown_address (void)
{
  g_autoptr(PtConnection) connection = open_desktop ();
  g_autofree char *root = g_test_build_filename (G_TEST_BUILT, "desktop-intel", NULL);
  g_autoptr(PtScanner) scanner = pt_scanner_new (root);
  g_autoptr(PtHost) host = NULL;
  const char * const missing[] = { "0000:0a:00.0", NULL };
  const char * const present[] = { "0000:01:00.0", NULL };
  g_autoptr(PtVmPlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  host = pt_scanner_scan (scanner, NULL, &error);
  g_assert_no_error (error);

  plan = pt_vm_plan_new_attach (connection, host, "win11-gaming", missing, NULL, 0, &error);
  g_assert_null (plan);
  g_assert_error (error, PT_ERROR, PT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "This host has no PCI device 0000:0a:00.0"));
  g_assert_nonnull (strstr (error->message, "passthroughctl devices"));
  g_clear_error (&error);

  plan = pt_vm_plan_new_attach (connection, host, "win11-gaming", present, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plan);
}

static void
test_vanished_vm (void)
{
  g_autoptr(PtConnection) connection = open_desktop ();
  const char * const gpu[] = { "0000:01:00.0", NULL };
  g_autoptr(PtVmPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  virDomainPtr domain;

  plan = pt_vm_plan_new_attach (connection, NULL, "win11-gaming", gpu, NULL, 0, &error);
  g_assert_no_error (error);

  domain = virDomainLookupByName (pt_connection_get_handle (connection), "win11-gaming");
  g_assert_cmpint (virDomainUndefine (domain), ==, 0);
  virDomainFree (domain);

  g_assert_false (pt_vm_plan_apply (plan, connection, NULL, &error));
  g_assert_error (error, PT_ERROR, PT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no longer exists"));
}

static void
test_read_only (void)
{
  g_autofree char *uri = host_uri ("desktop-intel");
  g_autoptr(PtConnection) connection = pt_connection_new_read_only (uri);
  const char * const gpu[] = { "0000:01:00.0", NULL };
  g_autoptr(PtVmPlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (pt_connection_open (connection, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (pt_connection_get_vms (connection)), ==, 3);

  plan = pt_vm_plan_new_attach (connection, NULL, "win11-gaming", gpu, NULL, 0, &error);
  g_assert_null (plan);
  g_assert_error (error, PT_ERROR, PT_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "read-only"));
  g_assert_nonnull (strstr (error->message, "libvirt group"));
}

static void
test_unreachable (void)
{
  g_autoptr(PtConnection) connection =
    pt_connection_new ("qemu+unix:///system?socket=/nonexistent/passthrough-test.sock");
  g_autoptr(GError) error = NULL;

  g_assert_false (pt_connection_open (connection, NULL, &error));
  g_assert_error (error, PT_ERROR, PT_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "libvirt is not running"));
  g_assert_nonnull (strstr (error->message, "systemctl"));
}

static void
on_notify_state (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  gboolean *changed = user_data;

  *changed = TRUE;
}

static void
open_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *opened = user_data;
  g_autoptr(GError) error = NULL;

  *opened = pt_connection_open_finish (PT_CONNECTION (object), result, &error);
  g_assert_no_error (error);
}

static gboolean
give_up (gpointer user_data)
{
  g_error ("timed out waiting for libvirt");
  return G_SOURCE_REMOVE;
}

static void
test_lifecycle_events (void)
{
  g_autofree char *uri = host_uri ("desktop-intel");
  g_autoptr(PtConnection) connection = pt_connection_new (uri);
  gboolean opened = FALSE, changed = FALSE;
  virDomainPtr domain;
  PtVm *vm;
  guint timeout;

  timeout = g_timeout_add_seconds (20, give_up, NULL);

  pt_connection_open_async (connection, NULL, open_done, &opened);
  while (!opened)
    g_main_context_iteration (NULL, TRUE);

  vm = pt_connection_lookup_vm (connection, "win11-gaming");
  g_signal_connect (vm, "notify::state", G_CALLBACK (on_notify_state), &changed);

  /* Started behind Passthrough's back: the event brings it up to date. */
  domain = virDomainLookupByName (pt_connection_get_handle (connection), "win11-gaming");
  g_assert_cmpint (virDomainCreate (domain), ==, 0);
  virDomainFree (domain);

  while (!changed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (pt_vm_get_state (vm), ==, PT_VM_STATE_RUNNING);

  g_source_remove (timeout);
}

static void
compare_scans (const char *fixture)
{
  g_autofree char *root = g_test_build_filename (G_TEST_BUILT, fixture, NULL);
  g_autofree char *uri = host_uri (fixture);
  g_autoptr(PtConnection) connection = pt_connection_new (uri);
  g_autoptr(PtScanner) sysfs_scanner = pt_scanner_new (root);
  g_autoptr(PtHost) sysfs = NULL;
  g_autoptr(PtHost) nodedev = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *a, *b;
  guint i;

  g_assert_true (pt_connection_open (connection, NULL, &error));
  sysfs = pt_scanner_scan (sysfs_scanner, NULL, &error);
  g_assert_no_error (error);
  nodedev = pt_nodedev_scan_host (connection, NULL, &error);
  g_assert_no_error (error);

  a = pt_host_get_devices (sysfs);
  b = pt_host_get_devices (nodedev);
  g_assert_cmpuint (g_list_model_get_n_items (a), ==, g_list_model_get_n_items (b));
  for (i = 0; i < g_list_model_get_n_items (a); i++)
    {
      g_autoptr(PtDevice) x = g_list_model_get_item (a, i);
      g_autoptr(PtDevice) y = g_list_model_get_item (b, i);
      g_autofree char *vfs_x = g_strjoinv (" ", (char **) pt_device_get_virtfns (x));
      g_autofree char *vfs_y = g_strjoinv (" ", (char **) pt_device_get_virtfns (y));

      g_test_message ("%s %s", fixture, pt_device_get_address (x));
      g_assert_cmpstr (pt_device_get_address (x), ==, pt_device_get_address (y));
      g_assert_cmpuint (pt_device_get_vendor_id (x), ==, pt_device_get_vendor_id (y));
      g_assert_cmpuint (pt_device_get_device_id (x), ==, pt_device_get_device_id (y));
      g_assert_cmpuint (pt_device_get_class_id (x), ==, pt_device_get_class_id (y));
      g_assert_cmpstr (pt_device_get_device_name (x), ==, pt_device_get_device_name (y));
      g_assert_cmpint (pt_device_get_iommu_group (x), ==, pt_device_get_iommu_group (y));
      g_assert_cmpint (pt_device_is_bridge (x), ==, pt_device_is_bridge (y));
      g_assert_cmpstr (pt_device_get_parent_address (x), ==, pt_device_get_parent_address (y));
      g_assert_cmpstr (pt_device_get_physfn (x), ==, pt_device_get_physfn (y));
      g_assert_cmpstr (vfs_x, ==, vfs_y);
      g_assert_cmpint (pt_device_get_sriov_total_vfs (x), ==, pt_device_get_sriov_total_vfs (y));
      /* libvirt's node-device parser drops <driver>, so the test driver
       * cannot report drivers; see tests/libvirt/TEST-DRIVER.md. */
    }

  a = pt_host_get_groups (sysfs);
  b = pt_host_get_groups (nodedev);
  g_assert_cmpuint (g_list_model_get_n_items (a), ==, g_list_model_get_n_items (b));
  for (i = 0; i < g_list_model_get_n_items (a); i++)
    {
      g_autoptr(PtIommuGroup) x = g_list_model_get_item (a, i);
      g_autoptr(PtIommuGroup) y = g_list_model_get_item (b, i);

      g_assert_cmpint (pt_iommu_group_get_number (x), ==, pt_iommu_group_get_number (y));
      g_assert_cmpuint (pt_iommu_group_get_n_devices (x), ==, pt_iommu_group_get_n_devices (y));
    }
}

static void
test_nodedev_matches_sysfs (void)
{
  compare_scans ("desktop-intel");
  compare_scans ("server-sriov");
}

static void
test_owners_in_scan (void)
{
  g_autoptr(PtConnection) connection = open_desktop ();
  g_autoptr(GHashTable) owners = pt_connection_dup_owners (connection);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = pt_nodedev_scan_host (connection, owners, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (pt_device_get_vm (pt_host_lookup_device (host, "0000:02:00.1")), ==,
                   "ubuntu-ml");
  g_assert_cmpstr (pt_device_get_vm (pt_host_lookup_device (host, "0000:03:00.0")), ==, "nas");
  g_assert_null (pt_device_get_vm (pt_host_lookup_device (host, "0000:01:00.0")));
  /* Which of them run comes with the snapshot: ubuntu-ml runs, nas does not. */
  g_assert_true (pt_device_is_vm_running (pt_host_lookup_device (host, "0000:02:00.1")));
  g_assert_false (pt_device_is_vm_running (pt_host_lookup_device (host, "0000:03:00.0")));
}

/* Read through libvirt, what the host uses is unknown, never free: no group
 * is "Ready", every change names that risk, resets are "unknown". */
static void
test_remote_is_unknown (void)
{
  g_autoptr(PtConnection) connection = open_desktop ();
  g_autoptr(GHashTable) owners = pt_connection_dup_owners (connection);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = pt_nodedev_scan_host (connection, owners, &error);
  const char *gpu[] = { "0000:01:00.0", NULL };
  const char *held[] = { "0000:02:00.0", NULL };
  GListModel *groups;
  PtHostChange change;
  guint i, unknown = 0;

  g_assert_no_error (error);
  groups = pt_host_get_groups (host);
  for (i = 0; i < g_list_model_get_n_items (groups); i++)
    {
      g_autoptr(PtIommuGroup) group = g_list_model_get_item (groups, i);
      g_autofree char *words = pt_iommu_group_dup_state_text (group);

      g_assert_false (pt_iommu_group_is_ready (group));
      g_assert_cmpstr (words, !=, "Ready for passthrough");
      unknown += g_str_equal (words, "State unknown on a remote host");
    }
  g_assert_cmpuint (unknown, >, 0);
  g_assert_false (pt_device_is_reset_known (pt_host_lookup_device (host, "0000:01:00.0")));

  {
    g_autoptr(PtVerdict) verdict = NULL;

    g_assert_true (pt_host_change_init (&change, PT_HOST_CHANGE_BIND, gpu, 0, 0, 0, NULL));
    verdict = pt_verdict_for_host_change (host, &change, NULL, NULL, TRUE);
    g_assert_cmpint (verdict->kind, ==, PT_VERDICT_NEEDS_ACKNOWLEDGEMENT);
    g_assert_cmpstr (g_ptr_array_index (verdict->risks, 0), ==,
                     "State unknown on a remote host: what uses it and whether a virtual machine "
                     "holds it cannot be seen");
  }
  {
    g_autoptr(PtVerdict) verdict = pt_verdict_for_give (host, gpu, NULL);

    g_assert_cmpint (verdict->kind, ==, PT_VERDICT_NEEDS_ACKNOWLEDGEMENT);
  }
  {
    g_autoptr(PtVerdict) verdict = NULL;

    /* The snapshot says ubuntu-ml runs with it: refused with no live VM list. */
    g_assert_true (pt_host_change_init (&change, PT_HOST_CHANGE_RETURN, held, 0, 0, 0, NULL));
    verdict = pt_verdict_for_host_change (host, &change, NULL, NULL, TRUE);
    g_assert_cmpint (verdict->kind, ==, PT_VERDICT_REFUSED);
    g_assert_cmpstr (verdict->reason, ==, "“ubuntu-ml” is running with a device of this IOMMU group.");
  }
}

/* What pills and toasts call a VM: its title; its name when it has none;
 * both when two VMs share the title. */
static void
test_vm_labels (void)
{
  static const struct
  {
    const char *name;
    const char *title;
    const char *label;
  } cases[] = {
    { "win11-gaming", "Windows 11 (gaming)", "Windows 11 (gaming)" },
    { "nas", NULL, "nas" },
    { "empty-title", "", "empty-title" },
    { "ubuntu-a", "Ubuntu", "Ubuntu (ubuntu-a)" },
    { "ubuntu-b", "Ubuntu", "Ubuntu (ubuntu-b)" },
  };
  const char *no_devices[] = { NULL };
  g_autoptr(GListStore) vms = g_list_store_new (PT_TYPE_VM);
  g_autoptr(GHashTable) labels = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PtVm) vm = _pt_vm_new (cases[i].name);

      _pt_vm_update (vm, cases[i].title, PT_VM_STATE_SHUT_OFF, no_devices);
      g_list_store_append (vms, vm);
    }

  labels = pt_vm_dup_labels (G_LIST_MODEL (vms));
  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *label = pt_vm_dup_label (G_LIST_MODEL (vms), cases[i].name);

      g_assert_cmpstr (g_hash_table_lookup (labels, cases[i].name), ==, cases[i].label);
      g_assert_cmpstr (label, ==, cases[i].label);
    }
  /* A VM the list does not have (yet) keeps its name. */
  {
    g_autofree char *unknown = pt_vm_dup_label (G_LIST_MODEL (vms), "new-vm");
    g_autofree char *without_list = pt_vm_dup_label (NULL, "win11-gaming");

    g_assert_cmpstr (unknown, ==, "new-vm");
    g_assert_cmpstr (without_list, ==, "win11-gaming");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libvirt/vms", test_vms);
  g_test_add_func ("/libvirt/vm-labels", test_vm_labels);
  g_test_add_func ("/libvirt/attach-detach-shut-off", test_attach_detach_shut_off);
  g_test_add_func ("/libvirt/refusals", test_refusals);
  g_test_add_func ("/libvirt/move", test_move);
  g_test_add_func ("/libvirt/running-vm", test_running_vm);
  g_test_add_func ("/libvirt/unknown-address", test_unknown_address);
  g_test_add_func ("/libvirt/vanished-vm", test_vanished_vm);
  g_test_add_func ("/libvirt/read-only", test_read_only);
  g_test_add_func ("/libvirt/unreachable", test_unreachable);
  g_test_add_func ("/libvirt/lifecycle-events", test_lifecycle_events);
  g_test_add_func ("/libvirt/nodedev-matches-sysfs", test_nodedev_matches_sysfs);
  g_test_add_func ("/libvirt/owners-in-scan", test_owners_in_scan);
  g_test_add_func ("/libvirt/nodedev/remote-is-unknown", test_remote_is_unknown);

  return g_test_run ();
}
