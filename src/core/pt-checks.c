/* pt-checks.c
 *
 * The readiness checks: can this host do PCI passthrough, and if not, what
 * exactly is missing. Each check reads what an unprivileged user can read.
 *
 * The CPU vendor comes from cpuinfo's vendor_id, never from the vmx/svm
 * flags: those vanish when the firmware turns virtualization off, which is
 * exactly when the advice has to name the right vendor's setting.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-checks"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pt-boot-plan.h"
#include "pt-check.h"
#include "pt-checks.h"
#include "pt-saved-connections.h"
#include "pt-host-change.h"
#include "pt-sandbox.h"
#include "pt-kernel-cmdline.h"

typedef struct
{
  PtRoot *root;
  PtBootSetup *boot;
  guint n_groups;
  char *cpuinfo;
  PtCpuVendor vendor;
  gboolean guest;       /* a virtual machine: its settings are the hypervisor's */
  GStrv cmdline;
} Context;

static void
context_clear (Context *ctx)
{
  g_clear_pointer (&ctx->cpuinfo, g_free);
  g_clear_pointer (&ctx->cmdline, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Context, context_clear)

static void
add (GPtrArray     *checks,
     const char    *id,
     const char    *title,
     PtCheckStatus  status,
     const char    *summary,
     const char    *fix)
{
  g_ptr_array_add (checks, pt_check_new (id, title, status, summary, fix));
}

/* A fix that the IOMMU change makes: each face names it its own way (the
 * app's review on the Host page, the CLI's command). */
static void
add_fixed_by_enable_iommu (GPtrArray     *checks,
                           const char    *id,
                           const char    *title,
                           PtCheckStatus  status,
                           const char    *summary,
                           const char    *fix)
{
  PtCheck *check = pt_check_new (id, title, status, summary, fix);
  PtHostChange change;

  if (pt_host_change_init (&change, PT_HOST_CHANGE_ENABLE_IOMMU, NULL, 0, 0,
                           PT_HOST_CHANGE_FLAGS_NONE, NULL))
    {
      g_autofree char *command = pt_host_change_to_command (&change);

      pt_check_set_fix_command (check, command);
    }
  g_ptr_array_add (checks, check);
}

/* The value of the first "key : value" line of cpuinfo with this key. */
static char *
cpuinfo_value (const char *cpuinfo,
               const char *key)
{
  g_auto(GStrv) lines = NULL;
  gsize len = strlen (key);
  guint i;

  if (cpuinfo == NULL)
    return NULL;

  lines = g_strsplit (cpuinfo, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      const char *colon;

      if (strncmp (lines[i], key, len) != 0)
        continue;
      if (lines[i][len] != ' ' && lines[i][len] != '\t' && lines[i][len] != ':')
        continue;

      colon = strchr (lines[i], ':');
      if (colon != NULL)
        return g_strstrip (g_strdup (colon + 1));
    }

  return NULL;
}

/**
 * pt_checks_cpu_vendor:
 * @cpuinfo: (nullable): the text of /proc/cpuinfo
 *
 * Returns: the CPU vendor named by vendor_id
 */
PtCpuVendor
pt_checks_cpu_vendor (const char *cpuinfo)
{
  g_autofree char *vendor = cpuinfo_value (cpuinfo, "vendor_id");

  if (g_strcmp0 (vendor, "GenuineIntel") == 0)
    return PT_CPU_VENDOR_INTEL;

  /* Hygon's Dhyana is a Zen derivative with AMD's SVM and AMD-Vi. */
  if (g_strcmp0 (vendor, "AuthenticAMD") == 0 || g_strcmp0 (vendor, "HygonGenuine") == 0)
    return PT_CPU_VENDOR_AMD;

  return PT_CPU_VENDOR_UNKNOWN;
}

static gboolean
cpu_has_flag (const char *cpuinfo,
              const char *flag)
{
  g_autofree char *flags = cpuinfo_value (cpuinfo, "flags");
  g_auto(GStrv) list = NULL;

  if (flags == NULL)
    return FALSE;

  list = g_strsplit (flags, " ", -1);
  return g_strv_contains ((const char * const *) list, flag);
}

static void
check_cpu (Context   *ctx,
           GPtrArray *checks)
{
  const char *title = _("CPU virtualization");

  if (ctx->cpuinfo == NULL || ctx->cpuinfo[0] == '\0')
    {
      add (checks, "cpu-virtualization", title, PT_CHECK_WARN,
           _("The CPU could not be identified: /proc/cpuinfo is missing or empty."),
           _("Check that /proc is mounted."));
      return;
    }

  if (ctx->guest && !cpu_has_flag (ctx->cpuinfo, "vmx") && !cpu_has_flag (ctx->cpuinfo, "svm"))
    {
      add (checks, "cpu-virtualization", title, PT_CHECK_FAIL,
           _("This is a virtual machine, and its hypervisor does not offer it VT-x or AMD-V."),
           _("Turn on nested virtualization for this virtual machine on the host that runs it "
             "(for QEMU: -cpu host, with the kvm_intel or kvm_amd module’s nested=1; in "
             "virt-manager: CPU “Copy host CPU configuration”)."));
      return;
    }

  switch (ctx->vendor)
    {
    case PT_CPU_VENDOR_INTEL:
      if (cpu_has_flag (ctx->cpuinfo, "vmx"))
        add (checks, "cpu-virtualization", title, PT_CHECK_PASS,
             _("Intel VT-x is available."), NULL);
      else
        add (checks, "cpu-virtualization", title, PT_CHECK_FAIL,
             _("Intel VT-x is turned off or not supported by this CPU."),
             _("Turn on “Intel Virtualization Technology” (VT-x) in the firmware setup, "
               "then start the computer again."));
      break;

    case PT_CPU_VENDOR_AMD:
      if (cpu_has_flag (ctx->cpuinfo, "svm"))
        add (checks, "cpu-virtualization", title, PT_CHECK_PASS,
             _("AMD-V (SVM) is available."), NULL);
      else
        add (checks, "cpu-virtualization", title, PT_CHECK_FAIL,
             _("AMD-V (SVM) is turned off or not supported by this CPU."),
             _("Turn on “SVM Mode” (AMD-V) in the firmware setup, then start the computer "
               "again."));
      break;

    case PT_CPU_VENDOR_UNKNOWN:
    default:
      if (pt_root_exists (ctx->root, "dev/kvm"))
        add (checks, "cpu-virtualization", title, PT_CHECK_PASS,
             _("The CPU is not an x86 one, but KVM is available."), NULL);
      else
        add (checks, "cpu-virtualization", title, PT_CHECK_WARN,
             _("The CPU vendor is unknown and KVM is not available."),
             _("Turn on hardware virtualization in the firmware setup."));
      break;
    }
}

static gboolean
firmware_has_iommu (Context *ctx)
{
  return pt_root_exists (ctx->root, "sys/firmware/acpi/tables/DMAR") ||
         pt_root_exists (ctx->root, "sys/firmware/acpi/tables/IVRS") ||
         pt_root_exists (ctx->root, "sys/firmware/acpi/tables/IORT");
}

/* Inside a VM there is no firmware setup to visit: the hypervisor decides. */
static const char *
guest_iommu_fix (Context *ctx)
{
  if (ctx->vendor == PT_CPU_VENDOR_AMD)
    return _("The virtual machine’s hypervisor must give it an IOMMU: for QEMU, add "
             "-device amd-iommu (machine q35); in libvirt, <iommu model='amd'/>. Then start the "
             "virtual machine again.");
  return _("The virtual machine’s hypervisor must give it an IOMMU: for QEMU, add "
           "-device intel-iommu,intremap=on (machine q35,kernel-irqchip=split); in libvirt, "
           "<iommu model='intel'/>. Then start the virtual machine again.");
}

static void
check_iommu_firmware (Context   *ctx,
                      GPtrArray *checks)
{
  const char *title = _("IOMMU in firmware");

  if (pt_root_exists (ctx->root, "sys/firmware/acpi/tables/DMAR"))
    {
      add (checks, "iommu-firmware", title, PT_CHECK_PASS,
           _("The firmware describes an Intel VT-d IOMMU (ACPI DMAR table)."), NULL);
      return;
    }

  if (pt_root_exists (ctx->root, "sys/firmware/acpi/tables/IVRS"))
    {
      add (checks, "iommu-firmware", title, PT_CHECK_PASS,
           _("The firmware describes an AMD-Vi IOMMU (ACPI IVRS table)."), NULL);
      return;
    }

  if (pt_root_exists (ctx->root, "sys/firmware/acpi/tables/IORT"))
    {
      add (checks, "iommu-firmware", title, PT_CHECK_PASS,
           _("The firmware describes an Arm SMMU (ACPI IORT table)."), NULL);
      return;
    }

  if (ctx->n_groups > 0)
    {
      add (checks, "iommu-firmware", title, PT_CHECK_PASS,
           _("The firmware has no ACPI IOMMU table, but the kernel found an IOMMU."), NULL);
      return;
    }

  if (!pt_root_is_dir (ctx->root, "sys/firmware/acpi/tables"))
    {
      add (checks, "iommu-firmware", title, PT_CHECK_WARN,
           _("The firmware’s ACPI tables cannot be seen from here."),
           _("Run Passthrough outside a sandbox, or check in the firmware setup that VT-d "
             "or AMD-Vi/IOMMU is turned on."));
      return;
    }

  if (ctx->guest)
    add (checks, "iommu-firmware", title, PT_CHECK_FAIL,
         _("This is a virtual machine, and its hypervisor gives it no IOMMU."),
         guest_iommu_fix (ctx));
  else if (ctx->vendor == PT_CPU_VENDOR_AMD)
    add (checks, "iommu-firmware", title, PT_CHECK_FAIL,
         _("The firmware does not offer an IOMMU (no ACPI IVRS table)."),
         _("Turn on “IOMMU” or “AMD-Vi” in the firmware setup (sometimes under NBIO or "
           "Advanced › AMD CBS), then start the computer again."));
  else
    add (checks, "iommu-firmware", title, PT_CHECK_FAIL,
         _("The firmware does not offer an IOMMU (no ACPI DMAR table)."),
         _("Turn on “VT-d” (Intel Virtualization Technology for Directed I/O) in the "
           "firmware setup, then start the computer again."));
}

/* Parameters on the command line that keep the IOMMU off, as "name=value". */
static GPtrArray *
disabling_params (Context *ctx)
{
  static const struct { const char *name; const char *value; } off[] = {
    { "intel_iommu", "off" },
    { "amd_iommu", "off" },
    { "iommu", "off" },
  };
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (off); i++)
    if (pt_kernel_cmdline_has_value ((const char * const *) ctx->cmdline,
                                     off[i].name, off[i].value))
      g_ptr_array_add (found, g_strdup_printf ("%s=%s", off[i].name, off[i].value));

  return found;
}

