/* pt-hostdev-edit.c
 *
 * Adding and removing PCI <hostdev> elements in a libvirt domain definition.
 * Everything here is a pure function from domain XML to domain XML, so the
 * same code previews a change (--dry-run), applies it, and is tested against
 * saved XML files.
 *
 * Functions of one host slot (a GPU and its HDMI audio) go to one guest slot
 * with multifunction='on' on function 0, as the guest drivers expect.
 * libvirt-gconfig has no setter for a hostdev's guest address, so those
 * hostdevs are built from XML; the guest slot is the first free one on
 * bus 0, from 0x10 up (below are libvirt's own automatic placements).
 * Single functions get no guest address: libvirt places them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-hostdev-edit"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "pt-error.h"
#include "pt-hostdev-edit.h"
#include "pt-libvirt-autoptr.h"
#include "pt-sysfs.h"

#define FIRST_GUEST_SLOT 0x10
#define LAST_GUEST_SLOT 0x1e

typedef struct
{
  guint domain;
  guint bus;
  guint slot;
  guint function;
} PciAddress;

static gboolean
parse_address (const char  *text,
               PciAddress  *address,
               GError     **error)
{
  if (!pt_sysfs_is_pci_address (text))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a PCI address; write it as lspci -D shows it, "
                     "e.g. 0000:01:00.0."),
                   text);
      return FALSE;
    }

  /* The shape is checked, so these cannot fail. */
  address->domain = g_ascii_strtoull (text, NULL, 16);
  address->bus = g_ascii_strtoull (text + 5, NULL, 16);
  address->slot = g_ascii_strtoull (text + 8, NULL, 16);
  address->function = text[11] - '0';
  return TRUE;
}

static char *
format_address (int domain,
                int bus,
                int slot,
                int function)
{
  return g_strdup_printf ("%04x:%02x:%02x.%x", domain, bus, slot, function);
}

static GVirConfigDomain *
parse_domain (const char  *domain_xml,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GVirConfigDomain *config;

  config = gvir_config_domain_new_from_xml (domain_xml, &local_error);
  if (config == NULL)
    g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                 _("The virtual machine’s definition cannot be read: %s"),
                 local_error != NULL ? local_error->message : _("unknown error"));

  return config;
}

/* The host address of a PCI hostdev, or NULL for any other device. */
static char *
hostdev_source (GVirConfigDomainDevice *device)
{
  g_autoptr(GVirConfigDomainAddressPci) address = NULL;

  if (!GVIR_CONFIG_IS_DOMAIN_HOSTDEV_PCI (device))
    return NULL;

  address = gvir_config_domain_hostdev_pci_get_address (GVIR_CONFIG_DOMAIN_HOSTDEV_PCI (device));
  if (address == NULL)
    return NULL;

  return format_address (gvir_config_domain_address_pci_get_domain (address),
                         gvir_config_domain_address_pci_get_bus (address),
                         gvir_config_domain_address_pci_get_slot (address),
                         gvir_config_domain_address_pci_get_function (address));
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
  g_autoptr(GVirConfigDomain) config = parse_domain (domain_xml, error);
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autolist(GObject) devices = NULL;
  GList *l;

  if (config == NULL)
    return NULL;

  builder = g_strv_builder_new ();
  devices = gvir_config_domain_get_devices (config);
  for (l = devices; l != NULL; l = l->next)
    {
      g_autofree char *source = hostdev_source (l->data);

      if (source != NULL)
        g_strv_builder_add (builder, source);
    }

  return g_strv_builder_end (builder);
}

/* Slots on guest bus 0 that any device of the definition already uses. */
typedef struct
{
  gboolean used[32];
} SlotMap;

static void
on_start_element (GMarkupParseContext  *context,
                  const char           *element,
                  const char          **names,
                  const char          **values,
                  gpointer              user_data,
                  GError              **error)
{
  SlotMap *map = user_data;
  const char *type = NULL, *bus = NULL, *slot = NULL;
  guint i;

  if (!g_str_equal (element, "address"))
    return;

  for (i = 0; names[i] != NULL; i++)
    {
      if (g_str_equal (names[i], "type"))
        type = values[i];
      else if (g_str_equal (names[i], "bus"))
        bus = values[i];
      else if (g_str_equal (names[i], "slot"))
        slot = values[i];
    }

  if (g_strcmp0 (type, "pci") == 0 && bus != NULL && slot != NULL &&
      g_ascii_strtoull (bus, NULL, 0) == 0)
    {
      guint64 n = g_ascii_strtoull (slot, NULL, 0);

      if (n < G_N_ELEMENTS (map->used))
        map->used[n] = TRUE;
    }
}

