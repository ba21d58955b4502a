/* pt-hostdev-edit.c
 *
 * Where PCI <hostdev> elements go in a libvirt domain, and which elements
 * taking them back removes, as a list of device edits (pt-domain-edit.h)
 * for libvirt's device API. Pure functions of the domain XML, so the same
 * code previews a change, applies it, and is tested against saved files.
 *
 * Placement, as virt-manager and the guest drivers expect it:
 *  - On a PCIe machine (q35), each host slot we give (a GPU and its HDMI
 *    audio, or one NIC) goes behind a free hot-pluggable pcie-root-port:
 *    slot 0, function 0 with multifunction='on', the other functions in the
 *    same slot. Without a free port one is added, with an alias of ours
 *    (PT_HOSTDEV_PORT_ALIAS_PREFIX) so that taking back removes it again and
 *    never a port the user made. Bus 0 (pcie.0) is never used: QEMU does not
 *    hot-plug into it, and a device there is an integrated endpoint without
 *    a PCIe link.
 *  - On i440fx, the functions of one host slot share a free slot of pci.0;
 *    a single function gets no address and libvirt places it.
 *  - A running VM: libvirt neither hot-plugs nor unplugs a device whose
 *    guest slot is multifunction, nor a root port, so each function goes to
 *    its own free port; without one the change can only be saved for the
 *    next start (PT_ERROR_NEEDS_RESTART says so).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-hostdev-edit"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pt-domain-xml.h"
#include "pt-error.h"
#include "pt-hostdev-edit.h"
#include "pt-sysfs.h"

#define N_BUSES 256
#define N_SLOTS 32
/* Multifunction slots on pci.0 from here up: below are libvirt's own. */
#define FIRST_I440FX_SLOT 0x10

/* What a definition already uses, read from the saved and the live one. */
typedef struct
{
  gboolean pcie;
  gboolean bus_used[N_BUSES];
  gboolean slot_used[N_SLOTS];          /* on bus 0 */
  guint next_index;                     /* for a controller we add */
  gboolean chassis_used[N_BUSES];       /* <target chassis> of every PCI controller */
  gboolean port_used[N_BUSES];          /* <target port> of every PCIe port */
  GArray *free_ports;                   /* of guint: pcie-root-port indexes */
} Layout;

static void
layout_clear (Layout *layout)
{
  g_clear_pointer (&layout->free_ports, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Layout, layout_clear)

static gboolean
check_addresses (const char * const  *addresses,
                 const char          *nothing_message,
                 GError             **error)
{
  if (addresses == NULL || addresses[0] == NULL)
    {
      g_set_error_literal (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT, nothing_message);
      return FALSE;
    }

  for (guint i = 0; addresses[i] != NULL; i++)
    if (!pt_sysfs_is_pci_address (addresses[i]))
      {
        g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                     _("“%s” is not a PCI address; write it as lspci -D shows it, "
                       "e.g. 0000:01:00.0."),
                     addresses[i]);
        return FALSE;
      }

  return TRUE;
}

/* Every PCI address any element of <devices> sits at. */
static void
mark_used (xmlNode *node,
           Layout  *layout)
{
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    {
      guint bus, slot;

      if (child->type != XML_ELEMENT_NODE)
        continue;

      /* A hostdev's <source><address> is on the host, not in the guest. */
      if (pt_domain_xml_is_element (child, "source"))
        continue;

      if (pt_domain_xml_is_element (child, "address") &&
          pt_domain_xml_has_attribute (child, "type", "pci") &&
          pt_domain_xml_get_number (child, "bus", &bus) && bus < N_BUSES)
        {
          layout->bus_used[bus] = TRUE;
          if (bus == 0 && pt_domain_xml_get_number (child, "slot", &slot) && slot < N_SLOTS)
            layout->slot_used[slot] = TRUE;
        }

      mark_used (child, layout);
    }
}