static char *
join_params (GPtrArray *params)
{
  g_ptr_array_add (params, NULL);
  return g_strjoinv (" ", (char **) params->pdata);
}

static void
check_iommu_kernel (Context   *ctx,
                    GPtrArray *checks)
{
  const char *title = _("IOMMU in the kernel");
  g_autoptr(GPtrArray) off = disabling_params (ctx);
  g_autofree char *summary = NULL;

  if (ctx->n_groups > 0)
    {
      summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "The IOMMU is on: devices are in %u IOMMU group.",
                                              "The IOMMU is on: devices are in %u IOMMU groups.",
                                              ctx->n_groups),
                                 ctx->n_groups);
      add (checks, "iommu-kernel", title, PT_CHECK_PASS, summary, NULL);
      return;
    }

  if (off->len > 0)
    {
      g_autofree char *params = join_params (off);
      g_autofree char *fix = NULL;

      summary = g_strdup_printf (_("The IOMMU is off: %s on the kernel command line turns it off."),
                                 params);
      fix = g_strdup_printf (_("Remove %s from the kernel command line, then restart."), params);
      add_fixed_by_enable_iommu (checks, "iommu-kernel", title, PT_CHECK_FAIL, summary, fix);
      return;
    }

  if (ctx->guest && !firmware_has_iommu (ctx))
    add (checks, "iommu-kernel", title, PT_CHECK_FAIL,
         _("The IOMMU is off: the kernel found no IOMMU groups."),
         guest_iommu_fix (ctx));
  else if (ctx->vendor == PT_CPU_VENDOR_AMD)
    add (checks, "iommu-kernel", title, PT_CHECK_FAIL,
         _("The IOMMU is off: the kernel found no IOMMU groups."),
         _("AMD’s IOMMU is on by default once the firmware offers it: turn on “IOMMU” in the "
           "firmware setup, then start the computer again."));
  else
    add_fixed_by_enable_iommu (checks, "iommu-kernel", title, PT_CHECK_FAIL,
                               _("The IOMMU is off: the kernel found no IOMMU groups."),
                               _("Add intel_iommu=on to the kernel command line, then restart."));
}