static gboolean
find_used_slots (const char  *domain_xml,
                 SlotMap     *map,
                 GError     **error)
{
  static const GMarkupParser parser = { on_start_element, NULL, NULL, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;

  context = g_markup_parse_context_new (&parser, 0, map, NULL);
  return g_markup_parse_context_parse (context, domain_xml, -1, error) &&
         g_markup_parse_context_end_parse (context, error);
}

static int
take_free_slot (SlotMap *map)
{
  int slot;

  for (slot = FIRST_GUEST_SLOT; slot <= LAST_GUEST_SLOT; slot++)
    if (!map->used[slot])
      {
        map->used[slot] = TRUE;
        return slot;
      }

  return -1;
}

static void
apply_options (GVirConfigDomainHostdevPci *hostdev,
               const PtHostdevOptions     *options)
{
  gvir_config_domain_hostdev_pci_set_managed (hostdev, options == NULL || !options->unmanaged);
  if (options == NULL)
    return;

  if (options->rom_bar != PT_ROM_BAR_DEFAULT)
    gvir_config_domain_hostdev_pci_set_rom_bar (hostdev, options->rom_bar == PT_ROM_BAR_ON);
  if (options->rom_file != NULL)
    gvir_config_domain_hostdev_pci_set_rom_file (hostdev, options->rom_file);
}

static GVirConfigDomainHostdevPci *
new_hostdev (const PciAddress  *source,
             int                guest_slot,
             int                guest_function,
             gboolean           multifunction,
             GError           **error)
{
  g_autoptr(GVirConfigDomainAddressPci) address = NULL;
  GVirConfigDomainHostdevPci *hostdev;

  if (guest_slot < 0)
    hostdev = gvir_config_domain_hostdev_pci_new ();
  else
    {
      g_autofree char *xml = g_strdup_printf (
        "<hostdev mode='subsystem' type='pci'>"
        "<address type='pci' domain='0x0000' bus='0x00' slot='0x%02x' function='0x%x'%s/>"
        "</hostdev>",
        guest_slot, guest_function, multifunction ? " multifunction='on'" : "");

      hostdev = gvir_config_domain_hostdev_pci_new_from_xml (xml, error);
      if (hostdev == NULL)
        return NULL;
    }

  /* A fresh address object: reusing one from get_address() corrupts it. */
  address = gvir_config_domain_address_pci_new ();
  gvir_config_domain_address_pci_set_domain (address, source->domain);
  gvir_config_domain_address_pci_set_bus (address, source->bus);
  gvir_config_domain_address_pci_set_slot (address, source->slot);
  gvir_config_domain_address_pci_set_function (address, source->function);
  gvir_config_domain_hostdev_pci_set_address (hostdev, address);

  return hostdev;
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

/*
 * gconfig writes added elements on one line. Re-read without the old
 * white space and write indented, so a person can read the dry run; libvirt
 * formats the definition its own way when it stores it anyway.
 */
static char *
to_pretty_xml (GVirConfigDomain *config)
{
  g_autofree char *xml = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (config));
  xmlChar *buffer = NULL;
  char *pretty;
  xmlDocPtr doc;
  int size = 0;

  doc = xmlReadMemory (xml, strlen (xml), NULL, NULL, XML_PARSE_NOBLANKS | XML_PARSE_NONET);
  if (doc == NULL)
    return g_steal_pointer (&xml);

  xmlDocDumpFormatMemoryEnc (doc, &buffer, &size, "UTF-8", 1);
  xmlFreeDoc (doc);

  /* Without the XML declaration, as libvirt's own dumps look. */
  pretty = g_strdup (g_str_has_prefix ((char *) buffer, "<?xml")
                     ? strchr ((char *) buffer, '\n') + 1 : (char *) buffer);
  xmlFree (buffer);
  return pretty;
}

/**
 * pt_hostdev_attach:
 * @domain_xml: the domain's persistent definition
 * @addresses: host PCI addresses to add
 * @options: (nullable): managed and ROM settings
 *
 * Returns: (transfer full): the definition with the hostdevs added
 */
char *
pt_hostdev_attach (const char              *domain_xml,
                   const char * const      *addresses,
                   const PtHostdevOptions  *options,
                   GError                 **error)
{
  g_autoptr(GVirConfigDomain) config = NULL;
  g_autoptr(GPtrArray) sorted = NULL;
  g_auto(GStrv) present = NULL;
  SlotMap slots = { { FALSE } };
  guint i, j;

  if (addresses == NULL || addresses[0] == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("No device was given to add."));
      return NULL;
    }

  present = pt_hostdev_list_sources (domain_xml, error);
  if (present == NULL || !find_used_slots (domain_xml, &slots, error))
    return NULL;

  sorted = g_ptr_array_new ();
  for (i = 0; addresses[i] != NULL; i++)
    {
      PciAddress unused;

      if (!parse_address (addresses[i], &unused, error))
        return NULL;
      if (g_strv_contains ((const char * const *) present, addresses[i]))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                       _("%s is already given to this virtual machine."), addresses[i]);
          return NULL;
        }
      if (!g_ptr_array_find_with_equal_func (sorted, addresses[i], g_str_equal, NULL))
        g_ptr_array_add (sorted, (gpointer) addresses[i]);
    }
  g_ptr_array_sort (sorted, compare_addresses);

  config = parse_domain (domain_xml, error);
  if (config == NULL)
    return NULL;

  for (i = 0; i < sorted->len; i = j)
    {
      guint n_functions;
      int guest_slot = -1;

      /* [i, j) are the requested functions of one host slot. */
      for (j = i + 1; j < sorted->len; j++)
        if (!same_slot (g_ptr_array_index (sorted, i), g_ptr_array_index (sorted, j)))
          break;
      n_functions = j - i;

      if (n_functions > 1)
        {
          guest_slot = take_free_slot (&slots);
          if (guest_slot < 0)
            {
              g_set_error (error, PT_ERROR, PT_ERROR_FAILED,
                           _("The virtual machine has no free PCI slot left on bus 0 for a "
                             "multifunction device. Remove a device from it first."));
              return NULL;
            }
        }

      for (guint k = i; k < j; k++)
        {
          g_autoptr(GVirConfigDomainHostdevPci) hostdev = NULL;
          PciAddress source;

          parse_address (g_ptr_array_index (sorted, k), &source, NULL);
          hostdev = new_hostdev (&source, guest_slot, k - i, k == i && n_functions > 1, error);
          if (hostdev == NULL)
            return NULL;
          apply_options (hostdev, options);
          gvir_config_domain_add_device (config, GVIR_CONFIG_DOMAIN_DEVICE (hostdev));
        }
    }

  return to_pretty_xml (config);
}

