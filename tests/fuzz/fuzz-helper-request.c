/* fuzz-helper-request.c — libFuzzer target for the helper's argument parser.
 *
 * The input is split at NUL bytes into argv. Whatever it is, the parser
 * either refuses it or returns a request whose address is a kernel PCI
 * address and whose count is in range.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ph-request.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  char *copy = g_malloc (size + 1);
  char *argv[40] = { (char *) "passthrough-helper" };
  int argc = 1;
  size_t start = 0, i;
  PhRequest request;
  GError *error = NULL;

  memcpy (copy, data, size);
  copy[size] = '\0';
  for (i = 0; i <= size && argc < 39; i++)
    if (i == size || copy[i] == '\0')
      {
        argv[argc++] = copy + start;
        start = i + 1;
      }
  argv[argc] = NULL;

  if (ph_request_parse (argc, argv, &request, &error))
    {
      if (request.verb == PH_VERB_BIND || request.verb == PH_VERB_RETURN || request.verb == PH_VERB_SET_VFS)
        if (!ph_is_pci_address (request.address))
          abort ();
      if (request.count < 0 || request.count > PH_MAX_VFS)
        abort ();
    }
  else if (error == NULL || error->message == NULL)
    abort ();

  g_clear_error (&error);
  g_free (copy);
  return 0;
}
