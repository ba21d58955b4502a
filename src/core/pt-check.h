/* pt-check.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  PT_CHECK_PASS,
  PT_CHECK_WARN,
  PT_CHECK_FAIL,
} PtCheckStatus;

#define PT_TYPE_CHECK (pt_check_get_type ())

G_DECLARE_FINAL_TYPE (PtCheck, pt_check, PT, CHECK, GObject)

PtCheck       *pt_check_new              (const char    *id,
                                          const char    *title,
                                          PtCheckStatus  status,
                                          const char    *summary,
                                          const char    *fix);
const char    *pt_check_get_id           (PtCheck       *self);
const char    *pt_check_get_title        (PtCheck       *self);
PtCheckStatus  pt_check_get_status       (PtCheck       *self);
const char    *pt_check_get_summary      (PtCheck       *self);
const char    *pt_check_get_fix          (PtCheck       *self);
void           pt_check_set_fix_command  (PtCheck       *self,
                                          const char    *command);
const char    *pt_check_get_fix_command  (PtCheck       *self);
const char    *pt_check_status_to_string (PtCheckStatus  status);

G_END_DECLS
