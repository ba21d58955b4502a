/* pt-grub-defaults.c
 *
 * Editing kernel parameters in /etc/default/grub and its grub.d drop-ins.
 * These files are shell, sourced by grub-mkconfig; the shell's last
 * assignment of a variable wins. Only the value of that last assignment is
 * rewritten, keeping its quoting style, any comment after it and every
 * other byte of the file. Anything a careful person would not rewrite
 * blindly — expansions ($VAR, `cmd`, $(cmd)), escapes, line continuations,
 * several commands on one line, unclosed quotes — is refused with a message
 * instead, so the file is never half-understood and wrongly rewritten.
 *
 * The plans of the coming privileged helper use this; it is here, in the
 * core, so that a dry run computes exactly what applying writes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-grub-defaults"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pt-error.h"
#include "pt-grub-defaults.h"

/* "intel_iommu=on" -> "intel_iommu"; "quiet" -> "quiet" */
static char *
param_name (const char *param)
{
  const char *eq = strchr (param, '=');

  return eq != NULL ? g_strndup (param, eq - param) : g_strdup (param);
}

/* A removal matches by name ("intel_iommu") or exactly ("amd_iommu=on"). */
static gboolean
matches_removal (const char         *param,
                 const char * const *remove)
{
  g_autofree char *name = param_name (param);
  guint i;

  for (i = 0; remove != NULL && remove[i] != NULL; i++)
    if (g_str_equal (param, remove[i]) ||
        (strchr (remove[i], '=') == NULL && g_str_equal (name, remove[i])))
      return TRUE;

  return FALSE;
}

/**
 * pt_kernel_params_edit:
 * @params: the parameters as they are
 * @add: (nullable): parameters to have; one with the same name but another
 *   value is replaced where it stands
 * @remove: (nullable): names or exact parameters to drop
 *
 * Returns: (transfer full): the edited parameters, in their order, the
 *   added ones last; editing again with the same arguments changes nothing
 */
GStrv
pt_kernel_params_edit (const char * const *params,
                       const char * const *add,
                       const char * const *remove)
{
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (g_free);
  guint i, j;

  for (i = 0; params != NULL && params[i] != NULL; i++)
    {
      g_autofree char *name = param_name (params[i]);
      const char *replacement = params[i];

      if (matches_removal (params[i], remove))
        continue;

      for (j = 0; add != NULL && add[j] != NULL; j++)
        {
          g_autofree char *add_name = param_name (add[j]);

          if (g_str_equal (add_name, name) && strchr (add[j], '=') != NULL)
            replacement = add[j];
        }

      if (!g_ptr_array_find_with_equal_func (result, replacement, g_str_equal, NULL))
        g_ptr_array_add (result, g_strdup (replacement));
    }

  for (j = 0; add != NULL && add[j] != NULL; j++)
    if (!g_ptr_array_find_with_equal_func (result, add[j], g_str_equal, NULL))
      g_ptr_array_add (result, g_strdup (add[j]));

  g_ptr_array_add (result, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&result), FALSE);
}

typedef struct
{
  gsize value_start;    /* offset of the value in the line, quotes included */
  gsize value_end;
  char quote;           /* '"', '\'' or 0 */
  char *value;          /* without quotes */
} Assignment;

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/*
 * Parses "[export ]VAR=value[ # comment]" for @variable. Returns FALSE if
 * the line does not assign @variable; sets @error if it does but cannot be
 * rewritten safely.
 */
static gboolean
parse_assignment (const char  *line,
                  const char  *variable,
                  Assignment  *out,
                  GError     **error)
{
  gsize len = strlen (variable);
  const char *p = line;
  const char *start;
  const char *end;
  const char *rest;

  while (*p == ' ' || *p == '\t')
    p++;
  if (g_str_has_prefix (p, "export ") || g_str_has_prefix (p, "export\t"))
    for (p += 7; *p == ' ' || *p == '\t'; p++)
      ;

  if (strncmp (p, variable, len) != 0 || p[len] != '=' || (p > line && is_name_char (p[-1])))
    return FALSE;

  start = p + len + 1;
  out->value_start = start - line;

  if (*start == '"' || *start == '\'')
    {
      out->quote = *start;
      end = strchr (start + 1, out->quote);
      if (end == NULL)
        goto refuse;
      out->value = g_strndup (start + 1, end - start - 1);
      rest = end + 1;
      out->value_end = rest - line;
    }
  else
    {
      out->quote = 0;
      end = start + strcspn (start, " \t#;");
      out->value = g_strndup (start, end - start);
      rest = end;
      out->value_end = end - line;
    }

  /* Expansions and escapes mean the value is not what the file says. */
  if (out->quote != '\'' && strpbrk (out->value, "$`\\") != NULL)
    goto refuse;
  if (out->quote == 0 && strpbrk (out->value, "\"'") != NULL)
    goto refuse;

  /* After the value only white space or a comment may follow. */
  while (*rest == ' ' || *rest == '\t')
    rest++;
  if (*rest != '\0' && *rest != '#')
    goto refuse;

  return TRUE;

refuse:
  g_clear_pointer (&out->value, g_free);
  g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
               _("The line “%s” sets %s in a way Passthrough does not rewrite automatically "
                 "(an expansion, an escape, an open quote or a second command). Edit it by hand, "
                 "or simplify it to %s=\"…\" and try again."),
               line, variable, variable);
  return FALSE;
}

