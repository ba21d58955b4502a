/* empty-window.c
 *
 * The startup benchmark's reference: an empty 960×720 libadwaita window,
 * started the way the app starts (the same renderer choice), that prints the
 * same "populated" line on its first frame with its peak memory. What the app
 * costs beyond this is ours; this much is GTK's on this machine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <string.h>

#include "pt-compat.h"

static gboolean
report_first_frame (GtkWidget     *widget,
                    GdkFrameClock *clock,
                    gpointer       user_data)
{
  g_autofree char *status = NULL;
  const char *peak = NULL;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    peak = strstr (status, "VmHWM:");
  g_print ("populated 0 devices; %.*s\n",
           peak != NULL ? (int) strcspn (peak, "\n") : 0, peak != NULL ? peak : "");
  g_application_quit (g_application_get_default ());
  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));

  gtk_window_set_default_size (GTK_WINDOW (window), 960, 720);
  gtk_widget_add_tick_callback (window, report_first_frame, NULL, NULL);
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
