/* pt-host-change.c
 *
 * A change to the host, typed: what the root helper's argv says, what the
 * `passthroughctl` command line says, how it is planned and what undoes it,
 * all from one table. The helper parses its argv through
 * pt_host_change_parse_argv(), strictly: a fixed group and verb, PCI
 * addresses in the kernel's exact form, decimal numbers in range, a few
 * known flags, each at most once. Anything else — traversal, shell
 * characters, overlong or non-ASCII arguments, a repeated or unknown flag —
 * is refused before anything is read. Fuzzed by
 * tests/fuzz/fuzz-helper-request.c.
 *
 * Adding a kind of change is a row in `kinds` and its plan function in
 * pt-host-change-plan.c (apart, so that the helper's parser builds alone
 * for the fuzzer).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough-core"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pt-error.h"
#include "pt-host-change.h"
#include "pt-sysfs.h"

typedef enum
{
  SHAPE_NONE,           /* no arguments */
  SHAPE_ADDRESS,        /* ADDRESS */
  SHAPE_ADDRESS_COUNT,  /* ADDRESS COUNT */
  SHAPE_ADDRESSES,      /* ADDRESS… (1 to PT_HOST_CHANGE_MAX_ADDRESSES) */
  SHAPE_OPTIONAL_ID,    /* [ID] */
} Shape;

typedef enum
{
  INVERSE_NONE,         /* nothing here undoes it */
  INVERSE_OTHER_KIND,   /* the kind named in `inverse`, same addresses */
  INVERSE_UNDO,         /* the undo of the boot change the helper recorded */
} Inverse;

typedef struct
{
  PtHostChangeKind kind;
  const char *group;          /* the helper's argv[1]: it chooses the polkit action */
  const char *force_group;    /* argv[1] with PT_HOST_CHANGE_FORCE, its own action; or NULL */
  const char *verb;           /* the helper's argv[2] */
  Shape shape;
  PtHostChangeFlags flags;    /* allowed besides --dry-run and --json */
  const char *command;        /* the passthroughctl words */
  Inverse inverse_type;
  PtHostChangeKind inverse;
  gboolean writes;            /* FALSE: it only reads (the history) */
  gboolean boot;              /* planned from the host's files, not from its devices */
} KindSpec;

static const KindSpec kinds[] = {
  { PT_HOST_CHANGE_BIND, "bind-devices", "bind-devices-force", "bind", SHAPE_ADDRESS,
    PT_HOST_CHANGE_FORCE, "bind", INVERSE_OTHER_KIND, PT_HOST_CHANGE_RETURN, TRUE, FALSE },
  { PT_HOST_CHANGE_RETURN, "bind-devices", NULL, "return", SHAPE_ADDRESS,
    PT_HOST_CHANGE_DEVICE_ONLY, "unbind", INVERSE_OTHER_KIND, PT_HOST_CHANGE_BIND, TRUE, FALSE },
  { PT_HOST_CHANGE_SET_VFS, "sriov", NULL, "set-vfs", SHAPE_ADDRESS_COUNT,
    PT_HOST_CHANGE_KEEP_VFS_FREE, "vfs", INVERSE_NONE, 0, TRUE, FALSE },
  { PT_HOST_CHANGE_ENABLE_IOMMU, "configure-boot", NULL, "enable-iommu", SHAPE_NONE,
    0, "boot enable-iommu", INVERSE_UNDO, 0, TRUE, TRUE },
  { PT_HOST_CHANGE_EARLY_BIND_IDS, "configure-boot", NULL, "early-bind-ids", SHAPE_ADDRESSES,
    0, "boot early-bind --by-id", INVERSE_UNDO, 0, TRUE, TRUE },
  { PT_HOST_CHANGE_EARLY_BIND_ADDRESSES, "configure-boot", NULL, "early-bind-addresses", SHAPE_ADDRESSES,
    0, "boot early-bind --by-address", INVERSE_UNDO, 0, TRUE, TRUE },
  { PT_HOST_CHANGE_BOOT_ONCE_WITHOUT, "configure-boot", NULL, "boot-once-without", SHAPE_NONE,
    0, "boot once-without", INVERSE_NONE, 0, TRUE, TRUE },
  { PT_HOST_CHANGE_UNDO, "configure-boot", NULL, "undo", SHAPE_OPTIONAL_ID,
    0, "boot undo", INVERSE_NONE, 0, TRUE, TRUE },
  { PT_HOST_CHANGE_HISTORY, "configure-boot", NULL, "history", SHAPE_NONE,
    0, "boot history", INVERSE_NONE, 0, FALSE, TRUE },
};

