/* pt-object-list.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PT_TYPE_OBJECT_LIST (pt_object_list_get_type ())

G_DECLARE_FINAL_TYPE (PtObjectList, pt_object_list, PT, OBJECT_LIST, GObject)

PtObjectList *pt_object_list_new (GType      item_type,
                                  GPtrArray *items);

G_END_DECLS