static gboolean
is_pci_controller (xmlNode    *node,
                   const char *model)
{
  return pt_domain_xml_is_element (node, "controller") &&
         pt_domain_xml_has_attribute (node, "type", "pci") &&
         (model == NULL || pt_domain_xml_has_attribute (node, "model", model));
}

static gboolean
has_port (xmlNode *devices,
          guint    index)
{
  for (xmlNode *child = devices->children; child != NULL; child = child->next)
    {
      guint n;

      if (is_pci_controller (child, "pcie-root-port") &&
          pt_domain_xml_get_number (child, "index", &n) && n == index)
        return TRUE;
    }

  return FALSE;
}

/* QEMU refuses two ports with one chassis (and slot 0): a VM would not start. */
static void
mark_target (xmlNode *controller,
             Layout  *layout)
{
  xmlNode *target = pt_domain_xml_child (controller, "target");
  guint chassis, port;

  if (target != NULL && pt_domain_xml_get_number (target, "chassis", &chassis) &&
      chassis < N_BUSES)
    layout->chassis_used[chassis] = TRUE;
  if (target != NULL && pt_domain_xml_get_number (target, "chassisNr", &chassis) &&
      chassis < N_BUSES)
    layout->chassis_used[chassis] = TRUE;
  if (target != NULL && pt_domain_xml_get_number (target, "port", &port) && port < N_BUSES)
    layout->port_used[port] = TRUE;
}

static guint
take_free (gboolean *used,
           guint     preferred)
{
  if (preferred < N_BUSES && !used[preferred])
    {
      used[preferred] = TRUE;
      return preferred;
    }

  for (guint n = 1; n < N_BUSES; n++)
    if (!used[n])
      {
        used[n] = TRUE;
        return n;
      }

  return preferred;
}

static gboolean
is_machine_q35 (xmlDoc *doc)
{
  xmlNode *type = pt_domain_xml_child (pt_domain_xml_child (xmlDocGetRootElement (doc), "os"),
                                       "type");
  g_autofree char *machine = pt_domain_xml_get_attribute (type, "machine");

  return machine != NULL && strstr (machine, "q35") != NULL;
}

static void
read_layout (xmlNode *devices,
             xmlNode *live_devices,
             Layout  *layout)
{
  layout->free_ports = g_array_new (FALSE, FALSE, sizeof (guint));
  layout->pcie = is_machine_q35 (devices->doc);

  mark_used (devices, layout);
  if (live_devices != NULL)
    mark_used (live_devices, layout);

  /* Index 0 is the root bus, whether or not the definition names it. */
  layout->next_index = 1;
  for (xmlNode *doc_devices = devices; doc_devices != NULL;
       doc_devices = doc_devices == devices ? live_devices : NULL)
    for (xmlNode *child = doc_devices->children; child != NULL; child = child->next)
      {
        guint index;

        if (!is_pci_controller (child, NULL) || !pt_domain_xml_get_number (child, "index", &index))
          continue;
        layout->next_index = MAX (layout->next_index, index + 1);
        if (is_pci_controller (child, "pcie-root"))
          layout->pcie = TRUE;
        mark_target (child, layout);
      }

  for (xmlNode *child = devices->children; child != NULL; child = child->next)
    {
      xmlNode *target = pt_domain_xml_child (child, "target");
      guint index;

      if (is_pci_controller (child, "pcie-root-port") &&
          pt_domain_xml_get_number (child, "index", &index) && index < N_BUSES &&
          !layout->bus_used[index] &&
          !(target != NULL && pt_domain_xml_has_attribute (target, "hotplug", "off")) &&
          (live_devices == NULL || has_port (live_devices, index)))
        g_array_append_val (layout->free_ports, index);
    }
}

