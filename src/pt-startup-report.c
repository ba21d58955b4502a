/* pt-startup-report.c
 *
 * The line build-aux/benchmark.py --ui times the app to:
 *
 *   populated N devices; VmHWM: … kB
 *
 * printed once the next frame is painted (not when it starts: a frame
 * clock's tick comes before layout and paint), with the peak memory so far;
 * then the application quits. The benchmark's empty reference window prints
 * it the same way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pt-startup-report.h"

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       n_devices)
{
  g_autofree char *status = NULL;
  const char *peak = NULL;

  g_signal_handlers_disconnect_by_func (clock, on_after_paint, n_devices);
  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    peak = strstr (status, "VmHWM:");
  g_print ("populated %u devices; %.*s\n", GPOINTER_TO_UINT (n_devices),
           peak != NULL ? (int) strcspn (peak, "\n") : 0, peak != NULL ? peak : "");
  g_application_quit (g_application_get_default ());
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       n_devices)
{
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), n_devices);
  return G_SOURCE_REMOVE;
}

void
pt_startup_report_after_next_paint (GtkWidget *widget,
                                    guint      n_devices)
{
  gtk_widget_add_tick_callback (widget, on_tick, GUINT_TO_POINTER (n_devices), NULL);
}
