/* pt-boot-setup.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "pt-root.h"

G_BEGIN_DECLS

typedef enum
{
  PT_BOOTLOADER_UNKNOWN,
  PT_BOOTLOADER_GRUB,
  PT_BOOTLOADER_GRUB_BLS,
  PT_BOOTLOADER_SYSTEMD_BOOT,
  PT_BOOTLOADER_KERNELSTUB,
} PtBootloader;

typedef enum
{
  PT_INITRAMFS_UNKNOWN,
  PT_INITRAMFS_DRACUT,
  PT_INITRAMFS_INITRAMFS_TOOLS,
  PT_INITRAMFS_MKINITCPIO,
} PtInitramfsTool;

#define PT_TYPE_BOOT_SETUP (pt_boot_setup_get_type ())

G_DECLARE_FINAL_TYPE (PtBootSetup, pt_boot_setup, PT, BOOT_SETUP, GObject)

PtBootSetup        *pt_boot_setup_detect              (PtRoot      *root);
PtBootSetup        *pt_boot_setup_new_unknown         (void);
PtBootSetup        *pt_boot_setup_detect_sandboxed    (PtRoot      *root);
const char         *pt_boot_setup_get_os_id           (PtBootSetup *self);
const char         *pt_boot_setup_get_os_name         (PtBootSetup *self);
const char         *pt_boot_setup_get_os_version_id   (PtBootSetup *self);
gboolean            pt_boot_setup_is_uefi             (PtBootSetup *self);
PtBootloader        pt_boot_setup_get_bootloader      (PtBootSetup *self);
const char         *pt_boot_setup_get_bootloader_name (PtBootSetup *self);
const char         *pt_boot_setup_get_grub_cfg        (PtBootSetup *self);
const char * const *pt_boot_setup_get_regenerate_argv (PtBootSetup *self);
PtInitramfsTool     pt_boot_setup_get_initramfs_tool  (PtBootSetup *self);
const char * const *pt_boot_setup_get_initramfs_regenerate_argv (PtBootSetup *self);
const char         *pt_boot_setup_get_initramfs_name  (PtBootSetup *self);
const char         *pt_boot_setup_get_kernel_release  (PtBootSetup *self);
gboolean            pt_boot_setup_is_like             (PtBootSetup *self,
                                                       const char  *os_id);
char               *pt_boot_setup_shell_value         (const char  *contents,
                                                       const char  *key);

G_END_DECLS
