/* ph-main.c — passthrough-helper
 *
 * The privileged half of Passthrough, run through pkexec:
 *
 *   passthrough-helper bind-devices bind ADDRESS
 *   passthrough-helper bind-devices-force bind ADDRESS   (even what the host uses)
 *   passthrough-helper bind-devices return ADDRESS [--device-only]
 *   passthrough-helper sriov set-vfs ADDRESS COUNT [--keep-vfs-free]
 *   passthrough-helper configure-boot enable-iommu
 *   passthrough-helper configure-boot early-bind-ids ADDRESS…
 *   passthrough-helper configure-boot early-bind-addresses ADDRESS…
 *   passthrough-helper configure-boot boot-once-without
 *   passthrough-helper configure-boot undo [CHANGE]
 *   passthrough-helper configure-boot history
 *
 * (each with --dry-run, which only reads and needs no privilege; --json
 * prints the plan as JSON). It takes no path, program or module name from
 * its caller and ignores its environment: it scans the host itself and
 * computes the plan with the same core code as `passthroughctl --dry-run`.
 * One run at a time (a lock); an interrupted run is finished or rolled back
 * by the next (ph-journal.c, ph-devices.c). Exit statuses:
 * pt-helper-protocol.h.
 *
 * Test builds (passthrough-helper-test, never installed) take
 * "--root DIR" first and talk to the emulated kernel of ph-emulator.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ph-apply.h"
#include "ph-context.h"
#include "ph-devices.h"
#include "ph-trust.h"
#include "ph-journal.h"
#include "ph-request.h"
#include "pt-boot-plan.h"
#include "pt-change-history.h"
#include "pt-early-bind-plan.h"
#include "pt-error.h"
#include "pt-helper-protocol.h"
#include "pt-host-change.h"
#include "pt-json-writer.h"

#ifndef PH_TEST_BUILD
#define PH_TEST_BUILD 0
#endif

static int
exit_status_for (const GError *error)
{
  if (error->domain == PH_APPLY_ERROR)
    switch (error->code)
      {
      case PH_APPLY_ERROR_ROLLED_BACK:
        return PT_HELPER_EXIT_ROLLED_BACK;
      case PH_APPLY_ERROR_INCONSISTENT:
        return PT_HELPER_EXIT_INCONSISTENT;
      case PH_APPLY_ERROR_RECOVERY:
        return PT_HELPER_EXIT_RECOVERY_FAILED;
      case PH_APPLY_ERROR_REFUSED:
      default:
        return PT_HELPER_EXIT_REFUSED;
      }

  if (g_error_matches (error, PT_ERROR, PT_ERROR_NOT_FOUND))
    return PT_HELPER_EXIT_NOT_FOUND;
  if (g_error_matches (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT))
    return PT_HELPER_EXIT_USAGE;
  if (g_error_matches (error, PT_ERROR, PT_ERROR_BUSY) && g_str_has_prefix (error->message, "another change"))
    return PT_HELPER_EXIT_LOCKED;
  return PT_HELPER_EXIT_REFUSED;
}

/* After a recovery changed the host, "nothing was done" is no longer true. */
static int
fail (PhContext    *ctx,
      const GError *error)
{
  int status = exit_status_for (error);

  fprintf (stderr, "passthrough-helper: %s\n", error->message);
  if (ctx->recovered && (status == PT_HELPER_EXIT_USAGE || status == PT_HELPER_EXIT_REFUSED ||
                         status == PT_HELPER_EXIT_NOT_FOUND))
    {
      fprintf (stderr, "passthrough-helper: before that, an interrupted earlier change was put back "
                       "(the steps above say what was done); nothing of this request was done\n");
      return PT_HELPER_EXIT_RECOVERED;
    }
  return status;
}

static void
print_plan (PtPlan   *plan,
            gboolean  json)
{
  g_autofree char *text = json ? pt_plan_to_json (plan) : pt_plan_to_text (plan);

  printf (json ? "%s\n" : "%s", text);
}