static gboolean
interrupts_are_remapped (const char *interrupts)
{
  /* Remapped interrupt chips are named IR-IO-APIC, IR-PCI-MSI, IR-PCI-MSIX-… */
  return interrupts != NULL && strstr (interrupts, " IR-") != NULL;
}

static gboolean
unsafe_interrupts_allowed (Context *ctx)
{
  g_autofree char *value =
    pt_root_read_line (ctx->root, "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts");

  return g_strcmp0 (value, "Y") == 0 || g_strcmp0 (value, "1") == 0;
}

static void
check_interrupt_remapping (Context   *ctx,
                           GPtrArray *checks)
{
  const char *title = _("Interrupt remapping");
  g_autofree char *interrupts = pt_root_read_file (ctx->root, "proc/interrupts", NULL, NULL);
  const char * const *params = (const char * const *) ctx->cmdline;
  gboolean turned_off = pt_kernel_cmdline_has_value (params, "intremap", "off") ||
                        pt_kernel_cmdline_get (params, "nointremap") != NULL;

  if (interrupts_are_remapped (interrupts))
    {
      add (checks, "interrupt-remapping", title, PT_CHECK_PASS,
           _("Interrupts are remapped, so a VM cannot send interrupts it does not own."), NULL);
      return;
    }

  if (ctx->n_groups == 0)
    {
      add (checks, "interrupt-remapping", title, PT_CHECK_WARN,
           _("Interrupt remapping comes with the IOMMU, which is off."),
           _("Turn the IOMMU on first."));
      return;
    }

  if (interrupts == NULL)
    {
      add (checks, "interrupt-remapping", title, PT_CHECK_WARN,
           _("Whether interrupts are remapped is unknown: /proc/interrupts cannot be read."),
           _("Check that /proc is mounted."));
      return;
    }

  if (turned_off)
    {
      add (checks, "interrupt-remapping", title, PT_CHECK_FAIL,
           _("Interrupt remapping is turned off on the kernel command line (intremap=off or "
             "nointremap); VFIO refuses devices without it."),
           _("Remove intremap=off or nointremap from the kernel command line, then restart."));
      return;
    }

  if (unsafe_interrupts_allowed (ctx))
    {
      add (checks, "interrupt-remapping", title, PT_CHECK_WARN,
           _("Interrupts are not remapped; VFIO works only because allow_unsafe_interrupts "
             "is set, which lets a VM send interrupts to the host."),
           _("Give devices only to VMs you trust, or use a platform with interrupt "
             "remapping."));
      return;
    }

  add (checks, "interrupt-remapping", title, PT_CHECK_FAIL,
       _("Interrupts are not remapped, so VFIO will refuse to give devices to VMs."),
       _("Update the firmware and turn on x2APIC/interrupt remapping in its setup. As a last "
         "resort, vfio_iommu_type1 allow_unsafe_interrupts=1 works but is unsafe."));
}

