/* ptctl-context.h
 *
 * What every passthroughctl command gets: the parsed options.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pt-host.h"

G_BEGIN_DECLS

/* Exit statuses, as documented in the README. */
enum {
  PTCTL_EXIT_OK = 0,
  PTCTL_EXIT_NOT_READY = 1,
  PTCTL_EXIT_ERROR = 2,
};

typedef struct
{
  const char *root;           /* NULL: this host's "/" */
  const char *connect;        /* NULL: no --connect given */
  gboolean json;
  gboolean dry_run;
  const char *vm;
  const char *rom_bar;
  const char *rom_file;
  gboolean move;
  gboolean config_only;
  gboolean unmanaged;
  gboolean force;
  gboolean yes;               /* acknowledge the named risks of a VM change */
  gboolean device_only;
  gboolean keep_vfs_free;
  gboolean by_id;
  gboolean by_address;
  gboolean vms_unseen;        /* libvirt listens here but could not be asked which VMs run */
  char **args;                /* positional arguments after the command name */
} PtctlContext;

void          ptctl_print_document (const char    *text);
void          ptctl_begin_output   (void);
void          ptctl_printf         (const char    *format,
                                    ...) G_GNUC_PRINTF (1, 2);
int           ptctl_end_output     (int            status);
int           ptctl_fail           (const char    *format,
                                    ...) G_GNUC_PRINTF (1, 2);
gboolean      ptctl_only_options   (PtctlContext  *ctx,
                                    const char    *command,
                                    const char    *allowed,
                                    int           *status);
gboolean      ptctl_needs_libvirt  (PtctlContext  *ctx,
                                    const char    *command);
PtHost       *ptctl_scan_host      (PtctlContext  *ctx,
                                    GError       **error);

#if PTCTL_WITH_LIBVIRT
#include "pt-connection.h"

PtConnection *ptctl_open_connection (PtctlContext *ctx,
                                     gboolean      required,
                                     GError      **error);
#endif

int  ptctl_cmd_devices (PtctlContext *ctx);
int  ptctl_cmd_groups  (PtctlContext *ctx);
int  ptctl_cmd_check   (PtctlContext *ctx);
int  ptctl_cmd_boot    (PtctlContext *ctx);
int  ptctl_cmd_bind    (PtctlContext *ctx);
int  ptctl_cmd_unbind  (PtctlContext *ctx);
int  ptctl_cmd_vfs     (PtctlContext *ctx);
#if PTCTL_WITH_LIBVIRT
int  ptctl_cmd_vms     (PtctlContext *ctx);
int  ptctl_cmd_attach  (PtctlContext *ctx);
int  ptctl_cmd_detach  (PtctlContext *ctx);
#endif

G_END_DECLS