/* The words of the flags, in the order they are written. FORCE is written
 * as the helper's group, and as --force on the passthroughctl line. */
static const struct
{
  PtHostChangeFlags flag;
  const char *word;
} flag_words[] = {
  { PT_HOST_CHANGE_FORCE, "--force" },
  { PT_HOST_CHANGE_DEVICE_ONLY, "--device-only" },
  { PT_HOST_CHANGE_KEEP_VFS_FREE, "--keep-vfs-free" },
  { PT_HOST_CHANGE_DRY_RUN, "--dry-run" },
  { PT_HOST_CHANGE_JSON, "--json" },
};

#define ALWAYS_ALLOWED (PT_HOST_CHANGE_DRY_RUN | PT_HOST_CHANGE_JSON)

static const KindSpec *
spec_for (PtHostChangeKind kind)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (kinds[i].kind == kind)
      return &kinds[i];
  g_return_val_if_reached (NULL);
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

/* Decimal, no sign, no leading zero, at most @max. */
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

static void
shape_range (Shape  shape,
             guint *least,
             guint *most)
{
  static const guint ranges[][2] = {
    [SHAPE_NONE] = { 0, 0 },
    [SHAPE_ADDRESS] = { 1, 1 },
    [SHAPE_ADDRESS_COUNT] = { 2, 2 },
    [SHAPE_ADDRESSES] = { 1, PT_HOST_CHANGE_MAX_ADDRESSES },
    [SHAPE_OPTIONAL_ID] = { 0, 1 },
  };

  *least = ranges[shape][0];
  *most = ranges[shape][1];
}

static gboolean
check_addresses (PtHostChange        *change,
                 const char * const  *addresses,
                 guint                n,
                 GError             **error)
{
  guint i, j;

  for (i = 0; i < n; i++)
    {
      if (!pt_sysfs_is_pci_address (addresses[i]))
        return fail (error, "“%s” is not a PCI address like 0000:01:00.0", addresses[i]);
      for (j = 0; j < i; j++)
        if (g_str_equal (addresses[i], addresses[j]))
          return fail (error, "%s is given twice", addresses[i]);
      memcpy (change->addresses[i], addresses[i], PT_HOST_CHANGE_ADDRESS_LEN + 1);
    }
  change->n_addresses = n;
  return TRUE;
}

/**
 * pt_host_change_init:
 * @addresses: (nullable): the PCI addresses the change is about
 * @count: the number of virtual functions (SET_VFS)
 * @change_id: the boot change to undo, 0 for the latest (UNDO)
 *
 * Fills @change, checking what the helper's parser would check.
 *
 * Returns: %FALSE with @error (PT_ERROR_INVALID_ARGUMENT) for a change the
 *   helper would refuse to parse
 */
gboolean
pt_host_change_init (PtHostChange        *change,
                     PtHostChangeKind     kind,
                     const char * const  *addresses,
                     int                  count,
                     guint                change_id,
                     PtHostChangeFlags    flags,
                     GError             **error)
{
  const KindSpec *spec = spec_for (kind);
  guint n = addresses != NULL ? g_strv_length ((char **) addresses) : 0;
  guint least, most;
  guint i;

  memset (change, 0, sizeof *change);
  change->kind = kind;
  shape_range (spec->shape, &least, &most);
  if (spec->shape == SHAPE_ADDRESS_COUNT)
    least = most = 1;
  if (spec->shape == SHAPE_OPTIONAL_ID)
    least = most = 0;
  if (n < least || n > most)
    return fail (error, "“%s” takes %u to %u addresses, not %u", spec->command, least, most, n);
  if (!check_addresses (change, addresses, n, error))
    return FALSE;

  if (spec->shape == SHAPE_ADDRESS_COUNT && (count < 0 || count > PT_HOST_CHANGE_MAX_VFS))
    return fail (error, "“%d” is not a count of virtual functions (0 to %d)", count, PT_HOST_CHANGE_MAX_VFS);
  change->count = spec->shape == SHAPE_ADDRESS_COUNT ? count : 0;
  if (spec->shape == SHAPE_OPTIONAL_ID && change_id > G_MAXINT)
    return fail (error, "“%u” is not a change number from “history”", change_id);
  change->change_id = spec->shape == SHAPE_OPTIONAL_ID ? change_id : 0;

  for (i = 0; i < G_N_ELEMENTS (flag_words); i++)
    if ((flags & flag_words[i].flag) && !(flag_words[i].flag & (spec->flags | ALWAYS_ALLOWED)))
      return fail (error, "“%s” has no option “%s”", spec->command, flag_words[i].word);
  change->flags = flags;
  return TRUE;
}