/* One line per change: ID, time, state, summary, files (comma-separated). */
static void
print_history (PhContext *ctx)
{
  g_autoptr(PtRoot) root = pt_root_open (ctx->root, NULL);
  g_autoptr(GPtrArray) changes = root != NULL ? pt_change_history_list (root) : g_ptr_array_new ();
  guint i;

  for (i = 0; i < changes->len; i++)
    {
      PtChange *change = g_ptr_array_index (changes, i);
      g_autofree char *files = g_strjoinv (",", change->paths);

      printf ("%u\t%s\t%s\t%s\t%s\n", change->id, change->time != NULL ? change->time : "",
              change->state != NULL ? change->state : "", change->summary != NULL ? change->summary : "",
              files);
    }
}

/* A file the helper opens must never become its stdin, stdout or stderr. */
static void
ensure_standard_fds (void)
{
  int fd;

  for (fd = 0; fd < 3; fd++)
    if (fcntl (fd, F_GETFD) < 0 && errno == EBADF && open ("/dev/null", O_RDWR) != fd)
      abort ();
}

/* Nothing the caller set may cut a change short: limits are the helper's
 * own (no core dumps of root's memory), the signals a closed window, Ctrl-C
 * or a hang-up send are ignored until the change is finished or rolled
 * back, and it leaves the caller's session and process group. */
static void
detach_from_caller (void)
{
  static const struct { int resource; rlim_t value; } limits[] = {
    { RLIMIT_CPU, RLIM_INFINITY }, { RLIMIT_FSIZE, RLIM_INFINITY }, { RLIMIT_DATA, RLIM_INFINITY },
    { RLIMIT_AS, RLIM_INFINITY }, { RLIMIT_STACK, 8 * 1024 * 1024 }, { RLIMIT_NOFILE, 1024 },
    { RLIMIT_NPROC, RLIM_INFINITY }, { RLIMIT_CORE, 0 },
  };
  static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (limits); i++)
    {
      struct rlimit limit = { limits[i].value, limits[i].value };

      /* Without CAP_SYS_RESOURCE (a container) a hard limit cannot be raised:
       * then at least the soft one goes up to it. */
      if (setrlimit (limits[i].resource, &limit) < 0 && getrlimit (limits[i].resource, &limit) == 0)
        {
          limit.rlim_cur = limit.rlim_max;
          setrlimit (limits[i].resource, &limit);
        }
    }
  for (i = 0; i < G_N_ELEMENTS (ignored); i++)
    signal (ignored[i], SIG_IGN);
  /* Fails only for a process group leader, which the signals cannot stop now either. */
  setsid ();
}

static PtPlan *
compute_plan (PhContext        *ctx,
              const PhRequest  *request,
              PtHost          **host,
              GArray           *undone,
              GError          **error)
{
  g_autoptr(PtRoot) root = NULL;

  switch (request->verb)
    {
    case PH_VERB_BIND:
    case PH_VERB_RETURN:
    case PH_VERB_SET_VFS:
      *host = ph_context_scan (ctx, error);
      if (*host == NULL)
        return NULL;
      return ph_devices_plan (ctx, *host, request, error);

    case PH_VERB_ENABLE_IOMMU:
      root = pt_root_open (ctx->root, error);
      return root != NULL ? pt_boot_plan_enable_iommu_for_root (root, error) : NULL;

    case PH_VERB_EARLY_BIND_IDS:
    case PH_VERB_EARLY_BIND_ADDRESSES:
      {
        const char *addresses[PH_MAX_ADDRESSES + 1] = { NULL };
        int i;

        for (i = 0; i < request->n_addresses; i++)
          addresses[i] = request->addresses[i];
        root = pt_root_open (ctx->root, error);
        *host = root != NULL ? ph_context_scan (ctx, error) : NULL;
        if (*host == NULL)
          return NULL;
        return pt_early_bind_plan (root, *host, addresses,
                                   request->verb == PH_VERB_EARLY_BIND_IDS ? PT_EARLY_BIND_BY_ID
                                                                           : PT_EARLY_BIND_BY_ADDRESS,
                                   error);
      }

    case PH_VERB_BOOT_ONCE_WITHOUT:
      {
        g_autoptr(PtBootSetup) boot = NULL;

        root = pt_root_open (ctx->root, error);
        if (root == NULL)
          return NULL;
        boot = pt_boot_setup_detect (root);
        return pt_boot_plan_once_without (root, boot, error);
      }

    case PH_VERB_UNDO:
      root = pt_root_open (ctx->root, error);
      return root != NULL ? pt_change_history_undo_plan (root, request->change_id, undone, error) : NULL;

    case PH_VERB_HISTORY:
    default:
      g_assert_not_reached ();
    }
}

