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
 * With PASSTHROUGH_IDLE_SECONDS=N it then waits for the work the start set
 * going to end (a second without a frame: the app rescans once libvirt has
 * connected, with the header's spinner turning; at most a minute), counts
 * the frames painted in the next N seconds of doing nothing, and prints
 *
 *   idle F frames in N s
 *
 * before quitting: a window that shows nothing new should paint nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pt-startup-report.h"

#define SETTLE_MAX_SECONDS 60

typedef struct
{
  GdkFrameClock *clock;
  guint frames;
  guint seconds;
  guint settle_seconds;
} IdleCount;

static void
count_paint (GdkFrameClock *clock,
             IdleCount     *count)
{
  count->frames++;
}

static gboolean
idle_count_done (gpointer data)
{
  IdleCount *count = data;

  g_signal_handlers_disconnect_by_func (count->clock, count_paint, count);
  g_print ("idle %u frames in %u s (after %u s of settling)\n", count->frames, count->seconds,
           count->settle_seconds + 1);
  g_object_unref (count->clock);
  g_free (count);
  g_application_quit (g_application_get_default ());
  return G_SOURCE_REMOVE;
}

/* Once a second: has a second gone by without a frame? Then count. */
static gboolean
idle_count_settle (gpointer data)
{
  IdleCount *count = data;

  if (count->frames > 0 && ++count->settle_seconds < SETTLE_MAX_SECONDS)
    {
      count->frames = 0;
      return G_SOURCE_CONTINUE;
    }

  count->frames = 0;
  g_timeout_add_seconds (count->seconds, idle_count_done, count);
  return G_SOURCE_REMOVE;
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       n_devices)
{
  const char *idle = g_getenv ("PASSTHROUGH_IDLE_SECONDS");
  g_autofree char *status = NULL;
  const char *peak = NULL;

  g_signal_handlers_disconnect_by_func (clock, on_after_paint, n_devices);
  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    peak = strstr (status, "VmHWM:");
  g_print ("populated %u devices; %.*s\n", GPOINTER_TO_UINT (n_devices),
           peak != NULL ? (int) strcspn (peak, "\n") : 0, peak != NULL ? peak : "");

  if (idle != NULL && atoi (idle) > 0)
    {
      IdleCount *count = g_new0 (IdleCount, 1);

      count->clock = g_object_ref (clock);
      count->seconds = (guint) atoi (idle);
      count->frames = 1;      /* the frame just painted */
      g_signal_connect (count->clock, "after-paint", G_CALLBACK (count_paint), count);
      g_timeout_add_seconds (1, idle_count_settle, count);
      return;
    }

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

/* Once per process: a rescan populates the list again. */
void
pt_startup_report_after_next_paint (GtkWidget *widget,
                                    guint      n_devices)
{
  static gboolean reported;

  if (reported)
    return;
  reported = TRUE;
  gtk_widget_add_tick_callback (widget, on_tick, GUINT_TO_POINTER (n_devices), NULL);
}
