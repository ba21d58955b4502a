/* test-parsers.c
 *
 * Table-driven tests of the small parsers every scan relies on: the kernel
 * command line, sysfs attribute values, PCI addresses, modalias matching and
 * cpuinfo's vendor.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>

#include <string.h>

#include "pt-change-history.h"
#include "pt-checks.h"
#include "pt-error.h"
#include "pt-helper-client.h"
#include "pt-helper-protocol.h"
#include "pt-managed-files.h"
#include "pt-json-writer.h"
#include "pt-kernel-cmdline.h"
#include "pt-modalias.h"
#include "pt-reset-quirks.h"
#include "pt-saved-connections.h"
#include "pt-sysfs.h"

static void
test_cmdline_split (void)
{
  static const struct {
    const char *cmdline;
    const char *joined;   /* parameters joined with '|' */
  } cases[] = {
    { "", "" },
    { "   ", "" },
    { "quiet", "quiet" },
    { "BOOT_IMAGE=/vmlinuz-6.1.0 root=UUID=1234 ro quiet\n",
      "BOOT_IMAGE=/vmlinuz-6.1.0|root=UUID=1234|ro|quiet" },
    { "  a   b\tc  ", "a|b|c" },
    { "acpi_osi=\"Windows 2015\" intel_iommu=on", "acpi_osi=Windows 2015|intel_iommu=on" },
    { "\"quoted whole\" x", "quoted whole|x" },
    { "intel_iommu=on -- single init=/bin/sh", "intel_iommu=on" },
    { "--", "" },
    { "a=\"\" b", "a=|b" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) params = pt_kernel_cmdline_split (cases[i].cmdline);
      g_autofree char *joined = g_strjoinv ("|", params);

      g_test_message ("case %u: %s", i, cases[i].cmdline);
      g_assert_cmpstr (joined, ==, cases[i].joined);
    }
}

static void
test_cmdline_values (void)
{
  static const struct {
    const char *cmdline;
    const char *name;
    const char *value;     /* NULL: pt_kernel_cmdline_get only */
    const char *expected_get;
    gboolean expected_has;
  } cases[] = {
    { "intel_iommu=on iommu=pt", "intel_iommu", "on", "on", TRUE },
    { "intel_iommu=on,sm_on", "intel_iommu", "on", "on,sm_on", TRUE },
    { "intel_iommu=sm_on", "intel_iommu", "on", "sm_on", FALSE },
    { "intel_iommu=on intel_iommu=off", "intel_iommu", "off", "off", TRUE },
    { "intel_iommu=off intel_iommu=on", "intel_iommu", "off", "on", FALSE },
    { "amd_iommu=on", "amd_iommu", "on", "on", TRUE },
    { "xintel_iommu=on", "intel_iommu", "on", NULL, FALSE },
    { "intel_iommu_x=on", "intel_iommu", "on", NULL, FALSE },
    { "nointremap quiet", "nointremap", NULL, "", FALSE },
    { "iommu=pt", "iommu", "pt", "pt", TRUE },
    { "iommu.passthrough=1", "iommu", "pt", NULL, FALSE },
    { "", "iommu", "pt", NULL, FALSE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) params = pt_kernel_cmdline_split (cases[i].cmdline);
      const char * const *p = (const char * const *) params;

      g_test_message ("case %u: %s / %s", i, cases[i].cmdline, cases[i].name);
      g_assert_cmpstr (pt_kernel_cmdline_get (p, cases[i].name), ==, cases[i].expected_get);
      if (cases[i].value != NULL)
        g_assert_cmpint (pt_kernel_cmdline_has_value (p, cases[i].name, cases[i].value), ==,
                         cases[i].expected_has);
    }
}

