/* pt-domain-edit.c
 *
 * A change to a VM's devices as a list of edits, each one device element
 * added or removed. libvirt's device API makes them (pt-vm-plan.c); the
 * same list previews itself as a diff, and applies itself node by node to
 * the document libvirt gave us for drivers that have no device API (the
 * test driver of the demo): every other node stays exactly as it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-domain-edit"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>

#include "pt-domain-edit.h"
#include "pt-domain-xml.h"
#include "pt-error.h"

/**
 * pt_domain_edit_new:
 *
 * Returns: (transfer full): a new edit
 */
PtDomainEdit *
pt_domain_edit_new (PtDomainEditAction  action,
                    const char         *xml,
                    const char         *source,
                    PtDomainEditScope   scope)
{
  PtDomainEdit *edit = g_new0 (PtDomainEdit, 1);

  edit->action = action;
  edit->xml = g_strdup (xml);
  edit->source = g_strdup (source);
  edit->scope = scope;
  return edit;
}

void
pt_domain_edit_free (PtDomainEdit *edit)
{
  if (edit == NULL)
    return;

  g_free (edit->xml);
  g_free (edit->source);
  g_free (edit);
}

/**
 * pt_domain_edit_inverse:
 *
 * Returns: (transfer full): the edit that takes @edit back
 */
PtDomainEdit *
pt_domain_edit_inverse (const PtDomainEdit *edit)
{
  return pt_domain_edit_new (edit->action == PT_DOMAIN_EDIT_ADD ? PT_DOMAIN_EDIT_REMOVE
                                                                 : PT_DOMAIN_EDIT_ADD,
                             edit->xml, edit->source, edit->scope);
}

/**
 * pt_domain_edits_new:
 *
 * Returns: (transfer full) (element-type PtDomainEdit): an empty list
 */
GPtrArray *
pt_domain_edits_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) pt_domain_edit_free);
}

static gboolean
is_blank_text (xmlNode *node)
{
  return node != NULL && node->type == XML_TEXT_NODE && xmlIsBlankNode (node);
}

static xmlNode *
last_element (xmlNode    *parent,
              const char *name)
{
  xmlNode *found = NULL;

  for (xmlNode *child = parent->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE && (name == NULL || pt_domain_xml_is_element (child, name)))
      found = child;

  return found;
}

/* After the last element of its kind (controllers stay with controllers),
 * indented like it; at the end of <devices> when it is the first. */
static void
insert_device (xmlNode *devices,
               xmlNode *node)
{
  xmlNode *after = last_element (devices, (const char *) node->name);
  xmlChar *indent;

  if (after == NULL)
    after = last_element (devices, NULL);
  if (after == NULL)
    {
      xmlAddChild (devices, node);
      return;
    }

  indent = is_blank_text (after->prev) ? xmlNodeGetContent (after->prev)
                                       : xmlStrdup ((const xmlChar *) "\n");
  xmlAddNextSibling (xmlAddNextSibling (after, xmlNewDocText (devices->doc, indent)), node);
  xmlFree (indent);
}

static gboolean
same_controller (xmlNode *a,
                 xmlNode *b)
{
  g_autofree char *type = pt_domain_xml_get_attribute (b, "type");
  guint index_a, index_b;

  return type != NULL && pt_domain_xml_has_attribute (a, "type", type) &&
         pt_domain_xml_get_number (a, "index", &index_a) &&
         pt_domain_xml_get_number (b, "index", &index_b) && index_a == index_b;
}

/* The element an edit removes: a hostdev by its host address, a
 * controller by its type and index, as libvirt matches them. */
static xmlNode *
find_device (xmlNode            *devices,
             xmlNode            *wanted,
             const PtDomainEdit *edit)
{
  for (xmlNode *child = devices->children; child != NULL; child = child->next)
    {
      if (!pt_domain_xml_is_element (child, (const char *) wanted->name))
        continue;

      if (edit->source != NULL)
        {
          g_autofree char *source = pt_domain_xml_hostdev_source (child);

          if (g_strcmp0 (source, edit->source) == 0)
            return child;
        }
      else if (pt_domain_xml_is_element (child, "controller") && same_controller (child, wanted))
        return child;
    }

  return NULL;
}

static void
remove_device (xmlNode *node)
{
  if (is_blank_text (node->prev))
    {
      xmlNode *space = node->prev;

      xmlUnlinkNode (space);
      xmlFreeNode (space);
    }

  xmlUnlinkNode (node);
  xmlFreeNode (node);
}

/**
 * pt_domain_edits_apply:
 * @domain_xml: a domain definition as libvirt wrote it
 * @edits: (element-type PtDomainEdit): what to change
 *
 * Applies the edits node by node; everything else in the document stays
 * byte for byte.
 *
 * Returns: (transfer full): the changed definition, or %NULL with @error
 *   set when an element to remove is not there
 */
char *
pt_domain_edits_apply (const char  *domain_xml,
                       GPtrArray   *edits,
                       GError     **error)
{
  g_autoptr(xmlDoc) doc = pt_domain_xml_parse (domain_xml, error);
  xmlNode *devices;

  if (doc == NULL || (devices = pt_domain_xml_devices (doc, error)) == NULL)
    return NULL;

  for (guint i = 0; i < edits->len; i++)
    {
      const PtDomainEdit *edit = g_ptr_array_index (edits, i);
      g_autoptr(xmlDoc) fragment = pt_domain_xml_parse (edit->xml, error);
      xmlNode *element;

      if (fragment == NULL)
        return NULL;
      element = xmlDocGetRootElement (fragment);

      if (edit->action == PT_DOMAIN_EDIT_ADD)
        insert_device (devices, xmlDocCopyNode (element, doc, 1));
      else
        {
          xmlNode *found = find_device (devices, element, edit);

          if (found == NULL)
            {
              g_autofree char *index = pt_domain_xml_get_attribute (element, "index");
              g_autofree char *what = edit->source != NULL
                ? g_strdup (edit->source)
                : g_strdup_printf ("<%s index='%s'>", element->name, index != NULL ? index : "?");

              g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                           _("The virtual machine’s definition no longer has %s; it was changed "
                             "meanwhile. Look at it again and retry."),
                           what);
              return NULL;
            }
          remove_device (found);
        }
    }

  return pt_domain_xml_document_string (doc);
}

/**
 * pt_domain_edits_diff:
 * @edits: (element-type PtDomainEdit): what will change
 *
 * What the change does to the definition, as a diff of the <devices>
 * element: lines of added elements start with “+”, removed ones with “-”.
 *
 * Returns: (transfer full): the diff
 */
char *
pt_domain_edits_diff (GPtrArray *edits)
{
  GString *diff = g_string_new (" <devices>\n");

  for (guint i = 0; i < edits->len; i++)
    {
      const PtDomainEdit *edit = g_ptr_array_index (edits, i);
      g_autoptr(xmlDoc) fragment = pt_domain_xml_parse (edit->xml, NULL);
      g_autofree char *pretty = NULL;
      g_auto(GStrv) lines = NULL;
      char sign = edit->action == PT_DOMAIN_EDIT_ADD ? '+' : '-';

      pretty = fragment != NULL ? pt_domain_xml_to_pretty_string (xmlDocGetRootElement (fragment))
                                : g_strdup (edit->xml);
      lines = g_strsplit (pretty, "\n", -1);
      for (guint j = 0; lines[j] != NULL; j++)
        if (lines[j][0] != '\0')
          g_string_append_printf (diff, "%c  %s\n", sign, lines[j]);
    }

  g_string_append (diff, " </devices>");
  return g_string_free (diff, FALSE);
}