/* How this kernel's build sets the Intel IOMMU when the command line says
 * nothing: off, on, or (Debian's INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF) on for
 * everything but the integrated graphics. */
typedef enum
{
  INTEL_DEFAULT_OFF,
  INTEL_DEFAULT_ON,
  INTEL_DEFAULT_ON_BUT_IGPU,
} IntelDefault;

static IntelDefault
kernel_default_intel_iommu (Context *ctx)
{
  const char *release = pt_boot_setup_get_kernel_release (ctx->boot);
  g_autofree char *path = NULL;
  g_autofree char *config = NULL;

  if (release == NULL || strchr (release, '/') != NULL)
    return INTEL_DEFAULT_OFF;

  path = g_strdup_printf ("boot/config-%s", release);
  config = pt_root_read_file (ctx->root, path, NULL, NULL);
  if (config == NULL)
    return INTEL_DEFAULT_OFF;
  if (strstr (config, "\nCONFIG_INTEL_IOMMU_DEFAULT_ON=y") != NULL)
    return INTEL_DEFAULT_ON;
  if (strstr (config, "\nCONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y") != NULL)
    return INTEL_DEFAULT_ON_BUT_IGPU;
  return INTEL_DEFAULT_OFF;
}

static void
check_kernel_cmdline (Context   *ctx,
                      GPtrArray *checks)
{
  const char *title = _("Kernel command line");
  const char * const *params = (const char * const *) ctx->cmdline;
  g_autoptr(GPtrArray) off = NULL;
  gboolean pt = FALSE;
  IntelDefault intel_default;

  if (ctx->cmdline == NULL)
    {
      add (checks, "kernel-cmdline", title, PT_CHECK_WARN,
           _("The kernel command line cannot be read (/proc/cmdline)."),
           _("Check that /proc is mounted."));
      return;
    }

  off = disabling_params (ctx);
  if (off->len > 0)
    {
      g_autofree char *list = join_params (off);
      g_autofree char *summary = g_strdup_printf (_("%s turns the IOMMU off."), list);
      g_autofree char *fix = g_strdup_printf (_("Remove %s from the kernel command line, then "
                                                "restart."), list);

      add_fixed_by_enable_iommu (checks, "kernel-cmdline", title, PT_CHECK_FAIL, summary, fix);
      return;
    }

  if (pt_kernel_cmdline_has_value (params, "amd_iommu", "on"))
    {
      add_fixed_by_enable_iommu (checks, "kernel-cmdline", title, PT_CHECK_WARN,
                                 _("amd_iommu=on is not a valid option: the kernel ignores it. "
                                   "AMD’s IOMMU is on by default."),
                                 _("Remove amd_iommu=on from the kernel command line."));
      return;
    }

  pt = pt_kernel_cmdline_has_value (params, "iommu", "pt") ||
       g_strcmp0 (pt_kernel_cmdline_get (params, "iommu.passthrough"), "1") == 0;

  switch (ctx->vendor)
    {
    case PT_CPU_VENDOR_INTEL:
      if (pt_kernel_cmdline_has_value (params, "intel_iommu", "on"))
        add (checks, "kernel-cmdline", title, PT_CHECK_PASS,
             pt ? _("intel_iommu=on and iommu=pt are set.") : _("intel_iommu=on is set."),
             NULL);
      else if ((intel_default = kernel_default_intel_iommu (ctx)) == INTEL_DEFAULT_ON_BUT_IGPU)
        add (checks, "kernel-cmdline", title, PT_CHECK_PASS,
             _("This kernel turns the Intel IOMMU on by default, except for integrated graphics; "
               "nothing is missing unless an integrated GPU is to be given to a VM (that needs "
               "intel_iommu=on)."), NULL);
      else if (intel_default == INTEL_DEFAULT_ON || ctx->n_groups > 0)
        add (checks, "kernel-cmdline", title, PT_CHECK_PASS,
             _("This kernel turns the Intel IOMMU on by default; nothing is missing."), NULL);
      else
        add_fixed_by_enable_iommu (checks, "kernel-cmdline", title, PT_CHECK_FAIL,
                                   _("intel_iommu=on is missing from the kernel command line."),
                                   _("Add intel_iommu=on, and optionally iommu=pt, to the kernel "
                                     "command line, then restart."));
      break;

    case PT_CPU_VENDOR_AMD:
      add (checks, "kernel-cmdline", title, PT_CHECK_PASS,
           pt ? _("Nothing is missing: AMD’s IOMMU is on by default, and iommu=pt is set.")
              : _("Nothing is missing: AMD’s IOMMU is on by default."),
           NULL);
      break;

    case PT_CPU_VENDOR_UNKNOWN:
    default:
      add (checks, "kernel-cmdline", title, PT_CHECK_PASS,
           _("Nothing on the kernel command line turns the IOMMU off."), NULL);
      break;
    }
}