static void
test_parse_hex (void)
{
  static const struct {
    const char *text;
    guint64 max;
    gboolean ok;
    guint64 value;
  } cases[] = {
    { "0x8086", 0xffff, TRUE, 0x8086 },
    { "8086", 0xffff, TRUE, 0x8086 },
    { "0X10DE", 0xffff, TRUE, 0x10de },
    { "0x030000", 0xffffff, TRUE, 0x030000 },
    { "0x10000", 0xffff, FALSE, 0 },
    { "0xZZZZ", 0xffff, FALSE, 0 },
    { "0x", 0xffff, FALSE, 0 },
    { "", 0xffff, FALSE, 0 },
    { "0x80 86", 0xffff, FALSE, 0 },
    { "-1", 0xffff, FALSE, 0 },
    { "0xffffffffffffffff", G_MAXUINT64, TRUE, G_MAXUINT64 },
    { "0x1ffffffffffffffff", G_MAXUINT64, FALSE, 0 },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint64 value = 0;

      g_test_message ("case %u: “%s”", i, cases[i].text);
      g_assert_cmpint (pt_sysfs_parse_hex (cases[i].text, cases[i].max, &value), ==, cases[i].ok);
      if (cases[i].ok)
        g_assert_cmpuint (value, ==, cases[i].value);
    }

  g_assert_false (pt_sysfs_parse_hex (NULL, 0xffff, NULL));
}

