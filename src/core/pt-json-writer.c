/* pt-json-writer.c
 *
 * A streaming JSON writer. `devices --json` on a big host writes a hundred
 * thousand members; building a JsonNode tree for them first cost more than
 * reading sysfs, so the output is written straight into one GString.
 *
 * Strings are escaped per RFC 8259, and text that is not valid UTF-8 (sysfs
 * attributes are bytes) has its bad sequences replaced, so the output is
 * always valid JSON. Output goes into a plain growing buffer: at a hundred
 * thousand small appends, GString's per-call checks showed in profiles.
 *
 * A writer made for a stream keeps only that buffer's first 64 KiB and
 * writes it out whenever it fills, so a document of any size costs no more
 * memory than that (`devices --json` at 16,384 functions is 30 MB).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-json-writer"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "pt-json-writer.h"

#define MAX_DEPTH 64
#define BUFFER_SIZE (64 * 1024)

struct _PtJsonWriter
{
  FILE *stream;               /* NULL: the document stays in data */
  gboolean write_failed;
  char *data;
  gsize len;
  gsize alloc;
  guint depth;
  gboolean pretty;
  gboolean after_key;
  gboolean has_items[MAX_DEPTH];
};

static void
flush_to_stream (PtJsonWriter *self)
{
  if (self->len > 0 && fwrite (self->data, 1, self->len, self->stream) != self->len)
    self->write_failed = TRUE;
  self->len = 0;
}

/* A stream's writer empties its buffer; only a bigger piece grows it. */
static void
grow (PtJsonWriter *self,
      gsize         extra)
{
  if (self->stream != NULL)
    {
      flush_to_stream (self);
      if (extra + 1 <= self->alloc)
        return;
    }

  while (self->len + extra + 1 > self->alloc)
    self->alloc *= 2;
  self->data = g_realloc (self->data, self->alloc);
}

static inline void
put (PtJsonWriter *self,
     const char   *text,
     gsize         n)
{
  if (G_UNLIKELY (self->len + n + 1 > self->alloc))
    grow (self, n);
  memcpy (self->data + self->len, text, n);
  self->len += n;
}

static inline void
put_c (PtJsonWriter *self,
       char          c)
{
  if (G_UNLIKELY (self->len + 2 > self->alloc))
    grow (self, 1);
  self->data[self->len++] = c;
}

#define put_literal(self, text) put ((self), (text), sizeof (text) - 1)

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

  self->alloc = BUFFER_SIZE;
  self->data = g_malloc (self->alloc);
  self->pretty = pretty;

  return self;
}

/**
 * pt_json_writer_new_for_stream:
 * @stream: where the document goes, a piece at a time
 * @pretty: as for pt_json_writer_new()
 *
 * Finish with pt_json_writer_close().
 *
 * Returns: (transfer full): a writer
 */
PtJsonWriter *
pt_json_writer_new_for_stream (FILE     *stream,
                               gboolean  pretty)
{
  PtJsonWriter *self = pt_json_writer_new (pretty);

  g_return_val_if_fail (stream != NULL, self);
  self->stream = stream;
  return self;
}

/**
 * pt_json_writer_close:
 *
 * Writes what is left to the stream and frees the writer.
 *
 * Returns: %FALSE if any write to the stream failed
 */
gboolean
pt_json_writer_close (PtJsonWriter *self)
{
  gboolean ok;

  g_return_val_if_fail (self->stream != NULL, FALSE);

  flush_to_stream (self);
  ok = !self->write_failed;
  pt_json_writer_free (self);
  return ok;
}

static void
newline (PtJsonWriter *self)
{
  static const char spaces[2 * MAX_DEPTH + 1] =
    "                                                                "
    "                                                                ";

  if (!self->pretty)
    return;

  put_c (self, '\n');
  put (self, spaces, 2 * self->depth);
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
        put_c (self, ',');
      self->has_items[self->depth] = TRUE;
      newline (self);
    }
}

static void
open_container (PtJsonWriter *self,
                char          bracket)
{
  before_item (self);
  put_c (self, bracket);
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
  put_c (self, bracket);
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
put_escaped (PtJsonWriter *self,
             const char   *text)
{
  const char *p;

  put_c (self, '"');
  for (p = text; *p != '\0';)
    {
      const char *run = p;
      char escape[8];
      guchar c;

      /* Copy the longest stretch that needs no escaping in one go. */
      while (*p != '\0' && !needs_escape ((guchar) *p))
        p++;
      if (p > run)
        put (self, run, p - run);
      if (*p == '\0')
        break;

      c = (guchar) *p++;
      switch (c)
        {
        case '"':
          put_literal (self, "\\\"");
          break;
        case '\\':
          put_literal (self, "\\\\");
          break;
        case '\n':
          put_literal (self, "\\n");
          break;
        case '\t':
          put_literal (self, "\\t");
          break;
        case '\r':
          put_literal (self, "\\r");
          break;
        default:
          g_snprintf (escape, sizeof escape, "\\u%04x", c);
          put (self, escape, 6);
          break;
        }
    }
  put_c (self, '"');
}

/* Most text is ASCII; only the rest needs a UTF-8 check. */
static void
put_string (PtJsonWriter *self,
            const char   *text)
{
  g_autofree char *valid = NULL;
  const char *p;

  for (p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      {
        if (!g_utf8_validate (p, -1, NULL))
          text = valid = g_utf8_make_valid (text, -1);
        break;
      }

  put_escaped (self, text);
}

/**
 * pt_json_writer_key:
 * @key: a member name: a plain ASCII identifier, written as it is
 */
void
pt_json_writer_key (PtJsonWriter *self,
                    const char   *key)
{
  before_item (self);
  put_c (self, '"');
  put (self, key, strlen (key));
  put_c (self, '"');
  if (self->pretty)
    put_literal (self, " : ");
  else
    put_c (self, ':');
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
    put_string (self, value);
  else
    put_literal (self, "null");
}

void
pt_json_writer_int (PtJsonWriter *self,
                    gint64        value)
{
  char text[24];
  int n;

  before_item (self);
  n = g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value);
  put (self, text, n);
}

void
pt_json_writer_bool (PtJsonWriter *self,
                     gboolean      value)
{
  before_item (self);
  if (value)
    put_literal (self, "true");
  else
    put_literal (self, "false");
}

void
pt_json_writer_null (PtJsonWriter *self)
{
  before_item (self);
  put_literal (self, "null");
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
  char *text = self->data;

  g_return_val_if_fail (self->stream == NULL, NULL);

  text[self->len] = '\0';
  g_free (self);
  return text;
}

void
pt_json_writer_free (PtJsonWriter *self)
{
  if (self == NULL)
    return;

  g_free (self->data);
  g_free (self);
}