static char *
hostdev_xml (const char             *source,
             const PtHostdevOptions *options,
             int                     bus,
             int                     slot,
             int                     function,
             gboolean                multifunction)
{
  GString *xml = g_string_new (NULL);
  guint domain, host_bus, host_slot;

  /* The shape was checked, so this cannot fail. */
  sscanf (source, "%x:%x:%x", &domain, &host_bus, &host_slot);

  g_string_append_printf (xml, "<hostdev mode='subsystem' type='pci' managed='%s'>",
                          options != NULL && options->unmanaged ? "no" : "yes");
  g_string_append_printf (xml, "<source><address domain='0x%04x' bus='0x%02x' slot='0x%02x' "
                          "function='0x%c'/></source>",
                          domain, host_bus, host_slot, source[11]);
  if (options != NULL && (options->rom_bar != PT_ROM_BAR_DEFAULT || options->rom_file != NULL))
    {
      g_string_append (xml, "<rom");
      if (options->rom_bar != PT_ROM_BAR_DEFAULT)
        g_string_append_printf (xml, " bar='%s'", options->rom_bar == PT_ROM_BAR_ON ? "on" : "off");
      if (options->rom_file != NULL)
        {
          g_autofree char *file = g_markup_escape_text (options->rom_file, -1);

          g_string_append_printf (xml, " file='%s'", file);
        }
      g_string_append (xml, "/>");
    }
  if (bus >= 0)
    g_string_append_printf (xml, "<address type='pci' domain='0x0000' bus='0x%02x' slot='0x%02x' "
                            "function='0x%x'%s/>",
                            bus, slot, function, multifunction ? " multifunction='on'" : "");
  g_string_append (xml, "</hostdev>");
  return g_string_free (xml, FALSE);
}

/* Everything libvirt would fill in when defining a whole domain (model
 * name, chassis, port, address on pcie.0), as a device attach needs it:
 * chassis and port as libvirt numbers them (the index, the slot times 8),
 * unless another controller has them already. */
static char *
root_port_xml (Layout *layout,
               guint   index,
               guint   slot)
{
  guint chassis = take_free (layout->chassis_used, index);
  guint port = take_free (layout->port_used, slot << 3);

  return g_strdup_printf ("<controller type='pci' index='%u' model='pcie-root-port'>"
                          "<model name='pcie-root-port'/>"
                          "<target chassis='%u' port='0x%x'/>"
                          "<alias name='" PT_HOSTDEV_PORT_ALIAS_PREFIX "%u'/>"
                          "<address type='pci' domain='0x0000' bus='0x00' slot='0x%02x' "
                          "function='0x0'/></controller>",
                          index, chassis, port, index, slot);
}

/* A free slot of pcie.0 for a root port; 0x1f is the chipset's. */
static int
take_root_slot (Layout *layout)
{
  for (int slot = 1; slot < N_SLOTS - 1; slot++)
    if (!layout->slot_used[slot])
      {
        layout->slot_used[slot] = TRUE;
        return slot;
      }

  return -1;
}

