/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "pt-application.h"
#include "pt-compat.h"
#include "pt-install-paths.h"
#include "pt-ssh-askpass.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PtApplication) app = NULL;
  g_autofree char *localedir = pt_install_path (LOCALEDIR);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Before GTK opens the display: the choice of renderer is made there. */
  pt_compat_avoid_software_gl ();
  /* Before any thread: it sets SSH_ASKPASS for the ssh libvirt runs. */
  pt_ssh_askpass_prepare_environment ();

  app = pt_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
