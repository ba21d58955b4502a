/* ph-devices.c
 *
 * Binding, returning and SR-IOV, with the checks the kernel does not do for
 * us: after a bind every endpoint of the group must be on vfio-pci and
 * /dev/vfio/N must exist; after a return a host driver must have taken each
 * device; after set-vfs sriov_numvfs must read back the count. If not, every
 * device goes back to the driver and override it had, and the verb fails.
 *
 * Before the first write the previous state is recorded in
 * /var/lib/passthrough/devices.ini with the boot's id; a run killed half-way
 * leaves it behind and the next run puts the devices back from it — only
 * during the same boot (after a restart the devices are as the new boot set
 * them up, and the record is dropped), and only if putting them back passes
 * the verdict a bind does: a device the host now uses is not taken from it.
 * Right before the first write to each device, its vendor and device ID must
 * still be those the plan was made for (another card may sit at the address).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ph-apply.h"
#include "ph-devices.h"
#include "ph-files.h"
#include "ph-journal.h"
#include "ph-sysfs.h"
#include "pt-device-plan.h"
#include "pt-error.h"

#define DEVICES_JOURNAL PH_STATE_DIR "/devices.ini"
#define RECORD_GROUP "record"

typedef struct
{
  char *driver;     /* NULL: none */
  char *override;   /* NULL: none */
  char *numvfs;     /* NULL: not a PF */
} DeviceState;

static void
device_state_clear (DeviceState *state)
{
  g_clear_pointer (&state->driver, g_free);
  g_clear_pointer (&state->override, g_free);
  g_clear_pointer (&state->numvfs, g_free);
}

static char *
read_small (int         dir_fd,
            const char *name)
{
  char buf[256];
  int fd = openat (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return NULL;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n < 0)
    return NULL;
  buf[n] = '\0';
  return g_strstrip (g_strdup (buf));
}

static gboolean
read_state (PhContext    *ctx,
            const char   *address,
            DeviceState  *state,
            GError      **error)
{
  int fd = ph_sysfs_open_device_dir (ctx->root_fd, address, error);
  char link[PATH_MAX];
  ssize_t n;

  memset (state, 0, sizeof *state);
  if (fd < 0)
    return FALSE;

  n = readlinkat (fd, "driver", link, sizeof link - 1);
  if (n > 0)
    {
      link[n] = '\0';
      state->driver = g_path_get_basename (link);
    }
  state->override = read_small (fd, "driver_override");
  if (g_strcmp0 (state->override, "(null)") == 0 || g_strcmp0 (state->override, "") == 0)
    g_clear_pointer (&state->override, g_free);
  state->numvfs = read_small (fd, "sriov_numvfs");
  close (fd);
  return TRUE;
}

