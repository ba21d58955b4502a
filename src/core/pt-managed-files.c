/* pt-managed-files.c
 *
 * The only files the privileged helper ever rewrites or restores (boot and
 * module configuration at fixed places) and the only programs it runs, by
 * name. Every plan and every record of a past change is checked against
 * these lists before a byte is written.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fnmatch.h>
#include <string.h>

#include "pt-managed-files.h"

/* What the helper may ever rewrite, as host paths (fnmatch, no FNM_PATHNAME
 * needed: '*' never crosses '/' because names with '/' are refused first). */
static const char * const editable[] = {
  "/etc/default/grub",
  "/etc/default/grub.d/*.cfg",
  "/etc/kernel/cmdline",
  "/boot/loader/entries/*.conf",
  "/boot/efi/loader/entries/*.conf",
  "/efi/loader/entries/*.conf",
  "/boot/grub2/grubenv",
  "/etc/kernelstub/configuration",
  "/etc/modprobe.d/passthrough-vfio.conf",
  "/etc/modules-load.d/passthrough-vfio.conf",
  "/etc/dracut.conf.d/passthrough-vfio.conf",
  "/etc/initramfs-tools/modules",
  "/etc/mkinitcpio.conf",
  "/etc/udev/rules.d/60-passthrough-vfio.rules",
  "/etc/initramfs-tools/hooks/passthrough-vfio",
  "/etc/grub.d/42_passthrough-off",
  NULL,
};

/* What the helper may read back to check a regenerated configuration:
 * the generated grub.cfg where each distribution keeps it. */
static const char * const verifiable[] = {
  "/boot/grub/grub.cfg",
  "/boot/grub2/grub.cfg",
  "/boot/efi/EFI/*/grub.cfg",
  NULL,
};

/* Created executable: initramfs-tools and grub-mkconfig run only executable scripts. */
static const char * const executable[] = {
  "/etc/initramfs-tools/hooks/passthrough-vfio",
  "/etc/grub.d/42_passthrough-off",
  NULL,
};

/**
 * pt_managed_path_is_clean:
 *
 * Returns: whether no component of @path is "." or ".." and no two slashes meet
 */
gboolean
pt_managed_path_is_clean (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  guint i;

  for (i = 0; parts[i] != NULL; i++)
    if (g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
      return FALSE;
  return strstr (path, "//") == NULL;
}

static gboolean
matches (const char * const *patterns,
         const char         *path)
{
  guint i;

  if (path == NULL || path[0] != '/' || !pt_managed_path_is_clean (path) || strlen (path) > 255)
    return FALSE;

  for (i = 0; patterns[i] != NULL; i++)
    {
      const char *slash = strrchr (patterns[i], '/');
      gsize dir_len = (gsize) (slash - patterns[i]);
      const char *star = strchr (patterns[i], '*');

      /* A directory with a '*' matches one component; otherwise exactly. */
      if (star != NULL && star < slash)
        {
          if (fnmatch (patterns[i], path, FNM_PATHNAME | FNM_PERIOD) == 0)
            return TRUE;
          continue;
        }

      /* The directory must match exactly; only the name is a pattern. */
      if (strncmp (path, patterns[i], dir_len + 1) != 0 || strchr (path + dir_len + 1, '/') != NULL)
        continue;
      if (fnmatch (slash + 1, path + dir_len + 1, FNM_PERIOD) == 0)
        return TRUE;
    }

  return FALSE;
}

/**
 * pt_managed_file_is_editable:
 * @path: a host path, e.g. "/etc/default/grub"
 *
 * Returns: whether the helper may rewrite it
 */
gboolean
pt_managed_file_is_editable (const char *path)
{
  return matches (editable, path);
}

/**
 * pt_managed_file_is_verifiable:
 *
 * Returns: whether the helper may read @path back after regenerating it
 *   (the files it edits, and grub.cfg)
 */
gboolean
pt_managed_file_is_verifiable (const char *path)
{
  return matches (editable, path) || matches (verifiable, path);
}

/**
 * pt_managed_file_new_mode:
 *
 * Returns: the mode a new @path is created with
 */
guint
pt_managed_file_new_mode (const char *path)
{
  return matches (executable, path) ? 0755 : 0644;
}

static const char * const commands[] = {
  "modprobe", "grubby", "kernelstub", "grub-reboot", "grub2-reboot", "bootctl",
  "update-grub", "grub-mkconfig", "grub2-mkconfig",
  "dracut", "update-initramfs", "mkinitcpio",
  "lsinitrd", "lsinitramfs", "lsinitcpio",
  NULL,
};

/* They list an initramfs: the helper checks vfio-pci is in their output. */
static const char * const listers[] = {
  "lsinitrd", "lsinitramfs", "lsinitcpio", NULL,
};

/* They rebuild something from the managed files: undo runs them again. */
static const char * const regenerators[] = {
  "update-grub", "grub-mkconfig", "grub2-mkconfig",
  "dracut", "update-initramfs", "mkinitcpio", "kernelstub",
  NULL,
};

gboolean
pt_managed_command_is_allowed (const char *name)
{
  return name != NULL && g_strv_contains (commands, name);
}

gboolean
pt_managed_command_is_regenerator (const char *name)
{
  return name != NULL && g_strv_contains (regenerators, name);
}

gboolean
pt_managed_command_lists_initramfs (const char *name)
{
  return name != NULL && g_strv_contains (listers, name);
}
