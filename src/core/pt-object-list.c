/* pt-object-list.c
 *
 * An immutable GListModel over an array of objects: what a snapshot hands
 * to views. Unlike GListStore it never changes, so it needs no tree; on a
 * host of thousands of functions, building and freeing GListStores showed
 * in profiles.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-object-list"

#include "config.h"

#include "pt-object-list.h"

struct _PtObjectList
{
  GObject parent_instance;

  GType item_type;
  GPtrArray *items;
};

static GType
pt_object_list_get_item_type (GListModel *model)
{
  return PT_OBJECT_LIST (model)->item_type;
}

static guint
pt_object_list_get_n_items (GListModel *model)
{
  return PT_OBJECT_LIST (model)->items->len;
}

static gpointer
pt_object_list_get_item (GListModel *model,
                         guint       position)
{
  PtObjectList *self = PT_OBJECT_LIST (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = pt_object_list_get_item_type;
  iface->get_n_items = pt_object_list_get_n_items;
  iface->get_item = pt_object_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (PtObjectList, pt_object_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
pt_object_list_finalize (GObject *object)
{
  PtObjectList *self = (PtObjectList *) object;

  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (pt_object_list_parent_class)->finalize (object);
}

static void
pt_object_list_class_init (PtObjectListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pt_object_list_finalize;
}

static void
pt_object_list_init (PtObjectList *self)
{
}

/**
 * pt_object_list_new:
 * @item_type: the type of every item
 * @items: (element-type GObject): the items; they are referenced, and the
 *   array itself is not kept
 *
 * Returns: (transfer full): a list model that never changes
 */
PtObjectList *
pt_object_list_new (GType      item_type,
                    GPtrArray *items)
{
  PtObjectList *self = g_object_new (PT_TYPE_OBJECT_LIST, NULL);
  guint i;

  self->item_type = item_type;
  self->items = g_ptr_array_new_full (items->len, g_object_unref);
  for (i = 0; i < items->len; i++)
    {
      g_assert (G_TYPE_CHECK_INSTANCE_TYPE (g_ptr_array_index (items, i), item_type));
      g_ptr_array_add (self->items, g_object_ref (g_ptr_array_index (items, i)));
    }

  return self;
}
