/**
 * The pool's tools for many threads: counters that threads change without sharing a cache line
 * ({@link io.warmpool.pool.concurrent.StripedCounter}, {@link io.warmpool.pool.concurrent.CounterCells}),
 * a small number per thread to spread them by ({@link io.warmpool.pool.concurrent.ThreadIndex}), and
 * the one home of the padding scheme and of how many ways to spread
 * ({@link io.warmpool.pool.concurrent.Padding}, {@link io.warmpool.pool.concurrent.Striping}).
 * Internal to pool-allocator: see {@link io.warmpool.pool} for the rule.
 */
package io.warmpool.pool.concurrent;
