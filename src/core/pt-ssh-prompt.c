/* pt-ssh-prompt.c — what ssh asks, read from its askpass prompt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libvirt reaches a qemu+ssh:// host by running ssh. Without a terminal,
 * ssh asks through the program named by SSH_ASKPASS, with one argument:
 * the question, in OpenSSH's words (sshconnect.c, sshconnect2.c,
 * authfile.c). Only what decides how to ask is read from it; the app
 * shows ssh's own text where the question is not one of these.
 */

#include "config.h"

#include <string.h>

#include "pt-ssh-prompt.h"

/* Text between @open and the next @close after @start, or NULL. */
static char *
between (const char *start,
         const char *open,
         char        close)
{
  const char *from = strstr (start, open);
  const char *to;

  if (from == NULL)
    return NULL;
  from += strlen (open);
  to = strchr (from, close);
  return to != NULL && to > from ? g_strndup (from, to - from) : NULL;
}

/* "ED25519 key fingerprint is SHA256:abc." */
static gboolean
read_fingerprint (PtSshPrompt *self)
{
  g_auto(GStrv) lines = g_strsplit (self->text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *is = strstr (lines[i], " key fingerprint is ");
      g_autofree char *fingerprint = NULL;

      if (is == NULL)
        continue;
      fingerprint = g_strdup (is + strlen (" key fingerprint is "));
      g_strchomp (fingerprint);
      if (g_str_has_suffix (fingerprint, "."))
        fingerprint[strlen (fingerprint) - 1] = '\0';
      if (*fingerprint == '\0' || strchr (fingerprint, ' ') != NULL)
        return FALSE;
      self->key_type = g_strndup (lines[i], is - lines[i]);
      self->fingerprint = g_steal_pointer (&fingerprint);
      return *self->key_type != '\0' && strchr (self->key_type, ' ') == NULL;
    }
  return FALSE;
}

/**
 * pt_ssh_prompt_parse:
 * @text: the argument ssh gave its askpass program
 *
 * Returns: (transfer full): what is asked
 */
PtSshPrompt *
pt_ssh_prompt_parse (const char *text)
{
  PtSshPrompt *self = g_new0 (PtSshPrompt, 1);
  gboolean yes_no;

  g_return_val_if_fail (text != NULL, NULL);

  self->text = g_utf8_make_valid (text, -1);
  g_strchomp (self->text);
  yes_no = g_str_has_suffix (self->text, "(yes/no/[fingerprint])?") ||
           g_str_has_suffix (self->text, "(yes/no)?");

  if (yes_no && strstr (self->text, "The authenticity of host '") != NULL &&
      strstr (self->text, "can't be established") != NULL)
    {
      self->host = between (self->text, "The authenticity of host '", ' ');
      if (self->host != NULL && read_fingerprint (self))
        {
          self->kind = PT_SSH_PROMPT_HOST_KEY;
          return self;
        }
      g_clear_pointer (&self->host, g_free);
      g_clear_pointer (&self->key_type, g_free);
      g_clear_pointer (&self->fingerprint, g_free);
    }

  if (yes_no)
    self->kind = PT_SSH_PROMPT_CONFIRM;
  else if (g_str_has_prefix (self->text, "Enter passphrase for key '") &&
           (self->key_file = between (self->text, "Enter passphrase for key '", '\'')) != NULL)
    self->kind = PT_SSH_PROMPT_PASSPHRASE;
  else if (g_str_has_suffix (self->text, "'s password:") &&
           (self->host = g_strndup (self->text, strlen (self->text) - strlen ("'s password:"))) &&
           *self->host != '\0' && strpbrk (self->host, " \n") == NULL)
    /* "user@host's password:" */
    self->kind = PT_SSH_PROMPT_PASSWORD;
  else if (self->text[0] == '(' && g_str_has_suffix (self->text, ") Password:") &&
           (self->host = between (self->text, "(", ')')) != NULL &&
           strchr (self->host, ' ') == NULL)
    /* Keyboard-interactive: "(user@host) Password:" */
    self->kind = PT_SSH_PROMPT_PASSWORD;
  else
    {
      g_clear_pointer (&self->host, g_free);
      self->kind = PT_SSH_PROMPT_SECRET;
    }
  return self;
}

void
pt_ssh_prompt_free (PtSshPrompt *self)
{
  if (self == NULL)
    return;
  g_free (self->text);
  g_free (self->host);
  g_free (self->key_type);
  g_free (self->fingerprint);
  g_free (self->key_file);
  g_free (self);
}

/* Whether the reply is typed hidden (a password field). */
gboolean
pt_ssh_prompt_is_secret (const PtSshPrompt *self)
{
  return self->kind != PT_SSH_PROMPT_HOST_KEY && self->kind != PT_SSH_PROMPT_CONFIRM;
}

/**
 * pt_ssh_prompt_yes:
 *
 * Returns: the reply that says yes to a question, or NULL when @self asks
 *   for something typed
 */
const char *
pt_ssh_prompt_yes (const PtSshPrompt *self)
{
  return pt_ssh_prompt_is_secret (self) ? NULL : "yes";
}