/**
 * pt_host_change_for_give:
 * @addresses: the devices given, the device the Give began from first
 * @choice: what the person chose
 *
 * The host change a Give needs after the VM's definition has the devices:
 * binding them at every boot when chosen; binding the group now when
 * libvirt will not (unmanaged) and the device is not on vfio-pci yet, with
 * %PT_HOST_CHANGE_FORCE when the host uses the group and that risk was
 * accepted, as `passthroughctl bind --force` (the helper's own
 * authorisation for what the host uses). Other accepted risks (a group
 * mate left out, a state that cannot be seen) never force: the helper's
 * own check of what the host uses still stands.
 *
 * @needed: (out): set to whether the host needs a change; %FALSE, with
 *   %TRUE returned, when it needs nothing
 *
 * Returns: %FALSE with @error set when the change cannot be made (more
 *   addresses than one change takes)
 */
gboolean
pt_host_change_for_give (PtHostChange        *change,
                         const char * const  *addresses,
                         PtGiveChoice         choice,
                         gboolean            *needed,
                         GError             **error)
{
  const char *first[] = { addresses[0], NULL };

  *needed = (choice & PT_GIVE_AT_EVERY_BOOT) || !(choice & (PT_GIVE_MANAGED | PT_GIVE_ON_VFIO));
  if (!*needed)
    return TRUE;
  if (g_strv_length ((char **) addresses) > PT_HOST_CHANGE_MAX_ADDRESSES)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("One change binds at most %d devices at every boot: choose fewer, or let libvirt "
                     "bind them when the virtual machine starts."), PT_HOST_CHANGE_MAX_ADDRESSES);
      return FALSE;
    }
  if (choice & PT_GIVE_AT_EVERY_BOOT)
    return pt_host_change_init (change, PT_HOST_CHANGE_EARLY_BIND_ADDRESSES, addresses, 0, 0,
                                PT_HOST_CHANGE_FLAGS_NONE, error);
  /* Binding takes the whole group from one address. */
  return pt_host_change_init (change, PT_HOST_CHANGE_BIND, first, 0, 0,
                              (choice & PT_GIVE_ACKNOWLEDGED) && (choice & PT_GIVE_HOST_USES)
                                ? PT_HOST_CHANGE_FORCE : PT_HOST_CHANGE_FLAGS_NONE,
                              error);
}

/**
 * pt_host_change_parse_argv:
 * Fills @change from `passthrough-helper GROUP VERB [ARGS…] [FLAGS…]`,
 * strictly; the helper's only parser.
 */
