/**
 * Linear memories on pool slots: {@link io.warmpool.wasm.memory.PooledMemory}, Chicory's
 * {@code Memory} over a {@link io.warmpool.pool.MemorySlot}'s native bytes, with the spec's bounds,
 * traps, growth, data segments and bulk operations; its {@link io.warmpool.wasm.memory.AccessGate},
 * which its release waits at until nothing can still reach the slot; and the constant offsets of data
 * segments.
 * Imports: the pool's API and Chicory; nothing of {@code io.warmpool.wasm}'s other packages.
 */
package io.warmpool.wasm.memory;
