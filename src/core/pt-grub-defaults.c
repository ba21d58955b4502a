/* pt-grub-defaults.c
 *
 * Editing kernel parameters in /etc/default/grub and its grub.d drop-ins.
 * These files are shell, sourced by grub-mkconfig in order (the main file,
 * then /etc/default/grub.d/NAME.cfg drop-ins sorted); each assignment of a variable
 * replaces its value, except that the most common drop-in form appends to
 * it: VAR="$VAR more words" (or ${VAR}). So the value in force is the last
 * assignment's, with every reference to the variable replaced by the value
 * before it: an assignment is live when every later one refers back to it.
 *
 * Edits are word by word in the live assignments only: a literal word to
 * remove goes wherever it is live, a value in place is replaced where it
 * stands, words to add go into the last assignment (after the reference,
 * which stays), keeping its quoting style, any comment after it and every
 * other byte of the files. Anything a careful person would not rewrite
 * blindly — command substitution, other variables, escapes, line
 * continuations, several commands on one line, unclosed quotes — is refused
 * with a message instead, so no file is half-understood and wrongly
 * rewritten.
 *
 * The plans of the privileged helper use this; it is here, in the core, so
 * that a dry run computes exactly what applying writes.
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

/* Removes, replaces a value in place with @add's, then appends what of
 * @append is still missing. */
static GStrv
edit_params (const char * const *params,
             const char * const *add,
             const char * const *remove,
             const char * const *append)
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

  for (j = 0; append != NULL && append[j] != NULL; j++)
    if (!g_ptr_array_find_with_equal_func (result, append[j], g_str_equal, NULL))
      g_ptr_array_add (result, g_strdup (append[j]));

  g_ptr_array_add (result, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&result), FALSE);
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
  return edit_params (params, add, remove, add);
}

typedef struct
{
  guint file;
  guint line;
  gsize value_start;    /* offset of the value in the line, quotes included */
  gsize value_end;
  char quote;           /* '"', '\'' or 0 */
  char *value;          /* without quotes */
  gboolean appends;     /* refers to the variable's value before it */
  gboolean live;        /* its words reach the value in force */
} Assignment;

static void
assignment_free (gpointer data)
{
  Assignment *assignment = data;

  g_free (assignment->value);
  g_free (assignment);
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* "$VAR" or "${VAR}" for @variable; returns its length, 0 if @p is not one. */
static gsize
reference_length (const char *p,
                  const char *variable)
{
  gsize len = strlen (variable);

  if (p[0] != '$')
    return 0;
  if (p[1] == '{' && strncmp (p + 2, variable, len) == 0 && p[2 + len] == '}')
    return len + 3;
  if (strncmp (p + 1, variable, len) == 0 && !is_name_char (p[1 + len]))
    return len + 1;
  return 0;
}

static gboolean
is_reference (const char *word,
              const char *variable)
{
  gsize len = reference_length (word, variable);

  return len > 0 && word[len] == '\0';
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

/*
 * The value may hold the variable itself ("$VAR more"), but only as a word
 * of its own, where editing the words around it cannot change what it means.
 * Any other expansion or escape means the value is not what the file says.
 */
static gboolean
value_is_safe (Assignment *out,
               const char *variable)
{
  g_auto(GStrv) words = NULL;
  guint i;

  /* grub-mkconfig copies the words into grub.cfg unquoted, where GRUB's own
   * script expands a '$' even from single quotes. */
  if (out->quote == '\'')
    return strchr (out->value, '$') == NULL;
  if (strpbrk (out->value, "`\\") != NULL)
    return FALSE;
  if (out->quote == 0 && strpbrk (out->value, "\"'") != NULL)
    return FALSE;

  words = split_raw (out->value);
  for (i = 0; words[i] != NULL; i++)
    if (strchr (words[i], '$') != NULL)
      {
        if (!is_reference (words[i], variable))
          return FALSE;
        out->appends = TRUE;
      }
  return TRUE;
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

  if (strncmp (p, variable, len) != 0 || (p > line && is_name_char (p[-1])))
    return FALSE;
  /* bash's "+=" is an error in grub-mkconfig's /bin/sh. */
  if (p[len] == '+' && p[len + 1] == '=')
    goto refuse;
  if (p[len] != '=')
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

  if (!value_is_safe (out, variable))
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
                 "(a command, another variable, an escape, an open quote or a second command). "
                 "Edit it by hand, or simplify it to %s=\"…\" or %s=\"$%s …\" and try again."),
               line, variable, variable, variable, variable);
  return FALSE;
}

