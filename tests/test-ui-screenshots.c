/* test-ui-screenshots.c
 *
 * Every page of the real window on the demo host, light and dark, wide and
 * narrow (360 px), rendered by GTK itself to PNG files in
 * BUILDDIR/tests/screenshots/ (the AppStream screenshots are taken from
 * them). Each page is also checked for what a person must see on it, so an
 * empty or broken page fails the test rather than making a blank picture.
 *
 * Runs under Xvfb (xvfb-run) with the memory GSettings backend.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "pt-attach-dialog.h"
#include "pt-device-plan.h"
#include "pt-device-page.h"
#include "pt-devices-page.h"
#include "pt-fold-bin.h"
#include "pt-groups-page.h"
#include "pt-vms-page.h"
#include "pt-plan-dialog.h"
#include "pt-session.h"
#include "pt-window.h"

typedef struct
{
  const char *page;
  const char *must_show;   /* a label text that must be on screen */
} Page;

/* must_show is looked up in the translation: the zh_CN run checks the same. */
static const Page pages[] = {
  { "host", N_("Ready for PCI Passthrough") },
  { "devices", "GA106 [GeForce RTX 3060]" },
  { "groups", "IOMMU Group %d" },
  { "vms", "Ubuntu 22.04 (CUDA)" },
};

/* Set by PT_SCREENSHOT_LANGUAGE (the zh_CN run): its pictures are named
 * with it, and the English-only checks of dialogs are left out. */
static const char *language;

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static void
count_paint (GdkFrameClock *clock,
             guint         *frames)
{
  (*frames)++;
}

/* Frames the window paints in @ms of doing nothing. */
static guint
frames_painted (GtkWidget *window,
                guint      ms)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  guint frames = 0;
  gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (count_paint), &frames);

  spin (ms);
  g_signal_handler_disconnect (clock, id);
  return frames;
}

static gboolean
shows_label (GtkWidget  *widget,
             const char *text)
{
  GtkWidget *child;

  if (!gtk_widget_get_mapped (widget))
    return FALSE;

  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL)
    return TRUE;

  for (child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_label (child, text))
      return TRUE;

  return FALSE;
}

static void
save_png (GtkWidget  *widget,
          const char *name)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_BUILT, "screenshots", NULL);
  g_autofree char *file = g_strdup_printf ("%s.png", name);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  g_mkdir_with_parents (dir, 0755);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("wrote %s (%dx%d)", path, width, height);
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  GtkWidget *child;

  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The details of the host's boot GPU (warnings, actions) and the review of
 * returning the passthrough GPU to the host. */
static void
shoot_device_and_review (PtWindow   *window,
                         PtSession  *session,
                         const char *name_suffix)
{
  PtDevicesPage *devices = PT_DEVICES_PAGE (find_widget (GTK_WIDGET (window), PT_TYPE_DEVICES_PAGE));
  g_autofree char *device_name = g_strdup_printf ("device-%s", name_suffix);
  g_autofree char *review_name = g_strdup_printf ("review-%s", name_suffix);
  g_autoptr(PtPlan) plan = NULL;
  const char *addresses[] = { "0000:02:00.0", NULL };
  PtHostChange change;
  PtPlanDialog *dialog;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "devices");
  g_assert_true (pt_devices_page_show_device (devices, "0000:01:00.0"));
  spin (400);
  /* One way to give it, and its state in words; no competing host buttons. */
  {
    g_autofree char *state = g_strdup_printf (_("With the host (driver %s)"), "nouveau");

    g_assert_true (shows_label (GTK_WIDGET (window), state));
    g_assert_true (shows_label (GTK_WIDGET (window), _("Give to a Virtual Machine…")));
    g_assert_false (shows_label (GTK_WIDGET (window), "Use for Virtual Machines"));
    g_assert_false (shows_label (GTK_WIDGET (window), "Bind at Every Boot"));
  }
  g_assert_true (shows_label (GTK_WIDGET (window), "boot GPU"));
  save_png (GTK_WIDGET (window), device_name);

  plan = pt_device_plan_return (pt_session_get_host (session), "0000:02:00.0",
                                PT_DEVICE_PLAN_NONE, NULL);
  g_assert_nonnull (plan);
  g_assert_true (pt_host_change_init (&change, PT_HOST_CHANGE_RETURN, addresses, 0, 0,
                                      PT_HOST_CHANGE_FLAGS_NONE, NULL));
  dialog = pt_plan_dialog_new (plan, pt_session_get_helper (session), &change, NULL);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (dialog));
  spin (400);
  g_assert_true (shows_label (GTK_WIDGET (dialog), "Return 2 devices"));
  g_assert_true (shows_label (GTK_WIDGET (dialog), "Apply"));
  save_png (GTK_WIDGET (dialog), review_name);
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin (100);

  /* Without a helper (a tree from --root, or the Flatpak) the review gives
   * the command for the host instead of Apply. */
  dialog = pt_plan_dialog_new (plan, NULL, &change, NULL);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (dialog));
  spin (400);
  g_assert_true (shows_label (GTK_WIDGET (dialog), "sudo passthroughctl unbind 0000:02:00.0"));
  g_assert_false (shows_label (GTK_WIDGET (dialog), "Apply"));
  if (g_str_equal (name_suffix, "light-wide"))
    save_png (GTK_WIDGET (dialog), "review-without-helper-light-wide");
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin (100);
}

