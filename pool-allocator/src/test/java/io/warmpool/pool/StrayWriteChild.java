package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The child JVM of {@link GuardRegionTest}: takes two neighbouring memory slots, fills the upper
 * one with a pattern, prints where everything lies, waits for {@code go} on standard input, then
 * writes one byte past the accessible size of the lower one. That write must kill this JVM.
 *
 * <p>Argument: {@code ungrown} (the byte lies in the slot's own inaccessible rest) or {@code grown}
 * (the memory is grown to its maximum first, so the byte is the first of the guard region).
 */
public final class StrayWriteChild {
    static final long MAX_BYTES = 256 << 10;
    static final long INITIAL_BYTES = 64 << 10;
    static final long GUARD_BYTES = 64 << 10;
    static final byte PATTERN = 0x5a;

    private StrayWriteChild() {
    }

    public static void main(String[] args) throws IOException {
        boolean grown = args.length > 0 && args[0].equals("grown");
        PoolConfig config = PoolConfig.builder().memories(2).memoryMax(MAX_BYTES).memoryGuard(GUARD_BYTES)
                .memoryKeepResident(INITIAL_BYTES).tables(0).stacks(0).stripes(1).build();
        WarmPool pool = WarmPool.create(config);
        Instance first = pool.acquire(InstanceRequest.memory("first", INITIAL_BYTES));
        Instance second = pool.acquire(InstanceRequest.memory("second", INITIAL_BYTES));
        MemorySlot lower = first.memory(0);
        MemorySlot upper = second.memory(0);
        if (upper.address() < lower.address()) {
            MemorySlot swap = lower;
            lower = upper;
            upper = swap;
        }
        if (grown) {
            lower.grow(lower.maximumBytes() - lower.accessibleBytes());
        }
        NativeMemory.fill(lower.address(), lower.accessibleBytes(), (byte) 0x11);
        NativeMemory.fill(upper.address(), upper.accessibleBytes(), PATTERN);
        long stray = lower.address() + lower.accessibleBytes();
        System.out.println("READY stray=" + Long.toHexString(stray) + " upper=" + Long.toHexString(upper.address()) + " upperBytes=" + upper.accessibleBytes());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (!"go".equals(in.readLine())) {
            System.out.println("NO GO");
            System.exit(2);
        }
        NativeMemory.putByte(stray, (byte) 1);
        System.out.println("SURVIVED the write at " + Long.toHexString(stray));
        System.exit(0);
    }
}
