/* pt-check.c
 *
 * One readiness check: what was looked at, how it came out, in one line, and
 * what to do when it did not pass.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-check"

#include "config.h"

#include "pt-check.h"

struct _PtCheck
{
  GObject parent_instance;

  char *id;
  char *title;
  char *summary;
  char *fix;
  char *fix_command;    /* the passthroughctl command making the fix, or NULL */
  PtCheckStatus status;
};

G_DEFINE_FINAL_TYPE (PtCheck, pt_check, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_STATUS,
  PROP_SUMMARY,
  PROP_FIX,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pt_check_finalize (GObject *object)
{
  PtCheck *self = (PtCheck *) object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->summary, g_free);
  g_clear_pointer (&self->fix, g_free);
  g_clear_pointer (&self->fix_command, g_free);

  G_OBJECT_CLASS (pt_check_parent_class)->finalize (object);
}

static void
pt_check_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  PtCheck *self = PT_CHECK (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;

    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;

    case PROP_FIX:
      g_value_set_string (value, self->fix);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_check_class_init (PtCheckClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pt_check_finalize;
  object_class->get_property = pt_check_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL, PT_CHECK_PASS, PT_CHECK_FAIL, PT_CHECK_PASS,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIX] =
    g_param_spec_string ("fix", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pt_check_init (PtCheck *self)
{
}

/**
 * pt_check_new:
 * @id: a stable identifier, e.g. "iommu-kernel"
 * @title: what is checked, for people
 * @summary: how it came out, one line
 * @fix: (nullable): what to do about it
 *
 * Returns: (transfer full): a new check result
 */
PtCheck *
pt_check_new (const char    *id,
              const char    *title,
              PtCheckStatus  status,
              const char    *summary,
              const char    *fix)
{
  PtCheck *self = g_object_new (PT_TYPE_CHECK, NULL);

  self->id = g_strdup (id);
  self->title = g_strdup (title);
  self->status = status;
  self->summary = g_strdup (summary);
  self->fix = g_strdup (fix);

  return self;
}

const char *
pt_check_get_id (PtCheck *self)
{
  g_return_val_if_fail (PT_IS_CHECK (self), NULL);
  return self->id;
}

const char *
pt_check_get_title (PtCheck *self)
{
  g_return_val_if_fail (PT_IS_CHECK (self), NULL);
  return self->title;
}

PtCheckStatus
pt_check_get_status (PtCheck *self)
{
  g_return_val_if_fail (PT_IS_CHECK (self), PT_CHECK_FAIL);
  return self->status;
}

const char *
pt_check_get_summary (PtCheck *self)
{
  g_return_val_if_fail (PT_IS_CHECK (self), NULL);
  return self->summary;
}

/**
 * pt_check_get_fix:
 *
 * Returns: (nullable): what to do, %NULL when nothing needs doing
 */
const char *
pt_check_get_fix (PtCheck *self)
{
  g_return_val_if_fail (PT_IS_CHECK (self), NULL);
  return self->fix;
}

const char *
pt_check_status_to_string (PtCheckStatus status)
{
  switch (status)
    {
    case PT_CHECK_PASS:
      return "pass";
    case PT_CHECK_WARN:
      return "warn";
    case PT_CHECK_FAIL:
    default:
      return "fail";
    }
}

/**
 * pt_check_set_fix_command:
 * @command: the passthroughctl command line of the change that makes the
 *   fix (the app offers the same change as a review on the Host page)
 */
void
pt_check_set_fix_command (PtCheck    *self,
                          const char *command)
{
  g_return_if_fail (PT_IS_CHECK (self));
  g_free (self->fix_command);
  self->fix_command = g_strdup (command);
}

/**
 * pt_check_get_fix_command:
 *
 * Returns: (nullable): the passthroughctl command that makes the fix, if
 *   a change of this program makes it
 */
const char *
pt_check_get_fix_command (PtCheck *self)
{
  g_return_val_if_fail (PT_IS_CHECK (self), NULL);
  return self->fix_command;
}