static GtkWidget *
find_vm_choice (GtkWidget  *widget,
                const char *vm)
{
  if (GTK_IS_CHECK_BUTTON (widget) &&
      g_strcmp0 (g_object_get_data (G_OBJECT (widget), "vm-name"), vm) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_vm_choice (child, vm);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
scroll_to_end (GtkWidget *widget)
{
  GtkWidget *scrolled = find_widget (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
}

static void
expand_all (GtkWidget *widget)
{
  if (ADW_IS_EXPANDER_ROW (widget))
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (widget), TRUE);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    expand_all (child);
}

/* Giving the boot GPU to the shut-off VM: the warning, the diff of its
 * definition (a root port added, the GPU and its audio behind it) and the
 * Advanced options. */
static void
shoot_give (PtWindow   *window,
            PtSession  *session,
            int         width,
            const char *name_suffix)
{
  PtHost *host = pt_session_get_host (session);
  PtAttachDialog *dialog = pt_attach_dialog_new (session, pt_host_lookup_device (host,
                                                                                 "0000:01:00.0"));
  g_autofree char *name = g_strdup_printf ("give-%s", name_suffix);
  GtkWidget *choice = find_vm_choice (GTK_WIDGET (dialog), "win11-gaming");
  GtkTextView *view;
  GtkTextIter start, end;
  g_autofree char *diff = NULL;
  gint64 deadline;

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  gtk_window_set_default_size (GTK_WINDOW (dialog), MIN (width, 640), 1100);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_nonnull (choice);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (choice), TRUE);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!shows_label (GTK_WIDGET (dialog), "Give 0000:01:00.0, 0000:01:00.1 to “win11-gaming”") &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (shows_label (GTK_WIDGET (dialog), "Give 0000:01:00.0, 0000:01:00.1"));

  view = GTK_TEXT_VIEW (find_widget (GTK_WIDGET (dialog), GTK_TYPE_TEXT_VIEW));
  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (view), &start, &end);
  diff = gtk_text_iter_get_text (&start, &end);
  g_assert_nonnull (strstr (diff, "+  <controller type=\"pci\""));
  g_assert_nonnull (strstr (diff, "+  <hostdev mode=\"subsystem\" type=\"pci\" managed=\"yes\">"));
  g_assert_null (strstr (diff, "<domain"));

  /* The review at the bottom of the page, its diff open. */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (gtk_widget_get_ancestor (GTK_WIDGET (view),
                                                                            ADW_TYPE_EXPANDER_ROW)),
                                 TRUE);
  spin (300);
  scroll_to_end (GTK_WIDGET (dialog));
  spin (300);
  g_assert_true (shows_label (GTK_WIDGET (dialog), "Changes to the Definition"));
  save_png (GTK_WIDGET (dialog), name);

  if (g_str_equal (name_suffix, "light-wide"))
    {
      expand_all (GTK_WIDGET (dialog));
      spin (300);
      scroll_to_end (GTK_WIDGET (dialog));
      spin (300);
      g_assert_true (shows_label (GTK_WIDGET (dialog), "Bind to vfio-pci When the VM Starts"));
      save_png (GTK_WIDGET (dialog), "give-advanced-light-wide");

      /* The running VM has no free root port: from its next start, said why. */
      gtk_check_button_set_active (GTK_CHECK_BUTTON (find_vm_choice (GTK_WIDGET (dialog),
                                                                     "ubuntu-ml")), TRUE);
      deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while (!shows_label (GTK_WIDGET (dialog), "no free PCIe root port") &&
             g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, FALSE);
      g_assert_true (shows_label (GTK_WIDGET (dialog), "“ubuntu-ml” (in its saved definition, "
                                                       "from its next start)"));
      g_assert_true (shows_label (GTK_WIDGET (dialog), "no free PCIe root port"));
      scroll_to_end (GTK_WIDGET (dialog));
      spin (300);
      save_png (GTK_WIDGET (dialog), "give-running-light-wide");
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin (100);
}