static void
test_pci_address (void)
{
  static const struct {
    const char *text;
    gboolean ok;
  } cases[] = {
    { "0000:00:1f.6", TRUE },
    { "0000:ff:1f.7", TRUE },
    { "10de:01:00.0", TRUE },
    { "0000:01:00.8", FALSE },
    { "0000:01:00.0 ", FALSE },
    { "0000:01:00", FALSE },
    { "0000:01:0G.0", FALSE },
    { "0000:01:00.0/../x", FALSE },
    { "0000:0A:00.0", FALSE },
    { "pci0000:00", FALSE },
    { "", FALSE },
    { "../../../etc", FALSE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: “%s”", i, cases[i].text);
      g_assert_cmpint (pt_sysfs_is_pci_address (cases[i].text), ==, cases[i].ok);
    }
  g_assert_false (pt_sysfs_is_pci_address (NULL));
}

/* What people type (lspci's short form, upper case) in the kernel's form;
 * anything else is no address. */
static void
test_pci_address_normalize (void)
{
  static const struct {
    const char *text;
    const char *normal;
  } cases[] = {
    { "0000:01:00.0", "0000:01:00.0" },
    { "01:00.0", "0000:01:00.0" },
    { "0A:1F.7", "0000:0a:1f.7" },
    { "0001:C1:00.1", "0001:c1:00.1" },
    { "01:00.8", NULL },
    { "01:20.0", NULL },
    { "1:00.0", NULL },
    { "01:00.0 ", NULL },
    { ":01:00.0", NULL },
    { "01:00", NULL },
    { "4", NULL },
    { "", NULL },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *normal = pt_pci_address_normalize (cases[i].text);

      g_test_message ("case %u: “%s”", i, cases[i].text);
      g_assert_cmpstr (normal, ==, cases[i].normal);
    }
  g_assert_null (pt_pci_address_normalize (NULL));
}

/* Change times read the same in every locale: no 12/06/26. */
static void
test_change_time (void)
{
  static const struct {
    const char *time;
    const char *words;
  } cases[] = {
    { "2026-06-12T07:55:10Z", "Today, 07:55" },
    { "2026-06-11T23:10:00Z", "Yesterday, 23:10" },
    { "2026-06-02T07:05:00Z", "2 Jun 2026, 07:05" },
    { "2025-12-24T18:00:00+01:00", "24 Dec 2025, 17:00" },
    { "not a time", "" },
    { NULL, "" },
  };
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 ("2026-06-12T20:00:00Z", NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PtChange change = { .time = (char *) cases[i].time };
      g_autofree char *words = pt_change_describe_time (&change, now);

      g_assert_cmpstr (words, ==, cases[i].words);
    }
}

static void
test_last_pci_address (void)
{
  static const struct {
    const char *path;
    const char *address;
  } cases[] = {
    { "../../devices/pci0000:00/0000:00:1d.0/0000:03:00.0/nvme/nvme0/nvme0n1", "0000:03:00.0" },
    { "../../devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda",
      "0000:00:17.0" },
    { "../../devices/virtual/block/dm-0", NULL },
    { "../../devices/pci0000:00/0000:00:1f.6/net/eno1", "0000:00:1f.6" },
    { "0000:01:00.0", "0000:01:00.0" },
    { "", NULL },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *address = pt_sysfs_last_pci_address (cases[i].path);

      g_assert_cmpstr (address, ==, cases[i].address);
    }
}

static const char modules_alias[] =
  "# Aliases extracted from modules themselves.\n"
  "alias pci:v00008086d00003E92sv*sd*bc03sc*i* i915\n"
  "alias pci:v000010DEd*sv*sd*bc03sc00i00 nouveau\n"
  "alias pci:v000010DEd*sv*sd*bc03sc02i00 nouveau\n"
  "alias pci:v000010DEd00002503sv*sd*bc*sc*i* nvidia\n"
  "alias pci:v*d*sv*sd*bc01sc08i02 nvme\n"
  "alias pci:v*d*sv*sd*bc0Csc03i30 xhci_pci\n"
  "alias pci:v00008086d*sv*sd*bc04sc03i* snd_hda_intel\n"
  "alias pci:v000010DEd*sv*sd*bc04sc03i* snd_hda_intel\n"
  "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n"
  "alias usb:v1D6Bp0003d*dc*dsc*dp*ic09isc*ip*in* hub\n"
  "alias pci:v00008086d00001533sv*sd*bc*sc*i* igb\n"
  "alias pci:v00008086d00001533sv*sd*bc*sc*i* igb_duplicate\n"
  "alias broken-line-without-module\n"
  "alias pci:v*d*sv*sd*bc03sc00i00 vga_generic extra\n";

static void
test_modalias (void)
{
  static const struct {
    const char *modalias;
    const char *modules;
  } cases[] = {
    { "pci:v000010DEd00002503sv00001043sd000087F3bc03sc00i00", "nouveau,nvidia" },
    { "pci:v000010DEd0000228Esv00001043sd000087F3bc04sc03i00", "snd_hda_intel" },
    { "pci:v00008086d00003E92sv00001028sd0000085Cbc03sc00i00", "i915" },
    { "pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02", "nvme" },
    { "pci:v00008086d0000A36Dsv00001028sd0000085Cbc0Csc03i30", "xhci_pci" },
    { "pci:v00008086d00001533sv00008086sd00000001bc02sc00i00", "igb,igb_duplicate" },
    { "pci:v00001234d00005678sv00000000sd00000000bcFFsc00i00", "" },
    { "vfio_pci:v000010DEd00002503sv*sd*bc*sc*i*", "" },
    { "pci:v0000", "" },
    { "", "" },
  };
  g_autoptr(PtModaliasIndex) index = pt_modalias_index_parse (modules_alias);
  guint round, i;

  /* Twice, so the second round is answered from the cache. */
  for (round = 0; round < 2; round++)
    for (i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_auto(GStrv) modules = pt_modalias_index_lookup (index, cases[i].modalias);
        g_autofree char *joined = g_strjoinv (",", modules);

        g_test_message ("round %u case %u: %s", round, i, cases[i].modalias);
        g_assert_cmpstr (joined, ==, cases[i].modules);
      }
}

static void
test_cpu_vendor (void)
{
  static const struct {
    const char *cpuinfo;
    PtCpuVendor vendor;
  } cases[] = {
    { "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vmx\n", PT_CPU_VENDOR_INTEL },
    { "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu\n", PT_CPU_VENDOR_AMD },
    { "processor\t: 0\nvendor_id\t: HygonGenuine\n", PT_CPU_VENDOR_AMD },
    { "processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n", PT_CPU_VENDOR_UNKNOWN },
    { "vendor_id_extra : GenuineIntel\n", PT_CPU_VENDOR_UNKNOWN },
    { "", PT_CPU_VENDOR_UNKNOWN },
    { NULL, PT_CPU_VENDOR_UNKNOWN },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (pt_checks_cpu_vendor (cases[i].cpuinfo), ==, cases[i].vendor);
}

/* The kernel's modalias_show() format, checked against real sysfs values. */
static void
test_modalias_format (void)
{
  char buf[PT_MODALIAS_PCI_SIZE];

  pt_modalias_format_pci (buf, 0x10de, 0x2503, 0x1043, 0x87f3, 0x030000);
  g_assert_cmpstr (buf, ==, "pci:v000010DEd00002503sv00001043sd000087F3bc03sc00i00");
  pt_modalias_format_pci (buf, 0x8086, 0xa36d, 0x1028, 0x085c, 0x0c0330);
  g_assert_cmpstr (buf, ==, "pci:v00008086d0000A36Dsv00001028sd0000085Cbc0Csc03i30");
  pt_modalias_format_pci (buf, 0xffff, 0xffff, 0, 0, 0xff0000);
  g_assert_cmpstr (buf, ==, "pci:v0000FFFFd0000FFFFsv00000000sd00000000bcFFsc00i00");
}

static void
write_big_document (PtJsonWriter *writer,
                    const char   *long_text)
{
  guint i;

  pt_json_writer_begin_array (writer);
  for (i = 0; i < 5000; i++)
    {
      pt_json_writer_begin_object (writer);
      pt_json_writer_key (writer, "n");
      pt_json_writer_int (writer, i);
      pt_json_writer_key (writer, "s");
      pt_json_writer_string (writer, i == 2500 ? long_text : "some “text”");
      pt_json_writer_end_object (writer);
    }
  pt_json_writer_end_array (writer);
}

/* Written to a stream a piece at a time (a string bigger than the buffer
 * too), the document is the one made in memory. */
static void
test_json_writer_stream (void)
{
  g_autofree char *long_text = g_strnfill (200 * 1024, 'x');
  g_autofree char *in_memory = NULL;
  g_autofree char *streamed = NULL;
  gsize streamed_len = 0;
  PtJsonWriter *writer;
  FILE *stream;

  writer = pt_json_writer_new (TRUE);
  write_big_document (writer, long_text);
  in_memory = pt_json_writer_free_to_string (writer);
  g_assert_cmpuint (strlen (in_memory), >, 400 * 1024);

  stream = open_memstream (&streamed, &streamed_len);
  writer = pt_json_writer_new_for_stream (stream, TRUE);
  write_big_document (writer, long_text);
  g_assert_true (pt_json_writer_close (writer));
  fclose (stream);
  g_assert_cmpstr (streamed, ==, in_memory);

  /* A stream that cannot take the document says so. */
  stream = fopen ("/dev/full", "w");
  if (stream != NULL)
    {
      writer = pt_json_writer_new_for_stream (stream, TRUE);
      write_big_document (writer, long_text);
      g_assert_false (pt_json_writer_close (writer));
      fclose (stream);
    }
}

static void
test_json_writer (void)
{
  static const char * const strv[] = { "a", "b\"c", NULL };
  g_autoptr(PtJsonWriter) compact = pt_json_writer_new (FALSE);
  PtJsonWriter *pretty = pt_json_writer_new (TRUE);
  g_autofree char *pretty_text = NULL;
  g_autofree char *compact_text = NULL;

  pt_json_writer_begin_object (compact);
  pt_json_writer_key (compact, "s");
  pt_json_writer_string (compact, "quote \" slash \\ nl \n tab \t bell \a end");
  pt_json_writer_key (compact, "bad-utf8");
  pt_json_writer_string (compact, "ok \xff\xfe ok");
  pt_json_writer_key (compact, "utf8");
  pt_json_writer_string (compact, "“Ångström”");
  pt_json_writer_key (compact, "null");
  pt_json_writer_string (compact, NULL);
  pt_json_writer_key (compact, "n");
  pt_json_writer_int (compact, -42);
  pt_json_writer_key (compact, "b");
  pt_json_writer_bool (compact, FALSE);
  pt_json_writer_key (compact, "empty");
  pt_json_writer_strv (compact, NULL);
  pt_json_writer_key (compact, "list");
  pt_json_writer_strv (compact, strv);
  pt_json_writer_key (compact, "nested");
  pt_json_writer_begin_array (compact);
  pt_json_writer_begin_object (compact);
  pt_json_writer_end_object (compact);
  pt_json_writer_null (compact);
  pt_json_writer_end_array (compact);
  pt_json_writer_end_object (compact);

  compact_text = pt_json_writer_free_to_string (g_steal_pointer (&compact));
  g_assert_cmpstr (compact_text, ==,
                   "{\"s\":\"quote \\\" slash \\\\ nl \\n tab \\t bell \\u0007 end\","
                   "\"bad-utf8\":\"ok \357\277\275\357\277\275 ok\","
                   "\"utf8\":\"“Ångström”\",\"null\":null,\"n\":-42,\"b\":false,"
                   "\"empty\":[],\"list\":[\"a\",\"b\\\"c\"],\"nested\":[{},null]}");

  pt_json_writer_begin_array (pretty);
  pt_json_writer_begin_object (pretty);
  pt_json_writer_key (pretty, "k");
  pt_json_writer_int (pretty, 1);
  pt_json_writer_end_object (pretty);
  pt_json_writer_end_array (pretty);
  pretty_text = pt_json_writer_free_to_string (pretty);
  g_assert_cmpstr (pretty_text, ==, "[\n  {\n    \"k\" : 1\n  }\n]");
}

static void
test_saved_connections (void)
{
  g_autoptr(GSettings) settings = g_settings_new (PT_SETTINGS_SCHEMA);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) uris = NULL;
  g_autofree char *joined = NULL;
  static const struct {
    const char *uri;
    gboolean valid;
  } cases[] = {
    { "qemu+ssh://root@server.example/system", TRUE },
    { "qemu+ssh://user@[fe80::1]:2222/system?keyfile=/home/u/.ssh/id", TRUE },
    { "test:///tmp/host.xml", TRUE },
    { "qemu:///session", TRUE },
    { "server.example", FALSE },
    { "qemu+ssh://", TRUE },
    { "qemu ssh://host/system", FALSE },
    { "foo://bar", FALSE },
    { "xen+ssh://root@dom0/system", TRUE },
    { "", FALSE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) validate_error = NULL;

      g_test_message ("case %u: %s", i, cases[i].uri);
      g_assert_cmpint (pt_connection_uri_validate (cases[i].uri, &validate_error), ==,
                       cases[i].valid);
      if (!cases[i].valid)
        g_assert_nonnull (strstr (validate_error->message, "qemu+ssh://user@host/system"));
      if (g_str_equal (cases[i].uri, "foo://bar"))
        g_assert_nonnull (strstr (validate_error->message, "“foo” is not a libvirt hypervisor driver"));
    }

  g_assert_true (pt_saved_connections_add (settings, "qemu+ssh://root@a/system", &error));
  g_assert_true (pt_saved_connections_add (settings, "qemu+ssh://root@b/system", &error));
  g_assert_true (pt_saved_connections_add (settings, "qemu+ssh://root@a/system", &error));
  g_assert_false (pt_saved_connections_add (settings, "not a uri", &error));
  g_assert_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (pt_saved_connections_remove (settings, "qemu:///system", &error));
  g_clear_error (&error);

  uris = pt_saved_connections_get (settings);
  joined = g_strjoinv (" ", uris);
  g_assert_cmpstr (joined, ==,
                   "qemu:///system qemu:///session qemu+ssh://root@a/system qemu+ssh://root@b/system");

  g_assert_true (pt_saved_connections_remove (settings, "qemu+ssh://root@a/system", &error));
  g_clear_pointer (&uris, g_strfreev);
  g_clear_pointer (&joined, g_free);
  uris = pt_saved_connections_get (settings);
  joined = g_strjoinv (" ", uris);
  g_assert_cmpstr (joined, ==, "qemu:///system qemu:///session qemu+ssh://root@b/system");
}

/* The connection switcher names machines, not URIs. */
static void
test_connection_names (void)
{
  static const struct {
    const char *uri;
    const char *name;
  } cases[] = {
    { "qemu:///system", "This Computer" },
    { "qemu:///session", "This Computer (User Session)" },
    { "qemu+ssh://root@server.example/system", "root@server.example" },
    { "qemu+ssh://server.example/system", "server.example" },
    { "qemu+ssh://user@[fe80::1]:2222/system?keyfile=/home/u/.ssh/id", "user@[fe80::1]:2222" },
    { "test+ssh://remote/x.xml", "test+ssh://remote/x.xml" },
    { "test:///", "test:///" },
    { "qemu+tls://gpu-box/session", "gpu-box (User Session)" },
    { "test:///tmp/lab/desktop-node.xml", "Test Host (desktop-node.xml)" },
    { "qemu+ssh://", "qemu+ssh://" },
    { "qemu:///embed?root=/tmp/x", "qemu:///embed?root=/tmp/x" },
    { "xen:///system", "xen:///system" },
    { "not a uri", "not a uri" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = pt_connection_uri_describe (cases[i].uri);

      g_assert_cmpstr (name, ==, cases[i].name);
    }
}

/* The review's Undo undoes the change the helper says it recorded. */
static void
test_helper_recorded_change (void)
{
  g_assert_cmpuint (pt_helper_client_recorded_change (
                      "Turn the IOMMU on.\nchange 12 recorded; “passthroughctl boot undo 12” undoes it\n"
                      "restart to use the new boot configuration\n"), ==, 12);
  g_assert_cmpuint (pt_helper_client_recorded_change ("change 3 recorded"), ==, 3);
  g_assert_cmpuint (pt_helper_client_recorded_change ("Give IOMMU group 2 to virtual machines.\n"), ==, 0);
  g_assert_cmpuint (pt_helper_client_recorded_change ("change 0 recorded\n"), ==, 0);
  g_assert_cmpuint (pt_helper_client_recorded_change ("change -1 recorded\n"), ==, 0);
  g_assert_cmpuint (pt_helper_client_recorded_change ("change 99999999999 recorded\n"), ==, 0);
  g_assert_cmpuint (pt_helper_client_recorded_change ("change 5 was not recorded\n"), ==, 0);
  g_assert_cmpuint (pt_helper_client_recorded_change ("change"), ==, 0);
  g_assert_cmpuint (pt_helper_client_recorded_change (""), ==, 0);
  g_assert_cmpuint (pt_helper_client_recorded_change (NULL), ==, 0);
}

/* Every way a helper run can end becomes an error a person can act on. */
static void
test_helper_exit_statuses (void)
{
  const struct {
    int status;
    int code;
    const char *says;
  } cases[] = {
    { PT_HELPER_EXIT_USAGE, PT_ERROR_INVALID_ARGUMENT, "nothing was changed" },
    { PT_HELPER_EXIT_REFUSED, PT_ERROR_NOT_SUPPORTED, "Nothing was changed" },
    { PT_HELPER_EXIT_NOT_FOUND, PT_ERROR_NOT_FOUND, "Nothing was changed" },
    { PT_HELPER_EXIT_ROLLED_BACK, PT_ERROR_FAILED, "put back" },
    { PT_HELPER_EXIT_INCONSISTENT, PT_ERROR_FAILED, "could not be fully put back" },
    { PT_HELPER_EXIT_RECOVERED, PT_ERROR_FAILED, "was put back first" },
    { PT_HELPER_EXIT_RECOVERY_FAILED, PT_ERROR_FAILED, "could not be fully put back" },
    { PT_HELPER_EXIT_LOCKED, PT_ERROR_BUSY, "Another change" },
    { PT_HELPER_EXIT_NOT_ROOT, PT_ERROR_PERMISSION_DENIED, "pkexec" },
    { 126, PT_ERROR_CANCELLED, "dismissed" },
    { 127, PT_ERROR_PERMISSION_DENIED, "not allowed" },
    { 128 + 9, PT_ERROR_FAILED, "stopped unexpectedly" },
  };
  guint i;

  g_assert_null (pt_helper_client_error_for_status (0, ""));
  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = pt_helper_client_error_for_status (cases[i].status,
                                                                 "passthrough-helper: the detail\n");

      g_assert_error (error, PT_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].says));
      /* What a recovery did is never reported as "nothing was changed". */
      if (cases[i].status == PT_HELPER_EXIT_RECOVERED || cases[i].status == PT_HELPER_EXIT_RECOVERY_FAILED)
        g_assert_null (strstr (error->message, "othing was changed"));
      if (cases[i].status != 126 && cases[i].status != 127)
        g_assert_true (g_str_has_prefix (error->message, "the detail\n"));
    }
}

