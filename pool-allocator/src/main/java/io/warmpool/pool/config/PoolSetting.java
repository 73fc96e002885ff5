package io.warmpool.pool.config;

import java.util.Locale;

/**
 * Every setting of a pool, by the one name it has everywhere: in {@link PoolConfig.Builder} (the
 * key in camel case: {@code pool.memory-keep-resident} is {@code memoryKeepResident}), on the
 * command line of every {@code warmpool} command ({@code --pool.memory-keep-resident}), in a
 * configuration file, in the environment ({@code WARMPOOL_POOL_MEMORY_KEEP_RESIDENT}), over JMX and
 * in the messages of {@link PoolConfigException}. Sizes are bytes, written as {@link ByteSize} reads
 * them. Over JMX a setting is the attribute {@link #jmxName()}: the key without {@code pool.}, its
 * words capitalized and joined ({@code pool.memory-keep-resident} is {@code MemoryKeepResident}), as
 * JMX names attributes.
 */
public enum PoolSetting {
    /** Linear memory slots. */
    MEMORIES("pool.memories", "linear memory slots"),
    /** The most bytes a memory can grow to: the size of a memory slot. */
    MEMORY_MAX("pool.memory-max", "the most bytes a memory can grow to (its slot's size)"),
    /** The {@code PROT_NONE} bytes after each memory slot, and before the first. */
    MEMORY_GUARD("pool.memory-guard", "guard bytes after each memory"),
    /** The bytes of a memory an idle warm slot keeps resident. */
    MEMORY_KEEP_RESIDENT("pool.memory-keep-resident", "bytes of a memory kept resident (clean) when idle"),
    /** Table slots. */
    TABLES("pool.tables", "table slots"),
    /** The 8-byte elements of each table. */
    TABLE_ELEMENTS("pool.table-elements", "8-byte elements per table"),
    /** The bytes of a table an idle warm slot keeps resident. */
    TABLE_KEEP_RESIDENT("pool.table-keep-resident", "bytes of a table kept resident when idle"),
    /** Stack slots. */
    STACKS("pool.stacks", "stack slots"),
    /** The usable bytes of a stack; a guard page lies below it. */
    STACK_SIZE("pool.stack-size", "usable bytes per stack (a guard page lies below)"),
    /** The bytes at a stack's top an idle warm slot keeps resident. */
    STACK_KEEP_RESIDENT("pool.stack-keep-resident", "bytes at a stack's top kept resident when idle"),
    /** The most unused warm slots of each kind. */
    MAX_UNUSED_WARM_SLOTS("pool.max-unused-warm-slots", "the most unused warm slots per kind"),
    /** Released slots whose decommits are batched into one system call. */
    DECOMMIT_BATCH("pool.decommit-batch", "released slots whose decommits are batched (1: none)"),
    /** How released slots are made clean. */
    RESET_STRATEGY("pool.reset-strategy", "how released slots are made clean: " + ResetStrategy.names()),
    /** How resets find dirty pages. */
    SCAN_MODE("pool.scan-mode", "how resets find dirty pages: auto, pagemap-scan, pagemap-read or none"),
    /** Whether the slabs are {@code MADV_WIPEONFORK}. */
    WIPE_ON_FORK("pool.wipe-on-fork", "MADV_WIPEONFORK on the slabs: no tenant's bytes reach a forked child"),
    /** Stripes of each kind's slot index allocator. */
    STRIPES("pool.stripes", "stripes of each kind's slot allocator (0: from the processor count)");

    private final String key;
    private final String description;

    PoolSetting(String key, String description) {
        this.key = key;
        this.description = description;
    }

    /** The setting's name, such as {@code pool.memory-keep-resident}. */
    public String key() {
        return key;
    }

    /** One line on what it sets, for {@code --help}. */
    public String description() {
        return description;
    }

    /** The environment variable that sets it, such as {@code WARMPOOL_POOL_MEMORY_KEEP_RESIDENT}. */
    public String envName() {
        return "WARMPOOL_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The JMX attribute that reads (and, where it can change at run time, sets) it, such as {@code MemoryKeepResident}. */
    public String jmxName() {
        StringBuilder out = new StringBuilder();
        for (String word : key.substring("pool.".length()).split("-")) {
            out.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        }
        return out.toString();
    }

    /** The setting that holds how many slots of {@code kind} there are. */
    public static PoolSetting count(SlotKind kind) {
        return switch (kind) {
            case MEMORY -> MEMORIES;
            case TABLE -> TABLES;
            case STACK -> STACKS;
        };
    }

    /** The setting that holds how big a slot of {@code kind} is. */
    public static PoolSetting size(SlotKind kind) {
        return switch (kind) {
            case MEMORY -> MEMORY_MAX;
            case TABLE -> TABLE_ELEMENTS;
            case STACK -> STACK_SIZE;
        };
    }

    /** The setting that holds the keep-resident bytes of {@code kind}. */
    public static PoolSetting keepResident(SlotKind kind) {
        return switch (kind) {
            case MEMORY -> MEMORY_KEEP_RESIDENT;
            case TABLE -> TABLE_KEEP_RESIDENT;
            case STACK -> STACK_KEEP_RESIDENT;
        };
    }

    @Override
    public String toString() {
        return key;
    }
}
