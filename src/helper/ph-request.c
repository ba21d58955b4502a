/* ph-request.c
 *
 * The helper's command line, parsed strictly: a fixed group and verb, a PCI
 * address in the kernel's exact form, decimal counts in range, a few known
 * flags, each at most once. Anything else — traversal, shell characters,
 * overlong or non-ASCII arguments, a repeated or unknown flag — is refused
 * before anything is read. Fuzzed by tests/fuzz/fuzz-helper-request.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ph-request.h"
#include "pt-error.h"
#include "pt-sysfs.h"

typedef struct
{
  const char *group;
  const char *verb;
  PhVerb id;
  int n_args;            /* positional arguments after the verb (max) */
  int n_required;
  const char *flags[2];
} VerbSpec;

static const VerbSpec verbs[] = {
  { "bind-devices", "bind", PH_VERB_BIND, 1, 1, { NULL, NULL } },
  /* Taking what the host uses is its own polkit action, asked every time. */
  { "bind-devices-force", "bind", PH_VERB_BIND, 1, 1, { NULL, NULL } },
  { "bind-devices", "return", PH_VERB_RETURN, 1, 1, { "--device-only", NULL } },
  { "sriov", "set-vfs", PH_VERB_SET_VFS, 2, 2, { "--keep-vfs-free", NULL } },
  { "configure-boot", "enable-iommu", PH_VERB_ENABLE_IOMMU, 0, 0, { NULL, NULL } },
  { "configure-boot", "early-bind-ids", PH_VERB_EARLY_BIND_IDS, PH_MAX_ADDRESSES, 1, { NULL, NULL } },
  { "configure-boot", "early-bind-addresses", PH_VERB_EARLY_BIND_ADDRESSES, PH_MAX_ADDRESSES, 1, { NULL, NULL } },
  { "configure-boot", "boot-once-without", PH_VERB_BOOT_ONCE_WITHOUT, 0, 0, { NULL, NULL } },
  { "configure-boot", "undo", PH_VERB_UNDO, 1, 0, { NULL, NULL } },
  { "configure-boot", "history", PH_VERB_HISTORY, 0, 0, { NULL, NULL } },
};

/* The kernel's form exactly: dddd:bb:ss.f, lower-case hex, slot up to 1f. */
gboolean
ph_is_pci_address (const char *text)
{
  return pt_sysfs_is_pci_address (text);
}

static gboolean
parse_decimal (const char *text,
               guint64     max,
               guint64    *value)
{
  guint64 v = 0;
  gsize i, n = strlen (text);

  if (n == 0 || n > 10 || (n > 1 && text[0] == '0'))
    return FALSE;

  for (i = 0; i < n; i++)
    {
      if (text[i] < '0' || text[i] > '9')
        return FALSE;
      v = v * 10 + (guint64) (text[i] - '0');
    }

  if (v > max)
    return FALSE;
  *value = v;
  return TRUE;
}

static gboolean
is_plain_ascii (const char *text)
{
  for (; *text != '\0'; text++)
    if ((guchar) *text < 0x21 || (guchar) *text > 0x7e)
      return FALSE;
  return TRUE;
}

