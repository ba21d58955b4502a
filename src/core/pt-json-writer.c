/* pt-json-writer.c
 *
 * A streaming JSON writer. `devices --json` on a big host writes a hundred
 * thousand members; building a JsonNode tree for them first cost more than
 * reading sysfs, so the output is written straight into one GString.
 *
 * Strings are escaped per RFC 8259, and text that is not valid UTF-8 (sysfs
 * attributes are bytes) has its bad sequences replaced, so the output is
 * always valid JSON.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-json-writer"

#include "config.h"

#include "pt-json-writer.h"

#define MAX_DEPTH 64

struct _PtJsonWriter
{
  GString *out;
  guint depth;
  gboolean pretty;
  gboolean after_key;
  gboolean has_items[MAX_DEPTH];
};

/**
 * pt_json_writer_new:
 * @pretty: indent by two spaces per level, as json-glib's pretty printer does
 *
 * Returns: (transfer full): a writer
 */
PtJsonWriter *
pt_json_writer_new (gboolean pretty)
{
  PtJsonWriter *self = g_new0 (PtJsonWriter, 1);

  self->out = g_string_sized_new (4096);
  self->pretty = pretty;

  return self;
}

static void
newline (PtJsonWriter *self)
{
  guint i;

  if (!self->pretty)
    return;

  g_string_append_c (self->out, '\n');
  for (i = 0; i < self->depth; i++)
    g_string_append (self->out, "  ");
}

/* Called before every value and key: separators and indentation. */
static void
before_item (PtJsonWriter *self)
{
  if (self->after_key)
    {
      self->after_key = FALSE;
      return;
    }

  if (self->depth > 0)
    {
      if (self->has_items[self->depth])
        g_string_append_c (self->out, ',');
      self->has_items[self->depth] = TRUE;
      newline (self);
    }
}

static void
open_container (PtJsonWriter *self,
                char          bracket)
{
  before_item (self);
  g_string_append_c (self->out, bracket);
  g_return_if_fail (self->depth + 1 < MAX_DEPTH);
  self->depth++;
  self->has_items[self->depth] = FALSE;
}

static void
close_container (PtJsonWriter *self,
                 char          bracket)
{
  gboolean had_items;

  g_return_if_fail (self->depth > 0);

  had_items = self->has_items[self->depth];
  self->depth--;
  if (had_items)
    newline (self);
  g_string_append_c (self->out, bracket);
}

void
pt_json_writer_begin_object (PtJsonWriter *self)
{
  open_container (self, '{');
}

void
pt_json_writer_end_object (PtJsonWriter *self)
{
  close_container (self, '}');
}

void
pt_json_writer_begin_array (PtJsonWriter *self)
{
  open_container (self, '[');
}

void
pt_json_writer_end_array (PtJsonWriter *self)
{
  close_container (self, ']');
}

static gboolean
needs_escape (guchar c)
{
  return c < 0x20 || c == '"' || c == '\\';
}

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *valid = NULL;
  const char *p;

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');
  for (p = text; *p != '\0';)
    {
      const char *run = p;
      guchar c;

      /* Copy the longest stretch that needs no escaping in one go. */
      while (*p != '\0' && !needs_escape ((guchar) *p))
        p++;
      if (p > run)
        g_string_append_len (out, run, p - run);
      if (*p == '\0')
        break;

      c = (guchar) *p++;
      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        default:
          g_string_append_printf (out, "\\u%04x", c);
          break;
        }
    }
  g_string_append_c (out, '"');
}

void
pt_json_writer_key (PtJsonWriter *self,
                    const char   *key)
{
  before_item (self);
  append_escaped (self->out, key);
  g_string_append (self->out, self->pretty ? " : " : ":");
  self->after_key = TRUE;
}

/**
 * pt_json_writer_string:
 * @value: (nullable): the string; %NULL writes null
 */
void
pt_json_writer_string (PtJsonWriter *self,
                       const char   *value)
{
  before_item (self);
  if (value != NULL)
    append_escaped (self->out, value);
  else
    g_string_append (self->out, "null");
}

void
pt_json_writer_int (PtJsonWriter *self,
                    gint64        value)
{
  before_item (self);
  g_string_append_printf (self->out, "%" G_GINT64_FORMAT, value);
}

void
pt_json_writer_bool (PtJsonWriter *self,
                     gboolean      value)
{
  before_item (self);
  g_string_append (self->out, value ? "true" : "false");
}

void
pt_json_writer_null (PtJsonWriter *self)
{
  before_item (self);
  g_string_append (self->out, "null");
}

/**
 * pt_json_writer_strv:
 * @values: (nullable): strings to write as an array; %NULL writes []
 */
void
pt_json_writer_strv (PtJsonWriter       *self,
                     const char * const *values)
{
  guint i;

  pt_json_writer_begin_array (self);
  for (i = 0; values != NULL && values[i] != NULL; i++)
    pt_json_writer_string (self, values[i]);
  pt_json_writer_end_array (self);
}

/**
 * pt_json_writer_free_to_string:
 *
 * Returns: (transfer full): the document written
 */
char *
pt_json_writer_free_to_string (PtJsonWriter *self)
{
  char *text = g_string_free (self->out, FALSE);

  g_free (self);
  return text;
}

void
pt_json_writer_free (PtJsonWriter *self)
{
  if (self == NULL)
    return;

  g_string_free (self->out, TRUE);
  g_free (self);
}
