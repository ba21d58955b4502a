/* sysfs-floor.c
 *
 * The benchmark's floor: the least a program can do to read the same sysfs
 * attributes `passthroughctl devices` reads (uevent and revision, or without
 * uevent the first 64 bytes of config and the driver link; numa_node,
 * driver_override, sriov_*, reset_method, boot_vga, and the parent,
 * iommu_group and virtfn links; a VF's PF is known from the PF's virtfn
 * links, as in the scanner), with the same system calls (one
 * directory listing, then per device an O_PATH open of its directory and
 * openat/read/close, readlinkat and faccessat relative to it), and nothing
 * else: no parsing, no names, no output beyond a count.
 *
 * Usage: sysfs-floor ROOT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long bytes_read;

static int
read_attr (int dirfd, const char *name, char *buf, size_t size)
{
  int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  ssize_t n;

  if (fd < 0)
    return -1;
  n = read (fd, buf, size - 1);
  close (fd);
  if (n < 0)
    return -1;
  buf[n] = '\0';
  bytes_read += (unsigned long) n;
  return 0;
}

static int
read_link (int dirfd, const char *name, char *buf, size_t size)
{
  ssize_t n = readlinkat (dirfd, name, buf, size - 1);

  if (n <= 0)
    return -1;
  buf[n] = '\0';
  return 0;
}

static void
read_device (int devices_fd, const char *address)
{
  static const char *const attrs[] = {
    "numa_node", "driver_override", "sriov_totalvfs", "reset_method",
  };
  char buf[4096];
  char name[32];
  size_t i;
  int fd, total = 0, vga = 0, has_reset_method = 0;

  fd = openat (devices_fd, address, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return;

  read_link (devices_fd, address, buf, sizeof buf);   /* the parent bridge */

  if (read_attr (fd, "uevent", buf, sizeof buf) == 0)
    {
      vga = strstr (buf, "PCI_CLASS=300") != NULL;
      read_attr (fd, "revision", buf, sizeof buf);
    }
  else if (read_attr (fd, "config", buf, 65) == 0)
    {
      vga = buf[0x0b] == 0x03 && buf[0x0a] == 0x00;
      read_link (fd, "driver", buf, sizeof buf);
    }

  for (i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
    {
      if (read_attr (fd, attrs[i], buf, sizeof buf) != 0)
        continue;
      if (strcmp (attrs[i], "sriov_totalvfs") == 0)
        total = atoi (buf);
      else if (strcmp (attrs[i], "reset_method") == 0)
        has_reset_method = 1;
    }

  read_link (fd, "iommu_group", buf, sizeof buf);

  if (total > 0)
    {
      int vf;

      read_attr (fd, "sriov_numvfs", buf, sizeof buf);
      read_attr (fd, "sriov_drivers_autoprobe", buf, sizeof buf);
      for (vf = 0; vf < total; vf++)
        {
          snprintf (name, sizeof name, "virtfn%d", vf);
          if (read_link (fd, name, buf, sizeof buf) != 0)
            break;
        }
    }

  if (!has_reset_method)
    faccessat (fd, "reset", F_OK, 0);
  if (vga)
    read_attr (fd, "boot_vga", buf, sizeof buf);

  close (fd);
}

int
main (int argc, char *argv[])
{
  char path[PATH_MAX];
  struct dirent *entry;
  DIR *dir;
  int devices_fd;
  unsigned long count = 0;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s ROOT\n", argv[0]);
      return 2;
    }

  snprintf (path, sizeof path, "%s/sys/bus/pci/devices", argv[1]);
  dir = opendir (path);
  devices_fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir == NULL || devices_fd < 0)
    {
      perror (path);
      return 1;
    }

  while ((entry = readdir (dir)) != NULL)
    {
      if (entry->d_name[0] == '.')
        continue;
      read_device (devices_fd, entry->d_name);
      count++;
    }

  closedir (dir);
  close (devices_fd);
  printf ("%lu devices, %lu bytes\n", count, bytes_read);
  return 0;
}