gboolean
pt_host_change_parse_argv (int            argc,
                           char         **argv,
                           PtHostChange  *change,
                           GError       **error)
{
  const KindSpec *spec = NULL;
  const char *positional[PT_HOST_CHANGE_MAX_ADDRESSES + 1] = { NULL };
  guint n_positional = 0;
  guint least, most;
  int i;
  const int first = 1;
  gsize v;

  memset (change, 0, sizeof *change);

  if (argc > 16)
    return fail (error, "too many arguments");

  for (i = first; i < argc; i++)
    {
      if (argv[i] == NULL || strlen (argv[i]) > PT_HOST_CHANGE_MAX_ARG_LEN)
        return fail (error, "argument %d is longer than %d characters", i, PT_HOST_CHANGE_MAX_ARG_LEN);
      if (!is_plain_ascii (argv[i]))
        return fail (error, "argument %d has characters other than printable ASCII", i);
    }

  if (argc - first < 2)
    return fail (error, "usage: passthrough-helper bind-devices|bind-devices-force|sriov|configure-boot VERB [ARGUMENTS]");

  for (v = 0; v < G_N_ELEMENTS (kinds); v++)
    if (g_str_equal (argv[first + 1], kinds[v].verb))
      {
        if (g_str_equal (argv[first], kinds[v].group))
          spec = &kinds[v];
        else if (kinds[v].force_group != NULL && g_str_equal (argv[first], kinds[v].force_group))
          {
            spec = &kinds[v];
            change->flags |= PT_HOST_CHANGE_FORCE;
          }
      }
  if (spec == NULL)
    return fail (error, "unknown action “%s %s”", argv[first], argv[first + 1]);

  change->kind = spec->kind;
  shape_range (spec->shape, &least, &most);
  for (i = first + 2; i < argc; i++)
    {
      const char *arg = argv[i];

      if (arg[0] == '-')
        {
          PtHostChangeFlags flag = 0;

          for (v = 0; v < G_N_ELEMENTS (flag_words); v++)
            if (g_str_equal (arg, flag_words[v].word) && flag_words[v].flag != PT_HOST_CHANGE_FORCE &&
                (flag_words[v].flag & (spec->flags | ALWAYS_ALLOWED)))
              flag = flag_words[v].flag;
          if (flag != 0)
            {
              if (change->flags & flag)
                return fail (error, "%s is given twice", arg);
              change->flags |= flag;
              continue;
            }
          if (spec->force_group != NULL && g_str_equal (arg, "--force"))
            return fail (error, "--force has an authorisation of its own: run "
                         "“%s %s ADDRESS” instead", spec->force_group, spec->verb);
          return fail (error, "“%s %s” has no option “%s”", argv[first], spec->verb, arg);
        }

      if (n_positional == most)
        return fail (error, "“%s %s” takes %u argument(s); “%s” is one too many",
                     argv[first], spec->verb, most, arg);
      positional[n_positional++] = arg;
    }

  if (n_positional < least)
    return fail (error, "“%s %s” needs %u argument(s)", argv[first], spec->verb, least);

  switch (spec->shape)
    {
    case SHAPE_ADDRESS:
    case SHAPE_ADDRESSES:
      return check_addresses (change, positional, n_positional, error);

    case SHAPE_ADDRESS_COUNT:
      {
        guint64 count;

        if (!check_addresses (change, positional, 1, error))
          return FALSE;
        if (!parse_decimal (positional[1], PT_HOST_CHANGE_MAX_VFS, &count))
          return fail (error, "“%s” is not a count of virtual functions (0 to %d)",
                       positional[1], PT_HOST_CHANGE_MAX_VFS);
        change->count = (int) count;
        return TRUE;
      }

    case SHAPE_OPTIONAL_ID:
      if (positional[0] != NULL)
        {
          guint64 id;

          if (!parse_decimal (positional[0], G_MAXINT, &id) || id == 0)
            return fail (error, "“%s” is not a change number from “history”", positional[0]);
          change->change_id = (guint) id;
        }
      return TRUE;

    case SHAPE_NONE:
    default:
      return TRUE;
    }
}

/* The arguments after the words, shared by the helper's argv and the command line. */
static void
append_arguments (const PtHostChange *change,
                  GPtrArray          *words,
                  gboolean            force_word)
{
  const KindSpec *spec = spec_for (change->kind);
  guint i;

  for (i = 0; i < change->n_addresses; i++)
    g_ptr_array_add (words, g_strdup (change->addresses[i]));
  if (spec->shape == SHAPE_ADDRESS_COUNT)
    g_ptr_array_add (words, g_strdup_printf ("%d", change->count));
  if (spec->shape == SHAPE_OPTIONAL_ID && change->change_id != 0)
    g_ptr_array_add (words, g_strdup_printf ("%u", change->change_id));
  for (i = 0; i < G_N_ELEMENTS (flag_words); i++)
    if ((change->flags & flag_words[i].flag) &&
        (force_word || flag_words[i].flag != PT_HOST_CHANGE_FORCE))
      g_ptr_array_add (words, g_strdup (flag_words[i].word));
}

/**
 * pt_host_change_to_argv:
 *
 * Returns: (transfer full): the helper's arguments (without argv[0]) that
 *   make @change; pt_host_change_parse_argv() reads them back
 */
GStrv
pt_host_change_to_argv (const PtHostChange *change)
{
  const KindSpec *spec = spec_for (change->kind);
  GPtrArray *words = g_ptr_array_new ();
  gboolean forced = (change->flags & PT_HOST_CHANGE_FORCE) && spec->force_group != NULL;

  g_ptr_array_add (words, g_strdup (forced ? spec->force_group : spec->group));
  g_ptr_array_add (words, g_strdup (spec->verb));
  append_arguments (change, words, FALSE);
  g_ptr_array_add (words, NULL);
  return (GStrv) g_ptr_array_free (words, FALSE);
}

