/* test-search-query.c
 *
 * What a search finds on the desktop fixture (two RTX 3060s, 01:00.0 made
 * by MSI and 02:00.0 by Gigabyte and given to the VM "win11-gaming",
 * whose title is "Windows 11 (gaming)"): the words people type for kinds,
 * addresses in both forms, IDs, drivers, VM names and titles, and group
 * numbers, on the Devices page's rule and on the Groups page's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pt-host.h"
#include "pt-scanner.h"
#include "pt-search-query.h"

static PtHost *
scan_desktop (void)
{
  g_autofree char *root = g_test_build_filename (G_TEST_BUILT, "desktop-intel", NULL);
  g_autoptr(PtScanner) scanner = pt_scanner_new (root);
  g_autoptr(GHashTable) owners = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  PtHost *host;

  g_hash_table_insert (owners, (char *) "0000:02:00.0", (char *) "win11-gaming");
  g_hash_table_insert (owners, (char *) "0000:02:00.1", (char *) "win11-gaming");
  pt_scanner_set_owners (scanner, owners, NULL);
  host = pt_scanner_scan (scanner, NULL, &error);
  g_assert_no_error (error);
  return host;
}

static GHashTable *
vm_titles (void)
{
  GHashTable *titles = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (titles, (char *) "win11-gaming", (char *) "Windows 11 (gaming)");
  return titles;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The addresses @text finds, short forms, in the host's order, joined by " ". */
static char *
found (PtHost     *host,
       const char *text)
{
  g_autoptr(GHashTable) titles = vm_titles ();
  g_autoptr(PtSearchQuery) query = pt_search_query_new (text, titles);
  GListModel *devices = pt_host_get_devices (host);
  g_autoptr(GPtrArray) hits = g_ptr_array_new ();
  guint i;

  for (i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(PtDevice) device = g_list_model_get_item (devices, i);

      if (pt_search_query_matches_device (query, device))
        g_ptr_array_add (hits, (gpointer) (pt_device_get_address (device) + strlen ("0000:")));
    }
  g_ptr_array_sort (hits, compare_strings);
  g_ptr_array_add (hits, NULL);
  return g_strjoinv (" ", (char **) hits->pdata);
}

static void
test_words (void)
{
  static const struct
  {
    const char *text;
    const char *addresses;   /* sorted */
  } cases[] = {
    /* Kind words find the devices of that kind, whatever their names say. */
    { "gpu", "01:00.0 02:00.0" },
    { "GPU", "01:00.0 02:00.0" },
    { "graphics", "01:00.0 02:00.0" },
    { "vga", "01:00.0 02:00.0" },
    { "display", "01:00.0 02:00.0" },
    { "显卡", "01:00.0 02:00.0" },
    { "audio", "00:1f.3 01:00.1 02:00.1" },
    { "sound", "00:1f.3 01:00.1 02:00.1" },
    { "network", "00:1f.6" },
    { "nic", "00:1f.6" },
    { "ethernet", "00:1f.6" },
    { "storage", "00:17.0 03:00.0" },
    { "disk", "00:17.0 03:00.0" },
    { "nvme", "03:00.0" },
    { "sata", "00:17.0" },
    { "usb", "00:14.0" },
    /* Names, vendors and subsystems; every word must match. */
    { "rtx 3060", "01:00.0 02:00.0" },
    { "gpu msi", "01:00.0" },
    { "gpu gigabyte", "02:00.0" },
    { "nvidia audio", "01:00.1 02:00.1" },
    /* IDs and addresses, short and long, in any case. */
    { "10de:2503", "01:00.0 02:00.0" },
    { "10DE:228E", "01:00.1 02:00.1" },
    { "01:00.0", "01:00.0" },
    { "0000:01:00.0", "01:00.0" },
    { "0000:03:00.0", "03:00.0" },
    /* Drivers, the VM's name and its title. */
    { "vfio-pci", "02:00.0 02:00.1" },
    { "nouveau", "01:00.0" },
    { "win11", "02:00.0 02:00.1" },
    { "Windows 11", "02:00.0 02:00.1" },
    { "(gaming) gpu", "02:00.0" },
    /* Blank finds everything; nonsense nothing. */
    { "zzz-no-such-thing", "" },
    { "gpu zzz", "" },
  };
  g_autoptr(PtHost) host = scan_desktop ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *hits = found (host, cases[i].text);

      g_test_message ("search \"%s\"", cases[i].text);
      g_assert_cmpstr (hits, ==, cases[i].addresses);
    }
}

