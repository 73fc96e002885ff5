/**
 * Slots and slabs: one reserved {@link io.warmpool.pool.slab.Slab} per kind of slot, cut into slots
 * with guard regions; the {@link io.warmpool.pool.slab.SlotIndexAllocator} that chooses which free
 * slot an acquire gets (affinity, warm and cold slots); and the {@link io.warmpool.pool.slab.SlotPool}
 * that ties a slab, its allocator, its reset and its decommit queue into the life of each slot, with
 * the {@link io.warmpool.pool.slab.KindSettings} that can change while it runs. The steps of that life
 * have classes of their own, package-private: the acquire ({@code SlotAcquirer}: which slot, the image
 * it maps, the bytes it opens), what is known of each slot ({@code SlotRecords}: accessible bytes,
 * grows), a failed step's recovery ({@code SlotRecovery}) and what idle warm slots give back
 * ({@code WarmSlots}). Internal to pool-allocator: see {@link io.warmpool.pool} for the rule.
 */
package io.warmpool.pool.slab;