static gboolean
vfio_node_exists (PhContext *ctx,
                  int        group)
{
  g_autofree char *rel = g_strdup_printf ("dev/vfio/%d", group);
  struct stat st;
  int i;

  /* devtmpfs adds the node when vfio registers the group; allow udev a moment. */
  for (i = 0; i < 20; i++)
    {
      if (fstatat (ctx->root_fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0)
        return TRUE;
      g_usleep (100 * 1000);
    }
  return FALSE;
}

static GKeyFile *
record_states (PhContext  *ctx,
               GPtrArray  *members,
               GError    **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *text = NULL;
  g_autofree char *boot_id = ph_journal_boot_id (ctx);
  guint i;

  g_key_file_set_string (file, RECORD_GROUP, "boot-id", boot_id != NULL ? boot_id : "");
  for (i = 0; i < members->len; i++)
    {
      const char *address = pt_device_get_address (g_ptr_array_index (members, i));
      DeviceState state;

      if (!read_state (ctx, address, &state, error))
        return NULL;
      g_key_file_set_string (file, address, "driver", state.driver != NULL ? state.driver : "");
      g_key_file_set_string (file, address, "override", state.override != NULL ? state.override : "");
      if (state.numvfs != NULL)
        g_key_file_set_string (file, address, "numvfs", state.numvfs);
      device_state_clear (&state);
    }

  text = g_key_file_to_data (file, NULL, NULL);
  if (!ph_files_replace (ctx->root_fd, DEVICES_JOURNAL, text, error))
    return NULL;
  return g_steal_pointer (&file);
}

static gboolean
write_step (PhContext   *ctx,
            const char  *path,
            const char  *value,
            GError     **error)
{
  ph_context_step (ctx, "writing %s", path);
  return ph_kernel_write (ctx, path, value, error);
}

/* Puts one device back on the driver and override it had. */
static gboolean
restore_device (PhContext   *ctx,
                GKeyFile    *file,
                const char  *address,
                GError     **error)
{
  g_autofree char *driver = g_key_file_get_string (file, address, "driver", NULL);
  g_autofree char *override = g_key_file_get_string (file, address, "override", NULL);
  g_autofree char *numvfs = g_key_file_get_string (file, address, "numvfs", NULL);
  g_autofree char *override_path = g_strdup_printf ("/sys/bus/pci/devices/%s/driver_override", address);
  g_autofree char *numvfs_path = g_strdup_printf ("/sys/bus/pci/devices/%s/sriov_numvfs", address);
  DeviceState now;
  gboolean ok;

  if (driver == NULL || override == NULL || !ph_is_pci_address (address) ||
      (driver[0] != '\0' && !ph_is_driver_name (driver)) ||
      (override[0] != '\0' && !ph_is_driver_name (override)))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT, "/%s is damaged", DEVICES_JOURNAL);
      return FALSE;
    }

  if (!read_state (ctx, address, &now, error))
    return FALSE;

  /* Only what differs is written: a device the run never reached is left alone. */
  ok = TRUE;
  if (g_strcmp0 (now.override != NULL ? now.override : "", override) != 0)
    ok = write_step (ctx, override_path, override[0] != '\0' ? override : "\n", error);
  if (ok && now.driver != NULL && !g_str_equal (now.driver, driver))
    {
      g_autofree char *unbind = g_strdup_printf ("/sys/bus/pci/drivers/%s/unbind", now.driver);

      ok = write_step (ctx, unbind, address, error);
    }
  if (ok && driver[0] != '\0' && g_strcmp0 (now.driver, driver) != 0)
    ok = write_step (ctx, "/sys/bus/pci/drivers_probe", address, error);
  if (ok && numvfs != NULL && g_strcmp0 (now.numvfs, numvfs) != 0)
    {
      ok = write_step (ctx, numvfs_path, "0", error);
      if (ok && !g_str_equal (numvfs, "0"))
        ok = write_step (ctx, numvfs_path, numvfs, error);
    }
  device_state_clear (&now);
  if (!ok)
    return FALSE;

  if (!read_state (ctx, address, &now, error))
    return FALSE;
  ok = g_strcmp0 (now.driver != NULL ? now.driver : "", driver) == 0;
  if (!ok)
    g_set_error (error, PT_ERROR, PT_ERROR_FAILED, "%s did not go back to %s (it is on %s)",
                 address, driver[0] != '\0' ? driver : "no driver",
                 now.driver != NULL ? now.driver : "no driver");
  device_state_clear (&now);
  return ok;
}

static gboolean
restore_all (PhContext  *ctx,
             GKeyFile   *file,
             GError    **error)
{
  g_auto(GStrv) addresses = g_key_file_get_groups (file, NULL);
  guint i;

  for (i = 0; addresses[i] != NULL; i++)
    if (!g_str_equal (addresses[i], RECORD_GROUP) && !restore_device (ctx, file, addresses[i], error))
      return FALSE;

  return ph_files_replace (ctx->root_fd, DEVICES_JOURNAL, NULL, error);
}

/* A restore is judged like a bind: taking a device from the host driver it
 * is on now is refused while the host uses its group. */
static gboolean
restore_is_safe (PhContext  *ctx,
                 GKeyFile   *file,
                 GError    **error)
{
  g_auto(GStrv) addresses = g_key_file_get_groups (file, NULL);
  g_autoptr(PtHost) host = ph_context_scan (ctx, error);
  guint i;

  if (host == NULL)
    return FALSE;

  for (i = 0; addresses[i] != NULL; i++)
    {
      g_autofree char *driver = g_key_file_get_string (file, addresses[i], "driver", NULL);
      DeviceState now;
      gboolean taken;

      if (g_str_equal (addresses[i], RECORD_GROUP) || !ph_is_pci_address (addresses[i]) ||
          !read_state (ctx, addresses[i], &now, NULL))
        continue;
      taken = now.driver != NULL && g_strcmp0 (now.driver, driver) != 0 &&
              !g_str_equal (now.driver, "vfio-pci") && !g_str_equal (now.driver, "pci-stub");
      device_state_clear (&now);
      if (taken && !pt_device_plan_check_host_use (host, addresses[i], error))
        return FALSE;
    }
  return TRUE;
}

