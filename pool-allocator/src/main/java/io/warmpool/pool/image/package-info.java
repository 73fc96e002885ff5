/**
 * Memory images: the initial bytes of a module's memory, held once in a sealed memfd ({@link
 * io.warmpool.pool.image.ImageFile}) and mapped copy-on-write at the base of the memory slots that
 * start from it ({@link io.warmpool.pool.image.ImageSlots}, which owns that layout). A slot that
 * gets the same image again keeps it mapped; untouched image pages are shared page cache; a reset
 * restores the pages a tenant wrote (see {@link io.warmpool.pool.reset.SlotResetter}). Internal to
 * pool-allocator: the API is {@link io.warmpool.pool.MemoryImage}; see {@link io.warmpool.pool} for
 * the rule.
 */
package io.warmpool.pool.image;
