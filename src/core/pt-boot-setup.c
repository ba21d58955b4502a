/* pt-boot-setup.c
 *
 * Which distribution, boot loader and initramfs generator a host uses, and
 * where its generated boot configuration lives. Guides go wrong here most:
 * openEuler 22.03 writes /boot/efi/EFI/openEuler/grub.cfg on UEFI and
 * /boot/grub2/grub.cfg on BIOS; Fedora 34+ and RHEL 9 always write
 * /boot/grub2/grub.cfg (the EFI one is a stub that loads it); Debian and
 * Ubuntu regenerate with update-grub; BLS systems need grubby; Pop!_OS's
 * systemd-boot is managed through kernelstub.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-boot-setup"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pt-boot-setup.h"

struct _PtBootSetup
{
  GObject parent_instance;

  char *os_id;
  char *os_name;
  char *os_version_id;
  GStrv os_id_like;
  char *kernel_release;

  PtBootloader bootloader;
  char *grub_cfg;
  GStrv regenerate_argv;

  PtInitramfsTool initramfs;

  guint uefi : 1;
};

G_DEFINE_FINAL_TYPE (PtBootSetup, pt_boot_setup, G_TYPE_OBJECT)

static void
pt_boot_setup_finalize (GObject *object)
{
  PtBootSetup *self = (PtBootSetup *) object;

  g_clear_pointer (&self->os_id, g_free);
  g_clear_pointer (&self->os_name, g_free);
  g_clear_pointer (&self->os_version_id, g_free);
  g_clear_pointer (&self->os_id_like, g_strfreev);
  g_clear_pointer (&self->kernel_release, g_free);
  g_clear_pointer (&self->grub_cfg, g_free);
  g_clear_pointer (&self->regenerate_argv, g_strfreev);

  G_OBJECT_CLASS (pt_boot_setup_parent_class)->finalize (object);
}

static void
pt_boot_setup_class_init (PtBootSetupClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pt_boot_setup_finalize;
}

static void
pt_boot_setup_init (PtBootSetup *self)
{
}

/**
 * pt_boot_setup_shell_value:
 * @contents: a shell-like KEY=value file (os-release, a mkinitcpio preset)
 *
 * Returns: (nullable): the value of the first line assigning @key, without
 *   the ' or " quotes around it
 */
char *
pt_boot_setup_shell_value (const char *contents,
                           const char *key)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  gsize key_len = strlen (key);
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (strncmp (line, key, key_len) == 0 && line[key_len] == '=')
        {
          g_autofree char *value = g_strstrip (g_strdup (line + key_len + 1));
          gsize len = strlen (value);

          if (len >= 2 && (value[0] == '"' || value[0] == '\'') && value[len - 1] == value[0])
            return g_strndup (value + 1, len - 2);

          return g_steal_pointer (&value);
        }
    }

  return NULL;
}

static void
read_os_release (PtBootSetup *self,
                 PtRoot      *root,
                 const char  *path)
{
  g_autofree char *contents = pt_root_read_file (root, path, NULL, NULL);
  g_autofree char *id_like = NULL;

  if (contents == NULL && g_str_equal (path, "etc/os-release"))
    contents = pt_root_read_file (root, "usr/lib/os-release", NULL, NULL);
  if (contents == NULL)
    return;

  self->os_id = pt_boot_setup_shell_value (contents, "ID");
  self->os_name = pt_boot_setup_shell_value (contents, "PRETTY_NAME");
  self->os_version_id = pt_boot_setup_shell_value (contents, "VERSION_ID");
  id_like = pt_boot_setup_shell_value (contents, "ID_LIKE");
  if (id_like != NULL)
    self->os_id_like = g_strsplit (id_like, " ", -1);
}

/**
 * pt_boot_setup_is_like:
 * @os_id: an os-release ID such as "debian" or "fedora"
 *
 * Returns: whether the host is @os_id or derives from it (ID_LIKE)
 */
