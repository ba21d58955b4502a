/* test-hostdev-edit.c
 *
 * Every hostdev shape Passthrough writes, compared with saved XML
 * (tests/libvirt/golden/), as libvirt-glib's own test-gconfig does. Run with
 * PT_UPDATE_GOLDEN=1 to rewrite the saved files after a deliberate change,
 * then read the diff.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pt-error.h"
#include "pt-hostdev-edit.h"

static char *
read_domain (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "libvirt", "domains", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
assert_golden (const char *xml,
               const char *golden)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "libvirt", "golden", golden, NULL);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  if (g_getenv ("PT_UPDATE_GOLDEN") != NULL)
    {
      g_file_set_contents (path, xml, -1, &error);
      g_assert_no_error (error);
    }

  g_file_get_contents (path, &expected, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xml, ==, expected);
}

static void
test_shapes (void)
{
  static const struct {
    const char *domain;
    const char *addresses;   /* space-separated */
    PtHostdevOptions options;
    const char *golden;
  } cases[] = {
    /* A NIC alone: libvirt places it. */
    { "win11-q35.xml", "0000:04:00.0", { 0 }, "single-function.xml" },
    /* GPU + HDMI audio: one guest slot, multifunction on function 0. */
    { "win11-q35.xml", "0000:01:00.1 0000:01:00.0", { 0 }, "gpu-audio-multifunction.xml" },
    /* ROM BAR off and a ROM file, unmanaged. */
    { "win11-q35.xml", "0000:01:00.0",
      { TRUE, PT_ROM_BAR_OFF, "/usr/share/vgabios/rtx3060.rom" }, "rom-options.xml" },
    { "win11-q35.xml", "0000:01:00.0", { FALSE, PT_ROM_BAR_ON, NULL }, "rom-bar-on.xml" },
    /* An SR-IOV VF is an ordinary single function. */
    { "win11-q35.xml", "0000:03:10.2", { 0 }, "sriov-vf.xml" },
    /* Two multifunction devices, and slots 0x10/0x11 already taken. */
    { "busy-bus0.xml", "0000:01:00.0 0000:01:00.1 0000:02:00.0 0000:02:00.1", { 0 },
      "two-gpus-busy-bus.xml" },
    /* Functions 1 and 2 without 0: the guest still gets a function 0. */
    { "busy-bus0.xml", "0000:05:00.1 0000:05:00.2", { 0 }, "functions-without-zero.xml" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *domain = read_domain (cases[i].domain);
      g_auto(GStrv) addresses = g_strsplit (cases[i].addresses, " ", -1);
      g_autoptr(GError) error = NULL;
      g_autofree char *xml = NULL;
      g_auto(GStrv) sources = NULL;
      guint j;

      g_test_message ("%s + %s", cases[i].domain, cases[i].addresses);
      xml = pt_hostdev_attach (domain, (const char * const *) addresses, &cases[i].options, &error);
      g_assert_no_error (error);
      assert_golden (xml, cases[i].golden);

      /* What was added reads back, and detaching it gives no hostdevs for it. */
      sources = pt_hostdev_list_sources (xml, &error);
      g_assert_no_error (error);
      for (j = 0; addresses[j] != NULL; j++)
        g_assert_true (g_strv_contains ((const char * const *) sources, addresses[j]));
    }
}

static void
test_round_trip (void)
{
  g_autofree char *domain = read_domain ("win11-q35.xml");
  const char * const pair[] = { "0000:01:00.0", "0000:01:00.1", NULL };
  const char * const audio[] = { "0000:01:00.1", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *attached = NULL;
  g_autofree char *half = NULL;
  g_autofree char *detached = NULL;
  g_auto(GStrv) sources = NULL;
  g_auto(GStrv) device_xmls = NULL;

  attached = pt_hostdev_attach (domain, pair, NULL, &error);
  g_assert_no_error (error);

  device_xmls = pt_hostdev_device_xmls (attached, pair, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (device_xmls), ==, 2);
  g_assert_nonnull (strstr (device_xmls[0], "bus=\"0x01\""));
  g_assert_nonnull (strstr (device_xmls[0], "multifunction=\"on\""));

  half = pt_hostdev_detach (attached, audio, &error);
  g_assert_no_error (error);
  sources = pt_hostdev_list_sources (half, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (sources), ==, 1);
  g_assert_cmpstr (sources[0], ==, "0000:01:00.0");

  detached = pt_hostdev_detach (attached, pair, &error);
  g_assert_no_error (error);
  g_clear_pointer (&sources, g_strfreev);
  sources = pt_hostdev_list_sources (detached, &error);
  g_assert_no_error (error);
  g_assert_null (sources[0]);
  /* Nothing else of the definition changed. */
  g_assert_nonnull (strstr (detached, "<source network=\"default\"/>"));
  g_assert_nonnull (strstr (detached, "win11.qcow2"));
}

static void
test_refusals (void)
{
  g_autofree char *domain = read_domain ("busy-bus0.xml");
  static const struct {
    gboolean attach;
    const char *addresses;
    int code;
    const char *message_part;
  } cases[] = {
    { TRUE, "0000:03:00.0", PT_ERROR_INVALID_ARGUMENT, "already given" },
    { TRUE, "0000:3:00.0", PT_ERROR_INVALID_ARGUMENT, "is not a PCI address" },
    { TRUE, "0000:01:00.0;reboot", PT_ERROR_INVALID_ARGUMENT, "is not a PCI address" },
    { TRUE, "", PT_ERROR_INVALID_ARGUMENT, "is not a PCI address" },
    { FALSE, "0000:01:00.0", PT_ERROR_NOT_FOUND, "is not given to this virtual machine" },
    { FALSE, "../../etc", PT_ERROR_INVALID_ARGUMENT, "is not a PCI address" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *addresses[] = { cases[i].addresses, NULL };
      g_autoptr(GError) error = NULL;
      g_autofree char *xml = NULL;

      if (cases[i].attach)
        xml = pt_hostdev_attach (domain, addresses, NULL, &error);
      else
        xml = pt_hostdev_detach (domain, addresses, &error);

      g_test_message ("case %u: %s", i, error != NULL ? error->message : "(no error)");
      g_assert_null (xml);
      g_assert_error (error, PT_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
    }

  {
    const char * const one[] = { "0000:01:00.0", NULL };
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = pt_hostdev_attach ("<domain><oops", one, NULL, &error);

    g_assert_null (xml);
    g_assert_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hostdev-edit/shapes", test_shapes);
  g_test_add_func ("/hostdev-edit/round-trip", test_round_trip);
  g_test_add_func ("/hostdev-edit/refusals", test_refusals);

  return g_test_run ();
}
