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

  app = pt_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
