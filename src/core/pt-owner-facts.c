/* pt-owner-facts.c — which VM has which device, as a scan takes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A scan names each device's VM from libvirt's VM list. In the app the
 * first scan starts while libvirt is still being reached; when the
 * connection opens, its owners are set here, and the scan still running
 * takes them when it comes to naming owners (after reading every device,
 * which is most of its time). Only when the owners changed after the scan
 * took them must the host be read again (pt_owner_facts_changed_since_scan):
 * a second whole scan of a big host used to hold two snapshots at once.
 *
 * Thread-safe: set on the main thread, taken on the scan's.
 */

#include "config.h"

#include "pt-owner-facts.h"

struct _PtOwnerFacts
{
  gatomicrefcount ref;
  GMutex lock;
  GHashTable *owners;          /* (nullable) address -> VM name */
  GHashTable *running;         /* (nullable) set of running VM names */
  guint version;               /* bumped by every set */
  guint taken;                 /* the version the last scan took */
};

PtOwnerFacts *
pt_owner_facts_new (void)
{
  PtOwnerFacts *self = g_new0 (PtOwnerFacts, 1);

  g_atomic_ref_count_init (&self->ref);
  g_mutex_init (&self->lock);
  return self;
}

PtOwnerFacts *
pt_owner_facts_ref (PtOwnerFacts *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
pt_owner_facts_unref (PtOwnerFacts *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  g_clear_pointer (&self->owners, g_hash_table_unref);
  g_clear_pointer (&self->running, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/**
 * pt_owner_facts_set:
 * @owners: (nullable) (element-type utf8 utf8): host address -> the VM it is
 *   given to, as libvirt says; %NULL when unknown
 * @running: (nullable): the names of the VMs that run or are paused, as a set
 */
void
pt_owner_facts_set (PtOwnerFacts *self,
                    GHashTable   *owners,
                    GHashTable   *running)
{
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->owners, g_hash_table_unref);
  g_clear_pointer (&self->running, g_hash_table_unref);
  self->owners = owners != NULL ? g_hash_table_ref (owners) : NULL;
  self->running = running != NULL ? g_hash_table_ref (running) : NULL;
  self->version++;
  g_mutex_unlock (&self->lock);
}

/**
 * pt_owner_facts_take_for_scan:
 * @owners: (out) (transfer full) (nullable):
 * @running: (out) (transfer full) (nullable):
 *
 * What a scan names owners from, now; remembered as taken.
 */
void
pt_owner_facts_take_for_scan (PtOwnerFacts  *self,
                              GHashTable   **owners,
                              GHashTable   **running)
{
  g_mutex_lock (&self->lock);
  *owners = self->owners != NULL ? g_hash_table_ref (self->owners) : NULL;
  *running = self->running != NULL ? g_hash_table_ref (self->running) : NULL;
  self->taken = self->version;
  g_mutex_unlock (&self->lock);
}

/**
 * pt_owner_facts_changed_since_scan:
 *
 * Returns: whether owners were set after the last scan took them, so its
 *   snapshot names them wrongly
 */
gboolean
pt_owner_facts_changed_since_scan (PtOwnerFacts *self)
{
  gboolean changed;

  g_mutex_lock (&self->lock);
  changed = self->taken != self->version;
  g_mutex_unlock (&self->lock);
  return changed;
}