gboolean
pt_boot_setup_is_like (PtBootSetup *self,
                       const char  *os_id)
{
  g_return_val_if_fail (PT_IS_BOOT_SETUP (self), FALSE);

  if (g_strcmp0 (self->os_id, os_id) == 0)
    return TRUE;

  return self->os_id_like != NULL && g_strv_contains ((const char * const *) self->os_id_like, os_id);
}

static gboolean
has_program (PtRoot     *root,
             const char *name)
{
  static const char * const dirs[] = { "usr/sbin", "usr/bin", "sbin", "bin" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (dirs[i], name, NULL);

      if (pt_root_exists (root, path))
        return TRUE;
    }

  return FALSE;
}

static int
major_version (PtBootSetup *self)
{
  if (self->os_version_id == NULL)
    return 0;

  return atoi (self->os_version_id);
}

static gboolean
grub_enables_bls (PtRoot *root)
{
  g_autofree char *defaults = pt_root_read_file (root, "etc/default/grub", NULL, NULL);

  return defaults != NULL &&
         (strstr (defaults, "GRUB_ENABLE_BLSCFG=true") != NULL ||
          strstr (defaults, "GRUB_ENABLE_BLSCFG=\"true\"") != NULL);
}

static const char *
find_loader_conf (PtRoot *root)
{
  static const char * const paths[] = {
    "boot/loader/loader.conf", "boot/efi/loader/loader.conf", "efi/loader/loader.conf",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (paths); i++)
    if (pt_root_exists (root, paths[i]))
      return paths[i];

  return NULL;
}

/* Where grub2-mkconfig must write on this distribution and firmware. */
static char *
grub_cfg_path (PtBootSetup *self,
               PtRoot      *root)
{
  static const struct {
    const char *id;
    const char *efi_dir;
    int always_grub2_from;
  } rpm_distros[] = {
    { "fedora", "fedora", 34 },
    { "rhel", "redhat", 9 },
    { "centos", "centos", 9 },
    { "rocky", "rocky", 9 },
    { "almalinux", "almalinux", 9 },
  };
  guint i;

  if (g_strcmp0 (self->os_id, "openEuler") == 0 || g_strcmp0 (self->os_id, "openeuler") == 0)
    return g_strdup (self->uefi ? "/boot/efi/EFI/openEuler/grub.cfg" : "/boot/grub2/grub.cfg");

  for (i = 0; i < G_N_ELEMENTS (rpm_distros); i++)
    if (g_strcmp0 (self->os_id, rpm_distros[i].id) == 0)
      {
        if (!self->uefi || major_version (self) >= rpm_distros[i].always_grub2_from)
          return g_strdup ("/boot/grub2/grub.cfg");
        return g_strdup_printf ("/boot/efi/EFI/%s/grub.cfg", rpm_distros[i].efi_dir);
      }

  if (pt_boot_setup_is_like (self, "debian") || pt_boot_setup_is_like (self, "ubuntu") ||
      pt_boot_setup_is_like (self, "arch"))
    return g_strdup ("/boot/grub/grub.cfg");

  if (has_program (root, "grub2-mkconfig") || pt_root_is_dir (root, "boot/grub2"))
    return g_strdup ("/boot/grub2/grub.cfg");

  return g_strdup ("/boot/grub/grub.cfg");
}

static void
detect_bootloader (PtBootSetup *self,
                   PtRoot      *root)
{
  gboolean has_grub_defaults = pt_root_exists (root, "etc/default/grub");

  if (pt_root_exists (root, "etc/kernelstub/configuration") || has_program (root, "kernelstub"))
    {
      self->bootloader = PT_BOOTLOADER_KERNELSTUB;
      return;
    }

  if (find_loader_conf (root) != NULL && !has_grub_defaults)
    {
      self->bootloader = PT_BOOTLOADER_SYSTEMD_BOOT;
      return;
    }

  if (!has_grub_defaults)
    return;

  self->grub_cfg = grub_cfg_path (self, root);

  if (grub_enables_bls (root) && has_program (root, "grubby"))
    self->bootloader = PT_BOOTLOADER_GRUB_BLS;
  else
    self->bootloader = PT_BOOTLOADER_GRUB;

  if (has_program (root, "update-grub") &&
      (pt_boot_setup_is_like (self, "debian") || pt_boot_setup_is_like (self, "ubuntu")))
    {
      const char *argv[] = { "update-grub", NULL };

      self->regenerate_argv = g_strdupv ((char **) argv);
    }
  else
    {
      const char *mkconfig = has_program (root, "grub2-mkconfig") ? "grub2-mkconfig"
                                                                  : "grub-mkconfig";
      const char *argv[] = { mkconfig, "-o", self->grub_cfg, NULL };

      self->regenerate_argv = g_strdupv ((char **) argv);
    }
}