/* "options vfio_iommu_type1 allow_unsafe_interrupts=1" in a modprobe.d file:
 * in force as soon as the module loads. */
static gboolean
unsafe_interrupts_configured (Context *ctx)
{
  g_autoptr(GPtrArray) names = pt_root_list_dir (ctx->root, "etc/modprobe.d", NULL);
  guint i, j;

  for (i = 0; names != NULL && i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *relpath = NULL;
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_str_has_suffix (name, ".conf"))
        continue;
      relpath = g_strconcat ("etc/modprobe.d/", name, NULL);
      text = pt_root_read_file (ctx->root, relpath, NULL, NULL);
      lines = g_strsplit (text != NULL ? text : "", "\n", -1);
      for (j = 0; lines[j] != NULL; j++)
        {
          g_auto(GStrv) words = g_strsplit_set (g_strstrip (lines[j]), " \t", -1);

          if (g_strv_length (words) >= 3 && g_str_equal (words[0], "options") &&
              (g_str_equal (words[1], "vfio_iommu_type1") || g_str_equal (words[1], "vfio-iommu-type1")) &&
              (g_strv_contains ((const char * const *) words, "allow_unsafe_interrupts=1") ||
               g_strv_contains ((const char * const *) words, "allow_unsafe_interrupts=Y")))
            return TRUE;
        }
    }
  return FALSE;
}

