/* pt-page.c
 *
 * What every page of the window shares: the session it shows (a writable
 * "session" property; subclasses hear of it through ::session_set), one
 * child laid out by a bin layout, and the disposal of a template whose
 * top-level child is unnamed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include "pt-page.h"

typedef struct
{
  PtSession *session;
} PtPagePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (PtPage, pt_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

PtSession *
pt_page_get_session (PtPage *self)
{
  PtPagePrivate *priv = pt_page_get_instance_private (self);

  g_return_val_if_fail (PT_IS_PAGE (self), NULL);
  return priv->session;
}

/**
 * pt_page_class_set_template_from_resource:
 *
 * gtk_widget_class_set_template_from_resource(), remembered so that the
 * page disposes its template.
 */
void
pt_page_class_set_template_from_resource (PtPageClass *klass,
                                          const char  *resource)
{
  klass->has_template = TRUE;
  gtk_widget_class_set_template_from_resource (GTK_WIDGET_CLASS (klass), resource);
}

static void
pt_page_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  PtPage *self = PT_PAGE (object);
  PtPagePrivate *priv = pt_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_SESSION:
      if (g_set_object (&priv->session, g_value_get_object (value)) && priv->session != NULL &&
          PT_PAGE_GET_CLASS (self)->session_set != NULL)
        PT_PAGE_GET_CLASS (self)->session_set (self, priv->session);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_page_dispose (GObject *object)
{
  PtPage *self = PT_PAGE (object);
  PtPagePrivate *priv = pt_page_get_instance_private (self);
  GtkWidget *child;

  g_clear_object (&priv->session);
  if (PT_PAGE_GET_CLASS (self)->has_template)
    gtk_widget_dispose_template (GTK_WIDGET (self), G_OBJECT_TYPE (self));
  /* A template's unnamed top-level child is the page's to unparent. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (pt_page_parent_class)->dispose (object);
}

static void
pt_page_class_init (PtPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pt_page_dispose;
  object_class->set_property = pt_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, PT_TYPE_SESSION,
                         G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
pt_page_init (PtPage *self)
{
}
