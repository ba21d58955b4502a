/* pt-helper-protocol.h
 *
 * What passthrough-helper and its client agree on: the exit statuses
 * (distinct from pkexec's 126 "dismissed" and 127 "not authorised") and the
 * prefix of the progress lines it prints on standard output:
 *
 *   step K/N: what it does now
 *   | a line of a tool's output
 *
 * Anything else on standard output is part of the result (a plan, the
 * history); the reason for a failure is on standard error. A boot change
 * that was recorded says so on a result line of its own:
 *
 *   change N recorded; …
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

enum {
  PT_HELPER_EXIT_OK = 0,
  PT_HELPER_EXIT_USAGE = 64,          /* malformed arguments; nothing done */
  PT_HELPER_EXIT_REFUSED = 65,        /* unsafe or impossible; nothing done */
  PT_HELPER_EXIT_NOT_FOUND = 66,      /* no such device or change; nothing done */
  PT_HELPER_EXIT_ROLLED_BACK = 70,    /* a step failed; every change undone */
  PT_HELPER_EXIT_INCONSISTENT = 71,   /* a step failed and undoing it failed too */
  PT_HELPER_EXIT_RECOVERED = 72,      /* an interrupted earlier change was put back
                                         first; then the request failed, nothing of it done */
  PT_HELPER_EXIT_RECOVERY_FAILED = 73,  /* an interrupted earlier change could not be
                                           put back; the request was not tried */
  PT_HELPER_EXIT_LOCKED = 75,         /* another run is changing the host */
  PT_HELPER_EXIT_NOT_ROOT = 77,       /* not started as root */
};

#define PT_HELPER_STEP_PREFIX "step "
#define PT_HELPER_LOG_PREFIX "| "
#define PT_HELPER_CHANGE_RECORDED "change %u recorded"