static int
run (PhRequest  *request,
     const char *root)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autoptr(GArray) undone = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean read_only = request->dry_run || request->verb == PH_VERB_HISTORY;
  PhContext ctx = { -1, NULL, 0, 0, FALSE, NULL };
  guint change_id = 0;
  int status = PT_HELPER_EXIT_OK;

  /* Both ids: a set-user-ID copy run by someone else is not root's helper. */
  if (!read_only && (getuid () != 0 || geteuid () != 0))
    {
      fprintf (stderr, "passthrough-helper: changing the host needs root; run it through pkexec\n");
      return PT_HELPER_EXIT_NOT_ROOT;
    }
  if (!read_only)
    detach_from_caller ();

  ctx.root = g_strdup (root);

  ctx.root_fd = open (ctx.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (ctx.root_fd < 0)
    {
      fprintf (stderr, "passthrough-helper: cannot open %s\n", ctx.root);
      g_free (ctx.root);
      return PT_HELPER_EXIT_REFUSED;
    }

  if (!read_only &&
      (!ph_journal_lock (&ctx, &error) || !ph_trust_check (ctx.root_fd, PH_STATE_DIR, &error) ||
       !ph_journal_recover (&ctx, &error) || !ph_devices_recover (&ctx, &error)))
    {
      status = fail (&ctx, error);
      goto out;
    }

  if (request->verb == PH_VERB_HISTORY)
    {
      print_history (&ctx);
      goto out;
    }

  plan = compute_plan (&ctx, request, &host, undone, &error);
  if (plan == NULL)
    {
      status = fail (&ctx, error);
      goto out;
    }

  if (request->dry_run)
    {
      print_plan (plan, request->json);
      goto out;
    }

  ctx.host = host;
  ph_kernel_plan_made (&ctx);

  if (pt_plan_is_empty (plan))
    {
      printf ("%s\n", pt_plan_get_summary (plan));
      goto out;
    }

  printf ("%s\n", pt_plan_get_summary (plan));
  fflush (stdout);

  if (request->verb == PH_VERB_ENABLE_IOMMU || request->verb == PH_VERB_UNDO ||
      request->verb == PH_VERB_EARLY_BIND_IDS || request->verb == PH_VERB_EARLY_BIND_ADDRESSES ||
      request->verb == PH_VERB_BOOT_ONCE_WITHOUT)
    {
      if (!ph_apply_plan (&ctx, plan, undone, &change_id, &error))
        {
          status = fail (&ctx, error);
          goto out;
        }
      if (change_id != 0)
        {
          PtHostChange undo;
          g_autofree char *command = NULL;

          /* The user's words for the undo, not the helper's own verb. */
          pt_host_change_init (&undo, PT_HOST_CHANGE_UNDO, NULL, 0, change_id,
                               PT_HOST_CHANGE_FLAGS_NONE, NULL);
          command = pt_host_change_to_command (&undo);
          printf (PT_HELPER_CHANGE_RECORDED, change_id);
          printf ("; “%s” undoes it\n", command);
        }
      if (pt_plan_get_reboot (plan))
        printf ("restart to use the new boot configuration\n");
    }
  else if (!ph_devices_apply (&ctx, host, request, plan, &error))
    status = fail (&ctx, error);

out:
  close (ctx.root_fd);
  g_free (ctx.root);
  return status;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *root = "/";
  PhRequest request;

  ensure_standard_fds ();

  /* Nothing from the caller's environment: pkexec passes little, sudo more. */
  clearenv ();
  setenv ("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
  setenv ("LC_ALL", "C", 1);
  setlocale (LC_ALL, "C");
  umask (022);

#if PH_TEST_BUILD
  /* Only the test build, never installed, can be pointed at a fixture tree. */
  if (argc < 3 || strcmp (argv[1], "--root") != 0 || argv[2][0] != '/')
    {
      fprintf (stderr, "passthrough-helper: the test build needs --root DIR first\n");
      return PT_HELPER_EXIT_USAGE;
    }
  root = argv[2];
  argv[2] = argv[0];
  argv += 2;
  argc -= 2;
#endif

  if (!ph_request_parse (argc, argv, &request, &error))
    {
      fprintf (stderr, "passthrough-helper: %s\n", error->message);
      return PT_HELPER_EXIT_USAGE;
    }

  return run (&request, root);
}