/**
 * pt_hostdev_detach:
 * @domain_xml: the domain's definition
 * @addresses: host PCI addresses to remove
 *
 * Returns: (transfer full): the definition without those hostdevs
 */
char *
pt_hostdev_detach (const char          *domain_xml,
                   const char * const  *addresses,
                   GError             **error)
{
  g_autoptr(GVirConfigDomain) config = NULL;
  g_autolist(GObject) devices = NULL;
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  GList *kept = NULL;
  GList *l;
  guint i;

  if (addresses == NULL || addresses[0] == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("No device was given to remove."));
      return NULL;
    }

  for (i = 0; addresses[i] != NULL; i++)
    {
      PciAddress unused;

      if (!parse_address (addresses[i], &unused, error))
        return NULL;
      g_hash_table_add (wanted, (gpointer) addresses[i]);
    }

  config = parse_domain (domain_xml, error);
  if (config == NULL)
    return NULL;

  devices = gvir_config_domain_get_devices (config);
  for (l = devices; l != NULL; l = l->next)
    {
      g_autofree char *source = hostdev_source (l->data);

      if (source != NULL && g_hash_table_remove (wanted, source))
        continue;
      kept = g_list_append (kept, l->data);
    }

  if (g_hash_table_size (wanted) > 0)
    {
      GHashTableIter iter;
      const char *missing;

      g_list_free (kept);
      g_hash_table_iter_init (&iter, wanted);
      g_hash_table_iter_next (&iter, (gpointer *) &missing, NULL);
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                   _("%s is not given to this virtual machine, so it cannot be removed."),
                   missing);
      return NULL;
    }

  gvir_config_domain_set_devices (config, kept);
  g_list_free (kept);

  return to_pretty_xml (config);
}

/**
 * pt_hostdev_device_xmls:
 * @domain_xml: a definition that has hostdevs for @addresses
 *
 * For live attach and detach, which take one device at a time.
 *
 * Returns: (transfer full): the <hostdev> XML of each address, in order
 */
GStrv
pt_hostdev_device_xmls (const char          *domain_xml,
                        const char * const  *addresses,
                        GError             **error)
{
  g_autoptr(GVirConfigDomain) config = parse_domain (domain_xml, error);
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autolist(GObject) devices = NULL;
  guint i;

  if (config == NULL)
    return NULL;

  builder = g_strv_builder_new ();
  devices = gvir_config_domain_get_devices (config);
  for (i = 0; addresses[i] != NULL; i++)
    {
      GList *l;

      for (l = devices; l != NULL; l = l->next)
        {
          g_autofree char *source = hostdev_source (l->data);

          if (g_strcmp0 (source, addresses[i]) == 0)
            {
              g_autofree char *xml = gvir_config_object_to_xml (l->data);

              g_strv_builder_add (builder, xml);
              break;
            }
        }

      if (l == NULL)
        {
          g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                       _("%s is not given to this virtual machine."), addresses[i]);
          return NULL;
        }
    }

  return g_strv_builder_end (builder);
}