static gint
compare_addresses (gconstpointer a,
                   gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Whether two addresses are functions of the same host slot. */
static gboolean
same_slot (const char *a,
           const char *b)
{
  return strncmp (a, b, 10) == 0;
}

/* The guest bus and slot for one group of functions, adding a root port to
 * @controllers when a PCIe machine has no free one; -1 for “libvirt places”. */
static gboolean
place_group (Layout     *layout,
             guint       n_functions,
             gboolean    live,
             GPtrArray  *controllers,
             int        *bus,
             int        *slot,
             GError    **error)
{
  *bus = *slot = -1;

  if (layout->pcie)
    {
      if (layout->free_ports->len > 0)
        {
          *bus = g_array_index (layout->free_ports, guint, 0);
          g_array_remove_index (layout->free_ports, 0);
        }
      else if (live)
        {
          g_set_error (error, PT_ERROR, PT_ERROR_NEEDS_RESTART,
                       _("The running virtual machine has no free PCIe root port, and one cannot "
                         "be added while it runs. Give the device from its next start instead."));
          return FALSE;
        }
      else if (layout->next_index >= N_BUSES)
        {
          g_set_error (error, PT_ERROR, PT_ERROR_FAILED,
                       _("The virtual machine has no PCI controller number left for another "
                         "root port. Remove a device from it first."));
          return FALSE;
        }
      else
        {
          int root_slot = take_root_slot (layout);
          g_autofree char *xml = NULL;

          if (root_slot < 0)
            {
              g_set_error (error, PT_ERROR, PT_ERROR_FAILED,
                           _("The virtual machine has no free slot left on its PCIe root bus "
                             "for another root port. Remove a device from it first."));
              return FALSE;
            }
          xml = root_port_xml (layout, layout->next_index, root_slot);

          g_ptr_array_add (controllers,
                           pt_domain_edit_new (PT_DOMAIN_EDIT_ADD, xml, NULL, PT_DOMAIN_EDIT_SAVED_ONLY));
          *bus = layout->next_index++;
        }
      *slot = 0;
      layout->bus_used[*bus] = TRUE;
      return TRUE;
    }

  if (n_functions < 2)
    return TRUE;

  for (int candidate = FIRST_I440FX_SLOT; candidate < N_SLOTS; candidate++)
    if (!layout->slot_used[candidate])
      {
        layout->slot_used[candidate] = TRUE;
        *bus = 0;
        *slot = candidate;
        return TRUE;
      }

  g_set_error (error, PT_ERROR, PT_ERROR_FAILED,
               _("The virtual machine has no free PCI slot left on bus 0 for a multifunction "
                 "device. Remove a device from it first."));
  return FALSE;
}

static GStrv
sources_of (xmlNode *devices)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (xmlNode *child = devices != NULL ? devices->children : NULL; child != NULL;
       child = child->next)
    {
      g_autofree char *source = pt_domain_xml_hostdev_source (child);

      if (source != NULL)
        g_strv_builder_add (builder, source);
    }

  return g_strv_builder_end (builder);
}

/**
 * pt_hostdev_list_sources:
 * @domain_xml: a domain definition
 *
 * Returns: (transfer full): the host addresses of its PCI hostdevs
 */
GStrv
pt_hostdev_list_sources (const char  *domain_xml,
                         GError     **error)
{
  g_autoptr(xmlDoc) doc = pt_domain_xml_parse (domain_xml, error);
  xmlNode *devices;

  if (doc == NULL || (devices = pt_domain_xml_devices (doc, error)) == NULL)
    return NULL;

  return sources_of (devices);
}

/* The parsed saved definition and, for a running VM, the live one. */
typedef struct
{
  xmlDoc *doc;
  xmlDoc *live_doc;
  xmlNode *devices;
  xmlNode *live_devices;
} Definitions;

static void
definitions_clear (Definitions *defs)
{
  g_clear_pointer (&defs->doc, xmlFreeDoc);
  g_clear_pointer (&defs->live_doc, xmlFreeDoc);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Definitions, definitions_clear)

static gboolean
definitions_read (Definitions  *defs,
                  const char   *domain_xml,
                  const char   *live_xml,
                  GError      **error)
{
  defs->doc = pt_domain_xml_parse (domain_xml, error);
  if (defs->doc == NULL || (defs->devices = pt_domain_xml_devices (defs->doc, error)) == NULL)
    return FALSE;

  if (live_xml == NULL)
    return TRUE;

  defs->live_doc = pt_domain_xml_parse (live_xml, error);
  return defs->live_doc != NULL &&
         (defs->live_devices = pt_domain_xml_devices (defs->live_doc, error)) != NULL;
}

/**
 * pt_hostdev_plan_attach:
 * @domain_xml: the VM's saved definition
 * @live_xml: (nullable): its live definition when it runs and is to get
 *   the devices now
 * @addresses: host PCI addresses to give
 * @options: (nullable): managed and ROM settings
 *
 * Returns: (transfer full) (element-type PtDomainEdit): the edits, in the
 *   order to make them, or %NULL with @error set
 */