/**
 * pt_host_change_to_command:
 *
 * Returns: (transfer full): the `passthroughctl …` command line that makes
 *   @change on the host it runs on (every word is safe for a shell: the
 *   addresses and numbers were checked)
 */
char *
pt_host_change_to_command (const PtHostChange *change)
{
  const KindSpec *spec = spec_for (change->kind);
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  GString *line = g_string_new ("passthroughctl ");
  guint i;

  g_string_append (line, spec->command);
  append_arguments (change, words, TRUE);
  for (i = 0; i < words->len; i++)
    g_string_append_printf (line, " %s", (const char *) g_ptr_array_index (words, i));
  return g_string_free (line, FALSE);
}

/**
 * pt_uri_is_remote:
 * @uri: (nullable): a libvirt URI; %NULL for the default
 *
 * Returns: whether the host of @uri is another one than this computer, so
 *   that this computer's helper must never change anything for it: any URI
 *   but qemu:///system and qemu:///session, the test driver included
 */
gboolean
pt_uri_is_remote (const char *uri)
{
  return uri != NULL && !g_str_has_prefix (uri, "qemu:///");
}

/**
 * pt_host_change_to_remote_command:
 * @uri: the libvirt URI of the host @change is for
 *
 * Returns: (transfer full): the command that makes @change on that host,
 *   run from here: `ssh -t [USER@]HOST [-p PORT] passthroughctl …` for a
 *   URI naming a host (the -t lets pkexec ask for the password there), the
 *   passthroughctl line alone for one that names none (the test driver)
 */
char *
pt_host_change_to_remote_command (const PtHostChange *change,
                                  const char         *uri)
{
  g_autofree char *command = pt_host_change_to_command (change);
  g_autoptr(GUri) parsed = uri != NULL ? g_uri_parse (uri, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *hostname = parsed != NULL ? g_uri_get_host (parsed) : NULL;
  const char *user = parsed != NULL ? g_uri_get_user (parsed) : NULL;
  GString *line;

  if (hostname == NULL || hostname[0] == '\0')
    return g_steal_pointer (&command);

  line = g_string_new ("ssh -t ");
  if (user != NULL && user[0] != '\0')
    g_string_append_printf (line, "%s@", user);
  g_string_append (line, hostname);
  if (g_uri_get_port (parsed) > 0)
    g_string_append_printf (line, " -p %d", g_uri_get_port (parsed));
  g_string_append_printf (line, " %s", command);
  return g_string_free (line, FALSE);
}

/**
 * pt_host_change_inverse:
 * @recorded_change: the number of the boot change the helper said it
 *   recorded for @change, or 0
 *
 * The change that undoes @change: returning what was bound, binding what was
 * returned, the undo of a recorded boot change.
 *
 * Returns: %FALSE when nothing undoes it (a new VF count, an undo)
 */
gboolean
pt_host_change_inverse (const PtHostChange *change,
                        guint               recorded_change,
                        PtHostChange       *inverse)
{
  const KindSpec *spec = spec_for (change->kind);
  const char *addresses[PT_HOST_CHANGE_MAX_ADDRESSES + 1] = { NULL };
  guint i;

  for (i = 0; i < change->n_addresses; i++)
    addresses[i] = change->addresses[i];

  switch (spec->inverse_type)
    {
    case INVERSE_OTHER_KIND:
      return pt_host_change_init (inverse, spec->inverse, addresses, 0, 0, PT_HOST_CHANGE_FLAGS_NONE, NULL);
    case INVERSE_UNDO:
      return recorded_change != 0 &&
             pt_host_change_init (inverse, PT_HOST_CHANGE_UNDO, NULL, 0, recorded_change,
                                  PT_HOST_CHANGE_FLAGS_NONE, NULL);
    case INVERSE_NONE:
    default:
      return FALSE;
    }
}

/**
 * pt_host_change_is_write:
 *
 * Returns: whether applying @change writes to the host (everything but a
 *   dry run and the history)
 */
gboolean
pt_host_change_is_write (const PtHostChange *change)
{
  return spec_for (change->kind)->writes && !(change->flags & PT_HOST_CHANGE_DRY_RUN);
}

/**
 * pt_host_change_is_boot:
 *
 * Returns: whether @change is a boot change, planned from the host's files
 *   (which libvirt does not show for another host) rather than its devices
 */
gboolean
pt_host_change_is_boot (const PtHostChange *change)
{
  return spec_for (change->kind)->boot;
}
