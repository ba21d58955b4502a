/* pt-ssh-prompt.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * PtSshPromptKind:
 * @PT_SSH_PROMPT_HOST_KEY: a host seen for the first time; the answer
 *   "yes" trusts its key, which ssh then remembers in known_hosts
 * @PT_SSH_PROMPT_PASSWORD: the password of user@host
 * @PT_SSH_PROMPT_PASSPHRASE: the passphrase of a private key file
 * @PT_SSH_PROMPT_CONFIRM: any other yes/no question (e.g. a host key
 *   known under another address); the text is shown as ssh wrote it
 * @PT_SSH_PROMPT_SECRET: anything else ssh asks; answered hidden
 *
 * What ssh asks through SSH_ASKPASS, read from the one line of text it
 * passes (OpenSSH's wording; anything not recognised is a secret, so a
 * reply is never echoed by mistake).
 */
typedef enum {
  PT_SSH_PROMPT_HOST_KEY,
  PT_SSH_PROMPT_PASSWORD,
  PT_SSH_PROMPT_PASSPHRASE,
  PT_SSH_PROMPT_CONFIRM,
  PT_SSH_PROMPT_SECRET,
} PtSshPromptKind;

typedef struct {
  PtSshPromptKind kind;
  char *text;          /* as ssh wrote it, without trailing space */
  char *host;          /* HOST_KEY: host as ssh names it ("[127.0.0.1]:2222"); PASSWORD: user@host */
  char *key_type;      /* HOST_KEY: "ED25519", "ECDSA", "RSA" */
  char *fingerprint;   /* HOST_KEY: "SHA256:…" */
  char *key_file;      /* PASSPHRASE: the key's path */
} PtSshPrompt;

PtSshPrompt *pt_ssh_prompt_parse     (const char  *text);
void         pt_ssh_prompt_free      (PtSshPrompt *self);
gboolean     pt_ssh_prompt_is_secret (const PtSshPrompt *self);
const char  *pt_ssh_prompt_yes       (const PtSshPrompt *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtSshPrompt, pt_ssh_prompt_free)

G_END_DECLS