/* Whether @line names @variable as a whole word outside a comment. */
static gboolean
mentions (const char *line,
          const char *variable)
{
  gsize len = strlen (variable);
  const char *p = line + strspn (line, " \t");

  if (*p == '#')
    return FALSE;
  for (p = strstr (line, variable); p != NULL; p = strstr (p + 1, variable))
    if ((p == line || !is_name_char (p[-1])) && !is_name_char (p[len]))
      return TRUE;
  return FALSE;
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
  if (quote == 0 && strpbrk (value, " \t$") == NULL && value[0] != '\0')
    return g_strdup (value);

  if (quote == 0)
    quote = '"';

  return g_strdup_printf ("%c%s%c", quote, value, quote);
}

/* Every assignment of @variable in @files (sourced in this order), each
 * marked live or not; NULL with @error set for one that must be refused. */
static GPtrArray *
parse_files (GStrv       *lines,
             guint        n_files,
             const char  *variable,
             GError     **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (assignment_free);
  GError *refusal = NULL;
  guint f, i;

  for (f = 0; f < n_files; f++)
    for (i = 0; lines[f] != NULL && lines[f][i] != NULL; i++)
      {
        g_autofree Assignment *assignment = g_new0 (Assignment, 1);
        gsize n = strlen (lines[f][i]);

        /* A continued line could hide an assignment, or be one. */
        if (n > 0 && lines[f][i][n - 1] == '\\' && strstr (lines[f][i], variable) != NULL)
          {
            g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                         _("%s is set across several lines (line %u ends with “\\”). Join the "
                           "lines by hand and try again."),
                         variable, i + 1);
            return NULL;
          }

        if (!parse_assignment (lines[f][i], variable, assignment, &refusal))
          {
            /* unset, a test, another variable built from it: its value in
             * force is then not what the assignments alone give. */
            if (refusal == NULL && mentions (lines[f][i], variable))
              g_set_error (&refusal, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                           _("The line “%s” uses %s in a way Passthrough cannot follow without "
                             "running it. Edit the files by hand."),
                           lines[f][i], variable);
            if (refusal != NULL)
              {
                g_propagate_error (error, refusal);
                return NULL;
              }
            continue;
          }

        /* The kernel reads from an unclosed " to the end as one parameter:
         * what we add would land inside it (found by the fuzzer). */
        if (unclosed_quote (assignment->value))
          {
            g_free (assignment->value);
            g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                         _("%s has an unclosed double quote (line %u), so the kernel would read "
                           "the rest of it as one parameter. Close the quote by hand and try "
                           "again."),
                         variable, i + 1);
            return NULL;
          }

        assignment->file = f;
        assignment->line = i;
        g_ptr_array_add (found, g_steal_pointer (&assignment));
      }

  /* The last is live; an earlier one while every later one appends to it. */
  for (i = found->len; i > 0; i--)
    {
      Assignment *assignment = g_ptr_array_index (found, i - 1);
      Assignment *next = i < found->len ? g_ptr_array_index (found, i) : NULL;

      assignment->live = next == NULL || (next->live && next->appends);
    }

  return g_steal_pointer (&found);
}

static GStrv *
split_files (const char * const *files,
             guint               n_files)
{
  GStrv *lines = g_new0 (GStrv, n_files + 1);
  guint f;

  for (f = 0; f < n_files; f++)
    lines[f] = files[f] != NULL ? g_strsplit (files[f], "\n", -1) : NULL;
  return lines;
}

