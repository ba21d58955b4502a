/* test-hostdev-edit.c
 *
 * Where Passthrough places each hostdev and what taking it back removes,
 * as the diffs a person reviews, compared with saved files
 * (the .diff files in tests/libvirt/golden/). Run with PT_UPDATE_GOLDEN=1 to rewrite the
 * saved files after a deliberate change, then read the diff. The real
 * libvirtd proves the same edits through its device API
 * (test-real-libvirtd.py); these pin the placement rules quickly.
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
assert_golden (const char *text,
               const char *golden)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "libvirt", "golden", golden, NULL);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  if (g_getenv ("PT_UPDATE_GOLDEN") != NULL)
    {
      g_file_set_contents (path, text, -1, &error);
      g_assert_no_error (error);
    }

  g_file_get_contents (path, &expected, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, expected);
}

static void
assert_no_hostdev_on_bus0 (const char *diff)
{
  g_auto(GStrv) lines = g_strsplit (diff, "\n", -1);
  gboolean in_hostdev = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], "<hostdev") != NULL)
        in_hostdev = TRUE;
      else if (strstr (lines[i], "</hostdev>") != NULL)
        in_hostdev = FALSE;
      else if (in_hostdev && strstr (lines[i], "<address type=\"pci\"") != NULL)
        g_assert_null (strstr (lines[i], "bus=\"0x00\""));
    }
}

static void
test_shapes (void)
{
  static const struct {
    const char *domain;
    gboolean live;              /* the domain runs: the same XML is its live one */
    const char *addresses;      /* space-separated */
    PtHostdevOptions options;
    const char *golden;
  } cases[] = {
    /* q35 with both root ports taken: a port of ours is added. */
    { "win11-q35.xml", FALSE, "0000:04:00.0", { 0 }, "single-function.diff" },
    /* GPU + HDMI audio: one port, one guest slot, multifunction on function 0. */
    { "win11-q35.xml", FALSE, "0000:01:00.1 0000:01:00.0", { 0 }, "gpu-audio-multifunction.diff" },
    /* Free ports are used before any is added; hotplug='off' is skipped. */
    { "q35-free-ports.xml", FALSE, "0000:01:00.0 0000:01:00.1 0000:02:00.0", { 0 },
      "free-ports.diff" },
    /* A definition that names no controller (as hand-written ones or the
     * test driver's): index 0 is still the root bus. */
    { "q35-bare.xml", FALSE, "0000:01:00.0", { 0 }, "bare-q35.diff" },
    /* Running: each function in its own free port, none added. */
    { "q35-free-ports.xml", TRUE, "0000:01:00.0 0000:01:00.1", { 0 }, "live-one-port-each.diff" },
    /* ROM BAR off and a ROM file, unmanaged. */
    { "win11-q35.xml", FALSE, "0000:01:00.0",
      { TRUE, PT_ROM_BAR_OFF, "/usr/share/vgabios/rtx3060.rom" }, "rom-options.diff" },
    { "win11-q35.xml", FALSE, "0000:01:00.0", { FALSE, PT_ROM_BAR_ON, NULL }, "rom-bar-on.diff" },
    /* i440fx: a single function is placed by libvirt; slots 0x10/0x11 are taken. */
    { "busy-bus0.xml", FALSE, "0000:03:10.2", { 0 }, "i440fx-single.diff" },
    { "busy-bus0.xml", FALSE, "0000:01:00.0 0000:01:00.1 0000:02:00.0 0000:02:00.1", { 0 },
      "i440fx-two-gpus.diff" },
    /* Functions 1 and 2 without 0: the guest still gets a function 0. */
    { "busy-bus0.xml", FALSE, "0000:05:00.1 0000:05:00.2", { 0 }, "functions-without-zero.diff" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *domain = read_domain (cases[i].domain);
      g_auto(GStrv) addresses = g_strsplit (cases[i].addresses, " ", -1);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) edits = NULL;
      g_autofree char *diff = NULL;

      g_test_message ("%s + %s", cases[i].domain, cases[i].addresses);
      edits = pt_hostdev_plan_attach (domain, cases[i].live ? domain : NULL,
                                      (const char * const *) addresses, &cases[i].options, &error);
      g_assert_no_error (error);
      diff = pt_domain_edits_diff (edits);
      assert_golden (diff, cases[i].golden);
      /* pcie.0 is never a hostdev's bus on q35. */
      if (strstr (domain, "q35") != NULL)
        assert_no_hostdev_on_bus0 (diff);
    }
}