static void
detect_initramfs (PtBootSetup *self,
                  PtRoot      *root)
{
  if (has_program (root, "update-initramfs") || pt_root_is_dir (root, "etc/initramfs-tools"))
    self->initramfs = PT_INITRAMFS_INITRAMFS_TOOLS;
  else if (has_program (root, "mkinitcpio") || pt_root_exists (root, "etc/mkinitcpio.conf"))
    self->initramfs = PT_INITRAMFS_MKINITCPIO;
  else if (has_program (root, "dracut") || pt_root_exists (root, "etc/dracut.conf"))
    self->initramfs = PT_INITRAMFS_DRACUT;
}

/**
 * pt_boot_setup_detect:
 *
 * Returns: (transfer full): what @root boots with
 */
PtBootSetup *
pt_boot_setup_detect (PtRoot *root)
{
  PtBootSetup *self = g_object_new (PT_TYPE_BOOT_SETUP, NULL);

  read_os_release (self, root, "etc/os-release");
  self->kernel_release = pt_root_read_line (root, "proc/sys/kernel/osrelease");
  self->uefi = pt_root_is_dir (root, "sys/firmware/efi");
  detect_bootloader (self, root);
  detect_initramfs (self, root);

  return self;
}

/**
 * pt_boot_setup_detect_sandboxed:
 *
 * This computer from inside the Flatpak sandbox: the host's operating
 * system (its os-release at /run/host/os-release) and kernel; its boot
 * loader and initramfs are unknown, since the sandbox's /etc and /boot are
 * the runtime's, not the host's.
 *
 * Returns: (transfer full): what can be known of how the host boots
 */
PtBootSetup *
pt_boot_setup_detect_sandboxed (PtRoot *root)
{
  PtBootSetup *self = g_object_new (PT_TYPE_BOOT_SETUP, NULL);

  read_os_release (self, root, "run/host/os-release");
  self->kernel_release = pt_root_read_line (root, "proc/sys/kernel/osrelease");
  self->uefi = pt_root_is_dir (root, "sys/firmware/efi");
  return self;
}

/**
 * pt_boot_setup_new_unknown:
 *
 * For hosts seen only through libvirt, whose files cannot be read.
 *
 * Returns: (transfer full): a setup that knows nothing
 */
PtBootSetup *
pt_boot_setup_new_unknown (void)
{
  return g_object_new (PT_TYPE_BOOT_SETUP, NULL);
}

/**
 * pt_boot_setup_get_os_id:
 *
 * Returns: (nullable): os-release's ID, e.g. "debian", "openEuler"
 */
const char *
pt_boot_setup_get_os_id (PtBootSetup *self)
{
  g_return_val_if_fail (PT_IS_BOOT_SETUP (self), NULL);
  return self->os_id;
}

/**
 * pt_boot_setup_get_os_name:
 *
 * Returns: (nullable): os-release's PRETTY_NAME
 */
const char *
pt_boot_setup_get_os_name (PtBootSetup *self)
{
  g_return_val_if_fail (PT_IS_BOOT_SETUP (self), NULL);
  return self->os_name;
}

const char *
pt_boot_setup_get_os_version_id (PtBootSetup *self)
{
  g_return_val_if_fail (PT_IS_BOOT_SETUP (self), NULL);
  return self->os_version_id;
}

gboolean
pt_boot_setup_is_uefi (PtBootSetup *self)
{
  g_return_val_if_fail (PT_IS_BOOT_SETUP (self), FALSE);
  return self->uefi;
}

