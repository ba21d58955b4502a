/* pt-device-row.c
 *
 * One PCI function in the device list: name, address and IDs, the driver
 * (vfio-pci stands out), the IOMMU group, the VM that has it, and a warning
 * when the host needs it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-device-row.h"
#include "pt-fold-bin.h"
#include "pt-page.h"
#include "pt-vm-labels.h"

struct _PtDeviceRow
{
  GtkWidget parent_instance;

  PtDevice *device;

  GtkWidget *fold;
  GtkImage *icon;
  GtkLabel *title;
  GtkLabel *subtitle;
  GtkWidget *warning;
  GtkLabel *vm;
  GtkLabel *driver;
  GtkLabel *group;

  /* The narrow layout (PtFoldBin): two lines of text. */
  GtkImage *narrow_icon;
  GtkLabel *narrow_title;
  GtkLabel *narrow_details;
  GtkWidget *narrow_warning;
};

G_DEFINE_FINAL_TYPE (PtDeviceRow, pt_device_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_DEVICE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
pt_device_kind_icon_name (PtDeviceKind kind)
{
  switch (kind)
    {
    case PT_DEVICE_KIND_GRAPHICS:
      return "video-display-symbolic";
    case PT_DEVICE_KIND_AUDIO:
      return "audio-speakers-symbolic";
    case PT_DEVICE_KIND_NETWORK:
      return "network-wired-symbolic";
    case PT_DEVICE_KIND_STORAGE:
      return "drive-harddisk-symbolic";
    case PT_DEVICE_KIND_USB:
      return "media-removable-symbolic";
    case PT_DEVICE_KIND_BRIDGE:
      return "network-workgroup-symbolic";
    case PT_DEVICE_KIND_OTHER:
    default:
      return "application-x-firmware-symbolic";
    }
}

/**
 * pt_device_show_driver:
 *
 * Sets a driver pill: the driver's name, "no driver", and vfio-pci
 * highlighted. The device list and the group cards use the same pill.
 */
void
pt_device_show_driver (PtDevice *device,
                       GtkLabel *badge)
{
  const char *driver = pt_device_get_driver (device);

  gtk_label_set_label (badge, driver != NULL ? driver : _("no driver"));
  if (g_strcmp0 (driver, "vfio-pci") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (badge), "pt-badge-vfio");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (badge), "pt-badge-vfio");
}

/**
 * pt_device_show_host_use:
 *
 * Shows @icon, a warning sign, only when the host uses @device, with the
 * reasons as its tooltip.
 */
void
pt_device_show_host_use (PtDevice  *device,
                         GtkWidget *icon)
{
  g_autofree char *reasons = g_strjoinv ("\n", (char **) pt_device_get_host_use (device));

  gtk_widget_set_visible (icon, pt_device_is_used_by_host (device));
  gtk_widget_set_tooltip_text (icon, reasons);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Used by this computer"), -1);
}

/**
 * pt_device_dup_vm_label:
 * @shown_in: the widget that will show it, on a page
 *
 * The VM that has @device as people know it (its title; see
 * pt_vm_dup_labels()), from the VM list of the session of the page
 * @shown_in is on; its libvirt name until @shown_in is on a page.
 *
 * Returns: (transfer full) (nullable): the label, %NULL when no VM has it
 */
char *
pt_device_dup_vm_label (PtDevice  *device,
                        GtkWidget *shown_in)
{
  const char *vm = pt_device_get_vm (device);
  GtkWidget *page = gtk_widget_get_ancestor (shown_in, PT_TYPE_PAGE);
  PtSession *session = page != NULL ? pt_page_get_session (PT_PAGE (page)) : NULL;
  PtConnection *connection = session != NULL ? pt_session_get_connection (session) : NULL;

  if (vm == NULL)
    return NULL;
  return pt_vm_dup_label (connection != NULL ? pt_connection_get_vms (connection) : NULL, vm);
}

/* "0000:01:00.0 · nouveau · Group 1 · VM": lines break only between the
 * parts, never inside "Group 6". */