/**
 * ph_devices_recover:
 *
 * Puts back the devices of a bind, return or set-vfs that was killed during
 * this boot, when that hurts nothing the host uses; otherwise drops the
 * record and says so. A failure is a PH_APPLY_ERROR_RECOVERY.
 */
gboolean
ph_devices_recover (PhContext  *ctx,
                    GError    **error)
{
  g_autofree char *text = NULL;
  g_autofree char *recorded = NULL;
  g_autofree char *boot_id = ph_journal_boot_id (ctx);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local = NULL;

  if (!ph_files_read (ctx->root_fd, DEVICES_JOURNAL, &text, &local))
    goto failed;
  if (text == NULL)
    return TRUE;

  if (!g_key_file_load_from_data (file, text, -1, G_KEY_FILE_NONE, NULL))
    {
      g_set_error (&local, PT_ERROR, PT_ERROR_INVALID_ROOT, "/%s is damaged", DEVICES_JOURNAL);
      goto failed;
    }

  recorded = g_key_file_get_string (file, RECORD_GROUP, "boot-id", NULL);
  if (recorded == NULL || recorded[0] == '\0' || g_strcmp0 (recorded, boot_id) != 0)
    {
      ph_context_step (ctx, "a device change was interrupted before this boot began; no device is "
                       "moved (they are as this boot set them up) and its record is dropped");
      if (!ph_files_replace (ctx->root_fd, DEVICES_JOURNAL, NULL, &local))
        goto failed;
      return TRUE;
    }

  if (!restore_is_safe (ctx, file, &local))
    {
      ph_context_step (ctx, "a device change was interrupted, but putting the devices back would "
                       "take from the host what it uses now (%s); no device is moved and the "
                       "record is dropped: check them with “passthroughctl groups”", local->message);
      g_clear_error (&local);
      if (!ph_files_replace (ctx->root_fd, DEVICES_JOURNAL, NULL, &local))
        goto failed;
      return TRUE;
    }

  ph_context_step (ctx, "a device change was interrupted; putting the devices back");
  ctx->recovered = TRUE;
  if (restore_all (ctx, file, &local))
    return TRUE;

failed:
  ph_apply_wrap_error (error, PH_APPLY_ERROR_RECOVERY, local,
                       "A device change had been interrupted, and putting the devices back failed; "
                       "every run of the helper tries again first. Nothing else was done. Check "
                       "the devices with “passthroughctl groups”.");
  return FALSE;
}

/**
 * ph_devices_check_identity:
 *
 * Right before the first write to @address: the card there must still be
 * the one the plan was made for. Addresses the plan's scan did not know
 * (VFs it creates) are not checked.
 */
gboolean
ph_devices_check_identity (PhContext   *ctx,
                           const char  *address,
                           GError     **error)
{
  PtDevice *planned = ctx->host != NULL ? pt_host_lookup_device (ctx->host, address) : NULL;
  g_autofree char *vendor = NULL;
  g_autofree char *device = NULL;
  g_autofree char *expected_vendor = NULL;
  g_autofree char *expected_device = NULL;
  int fd;

  if (planned == NULL)
    return TRUE;

  fd = ph_sysfs_open_device_dir (ctx->root_fd, address, error);
  if (fd < 0)
    return FALSE;
  vendor = read_small (fd, "vendor");
  device = read_small (fd, "device");
  close (fd);

  expected_vendor = g_strdup_printf ("0x%04x", pt_device_get_vendor_id (planned));
  expected_device = g_strdup_printf ("0x%04x", pt_device_get_device_id (planned));
  if (g_strcmp0 (vendor, expected_vendor) != 0 || g_strcmp0 (device, expected_device) != 0)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_BUSY,
                   "the device at %s is now %s:%s, not the %s:%s the change was planned for; "
                   "nothing more is written to it. Review the change again",
                   address, vendor != NULL ? vendor : "?", device != NULL ? device : "?",
                   expected_vendor, expected_device);
      return FALSE;
    }
  return TRUE;
}

