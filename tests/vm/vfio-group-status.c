/* vfio-group-status.c — runs inside the test VM.
 *
 * Opens /dev/vfio/vfio and /dev/vfio/GROUP and asks the kernel whether the
 * group is viable (VFIO_GROUP_GET_STATUS), as QEMU does before it uses a
 * device. Prints "viable" or "not-viable"; exits 1 if it cannot ask.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int
main (int   argc,
      char *argv[])
{
  struct vfio_group_status status = { .argsz = sizeof status };
  char path[64];
  int container, group;

  if (argc != 2 || strlen (argv[1]) > 10)
    {
      fprintf (stderr, "usage: vfio-group-status GROUP\n");
      return 2;
    }

  container = open ("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
  snprintf (path, sizeof path, "/dev/vfio/%s", argv[1]);
  group = open (path, O_RDWR | O_CLOEXEC);
  if (container < 0 || group < 0)
    {
      perror ("open");
      return 1;
    }

  if (ioctl (container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
      ioctl (group, VFIO_GROUP_GET_STATUS, &status) < 0)
    {
      perror ("ioctl");
      return 1;
    }

  puts ((status.flags & VFIO_GROUP_FLAGS_VIABLE) ? "viable" : "not-viable");
  return 0;
}