GPtrArray *
pt_hostdev_plan_attach (const char              *domain_xml,
                        const char              *live_xml,
                        const char * const      *addresses,
                        const PtHostdevOptions  *options,
                        GError                 **error)
{
  g_auto(Definitions) defs = { NULL };
  g_auto(Layout) layout = { 0 };
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(GPtrArray) controllers = pt_domain_edits_new ();
  g_autoptr(GPtrArray) hostdevs = pt_domain_edits_new ();
  g_auto(GStrv) present = NULL;
  g_auto(GStrv) live_present = NULL;
  gboolean live = live_xml != NULL;
  guint i, j;

  if (!check_addresses (addresses, _("No device was given to add."), error) ||
      !definitions_read (&defs, domain_xml, live_xml, error))
    return NULL;

  present = sources_of (defs.devices);
  live_present = sources_of (defs.live_devices);
  sorted = g_ptr_array_new ();
  for (i = 0; addresses[i] != NULL; i++)
    {
      if (g_strv_contains ((const char * const *) present, addresses[i]) ||
          g_strv_contains ((const char * const *) live_present, addresses[i]))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                       _("%s is already given to this virtual machine."), addresses[i]);
          return NULL;
        }
      if (!g_ptr_array_find_with_equal_func (sorted, addresses[i], g_str_equal, NULL))
        g_ptr_array_add (sorted, (gpointer) addresses[i]);
    }
  g_ptr_array_sort (sorted, compare_addresses);

  read_layout (defs.devices, defs.live_devices, &layout);

  for (i = 0; i < sorted->len; i = j)
    {
      guint n_functions;
      int bus, slot;

      /* [i, j) are the functions of one host slot, which share a guest
       * slot; a running VM takes no multifunction slot, so one each. */
      for (j = i + 1; j < sorted->len && !live; j++)
        if (!same_slot (g_ptr_array_index (sorted, i), g_ptr_array_index (sorted, j)))
          break;
      if (live)
        j = i + 1;
      n_functions = j - i;

      if (!place_group (&layout, n_functions, live, controllers, &bus, &slot, error))
        return NULL;

      for (guint k = i; k < j; k++)
        {
          guint function = k - i;
          g_autofree char *xml = hostdev_xml (g_ptr_array_index (sorted, k), options, bus, slot,
                                              function, function == 0 && n_functions > 1);

          g_ptr_array_add (hostdevs, pt_domain_edit_new (PT_DOMAIN_EDIT_ADD, xml,
                                                         g_ptr_array_index (sorted, k),
                                                         PT_DOMAIN_EDIT_SAVED_AND_LIVE));
        }
    }

  g_ptr_array_extend_and_steal (controllers, g_steal_pointer (&hostdevs));
  return g_steal_pointer (&controllers);
}

static xmlNode *
find_hostdev (xmlNode    *devices,
              const char *address)
{
  for (xmlNode *child = devices != NULL ? devices->children : NULL; child != NULL;
       child = child->next)
    {
      g_autofree char *source = pt_domain_xml_hostdev_source (child);

      if (g_strcmp0 (source, address) == 0)
        return child;
    }

  return NULL;
}

static gboolean
same_guest_slot (xmlNode *a,
                 xmlNode *b)
{
  xmlNode *address_a = pt_domain_xml_guest_address (a);
  xmlNode *address_b = pt_domain_xml_guest_address (b);
  guint bus_a, bus_b, slot_a, slot_b;

  return address_a != NULL && address_b != NULL &&
         pt_domain_xml_get_number (address_a, "bus", &bus_a) &&
         pt_domain_xml_get_number (address_b, "bus", &bus_b) &&
         pt_domain_xml_get_number (address_a, "slot", &slot_a) &&
         pt_domain_xml_get_number (address_b, "slot", &slot_b) &&
         bus_a == bus_b && slot_a == slot_b;
}

/* libvirt refuses to unplug a function of a multifunction guest slot live. */
static gboolean
shares_guest_slot (xmlNode *hostdev)
{
  xmlNode *address = pt_domain_xml_guest_address (hostdev);

  if (address == NULL)
    return FALSE;
  if (pt_domain_xml_has_attribute (address, "multifunction", "on"))
    return TRUE;

  for (xmlNode *child = hostdev->parent->children; child != NULL; child = child->next)
    if (child != hostdev && child->type == XML_ELEMENT_NODE && same_guest_slot (child, hostdev))
      return TRUE;

  return FALSE;
}