/* Parameters as written: split at blanks outside double quotes, quotes kept. */
static GStrv
split_raw (const char *value)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GString) current = g_string_new (NULL);
  gboolean in_quote = FALSE;
  const char *p;

  for (p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        in_quote = !in_quote;

      if (!in_quote && (*p == ' ' || *p == '\t'))
        {
          if (current->len > 0)
            g_strv_builder_add (builder, current->str);
          g_string_truncate (current, 0);
          continue;
        }
      g_string_append_c (current, *p);
    }

  if (current->len > 0)
    g_strv_builder_add (builder, current->str);

  return g_strv_builder_end (builder);
}

static gboolean
unclosed_quote (const char *value)
{
  gboolean open = FALSE;

  for (; *value != '\0'; value++)
    if (*value == '"')
      open = !open;
  return open;
}

static char *
quote_value (const char *value,
             char        quote)
{
  if (quote == 0 && strpbrk (value, " \t") == NULL && value[0] != '\0')
    return g_strdup (value);

  if (quote == 0)
    quote = '"';

  return g_strdup_printf ("%c%s%c", quote, value, quote);
}

/**
 * pt_grub_defaults_edit:
 * @contents: the text of /etc/default/grub or a grub.d drop-in
 * @variable: GRUB_CMDLINE_LINUX or GRUB_CMDLINE_LINUX_DEFAULT
 * @add: (nullable): parameters to have
 * @remove: (nullable): names or exact parameters to drop
 *
 * Edits the value of the assignment of @variable that the shell would use
 * (the last one), or appends an assignment if there is none.
 *
 * Returns: (transfer full): the new text, or %NULL with @error set when
 *   the file cannot be rewritten safely
 */
char *
pt_grub_defaults_edit (const char          *contents,
                       const char          *variable,
                       const char * const  *add,
                       const char * const  *remove,
                       GError             **error)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) out = NULL;
  Assignment found = { 0 };
  int found_line = -1;
  GError *refusal = NULL;
  guint i;

  g_return_val_if_fail (contents != NULL && variable != NULL, NULL);

  lines = g_strsplit (contents, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      Assignment assignment = { 0 };
      gsize n = strlen (lines[i]);

      /* A continued line could hide an assignment, or be one. */
      if (n > 0 && lines[i][n - 1] == '\\' && strstr (lines[i], variable) != NULL)
        {
          g_set_error (&refusal, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                       _("%s is set across several lines (line %u ends with “\\”). Join the "
                         "lines by hand and try again."),
                       variable, i + 1);
          goto refuse;
        }

      /* Not an assignment of @variable, or one we must refuse. */
      if (!parse_assignment (lines[i], variable, &assignment, &refusal))
        {
          if (refusal != NULL)
            goto refuse;
          continue;
        }

      g_free (found.value);
      found = assignment;
      found_line = i;
    }

  /* The kernel reads from an unclosed " to the end as one parameter: what
   * we add would land inside it (found by the fuzzer). */
  if (found_line >= 0 && unclosed_quote (found.value))
    {
      g_set_error (&refusal, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("%s has an unclosed double quote (line %d), so the kernel would read "
                     "the rest of it as one parameter. Close the quote by hand and try again."),
                   variable, found_line + 1);
      goto refuse;
    }

  out = g_string_new (NULL);
  for (i = 0; lines[i] != NULL; i++)
    {
      if ((int) i == found_line)
        {
          g_auto(GStrv) params = split_raw (found.value);
          g_auto(GStrv) edited = pt_kernel_params_edit ((const char * const *) params, add, remove);
          g_autofree char *joined = g_strjoinv (" ", edited);
          g_autofree char *quoted = quote_value (joined, found.quote);

          g_string_append_len (out, lines[i], found.value_start);
          g_string_append (out, quoted);
          g_string_append (out, lines[i] + found.value_end);
        }
      else
        g_string_append (out, lines[i]);

      if (lines[i + 1] != NULL)
        g_string_append_c (out, '\n');
    }

  if (found_line < 0)
    {
      g_auto(GStrv) edited = pt_kernel_params_edit (NULL, add, remove);
      g_autofree char *joined = g_strjoinv (" ", edited);

      if (out->len > 0 && out->str[out->len - 1] != '\n')
        g_string_append_c (out, '\n');
      g_string_append_printf (out, "%s=\"%s\"\n", variable, joined);
    }

  g_free (found.value);
  return g_string_free (g_steal_pointer (&out), FALSE);

refuse:
  g_free (found.value);
  g_propagate_error (error, refusal);
  return NULL;
}