static void
test_blank (void)
{
  g_autoptr(PtHost) host = scan_desktop ();
  g_autoptr(PtSearchQuery) empty = pt_search_query_new ("", NULL);
  g_autoptr(PtSearchQuery) blank = pt_search_query_new ("  \t ", NULL);
  g_autoptr(PtSearchQuery) null = pt_search_query_new (NULL, NULL);
  GListModel *devices = pt_host_get_devices (host);
  guint i;

  g_assert_true (pt_search_query_is_empty (empty));
  g_assert_true (pt_search_query_is_empty (blank));
  g_assert_true (pt_search_query_is_empty (null));
  for (i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(PtDevice) device = g_list_model_get_item (devices, i);

      g_assert_true (pt_search_query_matches_device (blank, device));
    }
}

/* "group N", "IOMMU group N", "groupN" and a bare N find group N's members;
 * "group N" finds nothing else, a bare number also what contains it. */
static void
test_group_numbers (void)
{
  g_autoptr(PtHost) host = scan_desktop ();
  PtDevice *gpu = pt_host_lookup_device (host, "0000:01:00.0");
  int number = pt_device_get_iommu_group (gpu);
  PtIommuGroup *group = pt_host_lookup_group (host, number);
  GListModel *members = pt_iommu_group_get_devices (group);
  GListModel *devices = pt_host_get_devices (host);
  g_autofree char *spaced = g_strdup_printf ("group %d", number);
  g_autofree char *iommu = g_strdup_printf ("IOMMU Group %d", number);
  g_autofree char *joined = g_strdup_printf ("group%d", number);
  g_autofree char *chinese = g_strdup_printf ("组 %d", number);
  g_autofree char *bare = g_strdup_printf ("%d", number);
  const char *texts[] = { spaced, iommu, joined, chinese };
  guint i, j;

  g_assert_cmpint (number, >=, 0);
  g_assert_cmpuint (g_list_model_get_n_items (members), >=, 2);   /* the GPU and its audio */

  for (i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(PtSearchQuery) query = pt_search_query_new (texts[i], NULL);

      g_test_message ("search \"%s\"", texts[i]);
      for (j = 0; j < g_list_model_get_n_items (devices); j++)
        {
          g_autoptr(PtDevice) device = g_list_model_get_item (devices, j);

          g_assert_cmpint (pt_search_query_matches_device (query, device), ==,
                           pt_device_get_iommu_group (device) == number);
        }
    }

  {
    g_autoptr(PtSearchQuery) query = pt_search_query_new (bare, NULL);

    for (j = 0; j < g_list_model_get_n_items (members); j++)
      {
        g_autoptr(PtDevice) device = g_list_model_get_item (members, j);

        g_assert_true (pt_search_query_matches_device (query, device));
      }
  }
}

/* The Groups page: a group is found when a member is, or by its number. */
static void
test_groups (void)
{
  g_autoptr(PtHost) host = scan_desktop ();
  g_autoptr(GHashTable) titles = vm_titles ();
  g_autoptr(PtSearchQuery) gpu = pt_search_query_new ("gpu", titles);
  g_autoptr(PtSearchQuery) title = pt_search_query_new ("windows 11", titles);
  g_autoptr(PtSearchQuery) nothing = pt_search_query_new ("zzz-no-such-thing", titles);
  g_autoptr(PtSearchQuery) empty = pt_search_query_new ("", titles);
  int msi = pt_device_get_iommu_group (pt_host_lookup_device (host, "0000:01:00.0"));
  int gigabyte = pt_device_get_iommu_group (pt_host_lookup_device (host, "0000:02:00.0"));
  GListModel *groups = pt_host_get_groups (host);
  guint i;

  g_assert_cmpint (msi, !=, gigabyte);
  for (i = 0; i < g_list_model_get_n_items (groups); i++)
    {
      g_autoptr(PtIommuGroup) group = g_list_model_get_item (groups, i);
      int number = pt_iommu_group_get_number (group);
      g_autofree char *by_number = g_strdup_printf ("group %d", number);
      g_autoptr(PtSearchQuery) numbered = pt_search_query_new (by_number, titles);
      guint j;

      g_assert_cmpint (pt_search_query_matches_group (gpu, group), ==,
                       number == msi || number == gigabyte);
      g_assert_cmpint (pt_search_query_matches_group (title, group), ==, number == gigabyte);
      g_assert_false (pt_search_query_matches_group (nothing, group));
      g_assert_true (pt_search_query_matches_group (empty, group));

      for (j = 0; j < g_list_model_get_n_items (groups); j++)
        {
          g_autoptr(PtIommuGroup) other = g_list_model_get_item (groups, j);

          g_assert_cmpint (pt_search_query_matches_group (numbered, other), ==, i == j);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/search/words", test_words);
  g_test_add_func ("/search/blank", test_blank);
  g_test_add_func ("/search/group-numbers", test_group_numbers);
  g_test_add_func ("/search/groups", test_groups);

  return g_test_run ();
}
