/* pt-startup-report.c
 *
 * The line build-aux/benchmark.py --ui times the app to:
 *
 *   populated N devices; VmHWM: … kB; after T ms
 *
 * printed once the next frame is painted (not when it starts: a frame
 * clock's tick comes before layout and paint), with the peak memory so far
 * and, when the benchmark gave its clock (PASSTHROUGH_BENCHMARK_T0, the
 * monotonic clock in ns just before it started the process), the time
 * from then: what a user waits, without the teardown that follows; then
 * the application quits. The benchmark's empty reference window prints
 * it the same way.
 *
 * With PASSTHROUGH_BENCHMARK_PAGE=NAME it then waits for the work the start
 * set going to end (a second without a frame, as below), opens that page
 * (win.page, as Alt+3 does for the Groups page) and prints, once the next
 * frame is painted,
 *
 *   page NAME opening; VmHWM: … kB; VmRSS: … kB
 *   page NAME painted in T ms, C ms of CPU; VmHWM: … kB; VmRSS: … kB
 *
 * and, once a second has gone by without a frame (the page's work is done),
 *
 *   page NAME settled in T ms, C ms of CPU; VmHWM: … kB; VmRSS: … kB
 *
 * where C is the main thread's CPU time since the switch: what the page
 * costs, however busy the machine (T grows with the load, C hardly).
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
#include <time.h>

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

/* The "VmHWM: … kB" line of /proc/self/status (@field "VmHWM:"), or "". */
static char *
dup_memory_line (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, field)) == NULL)
    return g_strdup ("");
  return g_strndup (line, strcspn (line, "\n"));
}

static char *
dup_peak_memory (void)
{
  return dup_memory_line ("VmHWM:");
}

/* "; after T ms" since the benchmark started the process, or "". */
static char *
dup_time_since_start (void)
{
  const char *t0 = g_getenv ("PASSTHROUGH_BENCHMARK_T0");
  gint64 start_ns;

  if (t0 == NULL || !g_ascii_string_to_signed (t0, 10, 1, G_MAXINT64, &start_ns, NULL))
    return g_strdup ("");
  return g_strdup_printf ("; after %.1f ms", (g_get_monotonic_time () * 1000.0 - start_ns) / 1e6);
}

/* The peak so far and what is in use now. */
static char *
dup_memory (void)
{
  g_autofree char *peak = dup_memory_line ("VmHWM:");
  g_autofree char *now = dup_memory_line ("VmRSS:");

  return g_strdup_printf ("%s; %s", peak, now);
}

/* Counts idle frames, if asked to, or quits. */
static void
report_idle_or_quit (GdkFrameClock *clock)
{
  const char *idle = g_getenv ("PASSTHROUGH_IDLE_SECONDS");

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

typedef struct
{
  GtkWidget *window;
  GdkFrameClock *clock;
  char *page;
  gint64 start;        /* of the wait, then of the open */
  gint64 start_cpu;
  gint64 last_frame;
  gint64 last_frame_cpu;
  gboolean opened;
  gboolean painted;
} PageOpen;

static void
page_open_free (PageOpen *open)
{
  g_signal_handlers_disconnect_by_data (open->clock, open);
  g_object_unref (open->window);
  g_object_unref (open->clock);
  g_free (open->page);
  g_free (open);
}

/* The main thread's CPU time, in µs. */
static gint64
thread_cpu_time (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
page_open_count_paint (GdkFrameClock *clock,
                       PageOpen      *open)
{
  open->last_frame = g_get_monotonic_time ();
  open->last_frame_cpu = thread_cpu_time ();
}

static void
on_page_painted (GdkFrameClock *clock,
                 PageOpen      *open)
{
  g_autofree char *peak = dup_memory ();

  g_signal_handlers_disconnect_by_func (clock, on_page_painted, open);
  open->painted = TRUE;
  open->last_frame = g_get_monotonic_time ();
  open->last_frame_cpu = thread_cpu_time ();
  g_print ("page %s painted in %.0f ms, %.0f ms of CPU; %s\n", open->page,
           (g_get_monotonic_time () - open->start) / 1000.0,
           (thread_cpu_time () - open->start_cpu) / 1000.0, peak);
}

static gboolean
on_page_tick (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       data)
{
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_page_painted), data);
  return G_SOURCE_REMOVE;
}

/* Every 100 ms: once a second has gone by without a frame, open the page
 * (the start's work is done), and later say when what that set going ended. */
static gboolean
page_open_check (gpointer data)
{
  PageOpen *open = data;
  gint64 now = g_get_monotonic_time ();
  g_autofree char *peak = NULL;

  if ((open->opened && !open->painted) ||
      (now - MAX (open->last_frame, open->start) < G_USEC_PER_SEC &&
       now - open->start < SETTLE_MAX_SECONDS * G_USEC_PER_SEC))
    return G_SOURCE_CONTINUE;

  if (!open->opened)
    {
      peak = dup_memory ();
      /* What the start left in memory, so the page's own cost can be told apart. */
      g_print ("page %s opening; %s\n", open->page, peak);
      open->opened = TRUE;
      open->start = open->last_frame = g_get_monotonic_time ();
      open->start_cpu = open->last_frame_cpu = thread_cpu_time ();
      gtk_widget_activate_action (open->window, "win.page", "s", open->page);
      gtk_widget_add_tick_callback (open->window, on_page_tick, open, NULL);
      return G_SOURCE_CONTINUE;
    }

  peak = dup_memory ();
  g_print ("page %s settled in %.0f ms, %.0f ms of CPU; %s\n", open->page,
           (open->last_frame - open->start) / 1000.0,
           (open->last_frame_cpu - open->start_cpu) / 1000.0, peak);
  report_idle_or_quit (open->clock);
  page_open_free (open);
  return G_SOURCE_REMOVE;
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       data)
{
  GtkWidget *widget = data;
  const char *page = g_getenv ("PASSTHROUGH_BENCHMARK_PAGE");
  g_autofree char *peak = dup_peak_memory ();
  g_autofree char *after = dup_time_since_start ();

  g_signal_handlers_disconnect_by_func (clock, on_after_paint, data);
  g_print ("populated %u devices; %s%s\n",
           GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (widget), "pt-startup-n-devices")),
           peak, after);

  if (page != NULL && page[0] != '\0')
    {
      PageOpen *open = g_new0 (PageOpen, 1);

      open->window = g_object_ref (GTK_WIDGET (gtk_widget_get_root (widget)));
      open->clock = g_object_ref (clock);
      open->page = g_strdup (page);
      open->start = open->last_frame = g_get_monotonic_time ();
      g_signal_connect (clock, "after-paint", G_CALLBACK (page_open_count_paint), open);
      g_timeout_add (100, page_open_check, open);
      return;
    }

  report_idle_or_quit (clock);
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), widget);
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
  g_object_set_data (G_OBJECT (widget), "pt-startup-n-devices", GUINT_TO_POINTER (n_devices));
  gtk_widget_add_tick_callback (widget, on_tick, NULL, NULL);
}
