/* pt-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PT_ERROR (pt_error_quark ())

/**
 * PtError:
 * @PT_ERROR_FAILED: something went wrong that has no more specific code
 * @PT_ERROR_INVALID_ROOT: the host root cannot be read as a Linux host
 * @PT_ERROR_INVALID_ARGUMENT: the caller passed something malformed
 * @PT_ERROR_NOT_FOUND: a device, group or file that was asked for does not exist
 * @PT_ERROR_CANCELLED: the operation was cancelled
 * @PT_ERROR_PERMISSION_DENIED: the person may not do this (polkit, libvirt)
 * @PT_ERROR_UNAVAILABLE: a service (libvirt, a remote host) cannot be reached
 * @PT_ERROR_NOT_SUPPORTED: the driver or host cannot do this at all
 * @PT_ERROR_BUSY: a device is in use elsewhere, e.g. given to another VM
 * @PT_ERROR_NEEDS_RESTART: a running VM cannot take the change live; it can
 *   be made to its saved definition, for its next start
 *
 * The one error domain of Passthrough. Every message carried in a
 * #PtError says what happened and what the person can do about it.
 */
typedef enum
{
  PT_ERROR_FAILED = 1,
  PT_ERROR_INVALID_ROOT,
  PT_ERROR_INVALID_ARGUMENT,
  PT_ERROR_NOT_FOUND,
  PT_ERROR_CANCELLED,
  PT_ERROR_PERMISSION_DENIED,
  PT_ERROR_UNAVAILABLE,
  PT_ERROR_NOT_SUPPORTED,
  PT_ERROR_BUSY,
  PT_ERROR_NEEDS_RESTART,
} PtError;

GQuark pt_error_quark (void);

G_END_DECLS
