/**
 * Revocable views of a tenant's slots, for JDK 22 and later: {@link io.warmpool.ffm.RevocableInstance}
 * hands a tenant {@link java.lang.foreign.MemorySegment}s bound to an arena of the instance's own,
 * which its release closes before the slots are reset and handed to anyone else. A segment kept past
 * the release throws {@link IllegalStateException} on every access, where a kept
 * {@link java.nio.ByteBuffer} from {@link io.warmpool.pool.PoolSlot#buffer()} would read the next
 * tenant's bytes. Uses only the pool's API ({@code io.warmpool.pool}).
 */
package io.warmpool.ffm;