static gboolean
references_bus (xmlNode    *node,
                guint       bus,
                GPtrArray  *ignored)
{
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    {
      guint n;

      if (child->type != XML_ELEMENT_NODE || g_ptr_array_find (ignored, child, NULL) ||
          pt_domain_xml_is_element (child, "source"))
        continue;
      if (pt_domain_xml_is_element (child, "address") &&
          pt_domain_xml_has_attribute (child, "type", "pci") &&
          pt_domain_xml_get_number (child, "bus", &n) && n == bus)
        return TRUE;
      if (references_bus (child, bus, ignored))
        return TRUE;
    }

  return FALSE;
}

/* A guest never sees the functions of a slot whose function 0 is gone. */
static gboolean
check_slot_kept_whole (xmlNode    *hostdev,
                       GPtrArray  *removed,
                       GError    **error)
{
  xmlNode *address = pt_domain_xml_guest_address (hostdev);
  g_autoptr(GString) others = g_string_new (NULL);
  g_autofree char *source = NULL;
  guint function;

  if (address == NULL || !pt_domain_xml_get_number (address, "function", &function) ||
      function != 0)
    return TRUE;

  for (xmlNode *child = hostdev->parent->children; child != NULL; child = child->next)
    {
      g_autofree char *other = NULL;

      if (child == hostdev || child->type != XML_ELEMENT_NODE ||
          g_ptr_array_find (removed, child, NULL) || !same_guest_slot (child, hostdev))
        continue;
      other = pt_domain_xml_hostdev_source (child);
      g_string_append_printf (others, "%s%s", others->len > 0 ? ", " : "",
                              other != NULL ? other : (const char *) child->name);
    }

  if (others->len == 0)
    return TRUE;

  source = pt_domain_xml_hostdev_source (hostdev);
  g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
               _("%s is function 0 of a slot of the virtual machine that %s also use; without "
                 "it the guest would not see them. Take them back together."),
               source, others->str);
  return FALSE;
}

/* A root port we added, which nothing but the removed devices uses. */
static xmlNode *
our_port_left_empty (xmlNode   *devices,
                     xmlNode   *hostdev,
                     GPtrArray *removed)
{
  xmlNode *address = pt_domain_xml_guest_address (hostdev);
  guint bus;

  if (address == NULL || !pt_domain_xml_get_number (address, "bus", &bus) || bus == 0)
    return NULL;

  for (xmlNode *child = devices->children; child != NULL; child = child->next)
    {
      xmlNode *alias = pt_domain_xml_child (child, "alias");
      g_autofree char *name = pt_domain_xml_get_attribute (alias, "name");
      guint index;

      if (is_pci_controller (child, "pcie-root-port") &&
          pt_domain_xml_get_number (child, "index", &index) && index == bus &&
          name != NULL && g_str_has_prefix (name, PT_HOSTDEV_PORT_ALIAS_PREFIX) &&
          !references_bus (devices, bus, removed))
        return child;
    }

  return NULL;
}

/**
 * pt_hostdev_plan_detach:
 * @domain_xml: the VM's saved definition
 * @live_xml: (nullable): its live definition when it runs and is to lose
 *   the devices now
 * @addresses: host PCI addresses to take back
 *
 * Removes exactly the hostdevs named, and a root port only where we added
 * it and nothing else is behind it.
 *
 * Returns: (transfer full) (element-type PtDomainEdit): the edits, or %NULL
 *   with @error set
 */