static void
test_managed_files (void)
{
  const char *editable[] = {
    "/etc/default/grub", "/etc/default/grub.d/50-cloudimg-settings.cfg", "/etc/kernel/cmdline",
    "/boot/loader/entries/arch.conf", "/etc/modprobe.d/passthrough-vfio.conf",
  };
  const char *refused[] = {
    "/etc/passwd", "etc/default/grub", "/etc/default/grub.d/../../shadow", "/etc/default/grub.d/x.sh",
    "/etc/default/grub.d/sub/x.cfg", "/etc/default/grub.d/.hidden.cfg", "/etc//default/grub",
    "/boot/loader/entries/../../vmlinuz.conf", "/etc/default/grub.d/./x.cfg", "",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (editable); i++)
    g_assert_true (pt_managed_file_is_editable (editable[i]));
  for (i = 0; i < G_N_ELEMENTS (refused); i++)
    g_assert_false (pt_managed_file_is_editable (refused[i]));
  g_assert_true (pt_managed_command_is_allowed ("update-grub"));
  g_assert_false (pt_managed_command_is_allowed ("sh"));
  g_assert_false (pt_managed_command_is_allowed ("/usr/sbin/update-grub"));
  g_assert_true (pt_managed_command_is_regenerator ("grub2-mkconfig"));
  g_assert_false (pt_managed_command_is_regenerator ("grubby"));

  /* Read back after regenerating: grub.cfg where each distribution keeps it. */
  g_assert_true (pt_managed_file_is_verifiable ("/boot/grub/grub.cfg"));
  g_assert_true (pt_managed_file_is_verifiable ("/boot/efi/EFI/openEuler/grub.cfg"));
  g_assert_true (pt_managed_file_is_verifiable ("/etc/default/grub"));
  g_assert_false (pt_managed_file_is_verifiable ("/boot/efi/EFI/../../etc/shadow"));
  g_assert_false (pt_managed_file_is_verifiable ("/boot/efi/EFI/a/b/grub.cfg"));
  g_assert_false (pt_managed_file_is_verifiable ("/etc/shadow"));
  g_assert_false (pt_managed_file_is_editable ("/boot/grub/grub.cfg"));
  /* Only the hooks that must run are created executable. */
  g_assert_cmpuint (pt_managed_file_new_mode ("/etc/initramfs-tools/hooks/passthrough-vfio"), ==, 0755);
  g_assert_cmpuint (pt_managed_file_new_mode ("/etc/grub.d/42_passthrough-off"), ==, 0755);
  g_assert_cmpuint (pt_managed_file_new_mode ("/etc/udev/rules.d/60-passthrough-vfio.rules"), ==, 0644);
  g_assert_false (pt_managed_file_is_editable ("/etc/grub.d/40_custom"));
}