static char *
picture_name (const char *what,
              const char *scheme,
              int         width)
{
  return g_strdup_printf ("%s-%s-%s%s%s", what, scheme, width < 500 ? "narrow" : "wide",
                          language != NULL ? "-" : "", language != NULL ? language : "");
}

/* A page's must_show in the language of the run ("%d": group 1). */
static const char *
must_show (const char *text)
{
  static char buffer[256];

  if (strstr (text, "%d") == NULL)
    return _(text);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  g_snprintf (buffer, sizeof buffer, _(text), 1);
#pragma GCC diagnostic pop
  return buffer;
}

/* Mapped labels under @widget whose text Pango had to cut to "…". */
static guint
count_ellipsized (GtkWidget *widget)
{
  guint count = 0;

  if (!gtk_widget_get_mapped (widget))
    return 0;
  if (GTK_IS_LABEL (widget) && pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (widget))))
    {
      g_test_message ("cut to …: %s", gtk_label_get_label (GTK_LABEL (widget)));
      count++;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count += count_ellipsized (child);
  return count;
}

/* Mapped headings (group cards' titles) narrower than their text. */
static guint
count_clipped_headings (GtkWidget *widget)
{
  guint count = 0;

  if (!gtk_widget_get_mapped (widget))
    return 0;
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "heading"))
    {
      int natural = 0;

      gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
      if (gtk_widget_get_width (widget) < natural ||
          pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (widget))))
        {
          g_test_message ("clipped heading: %s (%d of %d px)", gtk_label_get_label (GTK_LABEL (widget)),
                          gtk_widget_get_width (widget), natural);
          count++;
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count += count_clipped_headings (child);
  return count;
}

/* Device rows in their narrow (two-line) layout, and in their wide one. */
static void
count_folds (GtkWidget *widget,
             guint     *folded,
             guint     *unfolded)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (PT_IS_FOLD_BIN (widget))
    (*(pt_fold_bin_get_folded (PT_FOLD_BIN (widget)) ? folded : unfolded))++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count_folds (child, folded, unfolded);
}

/* The page's own list or grid view (a drop-down's popover has a list view too). */
static GtkWidget *
find_list (GtkWidget *widget)
{
  if (GTK_IS_DROP_DOWN (widget))
    return NULL;
  if (GTK_IS_LIST_VIEW (widget) || GTK_IS_GRID_VIEW (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_list (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* What the page lists: the items its view shows, once fed whole. */
static guint
n_listed (GtkWidget *page)
{
  g_autoptr(GListModel) model = NULL;
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  guint n = 0, last = G_MAXUINT;

  /* The Devices page feeds a new host a screenful at a time, from idle. */
  while (n != last && g_get_monotonic_time () < end)
    {
      last = n;
      spin (100);
      g_clear_object (&model);
      g_object_get (find_list (page), "model", &model, NULL);
      n = g_list_model_get_n_items (model);
    }
  return n;
}

static double
scrolled_to (GtkWidget *page)
{
  GtkWidget *scrolled = gtk_widget_get_parent (find_list (page));

  return gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)));
}

static void
search (GtkWidget  *page,
        const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (find_widget (page, GTK_TYPE_SEARCH_ENTRY)), text);
  spin (500);   /* the entry waits before it says the search changed */
}

/* "gpu" on the Devices page finds the two RTX 3060s, and "group 3" on the
 * Groups page that group, with its Prepare button: rows in two lines and
 * headings whole at 360 px; a new search starts at the top of the list. */
