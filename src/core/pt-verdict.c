/* pt-verdict.c
 *
 * The one answer to "may this be done?", for host changes and for giving
 * devices to a virtual machine alike: allowed, allowed once the person
 * acknowledges the named risks, or refused with the reason and what to do.
 * The app shows these words and passthroughctl prints them (asking --force
 * for a host change, --yes for a VM change); neither holds a rule of its own.
 * What cannot be seen (another host, a sandbox) is never taken as free: it is
 * at least a named risk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pt-saved-connections.h"
#include "pt-verdict.h"

/* @cli_remedy: the remedy with the command that does it; %NULL when the
 * app's words hold for the terminal too. */
static PtVerdict *
refuse (PtVerdict  *verdict,
        char       *reason,
        char       *remedy,
        char       *cli_remedy)
{
  verdict->kind = PT_VERDICT_REFUSED;
  verdict->reason = reason;
  verdict->remedy = remedy;
  verdict->cli_remedy = cli_remedy != NULL ? cli_remedy : g_strdup (remedy);
  return verdict;
}

/**
 * pt_verdict_decide:
 *
 * Refusals come first, in the order a person would fix them: the address,
 * the IOMMU, a running VM, a VF in use. Then every risk is named.
 *
 * Returns: (transfer full): the verdict on @facts
 */
PtVerdict *
pt_verdict_decide (const PtVerdictFacts *facts)
{
  PtVerdict *verdict = g_new0 (PtVerdict, 1);
  gboolean takes = facts->action == PT_VERDICT_ACTION_BIND || facts->action == PT_VERDICT_ACTION_GIVE;
  guint i;

  verdict->risks = g_ptr_array_new_with_free_func (g_free);

  if (facts->address_missing)
    return refuse (verdict, g_strdup_printf (_("This host has no device at %s."), facts->address),
                   g_strdup (_("Scan again, then choose the device from the list.")),
                   g_strdup (_("Check the address in the device list (“passthroughctl devices”).")));

  if (takes && facts->iommu_off)
    return refuse (verdict, g_strdup (_("The IOMMU is off, so no device can be given to a virtual machine.")),
                   g_strdup (_("Turn the IOMMU on from the Host page, then restart.")),
                   g_strdup (_("Turn the IOMMU on (“passthroughctl boot enable-iommu”, or the Host page), "
                               "then restart.")));

  if ((facts->action == PT_VERDICT_ACTION_RETURN || facts->action == PT_VERDICT_ACTION_SET_VFS) &&
      facts->running_vm != NULL)
    return refuse (verdict, g_strdup_printf (_("“%s” is running with a device of this IOMMU group."),
                                             facts->running_vm),
                   g_strdup (_("Shut that virtual machine down first (from its own system or your "
                               "virtual machine manager).")),
                   g_strdup (_("Shut that virtual machine down first.")));

  if (facts->action == PT_VERDICT_ACTION_SET_VFS && facts->vf_in_use != NULL)
    return refuse (verdict, g_strdup_printf (_("Virtual function %s is in use."), facts->vf_in_use),
                   g_strdup (_("Take it from its virtual machine and give it back to the host first.")),
                   NULL);

  for (i = 0; takes && facts->host_use != NULL && facts->host_use[i] != NULL; i++)
    g_ptr_array_add (verdict->risks, g_strdup_printf (_("The host uses it: %s"), facts->host_use[i]));

  for (i = 0; facts->action == PT_VERDICT_ACTION_GIVE && facts->left_out != NULL && facts->left_out[i] != NULL; i++)
    g_ptr_array_add (verdict->risks,
                     g_strdup_printf (_("%s shares the IOMMU group and is left out: the virtual machine "
                                        "cannot start until it is on vfio-pci too"), facts->left_out[i]));

  if (facts->unknown != NULL)
    g_ptr_array_add (verdict->risks, g_strdup_printf (_("%s: what uses it and whether a virtual machine "
                                                        "holds it cannot be seen"), facts->unknown));
  /* Binding takes a group from the host's drivers: no VM can hold it then.
   * Every other change may take a device from a VM that runs. */
  else if (facts->vms_unseen && facts->action != PT_VERDICT_ACTION_BIND &&
           facts->action != PT_VERDICT_ACTION_GIVE)
    g_ptr_array_add (verdict->risks, g_strdup (_("libvirt cannot be reached, so whether a virtual "
                                                 "machine holds it cannot be seen")));

  verdict->kind = verdict->risks->len > 0 ? PT_VERDICT_NEEDS_ACKNOWLEDGEMENT : PT_VERDICT_ALLOWED;
  return verdict;
}

/* A VF that changing the number of VFs would destroy under its user: on
 * vfio-pci (a VM or a user-space driver has it) or given to a running VM. */
