/* pt-plan.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "pt-json-writer.h"

G_BEGIN_DECLS

#define PT_TYPE_PLAN (pt_plan_get_type ())

G_DECLARE_FINAL_TYPE (PtPlan, pt_plan, PT, PLAN, GObject)

typedef struct
{
  char *path;     /* on the host, e.g. /sys/bus/pci/drivers_probe */
  char *value;
} PtPlanSysfsWrite;

typedef struct
{
  int command;    /* the index of the command after which it is checked */
  char *path;     /* the file on the host that must hold it; NULL: the command's output */
  char *needle;   /* the text that must appear */
  char *what;     /* what it is, for the message: "the vfio-pci module" */
} PtPlanExpectation;

PtPlan     *pt_plan_new            (const char          *summary);
void        pt_plan_expect_output  (PtPlan              *self,
                                    const char          *needle,
                                    const char          *what);
void        pt_plan_expect_file    (PtPlan              *self,
                                    const char          *path,
                                    const char          *needle,
                                    const char          *what);
GPtrArray  *pt_plan_get_expectations (PtPlan            *self);
void        pt_plan_add_file       (PtPlan              *self,
                                    const char          *path,
                                    const char          *before,
                                    const char          *after);
void        pt_plan_add_command    (PtPlan              *self,
                                    const char * const  *argv);
void        pt_plan_add_sysfs      (PtPlan              *self,
                                    const char          *path,
                                    const char          *value);
GPtrArray  *pt_plan_get_sysfs      (PtPlan              *self);
const char *pt_plan_get_file       (PtPlan              *self,
                                    guint                index,
                                    const char         **before,
                                    const char         **after);
const char * const *pt_plan_get_command (PtPlan         *self,
                                    guint                index);
void        pt_plan_add_snapshot   (PtPlan              *self,
                                    const char          *path);
GPtrArray  *pt_plan_get_snapshots  (PtPlan              *self);
void        pt_plan_set_reboot     (PtPlan              *self,
                                    gboolean             reboot);
void        pt_plan_set_summary    (PtPlan              *self,
                                    const char          *summary);
void        pt_plan_set_summary_printf (PtPlan          *self,
                                        const char      *format,
                                        ...) G_GNUC_PRINTF (2, 3);
const char *pt_plan_get_summary    (PtPlan              *self);
gboolean    pt_plan_get_reboot     (PtPlan              *self);
guint       pt_plan_get_n_files    (PtPlan              *self);
guint       pt_plan_get_n_commands (PtPlan              *self);
gboolean    pt_plan_is_empty       (PtPlan              *self);
void        pt_plan_write_json     (PtPlan              *self,
                                    PtJsonWriter        *writer);
char       *pt_plan_to_text        (PtPlan              *self);
char       *pt_plan_to_json        (PtPlan              *self);

G_END_DECLS