static void
shoot_searches (PtWindow   *window,
                int         width,
                const char *scheme)
{
  GtkWidget *devices = find_widget (GTK_WIDGET (window), PT_TYPE_DEVICES_PAGE);
  GtkWidget *groups = find_widget (GTK_WIDGET (window), PT_TYPE_GROUPS_PAGE);
  g_autofree char *devices_name = picture_name ("devices-search-gpu", scheme, width);
  g_autofree char *groups_name = picture_name ("groups-search", scheme, width);
  g_autofree char *group_3 = g_strdup_printf (_("IOMMU Group %d"), 3);
  guint folded = 0, unfolded = 0;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "devices");
  spin (400);
  count_folds (devices, &folded, &unfolded);
  g_test_message ("device rows: %u in two lines, %u in one", folded, unfolded);
  g_assert_cmpuint (folded + unfolded, >, 5);
  if (width < 500)
    g_assert_cmpuint (unfolded, ==, 0);
  else
    g_assert_cmpuint (folded, ==, 0);
  g_assert_cmpuint (count_ellipsized (find_list (devices)), ==, 0);

  /* Scrolled down, then a search: its results from the top. (At 960 x 720
   * the whole list fits; two-line rows at 360 px do not.) */
  gtk_widget_activate_action (find_list (devices), "list.scroll-to-item", "u",
                              n_listed (devices) - 1);
  spin (300);
  if (width < 500)
    g_assert_cmpfloat (scrolled_to (devices), >, 0);
  search (devices, "gpu");
  g_assert_cmpfloat (scrolled_to (devices), ==, 0);
  g_assert_cmpuint (n_listed (devices), ==, 2);
  /* The two RTX 3060s are told apart by their makers. */
  g_assert_true (shows_label (devices, "GA106 [GeForce RTX 3060] · MSI"));
  g_assert_true (shows_label (devices, "GA106 [GeForce RTX 3060] · Gigabyte"));
  g_assert_cmpuint (count_ellipsized (find_list (devices)), ==, 0);
  save_png (GTK_WIDGET (window), devices_name);
  search (devices, "gpu zzz");
  g_assert_cmpuint (n_listed (devices), ==, 0);
  g_assert_true (shows_label (devices, _("No Matching Devices")));
  search (devices, "");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "groups");
  spin (400);
  search (groups, "group 3");
  g_assert_cmpuint (n_listed (groups), ==, 1);
  g_assert_true (shows_label (groups, group_3));
  g_assert_true (shows_label (groups, "Cannon Lake PCH USB 3.1 xHCI Host Controller"));
  g_assert_cmpuint (count_clipped_headings (groups), ==, 0);
  save_png (GTK_WIDGET (window), groups_name);
  search (groups, "zzz-no-such-device");
  g_assert_cmpuint (n_listed (groups), ==, 0);
  g_assert_true (shows_label (groups, _("No Matching Groups")));
  search (groups, "");
  g_assert_cmpuint (count_clipped_headings (groups), ==, 0);
}

/* The VMs page with every VM open (its devices, Take Back buttons): still
 * no wider than a phone, in every language. */
static void
shoot_vms_expanded (PtWindow   *window,
                    int         width,
                    const char *scheme)
{
  g_autofree char *name = picture_name ("vms-expanded", scheme, width);
  int minimum = 0;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "vms");
  spin (300);
  expand_all (GTK_WIDGET (window));
  spin (400);
  gtk_widget_measure (gtk_window_get_child (GTK_WINDOW (window)), GTK_ORIENTATION_HORIZONTAL,
                      -1, &minimum, NULL, NULL, NULL);
  g_test_message ("%s: content at least %d px wide", name, minimum);
  g_assert_cmpint (minimum, <=, 360);
  g_assert_true (shows_label (GTK_WIDGET (window), _("_Take Back")));
  save_png (GTK_WIDGET (window), name);
}

static void
collect_entries (GtkWidget *widget,
                 GPtrArray *entries)
{
  if (GTK_IS_ENTRY (widget))
    g_ptr_array_add (entries, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_entries (child, entries);
}

/* Add Connection: the fields of an SSH connection and the URI they make,
 * shown as they are typed. */
static void
shoot_add_connection (PtWindow   *window,
                      int         width,
                      const char *scheme)
{
  g_autofree char *name = picture_name ("add-connection", scheme, width);
  GtkWidget *vms;
  GtkMenuButton *add;
  GtkWidget *popover;
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();

  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "vms");
  spin (300);
  vms = find_widget (GTK_WIDGET (window), PT_TYPE_VMS_PAGE);
  add = GTK_MENU_BUTTON (find_widget (vms, GTK_TYPE_MENU_BUTTON));
  gtk_menu_button_popup (add);
  spin (300);
  popover = GTK_WIDGET (gtk_menu_button_get_popover (add));
  collect_entries (popover, entries);
  g_assert_cmpuint (entries->len, >=, 2);
  gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (entries, 0)), "root");
  gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (entries, 1)), "server.example.com");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_widget (popover, GTK_TYPE_SPIN_BUTTON)), 2222);
  spin (300);
  g_assert_true (shows_label (popover, "qemu+ssh://root@server.example.com:2222/system"));
  save_png (popover, name);

  /* A host that is not one: no URI, and Connect waits for a good one. */
  gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (entries, 1)), "two words");
  spin (200);
  g_assert_false (shows_label (popover, "qemu+ssh://"));
  gtk_popover_popdown (GTK_POPOVER (popover));
  spin (200);
}