/* What the kernel is told that makes the isolation the groups promise untrue. */
static void
check_isolation (Context   *ctx,
                 GPtrArray *checks)
{
  const char *title = _("Device isolation");
  const char * const *params = (const char * const *) ctx->cmdline;
  const char *acs = pt_kernel_cmdline_get (params, "pcie_acs_override");
  const char *unsafe = pt_kernel_cmdline_get (params, "vfio_iommu_type1.allow_unsafe_interrupts");
  gboolean unsafe_on = (unsafe != NULL && (g_str_equal (unsafe, "1") || g_str_equal (unsafe, "Y") ||
                                           g_str_equal (unsafe, "y") || unsafe[0] == '\0')) ||
                       unsafe_interrupts_allowed (ctx) || unsafe_interrupts_configured (ctx);

  if (ctx->cmdline == NULL)
    return;

  if (acs != NULL)
    {
      g_autofree char *summary =
        g_strdup_printf (_("pcie_acs_override=%s is on the kernel command line: the kernel splits "
                           "IOMMU groups that the hardware does not isolate, so the groups shown "
                           "are not trustworthy and a device given to a VM may still reach its "
                           "real neighbours."), acs);

      add (checks, "isolation", title, PT_CHECK_WARN, summary,
           _("Remove pcie_acs_override from the kernel command line and restart to see the real "
             "groups; give a VM only devices that are alone in a real group."));
      return;
    }

  if (unsafe_on)
    {
      add (checks, "isolation", title, PT_CHECK_WARN,
           _("vfio_iommu_type1 allow_unsafe_interrupts is on: VFIO accepts devices without "
             "interrupt remapping, so a VM can send interrupts to the host."),
           _("Remove vfio_iommu_type1.allow_unsafe_interrupts (kernel command line or "
             "/etc/modprobe.d) unless this platform has no interrupt remapping and the VMs are "
             "trusted."));
      return;
    }

  add (checks, "isolation", title, PT_CHECK_PASS,
       _("Nothing on the kernel command line weakens the isolation of the IOMMU groups."), NULL);
}

/* GRUB's next boot, from /etc/default/grub and its drop-ins as grub-mkconfig
 * sources them: what "Turn the IOMMU On" would start from. */
static void
check_boot_config (Context   *ctx,
                   GPtrArray *checks)
{
  const char *title = _("Next boot’s kernel command line");
  PtBootloader loader = pt_boot_setup_get_bootloader (ctx->boot);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *summary = NULL;
  g_auto(GStrv) params = NULL;
  static const char * const off[] = { "intel_iommu", "amd_iommu", "iommu", NULL };
  guint i;

  /* BLS entries carry their own options (grubby edits them). */
  if (loader != PT_BOOTLOADER_GRUB)
    return;

  line = pt_boot_plan_grub_kernel_line (ctx->root, &error);
  if (line == NULL)
    {
      add (checks, "boot-config", title, PT_CHECK_WARN, error->message,
           _("Check /etc/default/grub and /etc/default/grub.d by hand."));
      return;
    }

  params = pt_kernel_cmdline_split (line);
  for (i = 0; off[i] != NULL; i++)
    if (pt_kernel_cmdline_has_value ((const char * const *) params, off[i], "off"))
      {
        summary = g_strdup_printf (_("/etc/default/grub with its drop-ins gives GRUB’s normal "
                                     "entries “%s”, and %s=off turns the IOMMU off."),
                                   line, off[i]);
        add_fixed_by_enable_iommu (checks, "boot-config", title, PT_CHECK_WARN, summary,
                                   _("Remove it where it is set, drop-ins included."));
        return;
      }

  summary = g_strdup_printf (_("/etc/default/grub with its drop-ins gives GRUB’s normal entries "
                               "“%s”."), line);
  add (checks, "boot-config", title, PT_CHECK_PASS, summary, NULL);
}

/* modules.builtin and modules.dep list paths such as kernel/drivers/vfio/pci/vfio-pci.ko.xz */
static gboolean
module_listed (const char *contents,
               const char *file_name)
{
  const char *p = contents;
  gsize len = strlen (file_name);

  while (contents != NULL && (p = strstr (p, file_name)) != NULL)
    {
      gboolean starts = p == contents || p[-1] == '/';
      char after = p[len];

      if (starts && (after == ':' || after == '.' || after == '\n' || after == '\0'))
        return TRUE;
      p += len;
    }

  return FALSE;
}

