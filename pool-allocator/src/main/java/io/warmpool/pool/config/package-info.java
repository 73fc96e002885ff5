/**
 * What a pool is made of and how it behaves, as values: {@link io.warmpool.pool.config.PoolConfig}
 * with one {@link io.warmpool.pool.config.KindConfig} per {@link io.warmpool.pool.config.SlotKind},
 * the slab arithmetic both the checks and the slabs use ({@link io.warmpool.pool.config.SlabLayout}),
 * the {@link io.warmpool.pool.config.ResetStrategy reset strategies}, and the one name of every
 * setting ({@link io.warmpool.pool.config.PoolSetting}) that every command, file, variable, JMX
 * attribute and error message uses. Nothing here maps memory.
 */
package io.warmpool.pool.config;