PtPlan *
ph_devices_plan (PhContext        *ctx,
                 PtHost           *host,
                 const PhRequest  *request,
                 GError          **error)
{
  g_autoptr(PtRoot) root = pt_root_open (ctx->root, error);
  PtDevicePlanFlags flags = (request->force ? PT_DEVICE_PLAN_FORCE : 0) |
                            (request->device_only ? PT_DEVICE_PLAN_DEVICE_ONLY : 0) |
                            (request->keep_vfs_free ? PT_DEVICE_PLAN_KEEP_VFS_FREE : 0);

  if (root == NULL)
    return NULL;

  if (request->verb == PH_VERB_BIND)
    return pt_device_plan_bind (root, host, request->address, flags, error);
  if (request->verb == PH_VERB_RETURN)
    return pt_device_plan_return (host, request->address, flags, error);
  g_assert (request->verb == PH_VERB_SET_VFS);
  return pt_device_plan_vfs (host, request->address, request->count, flags, error);
}

/* What should be true after the verb, for one device. */
static gboolean
verify (PhContext        *ctx,
        const PhRequest  *request,
        PtDevice         *device,
        GError          **error)
{
  const char *address = pt_device_get_address (device);
  DeviceState now;
  gboolean ok = TRUE;

  if (!read_state (ctx, address, &now, error))
    return FALSE;

  if (request->verb == PH_VERB_BIND)
    {
      if (g_strcmp0 (now.driver, "vfio-pci") != 0)
        {
          g_set_error (error, PT_ERROR, PT_ERROR_FAILED, "%s did not bind to vfio-pci (it is on %s)",
                       address, now.driver != NULL ? now.driver : "no driver");
          ok = FALSE;
        }
      else if (!vfio_node_exists (ctx, pt_device_get_iommu_group (device)))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_FAILED, "/dev/vfio/%d did not appear",
                       pt_device_get_iommu_group (device));
          ok = FALSE;
        }
    }
  else if (request->verb == PH_VERB_RETURN)
    {
      /* A device no loaded module claims stays driverless, which is not an error. */
      if (g_strcmp0 (now.driver, "vfio-pci") == 0 ||
          (now.driver == NULL && pt_device_get_modules (device)[0] != NULL))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_FAILED,
                       "no host driver took %s back (it is on %s); is its module (%s) loaded?",
                       address, now.driver != NULL ? now.driver : "no driver",
                       pt_device_get_modules (device)[0] != NULL ? pt_device_get_modules (device)[0] : "?");
          ok = FALSE;
        }
    }
  else
    {
      if (now.numvfs == NULL || atoi (now.numvfs) != request->count)
        {
          g_set_error (error, PT_ERROR, PT_ERROR_FAILED, "%s has %s virtual functions, not %d",
                       address, now.numvfs != NULL ? now.numvfs : "no", request->count);
          ok = FALSE;
        }
    }

  device_state_clear (&now);
  return ok;
}

gboolean
ph_devices_apply (PhContext        *ctx,
                  PtHost           *host,
                  const PhRequest  *request,
                  PtPlan           *plan,
                  GError          **error)
{
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GKeyFile) previous = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GError) restore_error = NULL;
  guint i;

  if (!ph_apply_check (plan, error))
    return FALSE;
  if (pt_plan_is_empty (plan))
    return TRUE;

  if (request->verb == PH_VERB_SET_VFS)
    {
      members = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (members, g_object_ref (pt_host_lookup_device (host, request->address)));
    }
  else
    members = pt_device_plan_members (host, request->address,
                                      !(request->verb == PH_VERB_RETURN && request->device_only));

  previous = record_states (ctx, members, &local);
  if (previous == NULL)
    {
      ph_apply_wrap_error (error, PH_APPLY_ERROR_REFUSED, local, "Nothing was changed.");
      return FALSE;
    }
  ph_kernel_step_done (ctx);

  if (ph_apply_plan (ctx, plan, NULL, NULL, &local))
    {
      for (i = 0; i < members->len && local == NULL; i++)
        {
          PtDevice *member = g_ptr_array_index (members, i);

          /* A return moves only what was on vfio-pci. */
          if (request->verb == PH_VERB_RETURN && pt_device_is_free_for_vfio (member) == FALSE)
            continue;
          verify (ctx, request, member, &local);
        }
      if (local == NULL)
        return ph_files_replace (ctx->root_fd, DEVICES_JOURNAL, NULL, error);
    }

  ctx->n_steps = 0;
  if (!restore_all (ctx, previous, &restore_error))
    {
      ph_apply_wrap_error (error, PH_APPLY_ERROR_INCONSISTENT, local,
                           "Putting the devices back failed too: %s. Check “passthroughctl groups”.",
                           restore_error->message);
      return FALSE;
    }

  ph_apply_wrap_error (error, PH_APPLY_ERROR_ROLLED_BACK, local,
                       "Every device was put back on the driver it had.");
  return FALSE;
}
