/* empty-window.c
 *
 * The startup benchmark's reference: an empty 960×720 libadwaita window,
 * started the way the app starts (the same renderer choice), that prints the
 * same "populated" line once its first frame is painted, with its peak memory. What the app
 * costs beyond this is ours; this much is GTK's on this machine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>

#include "pt-compat.h"
#include "pt-startup-report.h"

static void
on_activate (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));

  gtk_window_set_default_size (GTK_WINDOW (window), 960, 720);
  pt_startup_report_after_next_paint (window, 0);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;

  pt_compat_avoid_software_gl ();
  app = adw_application_new ("org.example.Passthrough.EmptyWindow", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
