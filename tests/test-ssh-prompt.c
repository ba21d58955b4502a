/* test-ssh-prompt.c
 *
 * What ssh asks through SSH_ASKPASS, in OpenSSH 9.2's own words (captured
 * from ssh run by libvirt for qemu+ssh://, see test-ui-ssh.py): a new
 * host's key, a key's passphrase, a password (both of ssh's forms), other
 * yes/no questions, and anything else, which is asked hidden.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pt-ssh-prompt.h"

static void
test_host_key (void)
{
  g_autoptr(PtSshPrompt) prompt = pt_ssh_prompt_parse (
    "The authenticity of host '[127.0.0.1]:37805 ([127.0.0.1]:37805)' can't be established.\n"
    "ED25519 key fingerprint is SHA256:3RYBvoauVXg9BMWigYNfu4v37V6Mh4xBZI8lTap0kN8.\n"
    "This key is not known by any other names.\n"
    "Are you sure you want to continue connecting (yes/no/[fingerprint])? ");

  g_assert_cmpint (prompt->kind, ==, PT_SSH_PROMPT_HOST_KEY);
  g_assert_cmpstr (prompt->host, ==, "[127.0.0.1]:37805");
  g_assert_cmpstr (prompt->key_type, ==, "ED25519");
  g_assert_cmpstr (prompt->fingerprint, ==, "SHA256:3RYBvoauVXg9BMWigYNfu4v37V6Mh4xBZI8lTap0kN8");
  g_assert_false (pt_ssh_prompt_is_secret (prompt));
  g_assert_cmpstr (pt_ssh_prompt_yes (prompt), ==, "yes");
  /* ssh's trailing space is not part of the question. */
  g_assert_true (g_str_has_suffix (prompt->text, "(yes/no/[fingerprint])?"));
}

static void
test_host_key_without_fingerprint_is_a_question (void)
{
  /* Not the shape this code knows: ssh's whole text is shown, still yes/no. */
  g_autoptr(PtSshPrompt) prompt = pt_ssh_prompt_parse (
    "The authenticity of host 'server (192.0.2.7)' can't be established.\n"
    "Are you sure you want to continue connecting (yes/no)? ");

  g_assert_cmpint (prompt->kind, ==, PT_SSH_PROMPT_CONFIRM);
  g_assert_null (prompt->host);
  g_assert_null (prompt->fingerprint);
  g_assert_cmpstr (pt_ssh_prompt_yes (prompt), ==, "yes");
}

static void
test_passphrase (void)
{
  g_autoptr(PtSshPrompt) prompt =
    pt_ssh_prompt_parse ("Enter passphrase for key '/home/ana/.ssh/id_ed25519': ");

  g_assert_cmpint (prompt->kind, ==, PT_SSH_PROMPT_PASSPHRASE);
  g_assert_cmpstr (prompt->key_file, ==, "/home/ana/.ssh/id_ed25519");
  g_assert_true (pt_ssh_prompt_is_secret (prompt));
  g_assert_null (pt_ssh_prompt_yes (prompt));
}

static void
test_passwords (void)
{
  g_autoptr(PtSshPrompt) classic = pt_ssh_prompt_parse ("root@192.0.2.7's password: ");
  g_autoptr(PtSshPrompt) interactive = pt_ssh_prompt_parse ("(ana@server.example) Password: ");

  g_assert_cmpint (classic->kind, ==, PT_SSH_PROMPT_PASSWORD);
  g_assert_cmpstr (classic->host, ==, "root@192.0.2.7");
  g_assert_cmpint (interactive->kind, ==, PT_SSH_PROMPT_PASSWORD);
  g_assert_cmpstr (interactive->host, ==, "ana@server.example");
  g_assert_true (pt_ssh_prompt_is_secret (interactive));
}

static void
test_anything_else_is_hidden (void)
{
  const char *texts[] = {
    "Verification code: ",
    "Enter PIN for ECDSA-SK key /home/ana/.ssh/id_ecdsa_sk: ",
    "",
    "(a b) Password: ",
    "Enter passphrase for key '",
    "\xff\xfe not UTF-8",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(PtSshPrompt) prompt = pt_ssh_prompt_parse (texts[i]);

      g_assert_cmpint (prompt->kind, ==, PT_SSH_PROMPT_SECRET);
      g_assert_true (pt_ssh_prompt_is_secret (prompt));
      g_assert_true (g_utf8_validate (prompt->text, -1, NULL));
    }
}

static void
test_other_questions (void)
{
  g_autoptr(PtSshPrompt) prompt = pt_ssh_prompt_parse (
    "Warning: the ED25519 host key for 'server' differs from the key for the IP address "
    "'192.0.2.7'\nOffending key for IP in /home/ana/.ssh/known_hosts:3\n"
    "Are you sure you want to continue connecting (yes/no)? ");

  g_assert_cmpint (prompt->kind, ==, PT_SSH_PROMPT_CONFIRM);
  g_assert_true (g_str_has_prefix (prompt->text, "Warning: the ED25519 host key"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ssh-prompt/host-key", test_host_key);
  g_test_add_func ("/ssh-prompt/host-key-other-shape", test_host_key_without_fingerprint_is_a_question);
  g_test_add_func ("/ssh-prompt/passphrase", test_passphrase);
  g_test_add_func ("/ssh-prompt/passwords", test_passwords);
  g_test_add_func ("/ssh-prompt/other-questions", test_other_questions);
  g_test_add_func ("/ssh-prompt/anything-else-hidden", test_anything_else_is_hidden);

  return g_test_run ();
}
