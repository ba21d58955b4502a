/* pt-fold-bin.c
 *
 * Two layouts of the same thing: the wide child while it gets at least its
 * minimum width, the narrow child below that (a device row's pills become
 * a second line of text at 360 px instead of squeezing the name to "…").
 *
 * libadwaita 1.4's AdwBreakpoint does this for a whole window; Debian 12 has
 * 1.2, whose AdwSqueezer is deprecated from 1.4 on. The choice is made in
 * measure and allocate from the width given, so it costs no extra layout
 * pass and works inside list rows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include "pt-fold-bin.h"

struct _PtFoldBin
{
  GtkWidget parent_instance;

  GtkWidget *wide;
  GtkWidget *narrow;
  gboolean folded;
};

static void pt_fold_bin_buildable_init (GtkBuildableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PtFoldBin, pt_fold_bin, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE,
                                                      pt_fold_bin_buildable_init))

enum {
  PROP_0,
  PROP_WIDE_CHILD,
  PROP_NARROW_CHILD,
  PROP_FOLDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static int
wide_minimum (PtFoldBin *self)
{
  int minimum = 0;

  if (self->wide != NULL)
    gtk_widget_measure (self->wide, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  return minimum;
}

/* The child shown at @width (-1: as wide as it likes). */
static GtkWidget *
child_for_width (PtFoldBin *self,
                 int        width)
{
  if (self->narrow == NULL)
    return self->wide;
  if (self->wide == NULL || (width >= 0 && width < wide_minimum (self)))
    return self->narrow;
  return self->wide;
}

static void
pt_fold_bin_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  PtFoldBin *self = PT_FOLD_BIN (widget);
  GtkWidget *child;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      GtkWidget *smallest = self->narrow != NULL ? self->narrow : self->wide;
      GtkWidget *largest = self->wide != NULL ? self->wide : self->narrow;
      int ignored;

      *minimum = *natural = 0;
      if (smallest != NULL)
        gtk_widget_measure (smallest, orientation, for_size, minimum, &ignored, NULL, NULL);
      if (largest != NULL)
        gtk_widget_measure (largest, orientation, for_size, &ignored, natural, NULL, NULL);
      *natural = MAX (*natural, *minimum);
      return;
    }

  child = child_for_width (self, for_size);
  if (child == NULL)
    {
      *minimum = *natural = 0;
      return;
    }
  gtk_widget_measure (child, orientation, for_size, minimum, natural, minimum_baseline,
                      natural_baseline);
}

static void
pt_fold_bin_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  PtFoldBin *self = PT_FOLD_BIN (widget);
  GtkWidget *shown = child_for_width (self, width);
  gboolean folded = shown != NULL && shown == self->narrow && self->wide != NULL;

  /* As AdwLeaflet and GtkStack do: the other layout is not mapped. */
  if (self->wide != NULL)
    gtk_widget_set_child_visible (self->wide, shown == self->wide);
  if (self->narrow != NULL)
    gtk_widget_set_child_visible (self->narrow, shown == self->narrow);
  if (shown != NULL)
    gtk_widget_allocate (shown, width, height, baseline, NULL);

  if (folded != self->folded)
    {
      self->folded = folded;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDED]);
    }
}

static GtkSizeRequestMode
pt_fold_bin_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
set_child (PtFoldBin  *self,
           GtkWidget **slot,
           GtkWidget  *child,
           guint       prop)
{
  if (*slot == child)
    return;
  g_clear_pointer (slot, gtk_widget_unparent);
  if (child != NULL)
    {
      *slot = child;
      gtk_widget_set_parent (child, GTK_WIDGET (self));
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

GtkWidget *
pt_fold_bin_get_wide_child (PtFoldBin *self)
{
  g_return_val_if_fail (PT_IS_FOLD_BIN (self), NULL);
  return self->wide;
}

void
pt_fold_bin_set_wide_child (PtFoldBin *self,
                            GtkWidget *child)
{
  g_return_if_fail (PT_IS_FOLD_BIN (self));
  set_child (self, &self->wide, child, PROP_WIDE_CHILD);
}

GtkWidget *
pt_fold_bin_get_narrow_child (PtFoldBin *self)
{
  g_return_val_if_fail (PT_IS_FOLD_BIN (self), NULL);
  return self->narrow;
}

void
pt_fold_bin_set_narrow_child (PtFoldBin *self,
                              GtkWidget *child)
{
  g_return_if_fail (PT_IS_FOLD_BIN (self));
  set_child (self, &self->narrow, child, PROP_NARROW_CHILD);
}

/**
 * pt_fold_bin_get_folded:
 *
 * Returns: whether the narrow child is shown (as of the last allocation)
 */
gboolean
pt_fold_bin_get_folded (PtFoldBin *self)
{
  g_return_val_if_fail (PT_IS_FOLD_BIN (self), FALSE);
  return self->folded;
}

static GtkBuildableIface *parent_buildable;

/* <child type="wide"> and <child type="narrow"> in .ui files. */
static void
pt_fold_bin_add_child (GtkBuildable *buildable,
                       GtkBuilder   *builder,
                       GObject      *child,
                       const char   *type)
{
  PtFoldBin *self = PT_FOLD_BIN (buildable);

  if (GTK_IS_WIDGET (child) && g_strcmp0 (type, "narrow") == 0)
    pt_fold_bin_set_narrow_child (self, GTK_WIDGET (child));
  else if (GTK_IS_WIDGET (child) && (type == NULL || g_str_equal (type, "wide")))
    pt_fold_bin_set_wide_child (self, GTK_WIDGET (child));
  else
    parent_buildable->add_child (buildable, builder, child, type);
}

static void
pt_fold_bin_buildable_init (GtkBuildableIface *iface)
{
  parent_buildable = g_type_interface_peek_parent (iface);
  iface->add_child = pt_fold_bin_add_child;
}

static void
pt_fold_bin_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PtFoldBin *self = PT_FOLD_BIN (object);

  switch (prop_id)
    {
    case PROP_WIDE_CHILD:
      g_value_set_object (value, self->wide);
      break;

    case PROP_NARROW_CHILD:
      g_value_set_object (value, self->narrow);
      break;

    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_fold_bin_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PtFoldBin *self = PT_FOLD_BIN (object);

  switch (prop_id)
    {
    case PROP_WIDE_CHILD:
      pt_fold_bin_set_wide_child (self, g_value_get_object (value));
      break;

    case PROP_NARROW_CHILD:
      pt_fold_bin_set_narrow_child (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_fold_bin_dispose (GObject *object)
{
  PtFoldBin *self = PT_FOLD_BIN (object);

  g_clear_pointer (&self->wide, gtk_widget_unparent);
  g_clear_pointer (&self->narrow, gtk_widget_unparent);

  G_OBJECT_CLASS (pt_fold_bin_parent_class)->dispose (object);
}

static void
pt_fold_bin_class_init (PtFoldBinClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_fold_bin_dispose;
  object_class->get_property = pt_fold_bin_get_property;
  object_class->set_property = pt_fold_bin_set_property;

  widget_class->measure = pt_fold_bin_measure;
  widget_class->size_allocate = pt_fold_bin_size_allocate;
  widget_class->get_request_mode = pt_fold_bin_get_request_mode;

  properties[PROP_WIDE_CHILD] =
    g_param_spec_object ("wide-child", NULL, NULL, GTK_TYPE_WIDGET,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NARROW_CHILD] =
    g_param_spec_object ("narrow-child", NULL, NULL, GTK_TYPE_WIDGET,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pt_fold_bin_init (PtFoldBin *self)
{
}