static void
shoot_window (GtkApplication *app,
              PtSession      *session,
              int             width,
              const char     *scheme)
{
  PtWindow *window = pt_window_new (app, session);
  guint i;

  gtk_window_set_default_size (GTK_WINDOW (window), width, 720);
  gtk_window_present (GTK_WINDOW (window));
  spin (600);

  /* Nothing moves, so nothing is painted: the "Scanning" and "Connecting"
   * spinners of pages left long ago do not keep the frame clock running. */
  g_assert_cmpuint (frames_painted (GTK_WIDGET (window), 500), ==, 0);

  for (i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *name = picture_name (pages[i].page, scheme, width);

      int minimum = 0;

      gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", pages[i].page);
      spin (400);
      gtk_widget_measure (gtk_window_get_child (GTK_WINDOW (window)), GTK_ORIENTATION_HORIZONTAL,
                          -1, &minimum, NULL, NULL, NULL);
      g_test_message ("%s: content at least %d px wide", name, minimum);
      /* Usable on a phone: nothing may need more than 360 pixels. */
      g_assert_cmpint (minimum, <=, 360);
      g_assert_true (shows_label (GTK_WIDGET (window), must_show (pages[i].must_show)));
      save_png (GTK_WIDGET (window), name);
    }

  shoot_searches (window, width, scheme);
  shoot_vms_expanded (window, width, scheme);
  shoot_add_connection (window, width, scheme);

  if (language == NULL)
  {
    g_autofree char *suffix = g_strdup_printf ("%s-%s", scheme, width < 500 ? "narrow" : "wide");

    shoot_device_and_review (window, session, suffix);
    shoot_give (window, session, width, suffix);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  spin (100);
}

static GtkWidget *review_and_wait (PtWindow *window, PtSession *session, PtHostChangeKind kind,
                                   const char *address, const char *text);

/* A review asks the verdict itself, as an Undo's does: returning the GPU
 * that the running "ubuntu-ml" holds is refused with what to do, never
 * planned. */
static void
review_refused_while_vm_runs (GtkApplication *app,
                              PtSession      *session)
{
  PtWindow *window = pt_window_new (app, session);
  GtkWidget *dialog;

  gtk_window_present (GTK_WINDOW (window));
  spin (200);
  dialog = review_and_wait (window, session, PT_HOST_CHANGE_RETURN, "0000:02:00.0",
                            "The Change Cannot Be Made");
  g_assert_false (PT_IS_PLAN_DIALOG (dialog));
  g_assert_true (shows_label (dialog, "ubuntu-ml"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
  spin (100);
}

/* The Host page after a boot change: the restart it waits for, and Undo.
 * The change is made by the helper's test build on a copy of the demo tree. */
static void
shoot_boot_changes (GtkApplication *app)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *copy = g_dir_make_tmp ("pt-screenshots-XXXXXX", &error);
  g_autofree char *source = g_build_filename (PT_DEMO_ROOT, ".", NULL);
  const char *cp[] = { "cp", "-a", source, copy, NULL };
  const char *apply[] = { PT_DEMO_HELPER, "--root", copy, "configure-boot", "early-bind-addresses",
                          "0000:02:00.0", NULL };
  const char *rm[] = { "rm", "-rf", copy, NULL };
  g_autoptr(PtSession) session = NULL;
  PtWindow *window;
  int status = -1;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_assert_no_error (error);
  g_assert_true (g_spawn_sync (NULL, (char **) cp, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                               &status, &error));
  g_assert_true (g_spawn_sync (NULL, (char **) apply, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                               NULL, &status, &error));
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  session = pt_session_new (copy, NULL);
  while ((pt_session_get_host (session) == NULL || pt_session_get_busy (session)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  window = pt_window_new (app, session);
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 900);
  gtk_window_present (GTK_WINDOW (window));
  spin (600);
  g_assert_true (shows_label (GTK_WIDGET (window), "Restart to Finish"));
  g_assert_true (shows_label (GTK_WIDGET (window), "Boot Changes"));
  g_assert_true (shows_label (GTK_WIDGET (window), "Bind 0000:02:00.0, 0000:02:00.1 to vfio-pci at every boot"));
  save_png (GTK_WIDGET (window), "host-changes-light-wide");
  gtk_window_destroy (GTK_WINDOW (window));
  spin (100);

  g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* Another host that cannot be reached: its name and error, and a way back to
 * this computer, never this computer's devices under that host's name. */
static void
shoot_failed_connection (GtkApplication *app)
{
  g_autoptr(PtSession) session = pt_session_new (NULL, "test:///nonexistent/passthrough-host.xml");
  PtWindow *window = pt_window_new (app, session);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 720);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (shows_label (GTK_WIDGET (window), "Connecting to Test Host (passthrough-host.xml)…"));
  while (pt_session_get_connection_error (session) == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  spin (300);
  g_assert_nonnull (pt_session_get_connection_error (session));
  g_assert_null (pt_session_get_host (session));
  g_assert_true (shows_label (GTK_WIDGET (window), "Cannot Reach Test Host (passthrough-host.xml)"));
  g_assert_true (shows_label (GTK_WIDGET (window), "Use This Computer"));
  save_png (GTK_WIDGET (window), "connection-failed-light-narrow");

  /* Use This Computer reads this computer, under its own name. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.use-this-computer", NULL);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while ((pt_session_get_host (session) == NULL && pt_session_get_error (session) == NULL) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (pt_session_get_remote_uri (session));
  spin (300);
  g_assert_false (shows_label (GTK_WIDGET (window), "Cannot Reach"));
  gtk_window_destroy (GTK_WINDOW (window));
  spin (100);
}

/* The demo's Host page in zh_CN at a phone's width, with the build's own
 * translations: title and banner say Demo, nothing wider than 360 px. */
static void
shoot_demo_zh_cn (GtkApplication *app,
                  PtSession      *session)
{
  g_autofree char *localedir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  PtWindow *window;
  int minimum = 0;

  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  setlocale (LC_ALL, "");   /* forgets the messages looked up so far */
  /* The checks' words are the scan's: scan again in zh_CN. */
  pt_session_rescan (session);
  while (pt_session_get_busy (session))
    g_main_context_iteration (NULL, TRUE);

  window = pt_window_new (app, session);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 720);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "host");
  spin (600);
  gtk_widget_measure (gtk_window_get_child (GTK_WINDOW (window)), GTK_ORIENTATION_HORIZONTAL,
                      -1, &minimum, NULL, NULL, NULL);
  g_assert_cmpint (minimum, <=, 360);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Passthrough 演示");
  g_assert_true (shows_label (GTK_WIDGET (window), "演示：本机不会有任何改动"));
  g_assert_true (shows_label (GTK_WIDGET (window), "已准备好进行 PCI 直通"));
  g_assert_true (shows_label (GTK_WIDGET (window), "演示主机"));
  save_png (GTK_WIDGET (window), "demo-host-light-narrow-zh_CN");
  gtk_window_destroy (GTK_WINDOW (window));
  spin (100);

  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");
  pt_session_rescan (session);
  while (pt_session_get_busy (session))
    g_main_context_iteration (NULL, TRUE);
}

static void shoot_verdicts (GtkApplication *app);
static void shoot_remote_changes (GtkApplication *app);

static GtkWidget *
find_row_titled (GtkWidget  *widget,
                 const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row_titled (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
on_activate (GtkApplication *app,
             gpointer        user_data)
{
  g_autoptr(PtSession) session = pt_session_new (PT_DEMO_ROOT, "test://" PT_DEMO_LIBVIRT_HOST);
  g_autoptr(PtHelperClient) helper = pt_helper_client_new_for_root (PT_DEMO_HELPER, PT_DEMO_ROOT);
  AdwStyleManager *style = adw_style_manager_get_default ();
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_application_hold (G_APPLICATION (app));
  pt_session_set_helper (session, helper);
  /* The demo host, shown as the app shows it: banner and title say Demo. */
  pt_session_set_demo (session, TRUE);

  while ((pt_session_get_host (session) == NULL || pt_session_get_busy (session) ||
          pt_session_get_connection (session) == NULL ||
          !pt_connection_is_open (pt_session_get_connection (session))) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (pt_session_get_host (session));

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  shoot_window (app, session, 960, "light");
  shoot_window (app, session, 360, "light");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  shoot_window (app, session, 960, "dark");
  shoot_window (app, session, 360, "dark");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  if (language == NULL)
    {
      shoot_boot_changes (app);
      shoot_verdicts (app);
      shoot_failed_connection (app);
      shoot_remote_changes (app);
      review_refused_while_vm_runs (app, session);
      shoot_demo_zh_cn (app, session);
    }

  g_application_release (G_APPLICATION (app));
}

/* The AppStream screenshots are these pictures: every image the metainfo
 * names must be one the suite has just written. */
static void
check_metainfo_screenshots (void)
{
  g_autofree char *metainfo = g_test_build_filename (G_TEST_DIST, "..", "data",
                                                     "org.example.Passthrough.metainfo.xml.in", NULL);
  g_autofree char *text = NULL;
  const char *p;
  guint found = 0;

  g_assert_true (g_file_get_contents (metainfo, &text, NULL, NULL));
  for (p = strstr (text, "<image>"); p != NULL; p = strstr (p + 1, "<image>"))
    {
      const char *end = strstr (p, "</image>");
      g_autofree char *url = g_strndup (p + strlen ("<image>"), (gsize) (end - p) - strlen ("<image>"));
      g_autofree char *name = g_path_get_basename (url);
      g_autofree char *png = g_test_build_filename (G_TEST_BUILT, "screenshots", name, NULL);

      g_test_message ("metainfo screenshot %s", name);
      g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
      found++;
    }
  g_assert_cmpuint (found, >=, 3);
}

/* The app says what passthroughctl says (test-cli.py) for the same hosts:
 * with the IOMMU off, Give is refused and says how to turn it on; the NVMe
 * that holds /home is the host's, so Give warns and its group offers no
 * Prepare. */
static void
shoot_verdicts (GtkApplication *app)
{
  static const struct
  {
    const char *host;
    const char *address;
    const char *says;
    gboolean give_enabled;
  } cases[] = {
    { "laptop-iommu-off", "0000:00:14.0", "The IOMMU is off, so no device can be given to a virtual machine.", FALSE },
    { "ubuntu-builtin", "0000:05:00.0", "The host uses it: storage controller of /home (nvme1n1p1)", TRUE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *root = g_test_build_filename (G_TEST_BUILT, cases[i].host, NULL);
      g_autoptr(PtSession) session = pt_session_new (root, "test:///default");
      gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
      PtDevicesPage *devices;
      PtWindow *window;

      while ((pt_session_get_host (session) == NULL || pt_session_get_busy (session) ||
              pt_session_get_connection (session) == NULL ||
              !pt_connection_is_open (pt_session_get_connection (session))) &&
             g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      window = pt_window_new (app, session);
      gtk_window_set_default_size (GTK_WINDOW (window), 960, 720);
      gtk_window_present (GTK_WINDOW (window));
      devices = PT_DEVICES_PAGE (find_widget (GTK_WIDGET (window), PT_TYPE_DEVICES_PAGE));
      gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "devices");
      g_assert_true (pt_devices_page_show_device (devices, cases[i].address));
      spin (400);
      g_test_message ("%s %s", cases[i].host, cases[i].address);
      g_assert_true (shows_label (GTK_WIDGET (window), cases[i].says));
      /* The row follows its device.give action's enabled state. */
      g_assert_cmpint (gtk_widget_is_sensitive (find_row_titled (GTK_WIDGET (window),
                                                                 "Give to a Virtual Machine…")),
                       ==, cases[i].give_enabled);
      gtk_window_destroy (GTK_WINDOW (window));
      spin (100);
    }
}

/* A window of the app other than @not (a dialog) that shows @text. */
static GtkWidget *
find_toplevel_showing (GtkWidget  *not,
                       const char *text)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (l->data != (gpointer) not && shows_label (l->data, text))
      return l->data;
  return NULL;
}

/* Opens the review of a change of @kind (to @address, if any) as a page
 * would, and waits up to 10 s for a window other than @window that shows
 * @text. */
static GtkWidget *
review_and_wait (PtWindow         *window,
                 PtSession        *session,
                 PtHostChangeKind  kind,
                 const char       *address,
                 const char       *text)
{
  const char *addresses[] = { address, NULL };
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  PtHostChange change;
  GtkWidget *dialog;

  g_assert_true (pt_host_change_init (&change, kind, address != NULL ? addresses : NULL, 0, 0,
                                      PT_HOST_CHANGE_FLAGS_NONE, NULL));
  pt_plan_dialog_review (GTK_WIDGET (window), session, &change);
  while ((dialog = find_toplevel_showing (GTK_WIDGET (window), text)) == NULL &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_nonnull (dialog);
  return dialog;
}

/*
 * Another host, read through libvirt (the test driver's node devices): a
 * device change is reviewed from that host's devices and, instead of Apply,
 * shows the command passthroughctl --connect prints (test-cli.py); a boot
 * change, whose files cannot be seen from here, gives that command alone.
 * Never "Cannot open the host root".
 */
static void
shoot_remote_changes (GtkApplication *app)
{
  g_autoptr(PtSession) session = pt_session_new (NULL, "test://" PT_DEMO_LIBVIRT_HOST);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  GtkWidget *dialog;
  PtWindow *window;

  while ((pt_session_get_host (session) == NULL || pt_session_get_busy (session)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (pt_session_get_host (session));
  g_assert_nonnull (pt_session_get_remote_uri (session));
  window = pt_window_new (app, session);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 720);
  gtk_window_present (GTK_WINDOW (window));
  spin (300);

  dialog = review_and_wait (window, session, PT_HOST_CHANGE_BIND, "0000:01:00.0", "is not this computer");
  spin (400);
  g_assert_true (PT_IS_PLAN_DIALOG (dialog));
  /* Applying there accepts the verdict's risk: said above the plan. */
  g_assert_true (shows_label (dialog, "State unknown on a remote host: what uses it and whether a virtual "
                                      "machine holds it cannot be seen"));
  g_assert_true (shows_label (dialog, "nothing was changed. To make this change, run:\npassthroughctl bind 0000:01:00.0"));
  g_assert_true (shows_label (dialog, "Close"));
  g_assert_false (shows_label (dialog, "Apply"));
  g_assert_false (shows_label (dialog, "host root"));
  save_png (dialog, "change-remote-light-narrow");
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = review_and_wait (window, session, PT_HOST_CHANGE_ENABLE_IOMMU, NULL,
                            "Make This Change on the Other Computer");
  spin (200);
  g_assert_true (shows_label (dialog, "To make this change, run:\npassthroughctl boot enable-iommu"));
  g_assert_false (shows_label (dialog, "host root"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
  spin (100);
}

/*
 * This computer as the Flatpak sandbox shows it (test-ui-sandbox.py runs
 * this inside bwrap): the Host page names it "This Computer (sandboxed)",
 * has the host's OS from /run/host/os-release and the checks the sandbox
 * can see; a host change says which native package to install.
 */
static void
on_activate_sandboxed (GtkApplication *app,
                       gpointer        user_data)
{
  g_autoptr(PtSession) session = pt_session_new (NULL, NULL);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  GtkWidget *dialog;
  PtWindow *window;

  g_application_hold (G_APPLICATION (app));
  while ((pt_session_get_host (session) == NULL || pt_session_get_busy (session)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (pt_session_get_host (session));

  window = pt_window_new (app, session);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 900);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "host");
  spin (800);
  g_assert_true (shows_label (GTK_WIDGET (window), "This Computer (sandboxed)"));
  g_assert_true (shows_label (GTK_WIDGET (window), "Debian GNU/Linux 12 (bookworm)"));
  g_assert_false (shows_label (GTK_WIDGET (window), "GNOME OS Platform runtime"));
  g_assert_true (shows_label (GTK_WIDGET (window), "Flatpak sandbox"));
  save_png (GTK_WIDGET (window), "host-sandboxed-light-narrow");

  /* Any host change: one message, the package and the command. */
  dialog = review_and_wait (window, session, PT_HOST_CHANGE_ENABLE_IOMMU, NULL,
                            "Install Passthrough to Change This Computer");
  spin (400);
  g_assert_true (shows_label (dialog, "sudo apt install passthrough"));
  g_assert_true (shows_label (dialog, "passthroughctl boot enable-iommu"));
  g_assert_false (shows_label (dialog, "host root"));
  save_png (dialog, "change-sandboxed-light-narrow");
  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
  spin (100);
  g_application_release (G_APPLICATION (app));
}

static void
test_screenshots (void)
{
  g_autoptr(AdwApplication) app = adw_application_new ("org.example.Passthrough.UiTest",
                                                       G_APPLICATION_NON_UNIQUE);

  /* The app's own resources, so its style.css is loaded as in the app. */
  g_application_set_resource_base_path (G_APPLICATION (app), "/org/example/Passthrough");
  if (g_getenv ("PT_SCREENSHOT_SANDBOXED") != NULL)
    {
      g_signal_connect (app, "activate", G_CALLBACK (on_activate_sandboxed), NULL);
      g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);
      return;
    }
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);
  if (language == NULL)
    check_metainfo_screenshots ();
}

int
main (int   argc,
      char *argv[])
{
  language = g_getenv ("PT_SCREENSHOT_LANGUAGE");
  if (language != NULL)
    {
      /* The translations as built (BUILDDIR/po/LANG/LC_MESSAGES). */
      g_setenv ("LANGUAGE", language, TRUE);
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, g_getenv ("PT_LOCALE_DIR"));
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ui/screenshots", test_screenshots);
  return g_test_run ();
}
