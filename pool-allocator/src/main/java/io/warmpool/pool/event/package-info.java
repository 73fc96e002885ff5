/**
 * What a pool tells about itself: the events of its work as they happen ({@link
 * io.warmpool.pool.event.PoolListener}: each acquire, each {@link io.warmpool.pool.event.ResetRecord
 * reset}, each {@link io.warmpool.pool.event.Fallback fallback}) and the state of its slots at one
 * moment ({@link io.warmpool.pool.event.PoolSnapshot}). Metrics, logs and the tenant profile are
 * built on these; nothing here knows of them.
 */
package io.warmpool.pool.event;