static char *
narrow_details (PtDevice   *device,
                const char *group,
                const char *vm)
{
  const char *driver = pt_device_get_driver (device);
  const char *parts[] = { pt_device_get_address (device), driver != NULL ? driver : _("no driver"),
                          group, vm, NULL };
  g_autoptr(GString) text = g_string_new (NULL);
  guint i;

  for (i = 0; parts[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit (parts[i], " ", -1);
      g_autofree char *unbroken = g_strjoinv ("\u00a0", words);

      if (i > 0)
        g_string_append (text, " · ");
      g_string_append (text, unbroken);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
update (PtDeviceRow *self)
{
  PtDevice *device = self->device;
  g_autofree char *subtitle = NULL;
  g_autofree char *group = NULL;
  g_autofree char *accessible = NULL;
  g_autofree char *details = NULL;
  g_autofree char *vm = NULL;
  const char *driver;

  if (device == NULL)
    return;

  driver = pt_device_get_driver (device);
  vm = pt_device_dup_vm_label (device, GTK_WIDGET (self));

  gtk_image_set_from_icon_name (self->icon, pt_device_kind_icon_name (pt_device_get_kind (device)));
  gtk_label_set_label (self->title, pt_device_get_title (device));
  /* The address first: narrow windows ellipsize the end. */
  subtitle = g_strdup_printf ("%s · %04x:%04x · %s", pt_device_get_address (device),
                              pt_device_get_vendor_id (device), pt_device_get_device_id (device),
                              pt_device_get_vendor_name (device));
  gtk_label_set_label (self->subtitle, subtitle);

  pt_device_show_driver (device, self->driver);

  if (pt_device_get_iommu_group (device) >= 0)
    group = g_strdup_printf (_("Group %d"), pt_device_get_iommu_group (device));
  gtk_label_set_label (self->group, group != NULL ? group : _("No group"));

  gtk_widget_set_visible (GTK_WIDGET (self->vm), vm != NULL);
  gtk_label_set_label (self->vm, vm != NULL ? vm : "");

  pt_device_show_host_use (device, self->warning);

  gtk_image_set_from_icon_name (self->narrow_icon, pt_device_kind_icon_name (pt_device_get_kind (device)));
  gtk_label_set_label (self->narrow_title, pt_device_get_title (device));
  details = narrow_details (device, gtk_label_get_label (self->group), vm);
  gtk_label_set_label (self->narrow_details, details);
  pt_device_show_host_use (device, self->narrow_warning);

  accessible = g_strdup_printf ("%s, %s, %s%s%s", pt_device_get_title (device),
                                pt_device_get_address (device),
                                driver != NULL ? driver : _("no driver"),
                                vm != NULL ? _(", given to ") : "", vm != NULL ? vm : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
}

/* On a page at last: its session names the VM by its title. */
static void
pt_device_row_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (pt_device_row_parent_class)->root (widget);
  update (PT_DEVICE_ROW (widget));
}

static void
pt_device_row_dispose (GObject *object)
{
  PtDeviceRow *self = (PtDeviceRow *) object;

  g_clear_object (&self->device);
  gtk_widget_dispose_template (GTK_WIDGET (self), PT_TYPE_DEVICE_ROW);

  G_OBJECT_CLASS (pt_device_row_parent_class)->dispose (object);
}

static void
pt_device_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_DEVICE:
      g_value_set_object (value, PT_DEVICE_ROW (object)->device);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_device_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PtDeviceRow *self = PT_DEVICE_ROW (object);

  switch (prop_id)
    {
    case PROP_DEVICE:
      if (g_set_object (&self->device, g_value_get_object (value)))
        {
          update (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_device_row_class_init (PtDeviceRowClass *klass)
{

  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_device_row_dispose;
  object_class->get_property = pt_device_row_get_property;
  object_class->set_property = pt_device_row_set_property;
  widget_class->root = pt_device_row_root;

  properties[PROP_DEVICE] =
    g_param_spec_object ("device", NULL, NULL, PT_TYPE_DEVICE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PT_TYPE_FOLD_BIN);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/example/Passthrough/pt-device-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PtDeviceRow, fold);
  gtk_widget_class_bind_template_child (widget_class, PtDeviceRow, icon);
  gtk_widget_class_bind_template_child (widget_class, PtDeviceRow, title);
  gtk_widget_class_bind_template_child (widget_class, PtDeviceRow, subtitle);
  gtk_widget_class_bind_template_child (widget_class, PtDeviceRow, warning);
  gtk_widget_class_bind_template_child (widget_class, PtDeviceRow, vm);
  gtk_widget_class_bind_template_child (widget_class, PtDeviceRow, driver);
  gtk_widget_class_bind_template_child (widget_class, PtDeviceRow, group);
  gtk_widget_class_bind_template_child (widget_class, PtDeviceRow, narrow_icon);
  gtk_widget_class_bind_template_child (widget_class, PtDeviceRow, narrow_title);
  gtk_widget_class_bind_template_child (widget_class, PtDeviceRow, narrow_details);
  gtk_widget_class_bind_template_child (widget_class, PtDeviceRow, narrow_warning);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
pt_device_row_init (PtDeviceRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
