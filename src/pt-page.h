/* pt-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pt-session.h"

G_BEGIN_DECLS

#define PT_TYPE_PAGE (pt_page_get_type ())

G_DECLARE_DERIVABLE_TYPE (PtPage, pt_page, PT, PAGE, GtkWidget)

struct _PtPageClass
{
  GtkWidgetClass parent_class;

  /* Called once the page has its session; connect to it here. */
  void (*session_set) (PtPage    *self,
                       PtSession *session);

  /*< private >*/
  gboolean has_template;
};

PtSession *pt_page_get_session                     (PtPage      *self);
void       pt_page_class_set_template_from_resource (PtPageClass *klass,
                                                     const char  *resource);

G_END_DECLS