static gboolean
fail (GError     **error,
      const char  *format,
      ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError     **error,
      const char  *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

static gboolean
set_flag (PhRequest  *request,
          const char *flag,
          GError    **error)
{
  gboolean *target = NULL;

  if (g_str_equal (flag, "--device-only"))
    target = &request->device_only;
  else if (g_str_equal (flag, "--keep-vfs-free"))
    target = &request->keep_vfs_free;
  else if (g_str_equal (flag, "--dry-run"))
    target = &request->dry_run;
  else if (g_str_equal (flag, "--json"))
    target = &request->json;

  g_assert (target != NULL);
  if (*target)
    return fail (error, "%s is given twice", flag);
  *target = TRUE;
  return TRUE;
}

/**
 * ph_request_parse:
 * Fills @request from `passthrough-helper GROUP VERB [ARGS…] [FLAGS…]`.
 */
gboolean
ph_request_parse (int          argc,
                  char       **argv,
                  PhRequest   *request,
                  GError     **error)
{
  const VerbSpec *spec = NULL;
  const char *positional[PH_MAX_ADDRESSES] = { NULL };
  int n_positional = 0;
  int i;
  const int first = 1;
  gsize v;

  memset (request, 0, sizeof *request);

  if (argc > 16)
    return fail (error, "too many arguments");

  for (i = first; i < argc; i++)
    {
      if (argv[i] == NULL || strlen (argv[i]) > PH_MAX_ARG_LEN)
        return fail (error, "argument %d is longer than %d characters", i, PH_MAX_ARG_LEN);
      if (!is_plain_ascii (argv[i]))
        return fail (error, "argument %d has characters other than printable ASCII", i);
    }

  if (argc - first < 2)
    return fail (error, "usage: passthrough-helper bind-devices|bind-devices-force|sriov|configure-boot VERB [ARGUMENTS]");

  for (v = 0; v < G_N_ELEMENTS (verbs); v++)
    if (g_str_equal (argv[first], verbs[v].group) && g_str_equal (argv[first + 1], verbs[v].verb))
      spec = &verbs[v];
  if (spec == NULL)
    return fail (error, "unknown action “%s %s”", argv[first], argv[first + 1]);

  request->verb = spec->id;
  request->force = g_str_equal (spec->group, "bind-devices-force");
  for (i = first + 2; i < argc; i++)
    {
      const char *arg = argv[i];

      if (arg[0] == '-')
        {
          if (g_str_equal (arg, "--dry-run") || g_str_equal (arg, "--json") ||
              (spec->flags[0] != NULL && g_str_equal (arg, spec->flags[0])))
            {
              if (!set_flag (request, arg, error))
                return FALSE;
              continue;
            }
          if (spec->id == PH_VERB_BIND && g_str_equal (arg, "--force"))
            return fail (error, "--force has an authorisation of its own: run "
                         "“bind-devices-force bind ADDRESS” instead");
          return fail (error, "“%s %s” has no option “%s”", spec->group, spec->verb, arg);
        }

      if (n_positional == spec->n_args)
        return fail (error, "“%s %s” takes %d argument(s); “%s” is one too many",
                     spec->group, spec->verb, spec->n_args, arg);
      positional[n_positional++] = arg;
    }

  if (n_positional < spec->n_required)
    return fail (error, "“%s %s” needs %d argument(s)", spec->group, spec->verb, spec->n_required);

  switch (spec->id)
    {
    case PH_VERB_BIND:
    case PH_VERB_RETURN:
    case PH_VERB_SET_VFS:
      if (!ph_is_pci_address (positional[0]))
        return fail (error, "“%s” is not a PCI address like 0000:01:00.0", positional[0]);
      memcpy (request->address, positional[0], PH_ADDRESS_LEN + 1);
      if (spec->id == PH_VERB_SET_VFS)
        {
          guint64 count;

          if (!parse_decimal (positional[1], PH_MAX_VFS, &count))
            return fail (error, "“%s” is not a count of virtual functions (0 to %d)",
                         positional[1], PH_MAX_VFS);
          request->count = (int) count;
        }
      break;

    case PH_VERB_EARLY_BIND_IDS:
    case PH_VERB_EARLY_BIND_ADDRESSES:
      for (i = 0; i < n_positional; i++)
        {
          int j;

          if (!ph_is_pci_address (positional[i]))
            return fail (error, "“%s” is not a PCI address like 0000:01:00.0", positional[i]);
          for (j = 0; j < i; j++)
            if (g_str_equal (positional[i], positional[j]))
              return fail (error, "%s is given twice", positional[i]);
          memcpy (request->addresses[i], positional[i], PH_ADDRESS_LEN + 1);
        }
      request->n_addresses = n_positional;
      break;

    case PH_VERB_UNDO:
      if (positional[0] != NULL)
        {
          guint64 id;

          if (!parse_decimal (positional[0], G_MAXINT, &id) || id == 0)
            return fail (error, "“%s” is not a change number from “history”", positional[0]);
          request->change_id = (guint) id;
        }
      break;

    case PH_VERB_ENABLE_IOMMU:
    case PH_VERB_BOOT_ONCE_WITHOUT:
    case PH_VERB_HISTORY:
    default:
      break;
    }

  return TRUE;
}