static void
free_split_files (GStrv  *lines,
                  guint   n_files)
{
  guint f;

  for (f = 0; f < n_files; f++)
    g_strfreev (lines[f]);
  g_free (lines);
}

/* The value the shell gives @variable after every assignment up to @last. */
static char *
evaluate (GPtrArray  *assignments,
          guint       last,
          const char *variable)
{
  g_autoptr(GString) value = g_string_new (NULL);
  guint i;

  for (i = 0; i < assignments->len && i <= last; i++)
    {
      Assignment *assignment = g_ptr_array_index (assignments, i);
      g_autoptr(GString) next = g_string_new (NULL);
      const char *p;

      for (p = assignment->value; *p != '\0';)
        {
          gsize ref = assignment->quote != '\'' ? reference_length (p, variable) : 0;

          if (ref > 0)
            {
              g_string_append (next, value->str);
              p += ref;
            }
          else
            g_string_append_c (next, *p++);
        }
      g_string_assign (value, next->str);
    }

  return g_string_free (g_steal_pointer (&value), FALSE);
}

/**
 * pt_grub_defaults_effective:
 * @files: the texts of /etc/default/grub and the grub.d drop-ins, in the
 *   order grub-mkconfig sources them; an entry may be %NULL (no such file)
 * @n_files: how many
 * @variable: e.g. GRUB_CMDLINE_LINUX_DEFAULT
 *
 * Returns: (transfer full): the value the shell gives @variable after
 *   sourcing them ("" when none sets it), or %NULL with @error set when an
 *   assignment cannot be understood without running it
 */
char *
pt_grub_defaults_effective (const char * const  *files,
                            guint                n_files,
                            const char          *variable,
                            GError             **error)
{
  GStrv *lines = split_files (files, n_files);
  g_autoptr(GPtrArray) assignments = parse_files (lines, n_files, variable, error);
  char *value = NULL;

  if (assignments != NULL)
    value = evaluate (assignments, G_MAXUINT, variable);
  free_split_files (lines, n_files);
  return value;
}

/* The words of the live assignments before @target, as they end up. */
static GStrv
live_words_before (GPtrArray  *assignments,
                   guint       target,
                   GStrv      *edited_values)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint i;

  for (i = 0; i < target; i++)
    {
      Assignment *assignment = g_ptr_array_index (assignments, i);

      if (assignment->live)
        g_strv_builder_addv (builder, (const char **) edited_values[i]);
    }
  return g_strv_builder_end (builder);
}

static GStrv
edit_assignments (GStrv              *lines,
                  guint               n_files,
                  GPtrArray          *assignments,
                  const char         *variable,
                  const char * const *add,
                  const char * const *remove)
{
  GStrv *values = g_new0 (GStrv, assignments->len + 1);
  GStrv out = g_new0 (char *, n_files + 1);
  guint i, f;

  /* Earlier live assignments: removals and replacements in place only. */
  for (i = 0; i < assignments->len; i++)
    {
      Assignment *assignment = g_ptr_array_index (assignments, i);
      g_auto(GStrv) words = split_raw (assignment->value);

      if (!assignment->live)
        values[i] = g_strdupv (words);
      else if (i + 1 < assignments->len)
        values[i] = edit_params ((const char * const *) words, add, remove, NULL);
      else
        {
          g_auto(GStrv) before = live_words_before (assignments, i, values);
          g_autoptr(GPtrArray) missing = g_ptr_array_new ();
          guint j;

          /* What an earlier live assignment already gives is not added twice. */
          for (j = 0; add != NULL && add[j] != NULL; j++)
            if (!g_strv_contains ((const char * const *) before, add[j]))
              g_ptr_array_add (missing, (gpointer) add[j]);
          g_ptr_array_add (missing, NULL);
          values[i] = edit_params ((const char * const *) words, add, remove,
                                   (const char * const *) missing->pdata);
        }
    }

  for (f = 0; f < n_files; f++)
    {
      GString *text;

      if (lines[f] == NULL)
        continue;
      text = g_string_new (NULL);
      for (i = 0; lines[f][i] != NULL; i++)
        {
          Assignment *edited = NULL;
          guint a;

          for (a = 0; a < assignments->len; a++)
            {
              Assignment *assignment = g_ptr_array_index (assignments, a);

              if (assignment->file == f && assignment->line == i && assignment->live)
                {
                  g_auto(GStrv) words = split_raw (assignment->value);

                  /* Untouched words keep their spacing. */
                  if (!g_strv_equal ((const char * const *) words, (const char * const *) values[a]))
                    edited = assignment;
                  break;
                }
            }

          if (edited != NULL)
            {
              g_autofree char *joined = g_strjoinv (" ", values[a]);
              g_autofree char *quoted = quote_value (joined, edited->quote);

              g_string_append_len (text, lines[f][i], edited->value_start);
              g_string_append (text, quoted);
              g_string_append (text, lines[f][i] + edited->value_end);
            }
          else
            g_string_append (text, lines[f][i]);

          if (lines[f][i + 1] != NULL)
            g_string_append_c (text, '\n');
        }
      out[f] = g_string_free (text, FALSE);
    }

  for (i = 0; i < assignments->len; i++)
    g_strfreev (values[i]);
  g_free (values);
  return out;
}