/* Give, then take back: the definition is the one we started with, to the byte. */
static void
test_round_trip (void)
{
  static const struct {
    const char *domain;
    const char *give;
    const char *take_back;
  } cases[] = {
    { "win11-q35.xml", "0000:01:00.0 0000:01:00.1", "0000:01:00.0 0000:01:00.1" },
    { "q35-free-ports.xml", "0000:01:00.0 0000:01:00.1 0000:04:00.0",
      "0000:04:00.0 0000:01:00.1 0000:01:00.0" },
    { "busy-bus0.xml", "0000:01:00.0 0000:01:00.1 0000:06:00.0", "0000:06:00.0 0000:01:00.0 "
      "0000:01:00.1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *domain = read_domain (cases[i].domain);
      g_auto(GStrv) give = g_strsplit (cases[i].give, " ", -1);
      g_auto(GStrv) take_back = g_strsplit (cases[i].take_back, " ", -1);
      g_autoptr(GError) error = NULL;
      g_autofree char *given = NULL;
      g_autofree char *back = NULL;
      g_auto(GStrv) sources = NULL;

      given = pt_hostdev_attach (domain, (const char * const *) give, NULL, &error);
      g_assert_no_error (error);
      sources = pt_hostdev_list_sources (given, &error);
      g_assert_no_error (error);
      for (guint j = 0; give[j] != NULL; j++)
        g_assert_true (g_strv_contains ((const char * const *) sources, give[j]));

      back = pt_hostdev_detach (given, (const char * const *) take_back, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (back, ==, domain);
    }
}

/* Taking back removes a root port only when it is ours and empty. */
static void
test_take_back_ports (void)
{
  g_autofree char *domain = read_domain ("win11-q35.xml");
  const char * const pair[] = { "0000:01:00.0", "0000:01:00.1", NULL };
  const char * const audio[] = { "0000:01:00.1", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *given = pt_hostdev_attach (domain, pair, NULL, &error);
  g_autoptr(GPtrArray) half = NULL;
  g_autoptr(GPtrArray) whole = NULL;
  g_autoptr(GPtrArray) user_port = NULL;
  g_autofree char *with_user_port = NULL;

  g_assert_no_error (error);
  half = pt_hostdev_plan_detach (given, NULL, audio, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (half->len, ==, 1);   /* the GPU still sits behind the port */

  whole = pt_hostdev_plan_detach (given, NULL, pair, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (whole->len, ==, 3);
  g_assert_nonnull (strstr (((PtDomainEdit *) whole->pdata[2])->xml, "pcie-root-port"));
  g_assert_cmpint (((PtDomainEdit *) whole->pdata[2])->scope, ==, PT_DOMAIN_EDIT_SAVED_ONLY);

  /* Function 0 alone would leave its audio unseen by the guest. */
  {
    const char * const gpu[] = { "0000:01:00.0", NULL };
    g_autoptr(GPtrArray) refused = pt_hostdev_plan_detach (given, NULL, gpu, &error);

    g_assert_null (refused);
    g_assert_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "0000:01:00.1 also use"));
    g_clear_error (&error);
  }

  /* A device the user put behind a port of their own: the port stays. */
  with_user_port = pt_hostdev_attach (read_domain ("q35-free-ports.xml"), audio, NULL, &error);
  g_assert_no_error (error);
  user_port = pt_hostdev_plan_detach (with_user_port, NULL, audio, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (user_port->len, ==, 1);
}

static char *
replace_once (const char *text,
              const char *from,
              const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to, at + strlen (from));
}

/* A user's port whose chassis is the next index: ours takes another. */
static void
test_chassis_unique (void)
{
  g_autofree char *domain = read_domain ("win11-q35.xml");
  g_autofree char *clashing = NULL;
  const char * const nic[] = { "0000:04:00.0", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) edits = NULL;

  clashing = replace_once (domain, "chassis=\"2\"", "chassis=\"3\"");
  edits = pt_hostdev_plan_attach (clashing, NULL, nic, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (((PtDomainEdit *) edits->pdata[0])->xml, "index='3'"));
  g_assert_null (strstr (((PtDomainEdit *) edits->pdata[0])->xml, "chassis='3'"));
}

/* Running: the saved and the live definition differ. */
static void
test_live_scopes (void)
{
  g_autofree char *saved = read_domain ("q35-free-ports.xml");
  g_autofree char *live = NULL;
  const char * const nic[] = { "0000:04:00.0", NULL };
  const char * const live_only[] = { "0000:07:00.0", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) edits = NULL;

  /* Port 4 was used live by a hot-plugged device: only port 5 is free. */
  live = replace_once (saved, "</devices>",
                       "  <hostdev mode=\"subsystem\" type=\"pci\" managed=\"yes\"><source>"
                       "<address domain=\"0x0000\" bus=\"0x07\" slot=\"0x00\" function=\"0x0\"/>"
                       "</source><address type=\"pci\" domain=\"0x0000\" bus=\"0x04\" "
                       "slot=\"0x00\" function=\"0x0\"/></hostdev>\n  </devices>");
  edits = pt_hostdev_plan_attach (saved, live, nic, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (edits->len, ==, 1);
  g_assert_nonnull (strstr (((PtDomainEdit *) edits->pdata[0])->xml, "bus='0x05'"));
  g_assert_cmpint (((PtDomainEdit *) edits->pdata[0])->scope, ==, PT_DOMAIN_EDIT_SAVED_AND_LIVE);
  g_clear_pointer (&edits, g_ptr_array_unref);

  /* Plugged in live only: it leaves the live VM, and nothing saved changes. */
  edits = pt_hostdev_plan_detach (saved, live, live_only, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (edits->len, ==, 1);
  g_assert_cmpint (((PtDomainEdit *) edits->pdata[0])->scope, ==, PT_DOMAIN_EDIT_LIVE_ONLY);
}

static void
test_refusals (void)
{
  g_autofree char *domain = read_domain ("busy-bus0.xml");
  g_autofree char *full_q35 = read_domain ("win11-q35.xml");
  g_autofree char *q35 = read_domain ("q35-free-ports.xml");
  const char * const pair[] = { "0000:01:00.0", "0000:01:00.1", NULL };
  const char * const three[] = { "0000:01:00.0", "0000:02:00.0", "0000:03:00.0", NULL };
  g_autofree char *q35_given = pt_hostdev_attach (q35, pair, NULL, NULL);
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

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
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

  /* Running, no free root port: only from the next start. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) edits = pt_hostdev_plan_attach (full_q35, full_q35, pair, NULL, &error);

    g_assert_null (edits);
    g_assert_error (error, PT_ERROR, PT_ERROR_NEEDS_RESTART);
  }

  /* Running, two free hot-pluggable ports but three functions. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) edits = pt_hostdev_plan_attach (q35, q35, three, NULL, &error);

    g_assert_null (edits);
    g_assert_error (error, PT_ERROR, PT_ERROR_NEEDS_RESTART);
  }

  /* Running with a multifunction slot: libvirt cannot unplug it live. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) edits = NULL;

    g_assert_nonnull (q35_given);
    edits = pt_hostdev_plan_detach (q35_given, q35_given, pair, &error);
    g_assert_null (edits);
    g_assert_error (error, PT_ERROR, PT_ERROR_NEEDS_RESTART);
    g_clear_error (&error);
    /* …but it can leave the saved definition. */
    g_clear_pointer (&edits, g_ptr_array_unref);
    edits = pt_hostdev_plan_detach (q35_given, NULL, pair, &error);
    g_assert_no_error (error);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hostdev-edit/shapes", test_shapes);
  g_test_add_func ("/hostdev-edit/round-trip", test_round_trip);
  g_test_add_func ("/hostdev-edit/take-back-ports", test_take_back_ports);
  g_test_add_func ("/hostdev-edit/chassis-unique", test_chassis_unique);
  g_test_add_func ("/hostdev-edit/live-scopes", test_live_scopes);
  g_test_add_func ("/hostdev-edit/refusals", test_refusals);

  return g_test_run ();
}
