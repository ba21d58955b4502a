/* pt-domain-xml.h
 *
 * Reading a libvirt domain definition with libxml2, node by node: the
 * document libvirt gave us stays as it is except where we mean to change it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

xmlDoc     *pt_domain_xml_parse            (const char  *xml,
                                            GError     **error);
xmlNode    *pt_domain_xml_devices          (xmlDoc      *doc,
                                            GError     **error);
xmlNode    *pt_domain_xml_child            (xmlNode     *node,
                                            const char  *name);
gboolean    pt_domain_xml_is_element       (xmlNode     *node,
                                            const char  *name);
gboolean    pt_domain_xml_has_attribute    (xmlNode     *node,
                                            const char  *attribute,
                                            const char  *value);
char       *pt_domain_xml_get_attribute    (xmlNode     *node,
                                            const char  *attribute);
gboolean    pt_domain_xml_get_number       (xmlNode     *node,
                                            const char  *attribute,
                                            guint       *value);
char       *pt_domain_xml_hostdev_source   (xmlNode     *hostdev);
xmlNode    *pt_domain_xml_guest_address    (xmlNode     *device);
char       *pt_domain_xml_to_string        (xmlNode     *node);
char       *pt_domain_xml_to_pretty_string (xmlNode     *node);
char       *pt_domain_xml_document_string  (xmlDoc      *doc);

G_END_DECLS