static void
check_vfio_modules (Context   *ctx,
                    GPtrArray *checks)
{
  const char *title = _("VFIO driver");
  const char *release = pt_boot_setup_get_kernel_release (ctx->boot);
  g_autofree char *builtin = NULL;
  g_autofree char *dep = NULL;

  if (release != NULL && strchr (release, '/') == NULL)
    {
      g_autofree char *builtin_path = g_strdup_printf ("lib/modules/%s/modules.builtin", release);
      g_autofree char *dep_path = g_strdup_printf ("lib/modules/%s/modules.dep", release);

      builtin = pt_root_read_file (ctx->root, builtin_path, NULL, NULL);
      dep = pt_root_read_file (ctx->root, dep_path, NULL, NULL);
    }

  /* Built-in first: a built-in driver has a sys/module entry too. */
  if (module_listed (builtin, "vfio-pci.ko"))
    {
      add (checks, "vfio-modules", title, PT_CHECK_PASS,
           _("vfio-pci is built into the kernel (early binding options go on the kernel "
             "command line)."),
           NULL);
      return;
    }

  /* Only loaded modules have an initstate. */
  if (pt_root_exists (ctx->root, "sys/module/vfio_pci/initstate"))
    {
      add (checks, "vfio-modules", title, PT_CHECK_PASS, _("vfio-pci is loaded."), NULL);
      return;
    }

  if (module_listed (dep, "vfio-pci.ko"))
    {
      add (checks, "vfio-modules", title, PT_CHECK_PASS,
           _("vfio-pci is installed and is loaded when a device is first given to it."), NULL);
      return;
    }

  if (dep == NULL)
    {
      add (checks, "vfio-modules", title, PT_CHECK_WARN,
           _("The kernel’s module list cannot be read, so whether vfio-pci exists is unknown."),
           _("Install the modules package of the running kernel."));
      return;
    }

  add (checks, "vfio-modules", title, PT_CHECK_FAIL,
       _("This kernel has no vfio-pci module."),
       _("Install the full module package of your kernel (on Ubuntu: linux-modules-extra), "
         "or use a kernel built with CONFIG_VFIO_PCI."));
}

static void
check_device_nodes (Context   *ctx,
                    GPtrArray *checks)
{
  if (pt_root_exists (ctx->root, "dev/vfio/vfio"))
    add (checks, "vfio-device", _("VFIO device node"), PT_CHECK_PASS,
         _("/dev/vfio/vfio exists."), NULL);
  else
    add (checks, "vfio-device", _("VFIO device node"), PT_CHECK_WARN,
         _("/dev/vfio/vfio does not exist yet."),
         _("It appears once the vfio modules are loaded, which happens when the first device "
           "is given to vfio-pci."));

  if (pt_root_exists (ctx->root, "dev/kvm"))
    add (checks, "kvm", _("KVM"), PT_CHECK_PASS, _("/dev/kvm exists: VMs run accelerated."),
         NULL);
  else
    add (checks, "kvm", _("KVM"), PT_CHECK_FAIL,
         _("/dev/kvm does not exist: KVM is not loaded."),
         ctx->vendor == PT_CPU_VENDOR_AMD
           ? _("Turn on SVM in the firmware setup and load the kvm_amd module.")
           : _("Turn on VT-x in the firmware setup and load the kvm_intel module."));
}

static void
check_boot_tools (Context   *ctx,
                  GPtrArray *checks)
{
  const char *bootloader = pt_boot_setup_get_bootloader_name (ctx->boot);
  const char *grub_cfg = pt_boot_setup_get_grub_cfg (ctx->boot);
  const char *initramfs = pt_boot_setup_get_initramfs_name (ctx->boot);
  g_autofree char *summary = NULL;

  if (bootloader == NULL)
    add (checks, "bootloader", _("Boot loader"), PT_CHECK_WARN,
         _("The boot loader could not be recognised."),
         _("Boot changes cannot be made for you; add kernel parameters by hand as your "
           "distribution documents."));
  else
    {
      if (grub_cfg != NULL)
        summary = g_strdup_printf (_("%s, configuration generated into %s."), bootloader, grub_cfg);
      else
        summary = g_strdup_printf (_("%s."), bootloader);
      add (checks, "bootloader", _("Boot loader"), PT_CHECK_PASS, summary, NULL);
    }

  g_clear_pointer (&summary, g_free);
  if (initramfs == NULL)
    add (checks, "initramfs", _("Initramfs generator"), PT_CHECK_WARN,
         _("No known initramfs generator (dracut, initramfs-tools, mkinitcpio) was found."),
         _("Early binding of vfio-pci at boot cannot be set up for you."));
  else
    {
      summary = g_strdup_printf (_("The initramfs is built with %s."), initramfs);
      add (checks, "initramfs", _("Initramfs generator"), PT_CHECK_PASS, summary, NULL);
    }
}

/* What every check reads once: the CPU, whether this is a VM, the command line. */
static void
context_init (Context     *ctx,
              PtRoot      *root,
              PtBootSetup *boot,
              guint        n_groups)
{
  g_autofree char *cmdline = pt_root_read_file (root, "proc/cmdline", NULL, NULL);

  ctx->root = root;
  ctx->boot = boot;
  ctx->n_groups = n_groups;
  ctx->cpuinfo = pt_root_read_file (root, "proc/cpuinfo", NULL, NULL);
  ctx->vendor = pt_checks_cpu_vendor (ctx->cpuinfo);
  /* CPUID's hypervisor bit (cpuinfo's flag), or Xen's /sys/hypervisor. */
  ctx->guest = (ctx->cpuinfo != NULL && cpu_has_flag (ctx->cpuinfo, "hypervisor")) ||
               pt_root_exists (root, "sys/hypervisor/type");
  if (cmdline != NULL)
    ctx->cmdline = pt_kernel_cmdline_split (cmdline);
}