static void
test_reset_quirks (void)
{
  /* One of each family vendor-reset handles. */
  const guint vendor_reset[] = {
    0x67df, 0x6fdf, 0x67ef, 0x699f, 0x6860, 0x687f, 0x66af, 0x7310, 0x731f, 0x7340, 0x7362,
  };
  const char * const device_specific[] = { "device_specific", "bus", NULL };
  const char * const bus_first[] = { "bus", "device_specific", NULL };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (vendor_reset); i++)
    {
      g_test_message ("1002:%04x", vendor_reset[i]);
      g_assert_nonnull (pt_reset_quirks_lookup (0x1002, vendor_reset[i], NULL));
      g_assert_nonnull (pt_reset_quirks_lookup (0x1002, vendor_reset[i], bus_first));
      /* vendor-reset's reset in force: nothing to warn about. */
      g_assert_null (pt_reset_quirks_lookup (0x1002, vendor_reset[i], device_specific));
    }
  /* Navi 21 (RX 6800) resets by itself; a kernel quirk is not vendor-reset's to fix. */
  g_assert_null (pt_reset_quirks_lookup (0x1002, 0x73bf, NULL));
  g_assert_nonnull (pt_reset_quirks_lookup (0x168c, 0x0030, device_specific));
}

/* The Add Connection form's fields into a URI, as virt-manager does. */
static void
test_connection_uri_build (void)
{
  static const struct
  {
    gboolean ssh;
    const char *user;
    const char *host;
    guint port;
    const char *uri;   /* NULL: refused */
  } cases[] = {
    { FALSE, NULL, NULL, 0, "qemu:///system" },
    { FALSE, "root", "ignored", 2222, "qemu:///system" },
    { TRUE, "root", "server", 0, "qemu+ssh://root@server/system" },
    { TRUE, "root", "server", 22, "qemu+ssh://root@server/system" },
    { TRUE, "", "server.example.com", 2222, "qemu+ssh://server.example.com:2222/system" },
    { TRUE, NULL, " 192.168.1.10 ", 0, "qemu+ssh://192.168.1.10/system" },
    { TRUE, "admin", "fe80::1", 0, "qemu+ssh://admin@[fe80::1]/system" },
    { TRUE, "root", "", 0, NULL },
    { TRUE, "root", NULL, 0, NULL },
    { TRUE, "root", "two words", 0, NULL },
    { TRUE, "root", "host/path", 0, NULL },
    { TRUE, "root", "user@host", 0, NULL },
    { TRUE, "root", "host:22", 0, NULL },
    { TRUE, "ro ot", "server", 0, NULL },
    { TRUE, "root:secret", "server", 0, NULL },
    { TRUE, "root", "server", 70000, NULL },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *uri = pt_connection_uri_build (cases[i].ssh, cases[i].user, cases[i].host,
                                                      cases[i].port, &error);

      g_test_message ("%s %s@%s:%u", cases[i].ssh ? "ssh" : "local", cases[i].user,
                      cases[i].host, cases[i].port);
      g_assert_cmpstr (uri, ==, cases[i].uri);
      if (cases[i].uri == NULL)
        g_assert_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT);
      else
        {
          g_assert_no_error (error);
          g_assert_true (pt_connection_uri_validate (uri, NULL));
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  /* Change times are checked in UTC. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kernel-cmdline/split", test_cmdline_split);
  g_test_add_func ("/kernel-cmdline/values", test_cmdline_values);
  g_test_add_func ("/sysfs/parse-hex", test_parse_hex);
  g_test_add_func ("/sysfs/pci-address", test_pci_address);
  g_test_add_func ("/sysfs/pci-address-normalize", test_pci_address_normalize);
  g_test_add_func ("/change-history/time", test_change_time);
  g_test_add_func ("/sysfs/last-pci-address", test_last_pci_address);
  g_test_add_func ("/modalias/lookup", test_modalias);
  g_test_add_func ("/checks/cpu-vendor", test_cpu_vendor);
  g_test_add_func ("/json-writer/output", test_json_writer);
  g_test_add_func ("/json-writer/stream", test_json_writer_stream);
  g_test_add_func ("/modalias/format", test_modalias_format);
  g_test_add_func ("/saved-connections/add-remove", test_saved_connections);
  g_test_add_func ("/saved-connections/names", test_connection_names);
  g_test_add_func ("/saved-connections/uri-build", test_connection_uri_build);
  g_test_add_func ("/helper-client/exit-statuses", test_helper_exit_statuses);
  g_test_add_func ("/helper-client/recorded-change", test_helper_recorded_change);
  g_test_add_func ("/managed-files/allowlist", test_managed_files);
  g_test_add_func ("/reset-quirks/lookup", test_reset_quirks);

  return g_test_run ();
}
