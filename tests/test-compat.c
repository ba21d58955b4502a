/* test-compat.c
 *
 * The app's choice to keep GTK off Mesa's software GL: what it sets for each
 * environment a user may start it in, with and without a GPU render node.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>

#include "pt-compat.h"

typedef struct
{
  const char *env;        /* space-separated NAME=VALUE */
  gboolean gpu;           /* a usable renderD node */
  guint gtk_minor;
  const char *expected;   /* space-separated NAME=VALUE, "" for none */
} Case;

static const Case cases[] = {
  /* No GPU: GL off, cairo. */
  { "", FALSE, 8, "GSK_RENDERER=cairo GDK_DEBUG=gl-disable" },
  { "", FALSE, 16, "GSK_RENDERER=cairo GDK_DISABLE=gl" },
  { "GSK_RENDERER=cairo", FALSE, 8, "GDK_DEBUG=gl-disable" },
  { "GSK_RENDERER=", FALSE, 8, "GSK_RENDERER=cairo GDK_DEBUG=gl-disable" },
  /* Logging flags are no choice about GL: kept, and GL still goes off. */
  { "GDK_DEBUG=opengl", FALSE, 8, "GSK_RENDERER=cairo GDK_DEBUG=opengl,gl-disable" },
  { "GDK_DEBUG=events:frames", FALSE, 8, "GSK_RENDERER=cairo GDK_DEBUG=events:frames,gl-disable" },
  { "GDK_DISABLE=vulkan", FALSE, 16, "GSK_RENDERER=cairo GDK_DISABLE=vulkan,gl" },
  /* GL already off: only the renderer. */
  { "GDK_DEBUG=gl-disable", FALSE, 8, "GSK_RENDERER=cairo" },
  { "GDK_DISABLE=gl,vulkan", FALSE, 16, "GSK_RENDERER=cairo" },
  /* GTK 4.16 reads GL off from GDK_DISABLE only, 4.8 from GDK_DEBUG only. */
  { "GDK_DEBUG=gl-disable", FALSE, 16, "GSK_RENDERER=cairo GDK_DISABLE=gl" },
  { "GDK_DISABLE=gl", FALSE, 8, "GSK_RENDERER=cairo GDK_DEBUG=gl-disable" },
  /* The user's choices win. */
  { "GSK_RENDERER=gl", FALSE, 8, "" },
  { "GSK_RENDERER=ngl", FALSE, 16, "" },
  { "GSK_RENDERER=vulkan", FALSE, 16, "" },
  { "GDK_DEBUG=gl-glx", FALSE, 8, "" },
  { "GDK_DEBUG=events,gl-gles", FALSE, 8, "" },
  /* A GPU: GTK is left alone, unless Mesa is told to render in software. */
  { "", TRUE, 8, "" },
  { "LIBGL_ALWAYS_SOFTWARE=0", TRUE, 8, "" },
  { "LIBGL_ALWAYS_SOFTWARE=false", TRUE, 8, "" },
  { "LIBGL_ALWAYS_SOFTWARE=1", TRUE, 8, "GSK_RENDERER=cairo GDK_DEBUG=gl-disable" },
  { "LIBGL_ALWAYS_SOFTWARE=true", TRUE, 16, "GSK_RENDERER=cairo GDK_DISABLE=gl" },
  { "LIBGL_ALWAYS_SOFTWARE=1 GSK_RENDERER=gl", TRUE, 8, "" },
};

static void
test_software_gl (void)
{
  g_autofree char *dir = g_dir_make_tmp ("pt-dri-XXXXXX", NULL);
  g_autofree char *node = g_build_filename (dir, "renderD128", NULL);
  g_autofree char *card = g_build_filename (dir, "card0", NULL);
  guint i;

  g_assert_nonnull (dir);
  /* card0 alone is no render node. */
  g_assert_true (g_file_set_contents (card, "", 0, NULL));

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) envp = cases[i].env[0] != '\0' ? g_strsplit (cases[i].env, " ", -1)
                                                    : g_new0 (char *, 1);
      g_auto(GStrv) changes = NULL;
      g_autofree char *joined = NULL;

      if (cases[i].gpu)
        g_assert_true (g_file_set_contents (node, "", 0, NULL));
      else
        g_remove (node);

      changes = pt_compat_software_gl_environment ((const char * const *) envp, dir,
                                                   cases[i].gtk_minor);
      joined = g_strjoinv (" ", changes);
      g_test_message ("case %u: [%s] gpu=%d 4.%u", i, cases[i].env, cases[i].gpu,
                      cases[i].gtk_minor);
      g_assert_cmpstr (joined, ==, cases[i].expected);
    }

  g_remove (node);
  g_remove (card);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/compat/software-gl", test_software_gl);
  return g_test_run ();
}
