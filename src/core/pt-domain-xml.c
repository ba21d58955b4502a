/* pt-domain-xml.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-domain-xml"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <string.h>

#include "pt-domain-xml.h"
#include "pt-error.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlBuffer, xmlBufferFree)

/**
 * pt_domain_xml_parse:
 * @xml: a domain definition, or one device element
 *
 * White space is kept, so that writing the document back changes nothing
 * but the nodes we edit.
 *
 * Returns: (transfer full): the document, or %NULL with @error set
 */
xmlDoc *
pt_domain_xml_parse (const char  *xml,
                     GError     **error)
{
  xmlDoc *doc = NULL;

  if (xml != NULL)
    doc = xmlReadMemory (xml, strlen (xml), NULL, "UTF-8", XML_PARSE_NONET | XML_PARSE_NOERROR |
                         XML_PARSE_NOWARNING);
  if (doc == NULL || xmlDocGetRootElement (doc) == NULL)
    {
      g_clear_pointer (&doc, xmlFreeDoc);
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("The virtual machine’s definition cannot be read as XML. Check it with "
                     "“virsh dumpxml”."));
    }

  return doc;
}

gboolean
pt_domain_xml_is_element (xmlNode    *node,
                          const char *name)
{
  return node != NULL && node->type == XML_ELEMENT_NODE &&
         xmlStrEqual (node->name, (const xmlChar *) name);
}

xmlNode *
pt_domain_xml_child (xmlNode    *node,
                     const char *name)
{
  for (xmlNode *child = node != NULL ? node->children : NULL; child != NULL; child = child->next)
    if (pt_domain_xml_is_element (child, name))
      return child;

  return NULL;
}

/**
 * pt_domain_xml_devices:
 *
 * Returns: (transfer none): the <devices> element of a domain
 */
xmlNode *
pt_domain_xml_devices (xmlDoc  *doc,
                       GError **error)
{
  xmlNode *root = xmlDocGetRootElement (doc);
  xmlNode *devices = pt_domain_xml_is_element (root, "domain")
                     ? pt_domain_xml_child (root, "devices") : NULL;

  if (devices == NULL)
    g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                 _("The virtual machine’s definition has no <devices> element. Check it with "
                   "“virsh dumpxml”."));
  return devices;
}

gboolean
pt_domain_xml_has_attribute (xmlNode    *node,
                             const char *attribute,
                             const char *value)
{
  xmlChar *text = xmlGetProp (node, (const xmlChar *) attribute);
  gboolean equal = text != NULL && g_str_equal ((char *) text, value);

  xmlFree (text);
  return equal;
}

/**
 * pt_domain_xml_get_attribute:
 *
 * Returns: (transfer full) (nullable): the attribute's value, for g_free()
 */
char *
pt_domain_xml_get_attribute (xmlNode    *node,
                             const char *attribute)
{
  xmlChar *text = node != NULL ? xmlGetProp (node, (const xmlChar *) attribute) : NULL;
  char *copy = g_strdup ((const char *) text);

  xmlFree (text);
  return copy;
}

/* libvirt writes numbers as hex ("0x01") or decimal ("5"). */
gboolean
pt_domain_xml_get_number (xmlNode    *node,
                          const char *attribute,
                          guint      *value)
{
  xmlChar *text = xmlGetProp (node, (const xmlChar *) attribute);
  char *end = NULL;
  guint64 number = 0;
  gboolean ok = FALSE;

  if (text != NULL && text[0] != '\0')
    {
      number = g_ascii_strtoull ((char *) text, &end, 0);
      ok = end != NULL && *end == '\0' && number <= G_MAXUINT;
    }
  xmlFree (text);

  if (ok)
    *value = number;
  return ok;
}

/**
 * pt_domain_xml_hostdev_source:
 *
 * Returns: (transfer full) (nullable): the host address of a PCI
 *   <hostdev>, as lspci -D writes it; %NULL for any other element
 */
char *
pt_domain_xml_hostdev_source (xmlNode *hostdev)
{
  xmlNode *address;
  guint domain = 0, bus, slot, function;

  if (!pt_domain_xml_is_element (hostdev, "hostdev") ||
      !pt_domain_xml_has_attribute (hostdev, "type", "pci"))
    return NULL;

  address = pt_domain_xml_child (pt_domain_xml_child (hostdev, "source"), "address");
  if (address == NULL ||
      !pt_domain_xml_get_number (address, "bus", &bus) ||
      !pt_domain_xml_get_number (address, "slot", &slot) ||
      !pt_domain_xml_get_number (address, "function", &function))
    return NULL;
  pt_domain_xml_get_number (address, "domain", &domain);

  return g_strdup_printf ("%04x:%02x:%02x.%x", domain, bus, slot, function);
}

/**
 * pt_domain_xml_guest_address:
 *
 * Returns: (transfer none) (nullable): the device's own PCI address in
 *   the guest, <address type='pci' …/>
 */
xmlNode *
pt_domain_xml_guest_address (xmlNode *device)
{
  xmlNode *address = pt_domain_xml_child (device, "address");

  return address != NULL && pt_domain_xml_has_attribute (address, "type", "pci") ? address : NULL;
}

/* Without the XML declaration, as libvirt's own dumps look. */
static char *
steal_without_declaration (xmlChar *buffer)
{
  const char *text = (const char *) buffer;
  char *copy;

  if (g_str_has_prefix (text, "<?xml") && strchr (text, '\n') != NULL)
    text = strchr (text, '\n') + 1;
  copy = g_strdup (text);
  xmlFree (buffer);
  return copy;
}

/**
 * pt_domain_xml_document_string:
 *
 * Returns: (transfer full): the whole document, as it was read but for
 *   the nodes that were edited
 */
char *
pt_domain_xml_document_string (xmlDoc *doc)
{
  xmlChar *buffer = NULL;
  int size = 0;

  xmlDocDumpMemoryEnc (doc, &buffer, &size, "UTF-8");
  if (buffer == NULL)
    g_error ("libxml2 could not write a document: out of memory");
  return steal_without_declaration (buffer);
}

static char *
node_to_string (xmlNode  *node,
                gboolean  pretty)
{
  g_autoptr(xmlBuffer) buffer = xmlBufferCreate ();

  xmlNodeDump (buffer, node->doc, node, 0, pretty);
  return g_strdup ((const char *) xmlBufferContent (buffer));
}

/**
 * pt_domain_xml_to_string:
 *
 * Returns: (transfer full): one element and what it holds, as it stands
 */
char *
pt_domain_xml_to_string (xmlNode *node)
{
  return node_to_string (node, FALSE);
}

/**
 * pt_domain_xml_to_pretty_string:
 *
 * Returns: (transfer full): one element, indented for a person to read
 */
char *
pt_domain_xml_to_pretty_string (xmlNode *node)
{
  g_autofree char *flat = node_to_string (node, FALSE);
  g_autoptr(xmlDoc) doc = xmlReadMemory (flat, strlen (flat), NULL, "UTF-8",
                                         XML_PARSE_NONET | XML_PARSE_NOBLANKS |
                                         XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

  if (doc == NULL)
    return g_steal_pointer (&flat);
  return node_to_string (xmlDocGetRootElement (doc), TRUE);
}