GPtrArray *
pt_hostdev_plan_detach (const char          *domain_xml,
                        const char          *live_xml,
                        const char * const  *addresses,
                        GError             **error)
{
  g_auto(Definitions) defs = { NULL };
  g_autoptr(GPtrArray) edits = pt_domain_edits_new ();
  g_autoptr(GPtrArray) removed = g_ptr_array_new ();
  g_autoptr(GPtrArray) ports = g_ptr_array_new ();

  if (!check_addresses (addresses, _("No device was given to remove."), error) ||
      !definitions_read (&defs, domain_xml, live_xml, error))
    return NULL;

  for (guint i = 0; addresses[i] != NULL; i++)
    {
      xmlNode *hostdev = find_hostdev (defs.devices, addresses[i]);
      xmlNode *live_hostdev = find_hostdev (defs.live_devices, addresses[i]);
      g_autofree char *xml = NULL;

      if (hostdev == NULL && live_hostdev == NULL)
        {
          g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                       _("%s is not given to this virtual machine, so it cannot be taken back."),
                       addresses[i]);
          return NULL;
        }
      if (g_ptr_array_find (removed, hostdev != NULL ? hostdev : live_hostdev, NULL))
        continue;

      if (live_hostdev != NULL && shares_guest_slot (live_hostdev))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_NEEDS_RESTART,
                       _("%s shares one slot of the running virtual machine with other "
                         "functions, and such a device cannot be unplugged while it runs. Take "
                         "it back from the saved definition only; it leaves at the next start."),
                       addresses[i]);
          return NULL;
        }

      xml = pt_domain_xml_to_string (hostdev != NULL ? hostdev : live_hostdev);
      if (hostdev == NULL)
        {
          /* Plugged in live only: it goes now, and there is nothing saved. */
          g_ptr_array_add (edits, pt_domain_edit_new (PT_DOMAIN_EDIT_REMOVE, xml, addresses[i],
                                                      PT_DOMAIN_EDIT_LIVE_ONLY));
          continue;
        }

      g_ptr_array_add (removed, hostdev);
      g_ptr_array_add (edits, pt_domain_edit_new (PT_DOMAIN_EDIT_REMOVE, xml, addresses[i],
                                                  live_xml != NULL && live_hostdev == NULL
                                                    ? PT_DOMAIN_EDIT_SAVED_ONLY
                                                    : PT_DOMAIN_EDIT_SAVED_AND_LIVE));
    }

  for (guint i = 0; i < removed->len; i++)
    if (!check_slot_kept_whole (g_ptr_array_index (removed, i), removed, error))
      return NULL;

  for (guint i = 0; i < removed->len; i++)
    {
      xmlNode *port = our_port_left_empty (defs.devices, g_ptr_array_index (removed, i), removed);

      if (port != NULL && !g_ptr_array_find (ports, port, NULL))
        {
          g_autofree char *xml = pt_domain_xml_to_string (port);

          g_ptr_array_add (ports, port);
          g_ptr_array_add (edits, pt_domain_edit_new (PT_DOMAIN_EDIT_REMOVE, xml, NULL,
                                                      PT_DOMAIN_EDIT_SAVED_ONLY));
        }
    }

  return g_steal_pointer (&edits);
}

/**
 * pt_hostdev_attach:
 * @domain_xml: a shut-off VM's saved definition
 *
 * pt_hostdev_plan_attach() applied node by node to @domain_xml.
 *
 * Returns: (transfer full): the definition with the hostdevs added
 */
char *
pt_hostdev_attach (const char              *domain_xml,
                   const char * const      *addresses,
                   const PtHostdevOptions  *options,
                   GError                 **error)
{
  g_autoptr(GPtrArray) edits = pt_hostdev_plan_attach (domain_xml, NULL, addresses, options,
                                                       error);

  return edits != NULL ? pt_domain_edits_apply (domain_xml, edits, error) : NULL;
}

/**
 * pt_hostdev_detach:
 * @domain_xml: a shut-off VM's saved definition
 *
 * Returns: (transfer full): the definition without those hostdevs (and
 *   without a root port we added for them)
 */
char *
pt_hostdev_detach (const char          *domain_xml,
                   const char * const  *addresses,
                   GError             **error)
{
  g_autoptr(GPtrArray) edits = pt_hostdev_plan_detach (domain_xml, NULL, addresses, error);

  return edits != NULL ? pt_domain_edits_apply (domain_xml, edits, error) : NULL;
}