/**
 * pt_grub_defaults_edit_files:
 * @files: the texts of /etc/default/grub and the grub.d drop-ins, in the
 *   order grub-mkconfig sources them; an entry may be %NULL (no such file)
 * @n_files: how many
 * @variable: GRUB_CMDLINE_LINUX or GRUB_CMDLINE_LINUX_DEFAULT
 * @add: (nullable): parameters to have
 * @remove: (nullable): names or exact parameters to drop
 *
 * Edits the assignments of @variable whose words reach the value in force:
 * @remove goes from each, @add into the last one (the first file gets an
 * assignment if no file has one and there is something to add).
 *
 * Returns: (transfer full): the new texts, one for each of @files (%NULL
 *   where that was %NULL), or %NULL with @error set when the files cannot
 *   be rewritten safely
 */
GStrv
pt_grub_defaults_edit_files (const char * const  *files,
                             guint                n_files,
                             const char          *variable,
                             const char * const  *add,
                             const char * const  *remove,
                             GError             **error)
{
  GStrv *lines = NULL;
  g_autoptr(GPtrArray) assignments = NULL;
  GError *refusal = NULL;
  GStrv out = NULL;

  g_return_val_if_fail (files != NULL && n_files > 0 && variable != NULL, NULL);

  lines = split_files (files, n_files);
  /* Refusals leave through @refusal even when the caller passes no GError. */
  assignments = parse_files (lines, n_files, variable, &refusal);
  if (assignments == NULL)
    {
      free_split_files (lines, n_files);
      g_propagate_error (error, refusal);
      return NULL;
    }

  out = edit_assignments (lines, n_files, assignments, variable, add, remove);
  free_split_files (lines, n_files);

  if (assignments->len == 0 && add != NULL && add[0] != NULL && out[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (" ", (char **) add);
      GString *text = g_string_new (out[0]);

      if (text->len > 0 && text->str[text->len - 1] != '\n')
        g_string_append_c (text, '\n');
      g_string_append_printf (text, "%s=\"%s\"\n", variable, joined);
      g_free (out[0]);
      out[0] = g_string_free (text, FALSE);
    }

  return out;
}

/**
 * pt_grub_defaults_edit:
 * @contents: the text of /etc/default/grub or a grub.d drop-in
 *
 * pt_grub_defaults_edit_files() for one file alone.
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
  const char *files[] = { contents, NULL };
  g_auto(GStrv) out = NULL;

  g_return_val_if_fail (contents != NULL && variable != NULL, NULL);

  out = pt_grub_defaults_edit_files (files, 1, variable, add, remove, error);
  return out != NULL ? g_strdup (out[0]) : NULL;
}