/**
 * pt_checks_run:
 * @n_groups: how many IOMMU groups the scan found
 *
 * Returns: (transfer full) (element-type PtCheck): every readiness check
 */
GPtrArray *
pt_checks_run (PtRoot      *root,
               PtBootSetup *boot,
               guint        n_groups)
{
  g_auto(Context) ctx = { 0 };
  GPtrArray *checks = g_ptr_array_new_with_free_func (g_object_unref);

  context_init (&ctx, root, boot, n_groups);
  check_cpu (&ctx, checks);
  check_iommu_firmware (&ctx, checks);
  check_iommu_kernel (&ctx, checks);
  check_interrupt_remapping (&ctx, checks);
  check_kernel_cmdline (&ctx, checks);
  check_boot_config (&ctx, checks);
  check_isolation (&ctx, checks);
  check_vfio_modules (&ctx, checks);
  check_device_nodes (&ctx, checks);
  check_boot_tools (&ctx, checks);

  return checks;
}

/**
 * pt_checks_run_sandboxed:
 *
 * The checks that can be made from inside the Flatpak sandbox: the CPU, the
 * IOMMU (its groups are seen through the devices' links), the kernel
 * command line and the groups' isolation; the rest is one warning that says
 * what cannot be seen and how to see it.
 *
 * Returns: (transfer full) (element-type PtCheck): the checks
 */
GPtrArray *
pt_checks_run_sandboxed (PtRoot      *root,
                         PtBootSetup *boot,
                         guint        n_groups)
{
  g_auto(Context) ctx = { 0 };
  GPtrArray *checks = g_ptr_array_new_with_free_func (g_object_unref);

  context_init (&ctx, root, boot, n_groups);
  check_cpu (&ctx, checks);
  check_iommu_kernel (&ctx, checks);
  check_kernel_cmdline (&ctx, checks);
  check_isolation (&ctx, checks);
  pt_sandbox_add_checks (checks);

  return checks;
}

/**
 * pt_checks_run_remote:
 * @uri: the libvirt connection the host was read through
 * @n_groups: how many IOMMU groups its node devices showed
 *
 * Through libvirt only the IOMMU groups can be seen; everything else is
 * said to be unknown rather than guessed.
 *
 * Returns: (transfer full) (element-type PtCheck): the checks that can be made
 */
GPtrArray *
pt_checks_run_remote (const char *uri,
                      guint       n_groups)
{
  GPtrArray *checks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *summary = NULL;
  g_autofree char *fix = NULL;
  g_autofree char *name = NULL;

  if (n_groups > 0)
    {
      summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "The IOMMU is on: devices are in %u IOMMU group.",
                                              "The IOMMU is on: devices are in %u IOMMU groups.",
                                              n_groups),
                                 n_groups);
      add (checks, "iommu-kernel", _("IOMMU in the kernel"), PT_CHECK_PASS, summary, NULL);
    }
  else
    add (checks, "iommu-kernel", _("IOMMU in the kernel"), PT_CHECK_FAIL,
         _("The IOMMU is off: libvirt reports no IOMMU groups on this host."),
         _("Run “passthroughctl check” on that host to see what is missing."));

  g_clear_pointer (&summary, g_free);
  name = pt_connection_uri_describe (uri);
  summary = g_strdup_printf (_("%s is read through libvirt: the firmware, kernel command line, "
                               "boot loader and what the host itself uses cannot be seen."),
                             name);
  fix = g_strdup_printf (_("Run “passthroughctl check” and “passthroughctl devices” on that host "
                           "before giving away a device it may need."));
  add (checks, "remote-host", _("Remote host"), PT_CHECK_WARN, summary, fix);

  return checks;
}

/**
 * pt_checks_vfio_pci_is_builtin:
 *
 * Returns: whether the running kernel has vfio-pci built in (Ubuntu does),
 *   so that its options must go on the kernel command line
 */
gboolean
pt_checks_vfio_pci_is_builtin (PtRoot      *root,
                               const char  *kernel_release)
{
  g_autofree char *path = NULL;
  g_autofree char *builtin = NULL;

  if (kernel_release == NULL || strchr (kernel_release, '/') != NULL)
    return FALSE;
  path = g_strdup_printf ("lib/modules/%s/modules.builtin", kernel_release);
  builtin = pt_root_read_file (root, path, NULL, NULL);
  return module_listed (builtin, "vfio-pci.ko");
}