static const char *
find_vf_in_use (PtHost   *host,
                PtDevice *physfn)
{
  const char * const *virtfns = pt_device_get_virtfns (physfn);
  guint i;

  for (i = 0; virtfns != NULL && virtfns[i] != NULL; i++)
    {
      PtDevice *vf = pt_host_lookup_device (host, virtfns[i]);

      if (vf != NULL && (pt_device_is_vm_running (vf) ||
                         g_strcmp0 (pt_device_get_driver (vf), "vfio-pci") == 0))
        return pt_device_get_address (vf);
    }
  return NULL;
}

/**
 * pt_verdict_for_host_change:
 * @running_vm: (nullable): a running or paused VM with a member of the group,
 *   as libvirt says now; %NULL to take it from the snapshot
 * @unknown: (nullable): why the host cannot be seen whole (another host, a
 *   sandbox); %NULL to take it from the snapshot
 * @vms_seen: whether libvirt said which virtual machines run (or runs not
 *   at all here)
 *
 * Returns: (transfer full): the verdict on making @change on @host
 */
PtVerdict *
pt_verdict_for_host_change (PtHost             *host,
                            const PtHostChange *change,
                            const char         *running_vm,
                            const char         *unknown,
                            gboolean            vms_seen)
{
  PtVerdictFacts facts = { 0 };
  PtDevice *device;

  /* Every kind is named: a new one is a compiler warning here, never
   * allowed by default. Boot changes take nothing from the host now; their
   * review is the check. */
  switch (change->kind)
    {
    case PT_HOST_CHANGE_BIND:
      facts.action = PT_VERDICT_ACTION_BIND;
      break;
    case PT_HOST_CHANGE_RETURN:
      facts.action = PT_VERDICT_ACTION_RETURN;
      break;
    case PT_HOST_CHANGE_SET_VFS:
      facts.action = PT_VERDICT_ACTION_SET_VFS;
      break;
    case PT_HOST_CHANGE_ENABLE_IOMMU:
    case PT_HOST_CHANGE_EARLY_BIND_IDS:
    case PT_HOST_CHANGE_EARLY_BIND_ADDRESSES:
    case PT_HOST_CHANGE_BOOT_ONCE_WITHOUT:
    case PT_HOST_CHANGE_UNDO:
    case PT_HOST_CHANGE_HISTORY:
      {
        PtVerdict *verdict = g_new0 (PtVerdict, 1);

        verdict->risks = g_ptr_array_new_with_free_func (g_free);
        return verdict;
      }
    default:
      g_assert_not_reached ();
    }

  facts.vms_unseen = !vms_seen;
  facts.address = change->addresses[0];
  facts.running_vm = running_vm != NULL ? running_vm
                                        : pt_verdict_find_running_vm (host, change->addresses[0], NULL);
  facts.unknown = unknown;
  device = pt_host_lookup_device (host, change->addresses[0]);
  facts.address_missing = device == NULL;
  if (device != NULL)
    {
      facts.iommu_off = pt_device_get_iommu_group (device) < 0;
      /* The scanner names a group mate's use on every member already. */
      facts.host_use = pt_device_get_host_use (device);
      if (facts.unknown == NULL)
        facts.unknown = pt_device_get_state_unknown (device);
      if (facts.action == PT_VERDICT_ACTION_SET_VFS)
        facts.vf_in_use = find_vf_in_use (host, device);
    }
  return pt_verdict_decide (&facts);
}

/**
 * pt_verdict_for_give:
 * @host: (nullable): the host the devices are on, %NULL when it cannot be read
 * @addresses: the PCI functions to give
 * @unknown: (nullable): why the host cannot be seen whole
 *
 * Returns: (transfer full): the verdict on giving @addresses to a virtual
 *   machine: what the host uses among them, and the group mates left out
 */
PtVerdict *
pt_verdict_for_give (PtHost             *host,
                     const char * const *addresses,
                     const char         *unknown)
{
  g_autoptr(GPtrArray) host_use = g_ptr_array_new ();
  g_autoptr(GPtrArray) left_out = g_ptr_array_new ();
  PtVerdictFacts facts = { PT_VERDICT_ACTION_GIVE, addresses[0] };
  guint i, j;

  facts.unknown = host == NULL && unknown == NULL ? _("The host’s devices cannot be read") : unknown;
  for (i = 0; host != NULL && facts.unknown == NULL && addresses[i] != NULL; i++)
    {
      PtDevice *device = pt_host_lookup_device (host, addresses[i]);

      facts.unknown = device != NULL ? pt_device_get_state_unknown (device) : NULL;
    }
  for (i = 0; host != NULL && addresses[i] != NULL; i++)
    {
      PtDevice *device = pt_host_lookup_device (host, addresses[i]);
      const char * const *uses;
      PtIommuGroup *group;
      GListModel *members;

      if (device == NULL)
        {
          facts.address = addresses[i];
          facts.address_missing = TRUE;
          break;
        }
      facts.iommu_off |= pt_device_get_iommu_group (device) < 0;
      uses = pt_device_get_host_use (device);
      for (j = 0; uses != NULL && uses[j] != NULL; j++)
        if (!g_ptr_array_find_with_equal_func (host_use, uses[j], g_str_equal, NULL))
          g_ptr_array_add (host_use, (gpointer) uses[j]);

      group = pt_host_lookup_group (host, pt_device_get_iommu_group (device));
      members = group != NULL ? pt_iommu_group_get_devices (group) : NULL;
      for (j = 0; members != NULL && j < g_list_model_get_n_items (members); j++)
        {
          g_autoptr(PtDevice) member = g_list_model_get_item (members, j);
          const char *address = pt_device_get_address (member);

          /* Bridges stay with the host; a mate on vfio-pci already is no risk. */
          if (!pt_device_is_bridge (member) && !pt_device_is_free_for_vfio (member) &&
              !g_strv_contains (addresses, address) &&
              !g_ptr_array_find_with_equal_func (left_out, address, g_str_equal, NULL))
            g_ptr_array_add (left_out, (gpointer) address);
        }
    }
  g_ptr_array_add (host_use, NULL);
  g_ptr_array_add (left_out, NULL);
  facts.host_use = (const char * const *) host_use->pdata;
  facts.left_out = (const char * const *) left_out->pdata;
  return pt_verdict_decide (&facts);
}

