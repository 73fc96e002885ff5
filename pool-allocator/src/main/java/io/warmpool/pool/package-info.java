/**
 * A pool of pre-reserved memory, table and stack slots for short-lived instances: start at
 * {@link io.warmpool.pool.WarmPool}. An {@link io.warmpool.pool.Instance} holds the slots one
 * {@link io.warmpool.pool.InstanceRequest} asked for, through its slot views ({@link
 * io.warmpool.pool.MemorySlot}, {@link io.warmpool.pool.TableSlot}, {@link io.warmpool.pool.StackSlot}),
 * until its release resets them.
 *
 * <h2>The rooms of pool-allocator, and the one rule between them</h2>
 * <pre>
 *  io.warmpool.pool            the API: the pool, instances, slot views, requests, memory images; behind it
 *                              the leasing of slots (all a request asks for, or none; the line; the release),
 *                              the gate, fork recovery
 *    ├── .config               what a pool is made of: PoolConfig, settings and their one name each
 *    ├── .event                what a pool tells: listener, reset records, fallbacks, snapshots
 *    ├── .profile              the tenant profile, built from reset records
 *    ├── .slab                 slabs, the slot index allocator, the life of a slot (SlotPool) and its steps:
 *    │                         the slot acquire, per-slot records, recovery, warm-slot trim and eviction
 *    ├── .image                memory images: the sealed memfd, which image each slot maps, changing it
 *    ├── .reset                the reset strategies, auto's choice, reset contexts, the decommit queue
 *    └── .concurrent           striped counters, thread indices, the padding scheme
 *
 *  imports run one way:  pool → slab → image → reset → event → config;  profile → event;  all → concurrent
 * </pre>
 * The module's API is this package, {@code .config}, {@code .event} and {@code .profile}. The
 * classes of {@code .slab}, {@code .image}, {@code .reset} and {@code .concurrent} are public only so that the
 * packages of this module can use each other: no other module imports them (the JMH benchmarks,
 * which time the pieces, are the one exception). This is a rule rather than a {@code module-info}
 * because warmpool runs from a shaded jar on the class path, where module boundaries are not
 * enforced, and the tests of every module share the native layer's test jar, which the module path
 * would split; {@code ApiBoundaryTest} holds every module's sources to it in each build.
 */
package io.warmpool.pool;
