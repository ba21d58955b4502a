/* test-verdict.c — the one verdict every face shows: each fact alone and in
 * combination, with the words a person reads. GTK-free.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pt-scanner.h"
#include "pt-verdict.h"

#define BIND PT_VERDICT_ACTION_BIND
#define RETURN PT_VERDICT_ACTION_RETURN
#define VFS PT_VERDICT_ACTION_SET_VFS
#define GIVE PT_VERDICT_ACTION_GIVE
#define ALLOWED PT_VERDICT_ALLOWED
#define ACK PT_VERDICT_NEEDS_ACKNOWLEDGEMENT
#define REFUSED PT_VERDICT_REFUSED

static const char *gpu_use[] = { "boot GPU (boot_vga=1)", "drives a connected display (HDMI-A-1)", NULL };
static const char *audio_left[] = { "0000:01:00.1", NULL };

typedef struct
{
  const char *name;
  PtVerdictFacts facts;
  PtVerdictKind kind;
  const char *text;   /* pt_verdict_to_text (…, "--force") */
} Case;

static const Case cases[] = {
  { "free device: allowed, no words", { BIND, "0000:02:00.0" }, ALLOWED, "" },
  { "give a free group whole", { GIVE, "0000:02:00.0" }, ALLOWED, "" },
  { "missing address", { BIND, "0000:09:00.0", .address_missing = TRUE }, REFUSED,
    "This host has no device at 0000:09:00.0. Check the address in the device list (“passthroughctl devices”).\n" },
  { "IOMMU off refuses a bind", { BIND, "0000:02:00.0", .iommu_off = TRUE }, REFUSED,
    "The IOMMU is off, so no device can be given to a virtual machine. Turn the IOMMU on "
    "(“passthroughctl boot enable-iommu”, or the Host page), then restart.\n" },
  { "IOMMU off refuses a give", { GIVE, "0000:02:00.0", .iommu_off = TRUE }, REFUSED,
    "The IOMMU is off, so no device can be given to a virtual machine. Turn the IOMMU on "
    "(“passthroughctl boot enable-iommu”, or the Host page), then restart.\n" },
  { "IOMMU off does not stop a return", { RETURN, "0000:02:00.0", .iommu_off = TRUE }, ALLOWED, "" },
  { "host use: named risks", { BIND, "0000:01:00.0", .host_use = gpu_use }, ACK,
    "This takes a risk:\n  - The host uses it: boot GPU (boot_vga=1)\n"
    "  - The host uses it: drives a connected display (HDMI-A-1)\n"
    "Nothing was changed. To go ahead all the same, add --force.\n" },
  { "host use does not concern a return", { RETURN, "0000:01:00.0", .host_use = gpu_use }, ALLOWED, "" },
  { "running VM refuses a return", { RETURN, "0000:02:00.0", .running_vm = "win11" }, REFUSED,
    "“win11” is running with a device of this IOMMU group. Shut that virtual machine down first.\n" },
  { "running VM refuses VF changes", { VFS, "0000:18:00.0", .running_vm = "win11" }, REFUSED,
    "“win11” is running with a device of this IOMMU group. Shut that virtual machine down first.\n" },
  { "VF in use refuses VF changes", { VFS, "0000:18:00.0", .vf_in_use = "0000:18:02.0" }, REFUSED,
    "Virtual function 0000:18:02.0 is in use. Take it from its virtual machine and give it back to "
    "the host first.\n" },
  { "VF in use does not stop a bind", { BIND, "0000:18:00.0", .vf_in_use = "0000:18:02.0" }, ALLOWED, "" },
  { "group mate left out of a give", { GIVE, "0000:01:00.0", .left_out = audio_left }, ACK,
    "This takes a risk:\n  - 0000:01:00.1 shares the IOMMU group and is left out: the virtual machine "
    "cannot start until it is on vfio-pci too\nNothing was changed. To go ahead all the same, add --force.\n" },
  { "left out means nothing to a bind (it takes the group)", { BIND, "0000:01:00.0", .left_out = audio_left },
    ALLOWED, "" },
  { "unknown is never free", { BIND, "0000:02:00.0", .unknown = "State unknown on a remote host" }, ACK,
    "This takes a risk:\n  - State unknown on a remote host: what uses it and whether a virtual machine "
    "holds it cannot be seen\nNothing was changed. To go ahead all the same, add --force.\n" },
  { "unknown on a return too", { RETURN, "0000:02:00.0", .unknown = "State unknown in the sandbox" }, ACK,
    "This takes a risk:\n  - State unknown in the sandbox: what uses it and whether a virtual machine "
    "holds it cannot be seen\nNothing was changed. To go ahead all the same, add --force.\n" },
  { "libvirt unreachable: a return names the VMs it cannot see", { RETURN, "0000:02:00.0", .vms_unseen = TRUE },
    ACK, "This takes a risk:\n  - libvirt cannot be reached, so whether a virtual machine holds it cannot be "
    "seen\nNothing was changed. To go ahead all the same, add --force.\n" },
  { "libvirt unreachable: a VF change too", { VFS, "0000:02:00.0", .vms_unseen = TRUE }, ACK,
    "This takes a risk:\n  - libvirt cannot be reached, so whether a virtual machine holds it cannot be "
    "seen\nNothing was changed. To go ahead all the same, add --force.\n" },
  { "libvirt unreachable means nothing to a bind (no VM holds a group on host drivers)",
    { BIND, "0000:02:00.0", .vms_unseen = TRUE }, ALLOWED, "" },
  { "boot GPU given with its audio left out: both risks, host use first",
    { GIVE, "0000:01:00.0", .host_use = gpu_use + 1, .left_out = audio_left }, ACK,
    "This takes a risk:\n  - The host uses it: drives a connected display (HDMI-A-1)\n"
    "  - 0000:01:00.1 shares the IOMMU group and is left out: the virtual machine cannot start until "
    "it is on vfio-pci too\nNothing was changed. To go ahead all the same, add --force.\n" },
  { "a refusal wins over risks: IOMMU off and host use", { BIND, "0000:01:00.0", .iommu_off = TRUE,
    .host_use = gpu_use, .unknown = "State unknown on a remote host" }, REFUSED,
    "The IOMMU is off, so no device can be given to a virtual machine. Turn the IOMMU on "
    "(“passthroughctl boot enable-iommu”, or the Host page), then restart.\n" },
  { "missing address first of all", { RETURN, "0000:09:00.0", .address_missing = TRUE,
    .running_vm = "win11" }, REFUSED,
    "This host has no device at 0000:09:00.0. Check the address in the device list (“passthroughctl devices”).\n" },
  { "running VM before a VF in use", { VFS, "0000:18:00.0", .running_vm = "db", .vf_in_use = "0000:18:02.0" },
    REFUSED, "“db” is running with a device of this IOMMU group. Shut that virtual machine down first.\n" },
};

