/**
 * The tenant profile: what a pool's tenants do, recorded cheaply on every acquire and reset (dirty
 * pages per reset and where they lie, instances in use), from the {@link
 * io.warmpool.pool.event.ResetRecord reset records} alone; {@code warmpool tune} turns a
 * {@link io.warmpool.pool.profile.ProfileSnapshot} into settings. Its text form is the metrics
 * module's ({@code io.warmpool.metrics.ProfileExposition}).
 */
package io.warmpool.pool.profile;
