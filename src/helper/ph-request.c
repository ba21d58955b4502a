/* ph-request.c
 *
 * The helper's command line, parsed strictly by the core's
 * pt_host_change_parse_argv() (the one table of host changes, shared with
 * the app and passthroughctl): a fixed group and verb, a PCI address in the
 * kernel's exact form, decimal counts in range, a few known flags, each at
 * most once. Anything else is refused before anything is read. Fuzzed by
 * tests/fuzz/fuzz-helper-request.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ph-request.h"
#include "pt-host-change.h"
#include "pt-sysfs.h"

/* The kernel's form exactly: dddd:bb:ss.f, lower-case hex, slot up to 1f. */
gboolean
ph_is_pci_address (const char *text)
{
  return pt_sysfs_is_pci_address (text);
}

/**
 * ph_request_parse:
 * Fills @request from `passthrough-helper GROUP VERB [ARGS…] [FLAGS…]`,
 * through the core's one parser of the helper's argv.
 */
gboolean
ph_request_parse (int          argc,
                  char       **argv,
                  PhRequest   *request,
                  GError     **error)
{
  PtHostChange change;
  guint i;

  memset (request, 0, sizeof *request);
  if (!pt_host_change_parse_argv (argc, argv, &change, error))
    return FALSE;

  request->verb = change.kind;
  if (change.n_addresses > 0 &&
      (change.kind == PT_HOST_CHANGE_BIND || change.kind == PT_HOST_CHANGE_RETURN ||
       change.kind == PT_HOST_CHANGE_SET_VFS))
    memcpy (request->address, change.addresses[0], PH_ADDRESS_LEN + 1);
  else
    {
      for (i = 0; i < change.n_addresses; i++)
        memcpy (request->addresses[i], change.addresses[i], PH_ADDRESS_LEN + 1);
      request->n_addresses = (int) change.n_addresses;
    }
  request->count = change.count;
  request->change_id = change.change_id;
  request->force = (change.flags & PT_HOST_CHANGE_FORCE) != 0;
  request->device_only = (change.flags & PT_HOST_CHANGE_DEVICE_ONLY) != 0;
  request->keep_vfs_free = (change.flags & PT_HOST_CHANGE_KEEP_VFS_FREE) != 0;
  request->dry_run = (change.flags & PT_HOST_CHANGE_DRY_RUN) != 0;
  request->json = (change.flags & PT_HOST_CHANGE_JSON) != 0;
  return TRUE;
}