static void
test_table (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PtVerdict) verdict = pt_verdict_decide (&cases[i].facts);
      g_autofree char *text = pt_verdict_to_text (verdict, "--force");

      g_test_message ("%s", cases[i].name);
      g_assert_cmpint (verdict->kind, ==, cases[i].kind);
      g_assert_cmpstr (text, ==, cases[i].text);
      /* The app's words say what to do in the app: no command, no option. */
      if (verdict->kind == PT_VERDICT_REFUSED)
        {
          g_assert_null (strstr (verdict->remedy, "passthroughctl"));
          g_assert_null (strstr (verdict->remedy, "--"));
        }
    }
}

static PtHost *
scan (const char *name)
{
  g_autofree char *root = g_test_build_filename (G_TEST_BUILT, name, NULL);
  g_autoptr(PtScanner) scanner = pt_scanner_new (root);
  g_autoptr(GError) error = NULL;
  PtHost *host = pt_scanner_scan (scanner, NULL, &error);

  g_assert_no_error (error);
  return host;
}

/* The facts gathered from a scanned host: a group mate's use counts. */
static void
test_from_host (void)
{
  g_autoptr(PtHost) desktop = scan ("desktop-intel");
  g_autoptr(PtHost) laptop = scan ("laptop-iommu-off");
  g_autoptr(PtHost) server = scan ("server-sriov");
  PtHost *hosts[] = { desktop, laptop, server };
  static const struct
  {
    PtHost **host;
    PtHostChangeKind kind;
    const char *address;
    const char *running_vm;
    const char *unknown;
    PtVerdictKind verdict;
    const char *words;
  } cases_[] = {
    { NULL, PT_HOST_CHANGE_BIND, "0000:02:00.0", NULL, NULL, ALLOWED, NULL },
    { NULL, PT_HOST_CHANGE_BIND, "0000:01:00.1", NULL, NULL, ACK, "boot GPU" },
    { NULL, PT_HOST_CHANGE_BIND, "0000:00:17.0", NULL, NULL, ACK, "storage controller of /" },
    { NULL, PT_HOST_CHANGE_BIND, "0000:02:00.0", NULL, "State unknown on a remote host", ACK, "remote" },
    { NULL, PT_HOST_CHANGE_RETURN, "0000:02:00.0", "win11", NULL, REFUSED, "“win11” is running" },
    { NULL, PT_HOST_CHANGE_SET_VFS, "0000:02:00.0", "win11", NULL, REFUSED, "Shut that virtual machine" },
    { NULL, PT_HOST_CHANGE_BIND, "0000:09:00.0", NULL, NULL, REFUSED, "no device at 0000:09:00.0" },
    { NULL, PT_HOST_CHANGE_ENABLE_IOMMU, NULL, "win11", NULL, ALLOWED, NULL },
    { (PtHost **) 1, PT_HOST_CHANGE_BIND, "0000:00:02.0", NULL, NULL, REFUSED, "The IOMMU is off" },
    /* The server's VF 0000:18:10.4 is on vfio-pci: the number of VFs stays. */
    { (PtHost **) 2, PT_HOST_CHANGE_SET_VFS, "0000:18:00.0", NULL, NULL, REFUSED,
      "Virtual function 0000:18:10.4 is in use." },
    { (PtHost **) 2, PT_HOST_CHANGE_BIND, "0000:18:00.1", NULL, NULL, ACK, "eno1 carries the default route" },
    /* A NIC that carries any network, not only the default route. */
    { (PtHost **) 2, PT_HOST_CHANGE_BIND, "0000:18:10.2", NULL, NULL, ACK,
      "The host uses it: network interface enp24s16f2 carries the route to 10.50.0.0/16" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases_); i++)
    {
      const char *addresses[] = { cases_[i].address, NULL };
      PtHostChange change;
      g_autoptr(PtVerdict) verdict = NULL;
      g_autofree char *text = NULL;

      g_assert_true (pt_host_change_init (&change, cases_[i].kind, cases_[i].address != NULL ? addresses : NULL,
                                          0, 0, 0, NULL));
      verdict = pt_verdict_for_host_change (hosts[GPOINTER_TO_UINT (cases_[i].host)], &change,
                                            cases_[i].running_vm, cases_[i].unknown, TRUE);
      text = pt_verdict_to_text (verdict, "--force");
      g_test_message ("case %u: %s", i, text);
      g_assert_cmpint (verdict->kind, ==, cases_[i].verdict);
      if (cases_[i].words != NULL)
        g_assert_nonnull (strstr (text, cases_[i].words));
    }
}

/* The group words follow the same facts: the chipset is never offered. */
static void
test_group_words (void)
{
  g_autoptr(PtHost) desktop = scan ("desktop-intel");
  static const struct
  {
    int group;
    const char *words;
  } groups[] = {
    { 0, "Not for passthrough: the chipset" },       /* the host bridge alone */
    { 2, "Ready for passthrough" },                  /* on vfio-pci, used by nothing of the host */
    { 5, "1 device still used by host drivers" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      g_autofree char *words = pt_iommu_group_dup_state_text (pt_host_lookup_group (desktop, groups[i].group));

      g_assert_cmpstr (words, ==, groups[i].words);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/verdict/table", test_table);
  g_test_add_func ("/verdict/from-host", test_from_host);
  g_test_add_func ("/verdict/group-words", test_group_words);
  return g_test_run ();
}
