/* ptctl-main.c
 *
 * passthroughctl: every Passthrough operation for terminals, servers and
 * scripts. Options may stand before or after the command and its arguments.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthroughctl"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "pt-install-paths.h"
#include "pt-sysfs.h"
#include "ptctl-context.h"

typedef struct
{
  const char *name;
  int (*run) (PtctlContext *ctx);
  const char *summary;
} Command;

static const Command commands[] = {
  { "devices", ptctl_cmd_devices, N_("List every PCI function, grouped by IOMMU group") },
  { "groups", ptctl_cmd_groups, N_("List the IOMMU groups and whether each is usable") },
  { "check", ptctl_cmd_check, N_("Check whether this host is ready for passthrough") },
  { "bind", ptctl_cmd_bind, N_("Give a device’s IOMMU group to vfio-pci (ADDRESS [--force])") },
  { "unbind", ptctl_cmd_unbind, N_("Return a group to its host drivers (ADDRESS [--device-only])") },
  { "vfs", ptctl_cmd_vfs, N_("Set a device’s SR-IOV virtual functions (ADDRESS COUNT [--keep-vfs-free])") },
  { "boot", ptctl_cmd_boot, N_("Boot configuration: enable-iommu, early-bind, once-without, history, undo [CHANGE]") },
#if PTCTL_WITH_LIBVIRT
  { "vms", ptctl_cmd_vms, N_("List the virtual machines and the devices given to them") },
  { "attach", ptctl_cmd_attach, N_("Give devices to a virtual machine (--vm NAME ADDRESS…)") },
  { "detach", ptctl_cmd_detach, N_("Take devices away from a virtual machine (--vm NAME ADDRESS…)") },
#else
  { "vms", NULL, N_("List the virtual machines and the devices given to them") },
  { "attach", NULL, N_("Give devices to a virtual machine (--vm NAME ADDRESS…)") },
  { "detach", NULL, N_("Take devices away from a virtual machine (--vm NAME ADDRESS…)") },
#endif
};

#if !PTCTL_WITH_LIBVIRT
/*
 * passthroughctl itself does not link libvirt, so that reading a host stays
 * fast; whatever needs libvirt runs in its twin, passthroughctl-libvirt.
 * It is looked for beside the path we were started by (which the caller
 * could reach), then beside our resolved path (a symlink on PATH), then in
 * libexecdir where it is installed. Each is tried by exec itself: a path
 * the caller cannot traverse fails there and the next is tried.
 */
static int
exec_libvirt_twin (char **original_argv)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *called_dir = strchr (original_argv[0], '/') != NULL
                                ? g_path_get_dirname (original_argv[0]) : NULL;
  g_autofree char *self_dir = self != NULL ? g_path_get_dirname (self) : NULL;
  g_autofree char *beside_called = called_dir != NULL
    ? g_build_filename (called_dir, "passthroughctl-libvirt", NULL) : NULL;
  g_autofree char *beside_self = self_dir != NULL
    ? g_build_filename (self_dir, "passthroughctl-libvirt", NULL) : NULL;
  /* LIBEXECDIR, or where it is when the prefix was staged or moved. */
  g_autofree char *libexecdir = pt_install_path (LIBEXECDIR);
  g_autofree char *installed = g_build_filename (libexecdir, "passthroughctl-libvirt", NULL);
  const char *candidates[] = { beside_called, beside_self, installed };
  int first_errno = 0;

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      if (candidates[i] == NULL)
        continue;
      execv (candidates[i], original_argv);
      if (first_errno == 0 || errno != ENOENT)
        first_errno = errno;
    }

  return ptctl_fail (_("cannot run passthroughctl-libvirt (looked beside %s and in %s): %s; "
                       "reinstall Passthrough"),
                     original_argv[0], libexecdir, g_strerror (first_errno));
}
#endif

/* Documents can be megabytes: written as they are, not through g_print()'s
 * formatting, which copies them once more. */