static gboolean
is_running (PtDevice   *device,
            GHashTable *running)
{
  const char *owner = pt_device_get_vm (device);

  if (running == NULL)
    return pt_device_is_vm_running (device);
  return owner != NULL && g_hash_table_contains (running, owner);
}

/**
 * pt_verdict_find_running_vm:
 * @running: (nullable) (element-type utf8 utf8): the names of the VMs that
 *   run or are paused, as a set; %NULL to take it from the snapshot
 *
 * Returns: (nullable): the first VM of @running that has a member of the
 *   IOMMU group of the device at @address
 */
const char *
pt_verdict_find_running_vm (PtHost     *host,
                            const char *address,
                            GHashTable *running)
{
  PtDevice *device = pt_host_lookup_device (host, address);
  PtIommuGroup *group = device != NULL ? pt_host_lookup_group (host, pt_device_get_iommu_group (device))
                                       : NULL;
  GListModel *members = group != NULL ? pt_iommu_group_get_devices (group) : NULL;
  guint i;

  if (device != NULL && members == NULL)
    return is_running (device, running) ? pt_device_get_vm (device) : NULL;
  for (i = 0; members != NULL && i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(PtDevice) member = g_list_model_get_item (members, i);

      if (is_running (member, running))
        return pt_device_get_vm (member);
    }
  return NULL;
}

/**
 * pt_verdict_dup_remote_advice:
 * @change: the change asked
 * @uri: the libvirt URI of the host @change is for, not this computer
 *
 * What every face says when a change is asked of another host: this
 * computer's helper never changes it, and the command that does, run from
 * here (pt_host_change_to_remote_command()).
 *
 * Returns: (transfer full): the words, the command on a line of its own
 */
char *
pt_verdict_dup_remote_advice (const PtHostChange *change,
                                  const char         *uri)
{
  g_autofree char *name = pt_connection_uri_describe (uri);
  g_autofree char *command = pt_host_change_to_remote_command (change, uri);

  return g_strdup_printf (_("%s is not this computer: its changes are made on it, never from "
                            "here, so nothing was changed. To make this change, run:\n%s"),
                          name, command);
}

/**
 * pt_verdict_to_text:
 * @acknowledge_option: how the person acknowledges the risks, e.g. "--force"
 *
 * Returns: (transfer full): the verdict's words, one line each, for a
 *   terminal; empty when it is allowed
 */
char *
pt_verdict_to_text (const PtVerdict *verdict,
                    const char      *acknowledge_option)
{
  GString *text = g_string_new (NULL);
  guint i;

  if (verdict->kind == PT_VERDICT_REFUSED)
    {
      g_string_append_printf (text, "%s %s\n", verdict->reason, verdict->cli_remedy);
      return g_string_free (text, FALSE);
    }
  if (verdict->kind == PT_VERDICT_NEEDS_ACKNOWLEDGEMENT)
    g_string_append (text, _("This takes a risk:\n"));
  for (i = 0; i < verdict->risks->len; i++)
    g_string_append_printf (text, "  - %s\n", (const char *) g_ptr_array_index (verdict->risks, i));
  if (verdict->kind == PT_VERDICT_NEEDS_ACKNOWLEDGEMENT)
    g_string_append_printf (text, _("Nothing was changed. To go ahead all the same, add %s.\n"),
                            acknowledge_option);
  return g_string_free (text, FALSE);
}

void
pt_verdict_free (PtVerdict *verdict)
{
  if (verdict == NULL)
    return;
  g_clear_pointer (&verdict->risks, g_ptr_array_unref);
  g_free (verdict->reason);
  g_free (verdict->remedy);
  g_free (verdict->cli_remedy);
  g_free (verdict);
}