PtBootloader
pt_boot_setup_get_bootloader (PtBootSetup *self)
{
  g_return_val_if_fail (PT_IS_BOOT_SETUP (self), PT_BOOTLOADER_UNKNOWN);
  return self->bootloader;
}

const char *
pt_boot_setup_get_bootloader_name (PtBootSetup *self)
{
  g_return_val_if_fail (PT_IS_BOOT_SETUP (self), NULL);

  switch (self->bootloader)
    {
    case PT_BOOTLOADER_GRUB:
      return "GRUB";
    case PT_BOOTLOADER_GRUB_BLS:
      return _("GRUB with BLS entries (grubby)");
    case PT_BOOTLOADER_SYSTEMD_BOOT:
      return "systemd-boot";
    case PT_BOOTLOADER_KERNELSTUB:
      return _("systemd-boot through kernelstub");
    case PT_BOOTLOADER_UNKNOWN:
    default:
      return NULL;
    }
}

/**
 * pt_boot_setup_get_grub_cfg:
 *
 * Returns: (nullable): the grub.cfg the host's tools regenerate, as a path
 *   on the host
 */
const char *
pt_boot_setup_get_grub_cfg (PtBootSetup *self)
{
  g_return_val_if_fail (PT_IS_BOOT_SETUP (self), NULL);
  return self->grub_cfg;
}

/**
 * pt_boot_setup_get_regenerate_argv:
 *
 * Returns: (nullable) (transfer none): the command that regenerates grub.cfg
 */
const char * const *
pt_boot_setup_get_regenerate_argv (PtBootSetup *self)
{
  g_return_val_if_fail (PT_IS_BOOT_SETUP (self), NULL);
  return (const char * const *) self->regenerate_argv;
}

/**
 * pt_boot_setup_get_initramfs_regenerate_argv:
 *
 * Returns: (nullable) (transfer none): the command that rebuilds every
 *   initramfs with the initramfs tool this host uses
 */
const char * const *
pt_boot_setup_get_initramfs_regenerate_argv (PtBootSetup *self)
{
  static const char * const dracut[] = { "dracut", "--force", "--regenerate-all", NULL };
  static const char * const initramfs_tools[] = { "update-initramfs", "-u", "-k", "all", NULL };
  static const char * const mkinitcpio[] = { "mkinitcpio", "-P", NULL };

  g_return_val_if_fail (PT_IS_BOOT_SETUP (self), NULL);

  switch (self->initramfs)
    {
    case PT_INITRAMFS_DRACUT:
      return dracut;
    case PT_INITRAMFS_INITRAMFS_TOOLS:
      return initramfs_tools;
    case PT_INITRAMFS_MKINITCPIO:
      return mkinitcpio;
    case PT_INITRAMFS_UNKNOWN:
    default:
      return NULL;
    }
}

PtInitramfsTool
pt_boot_setup_get_initramfs_tool (PtBootSetup *self)
{
  g_return_val_if_fail (PT_IS_BOOT_SETUP (self), PT_INITRAMFS_UNKNOWN);
  return self->initramfs;
}

const char *
pt_boot_setup_get_initramfs_name (PtBootSetup *self)
{
  g_return_val_if_fail (PT_IS_BOOT_SETUP (self), NULL);

  switch (self->initramfs)
    {
    case PT_INITRAMFS_DRACUT:
      return "dracut";
    case PT_INITRAMFS_INITRAMFS_TOOLS:
      return "initramfs-tools";
    case PT_INITRAMFS_MKINITCPIO:
      return "mkinitcpio";
    case PT_INITRAMFS_UNKNOWN:
    default:
      return NULL;
    }
}

/**
 * pt_boot_setup_get_kernel_release:
 *
 * Returns: (nullable): the running kernel's release, e.g. "6.1.0-13-amd64"
 */
const char *
pt_boot_setup_get_kernel_release (PtBootSetup *self)
{
  g_return_val_if_fail (PT_IS_BOOT_SETUP (self), NULL);
  return self->kernel_release;
}