void
ptctl_print_document (const char *text)
{
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

/* Whether stdout takes UTF-8 as it is: asked once, not per line (GLib
 * takes a lock to answer). */
static gboolean output_is_utf8 = TRUE;

/*
 * Command output to stdout: one FILE with a 64 KiB buffer, written when it
 * fills and flushed by ptctl_end_output(). g_print() flushes on every call:
 * `devices` at 4,096 functions made 40,812 write() calls. Where the locale's
 * charset is not UTF-8, text still goes through g_print(), which converts it.
 */
void
ptctl_begin_output (void)
{
  static char buffer[64 * 1024];

  setvbuf (stdout, buffer, _IOFBF, sizeof buffer);
  output_is_utf8 = g_get_charset (NULL);
}

void
ptctl_printf (const char *format,
              ...)
{
  va_list args;

  va_start (args, format);
  if (output_is_utf8)
    vfprintf (stdout, format, args);
  else
    {
      g_autofree char *text = g_strdup_vprintf (format, args);

      g_print ("%s", text);
    }
  va_end (args);
}

int
ptctl_end_output (int status)
{
  if (fflush (stdout) != 0 || ferror (stdout))
    return ptctl_fail (_("cannot write the output: %s"), g_strerror (errno));
  return status;
}

int
ptctl_fail (const char *format,
            ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("passthroughctl: %s\n", message);
  return PTCTL_EXIT_ERROR;
}

static char *
commands_description (void)
{
  GString *text = g_string_new (_("Commands:"));
  guint i;

  for (i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "\n  %-10s %s", commands[i].name, _(commands[i].summary));

  g_string_append (text, "\n\n");
  g_string_append (text, _("Exit status: 0 on success (for “check”: the host is ready), "
                           "1 when “check” finds the host not ready, 2 on errors."));
  return g_string_free (text, FALSE);
}

/**
 * ptctl_only_options:
 * @allowed: the command-specific options it takes, e.g. "vm rom-bar"
 *
 * Refuses options the command does not take, rather than ignoring them.
 */
gboolean
ptctl_only_options (PtctlContext *ctx,
                    const char   *command,
                    const char   *allowed,
                    int          *status)
{
  const struct { const char *name; gboolean set; } options[] = {
    { "vm", ctx->vm != NULL },
    { "rom-bar", ctx->rom_bar != NULL },
    { "rom-file", ctx->rom_file != NULL },
    { "move", ctx->move },
    { "config", ctx->config_only },
    { "unmanaged", ctx->unmanaged },
    { "dry-run", ctx->dry_run },
    { "force", ctx->force },
    { "yes", ctx->yes },
    { "device-only", ctx->device_only },
    { "keep-vfs-free", ctx->keep_vfs_free },
    { "by-id", ctx->by_id },
    { "by-address", ctx->by_address },
  };
  g_auto(GStrv) names = g_strsplit (allowed, " ", -1);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (options); i++)
    if (options[i].set && !g_strv_contains ((const char * const *) names, options[i].name))
      {
        *status = ptctl_fail (_("“%s” does not take --%s"), command, options[i].name);
        return FALSE;
      }

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_auto(GStrv) original_argv = g_strdupv (argv);
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *connect = NULL;
  g_autofree char *vm = NULL;
  g_autofree char *rom_bar = NULL;
  g_autofree char *rom_file = NULL;
  g_autofree char *description = NULL;
  g_autofree char *localedir = NULL;
  g_auto(GStrv) args = NULL;
  gboolean json = FALSE;
  gboolean dry_run = FALSE;
  gboolean move = FALSE;
  gboolean config_only = FALSE;
  gboolean unmanaged = FALSE;
  gboolean force = FALSE;
  gboolean yes = FALSE;
  gboolean device_only = FALSE;
  gboolean keep_vfs_free = FALSE;
  gboolean by_id = FALSE;
  gboolean by_address = FALSE;
  gboolean version = FALSE;
  PtctlContext ctx = { 0 };
  guint i;
  const GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &root,
      N_("Read the host from DIR instead of / (a fixture tree)"), N_("DIR") },
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &connect,
      N_("libvirt connection (default qemu:///system); remote URIs list that host’s devices"),
      N_("URI") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON for scripts"), NULL },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
      N_("Show what would change, change nothing"), NULL },
    { "vm", 0, 0, G_OPTION_ARG_STRING, &vm, N_("The virtual machine (attach, detach)"),
      N_("NAME") },
    { "rom-bar", 0, 0, G_OPTION_ARG_STRING, &rom_bar,
      N_("Show the device’s ROM to the guest (attach)"), "on|off" },
    { "rom-file", 0, 0, G_OPTION_ARG_FILENAME, &rom_file,
      N_("Give the guest this ROM image instead (attach)"), N_("PATH") },
    { "move", 0, 0, G_OPTION_ARG_NONE, &move,
      N_("Take the devices from the VM that has them (attach)"), NULL },
    { "config", 0, 0, G_OPTION_ARG_NONE, &config_only,
      N_("Change only the saved definition, even if the VM runs (attach, detach)"), NULL },
    { "unmanaged", 0, 0, G_OPTION_ARG_NONE, &unmanaged,
      N_("Do not let libvirt bind vfio-pci when the VM starts (attach)"), NULL },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force,
      N_("Go ahead after the warnings: bind even a device the host uses; unbind or vfs when libvirt cannot say which VMs run (bind, unbind, vfs)"), NULL },
    { "yes", 0, 0, G_OPTION_ARG_NONE, &yes,
      N_("Give even what the host uses, or part of a group, after the warnings (attach)"), NULL },
    { "device-only", 0, 0, G_OPTION_ARG_NONE, &device_only,
      N_("Return only this function, not its whole group (unbind)"), NULL },
    { "keep-vfs-free", 0, 0, G_OPTION_ARG_NONE, &keep_vfs_free,
      N_("Leave new virtual functions without a driver (vfs)"), NULL },
    { "by-id", 0, 0, G_OPTION_ARG_NONE, &by_id,
      N_("Bind at boot by vendor:device ID, the openEuler guide’s way (boot early-bind)"), NULL },
    { "by-address", 0, 0, G_OPTION_ARG_NONE, &by_address,
      N_("Bind at boot by PCI address; works with identical devices (boot early-bind)"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  localedir = pt_install_path (LOCALEDIR);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("COMMAND [ARGUMENTS…]"));
  g_option_context_set_summary (context, _("Inspect and prepare this host for PCI passthrough."));
  description = commands_description ();
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ptctl_fail ("%s (see passthroughctl --help)", error->message);

  if (version)
    {
      g_print ("passthroughctl %s\n", PACKAGE_VERSION);
      return PTCTL_EXIT_OK;
    }

  if (args == NULL || args[0] == NULL)
    return ptctl_fail (_("no command given; try “passthroughctl check” or see --help"));

  ctx.root = root;
  ctx.connect = connect;
  ctx.json = json;
  ctx.dry_run = dry_run;
  ctx.vm = vm;
  ctx.rom_bar = rom_bar;
  ctx.rom_file = rom_file;
  ctx.move = move;
  ctx.config_only = config_only;
  ctx.unmanaged = unmanaged;
  ctx.force = force;
  ctx.yes = yes;
  ctx.device_only = device_only;
  ctx.keep_vfs_free = keep_vfs_free;
  ctx.by_id = by_id;
  ctx.by_address = by_address;
  ctx.args = args + 1;

  /* lspci's short addresses (01:00.0) are taken wherever an address is:
   * the change is built, and the helper parses it, in the kernel's form. */
  for (i = 0; ctx.args[i] != NULL; i++)
    {
      char *normal = pt_pci_address_normalize (ctx.args[i]);

      if (normal != NULL)
        {
          g_free (ctx.args[i]);
          ctx.args[i] = normal;
        }
    }

  for (i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (args[0], commands[i].name))
      {
#if !PTCTL_WITH_LIBVIRT
        if (commands[i].run == NULL || ptctl_needs_libvirt (&ctx, args[0]))
          return exec_libvirt_twin (original_argv);
#endif
        return commands[i].run (&ctx);
      }

  return ptctl_fail (_("unknown command “%s”; see passthroughctl --help"), args[0]);
}
