/**
 * The reset: how a released slot becomes clean at the least cost. {@link
 * io.warmpool.pool.reset.SlotResetter} plans and runs one reset by strategy and keep-resident
 * budget, with {@link io.warmpool.pool.reset.AutoChoice} deciding for {@code auto}; its kernel work
 * comes in as functions ({@link io.warmpool.pool.reset.DirtyPageScan}, {@link
 * io.warmpool.pool.reset.Zeroing}) and goes out as a list of ranges to give back ({@link
 * io.warmpool.pool.reset.RangeList}), which the {@link io.warmpool.pool.reset.DecommitQueue} runs or
 * batches. Each release borrows what it needs from {@link io.warmpool.pool.reset.ResetContexts}.
 * Internal to pool-allocator: see {@link io.warmpool.pool} for the rule.
 */
package io.warmpool.pool.reset;
