/* pt-reflow-box.c
 *
 * A heading and what follows it (a group card's title and its Prepare
 * button): side by side while the first child gets at least its minimum
 * width and the others their natural widths, one under the other below
 * that, so that a narrow window or a longer translation wraps the line
 * rather than clipping the heading to "IOMMU…".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include "pt-reflow-box.h"

struct _PtReflowBox
{
  GtkWidget parent_instance;

  int spacing;
};

G_DEFINE_FINAL_TYPE (PtReflowBox, pt_reflow_box, GTK_TYPE_WIDGET)

static int
width_of (GtkWidget *child,
          gboolean   natural)
{
  int minimum = 0, natural_width = 0;

  gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural_width, NULL, NULL);
  return natural ? natural_width : minimum;
}

static int
height_for (GtkWidget *child,
            int        width)
{
  int minimum = 0;

  gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, &minimum, NULL, NULL, NULL);
  return minimum;
}

/* The first child at its minimum, the rest at their natural widths. */
static int
row_width (PtReflowBox *self)
{
  GtkWidget *child;
  int width = 0, n = 0;

  for (child = gtk_widget_get_first_child (GTK_WIDGET (self)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_should_layout (child))
      width += width_of (child, n++ > 0);
  return width + MAX (n - 1, 0) * self->spacing;
}

static gboolean
fits_in_row (PtReflowBox *self,
             int          width)
{
  return width < 0 || row_width (self) <= width;
}

/* The width the first child gets in a row of @width. */
static int
first_width (PtReflowBox *self,
             int          width)
{
  GtkWidget *first = gtk_widget_get_first_child (GTK_WIDGET (self));
  GtkWidget *child;
  int others = 0;

  for (child = first != NULL ? gtk_widget_get_next_sibling (first) : NULL; child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_should_layout (child))
      others += width_of (child, TRUE) + self->spacing;
  return MAX (width - others, 0);
}

static void
pt_reflow_box_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  PtReflowBox *self = PT_REFLOW_BOX (widget);
  GtkWidget *first = gtk_widget_get_first_child (widget);
  GtkWidget *child;
  gboolean row;
  int n = 0;

  *minimum = *natural = 0;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* At least the widest child (a column); at best all in a row. */
      for (child = first; child != NULL; child = gtk_widget_get_next_sibling (child))
        if (gtk_widget_should_layout (child))
          {
            *minimum = MAX (*minimum, width_of (child, FALSE));
            *natural += width_of (child, TRUE) + (n++ > 0 ? self->spacing : 0);
          }
      *natural = MAX (*natural, *minimum);
      return;
    }

  row = fits_in_row (self, for_size);
  for (child = first; child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      int width, height;

      if (!gtk_widget_should_layout (child))
        continue;
      if (!row)
        width = for_size;
      else if (for_size < 0)
        width = -1;
      else
        width = child == first ? first_width (self, for_size) : width_of (child, TRUE);
      height = height_for (child, width);
      if (row)
        *minimum = MAX (*minimum, height);
      else
        *minimum += height + (n++ > 0 ? self->spacing : 0);
    }
  *natural = *minimum;
}

static void
pt_reflow_box_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  PtReflowBox *self = PT_REFLOW_BOX (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  gboolean row = fits_in_row (self, width);
  GtkWidget *first = gtk_widget_get_first_child (widget);
  GtkWidget *child;
  int position = 0;

  for (child = first; child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkAllocation allocation;

      if (!gtk_widget_should_layout (child))
        continue;
      if (row)
        {
          int child_width = child == first ? first_width (self, width) : width_of (child, TRUE);

          allocation = (GtkAllocation) { rtl ? width - position - child_width : position, 0,
                                         child_width, height };
          position += child_width + self->spacing;
        }
      else
        {
          int child_height = height_for (child, width);

          allocation = (GtkAllocation) { 0, position, width, child_height };
          position += child_height + self->spacing;
        }
      gtk_widget_size_allocate (child, &allocation, -1);
    }
}

static GtkSizeRequestMode
pt_reflow_box_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

void
pt_reflow_box_append (PtReflowBox *self,
                      GtkWidget   *child)
{
  g_return_if_fail (PT_IS_REFLOW_BOX (self));
  gtk_widget_insert_before (child, GTK_WIDGET (self), NULL);
}

GtkWidget *
pt_reflow_box_new (int spacing)
{
  PtReflowBox *self = g_object_new (PT_TYPE_REFLOW_BOX, NULL);

  self->spacing = spacing;
  return GTK_WIDGET (self);
}

static void
pt_reflow_box_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (pt_reflow_box_parent_class)->dispose (object);
}

static void
pt_reflow_box_class_init (PtReflowBoxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_reflow_box_dispose;
  widget_class->measure = pt_reflow_box_measure;
  widget_class->size_allocate = pt_reflow_box_size_allocate;
  widget_class->get_request_mode = pt_reflow_box_get_request_mode;
}

static void
pt_reflow_box_init (PtReflowBox *self)
{
}
