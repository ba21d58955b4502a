/* pt-vm.c
 *
 * A virtual machine of a libvirt connection as the picker shows it: name,
 * title, state and the host PCI devices given to it. The connection updates
 * it in place when libvirt reports a change, so views bound to its
 * properties follow.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-vm"

#include "config.h"

#include "pt-vm-private.h"

struct _PtVm
{
  GObject parent_instance;

  char *name;
  char *title;
  GStrv devices;
  PtVmState state;
};

G_DEFINE_FINAL_TYPE (PtVm, pt_vm, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_TITLE,
  PROP_STATE,
  PROP_DEVICES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pt_vm_finalize (GObject *object)
{
  PtVm *self = (PtVm *) object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->devices, g_strfreev);

  G_OBJECT_CLASS (pt_vm_parent_class)->finalize (object);
}

static void
pt_vm_get_property (GObject    *object,
                    guint       prop_id,
                    GValue     *value,
                    GParamSpec *pspec)
{
  PtVm *self = PT_VM (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;

    case PROP_DEVICES:
      g_value_set_boxed (value, self->devices);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_vm_class_init (PtVmClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pt_vm_finalize;
  object_class->get_property = pt_vm_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, PT_VM_STATE_SHUT_OFF, PT_VM_STATE_OTHER,
                      PT_VM_STATE_SHUT_OFF,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DEVICES] =
    g_param_spec_boxed ("devices", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pt_vm_init (PtVm *self)
{
  self->devices = g_new0 (char *, 1);
}

PtVm *
_pt_vm_new (const char *name)
{
  PtVm *self = g_object_new (PT_TYPE_VM, NULL);

  self->name = g_strdup (name);
  return self;
}

/* Notifies only what changed, so a refresh that finds nothing new is silent. */
void
_pt_vm_update (PtVm               *self,
               const char         *title,
               PtVmState           state,
               const char * const *devices)
{
  if (g_strcmp0 (self->title, title) != 0)
    {
      g_free (self->title);
      self->title = g_strdup (title);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }

  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }

  if (!g_strv_equal ((const char * const *) self->devices, devices))
    {
      g_strfreev (self->devices);
      self->devices = g_strdupv ((char **) devices);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICES]);
    }
}

const char *
pt_vm_get_name (PtVm *self)
{
  g_return_val_if_fail (PT_IS_VM (self), NULL);
  return self->name;
}

/**
 * pt_vm_get_title:
 *
 * Returns: (nullable): the VM's title, when it has one
 */
const char *
pt_vm_get_title (PtVm *self)
{
  g_return_val_if_fail (PT_IS_VM (self), NULL);
  return self->title;
}

PtVmState
pt_vm_get_state (PtVm *self)
{
  g_return_val_if_fail (PT_IS_VM (self), PT_VM_STATE_OTHER);
  return self->state;
}

/**
 * pt_vm_is_active:
 *
 * Returns: whether the VM has a running QEMU (running or paused), so that
 *   device changes must also be made live
 */
gboolean
pt_vm_is_active (PtVm *self)
{
  g_return_val_if_fail (PT_IS_VM (self), FALSE);
  return self->state == PT_VM_STATE_RUNNING || self->state == PT_VM_STATE_PAUSED;
}

/**
 * pt_vm_get_devices:
 *
 * Returns: (transfer none): the host PCI addresses given to the VM, in its
 *   saved definition or, while it runs, live
 */
const char * const *
pt_vm_get_devices (PtVm *self)
{
  g_return_val_if_fail (PT_IS_VM (self), NULL);
  return (const char * const *) self->devices;
}

gboolean
pt_vm_has_device (PtVm       *self,
                  const char *address)
{
  g_return_val_if_fail (PT_IS_VM (self), FALSE);
  return g_strv_contains ((const char * const *) self->devices, address);
}

const char *
pt_vm_state_to_string (PtVmState state)
{
  switch (state)
    {
    case PT_VM_STATE_SHUT_OFF:
      return "shut off";
    case PT_VM_STATE_RUNNING:
      return "running";
    case PT_VM_STATE_PAUSED:
      return "paused";
    case PT_VM_STATE_OTHER:
    default:
      return "other";
    }
}
