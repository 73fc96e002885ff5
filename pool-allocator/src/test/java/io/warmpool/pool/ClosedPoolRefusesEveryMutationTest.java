package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.warmpool.pool.TestPools.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bug 3 of issue 16: a closed pool touches no memory it no longer owns. Pool A closes with warm
 * slots; pool B, of the same shape, maps the same addresses and its tenants fill their memories;
 * then every method of A that would change slots (setters, flushes, acquires, measurements) is
 * called. Each refuses with {@link IllegalStateException}, and B's tenants' bytes stay as written.
 */
class ClosedPoolRefusesEveryMutationTest {
    private static final int SLOTS = 4;
    private static final long MAX = 16 * PAGE;

    @Test
    void everyMutationOfAClosedPoolRefusesAndTheNextPoolsTenantsKeepTheirBytes() {
        PoolConfig config = TestPools.memories(SLOTS, MAX, MAX).maxUnusedWarmSlots(SLOTS).decommitBatch(4).build();
        WarmPool a = WarmPool.create(config);
        List<Long> formerAddresses = new ArrayList<>();
        List<Instance> held = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            Instance instance = a.acquire(InstanceRequest.memory("a" + i, MAX));
            NativeMemory.fill(instance.memory(0).address(), MAX, (byte) 1);
            formerAddresses.add(instance.memory(0).address());
            held.add(instance);
        }
        held.forEach(Instance::close); // warm: what setMaxUnusedWarmSlots(0) would decommit
        assertEquals(SLOTS, a.snapshot().kind(SlotKind.MEMORY).warm());
        a.close();

        try (WarmPool b = WarmPool.create(config)) {
            List<Instance> tenants = new ArrayList<>();
            List<Long> addresses = new ArrayList<>();
            for (int i = 0; i < SLOTS; i++) {
                Instance tenant = b.acquire(InstanceRequest.memory("b" + i, MAX));
                NativeMemory.fill(tenant.memory(0).address(), MAX, (byte) (0x40 + i));
                tenants.add(tenant);
                addresses.add(tenant.memory(0).address());
            }
            assertTrue(addresses.containsAll(formerAddresses), "pool B maps the addresses pool A had ("
                    + hex(formerAddresses) + " in " + hex(addresses) + "): what this test needs to mean anything");

            Map<String, Executable> mutations = new LinkedHashMap<>();
            mutations.put("setMaxUnusedWarmSlots(0)", () -> a.setMaxUnusedWarmSlots(0));
            mutations.put("setMaxUnusedWarmSlots(4)", () -> a.setMaxUnusedWarmSlots(SLOTS));
            mutations.put("setKeepResidentBytes(MEMORY, 0)", () -> a.setKeepResidentBytes(SlotKind.MEMORY, 0));
            mutations.put("setResetStrategy(MADVISE_ALL)", () -> a.setResetStrategy(ResetStrategy.MADVISE_ALL));
            mutations.put("flushDecommits()", a::flushDecommits);
            mutations.put("acquire(request)", () -> a.acquire(InstanceRequest.memory("a0", PAGE)));
            mutations.put("acquire(request, 1 ms)", () -> a.acquire(InstanceRequest.memory("a0", PAGE), Duration.ofMillis(1)));
            mutations.put("residentBytes(MEMORY)", () -> a.residentBytes(SlotKind.MEMORY));
            mutations.put("idleResidentBytes(MEMORY)", () -> a.idleResidentBytes(SlotKind.MEMORY));
            mutations.put("snapshot()", a::snapshot);
            mutations.put("scanMode()", a::scanMode);
            List<String> notRefused = new ArrayList<>();
            mutations.forEach((call, use) -> {
                try {
                    use.execute();
                    notRefused.add(call + " returned");
                } catch (IllegalStateException refused) {
                    if (!refused.getMessage().contains("closed")) {
                        notRefused.add(call + " threw " + refused);
                    }
                } catch (Throwable other) {
                    notRefused.add(call + " threw " + other);
                }
            });
            a.close(); // idempotent

            List<String> changed = new ArrayList<>();
            for (int i = 0; i < SLOTS; i++) {
                MemorySlot memory = tenants.get(i).memory(0);
                for (long offset = 0; offset < MAX; offset += PAGE / 2) {
                    byte b0 = NativeMemory.getByte(memory.address() + offset);
                    if (b0 != 0x40 + i) {
                        changed.add("tenant " + i + " byte " + offset + " = " + b0);
                        break;
                    }
                }
            }
            assertEquals(List.of(), changed, "pool B's tenants' bytes after the calls on closed pool A (those that did not"
                    + " refuse: " + notRefused + ")");
            assertEquals(List.of(), notRefused, "every call on the closed pool refuses with 'the pool is closed'");
            tenants.forEach(Instance::close);
        }
    }

    private static String hex(List<Long> addresses) {
        return addresses.stream().map(Long::toHexString).toList().toString();
    }
}
