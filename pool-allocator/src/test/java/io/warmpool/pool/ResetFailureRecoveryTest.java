package io.warmpool.pool;

import io.warmpool.natives.Call;
import io.warmpool.natives.Errno;
import io.warmpool.natives.NativeCallException;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import io.warmpool.natives.testing.FaultInjectingSyscalls;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolSnapshot;
import io.warmpool.pool.slab.SlotPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 2, with the fault-injecting double of native-stubs: each native call on the way from a
 * tenant's release to the next tenant's acquire fails in turn. The slot is then replaced by a fresh
 * mapping, or quarantined when that fails too; the listener hears of it with a detail naming the
 * call, the address, the length (or range) and the errno; no slot is handed out dirty; and the pool
 * keeps serving.
 */
class ResetFailureRecoveryTest {
    private static final int SLOTS = 2;
    private static final long MAX = 16 * PAGE;
    private static final long KEEP = 4 * PAGE;

    /** A pool over the double, a listener that keeps everything, and the checks every case shares. */
    private static final class Faulty implements AutoCloseable {
        final FaultInjectingSyscalls faults = new FaultInjectingSyscalls(Syscalls.linux());
        final TestPools.Recorder recorder = new TestPools.Recorder();
        final WarmPool pool;

        Faulty(PoolConfig.Builder config) {
            pool = WarmPool.create(config.syscalls(faults).build(), recorder, faults);
        }

        /** A tenant that fills its whole memory (past the keep-resident budget) with a non-zero byte. */
        Instance dirtyTenant(Object key, long bytes) {
            Instance instance = pool.acquire(InstanceRequest.memory(key, bytes));
            MemorySlot memory = instance.memory(0);
            NativeMemory.fill(memory.address(), memory.accessibleBytes(), (byte) 0x77);
            return instance;
        }

        /** The one fallback of {@code reason} heard so far, checked to name the call, errno and slot. */
        String fallback(Fallback reason, Call call, Errno errno, long slotAddress) {
            List<String> matching = recorder.fallbacks.stream().filter(f -> f.startsWith("memory:" + reason.label() + ":"))
                    .toList();
            assertEquals(1, matching.size(), "one " + reason + " fallback: " + recorder.fallbacks);
            String detail = matching.get(0);
            assertTrue(detail.contains(call.cName() + "("), detail + " should name " + call.cName());
            assertTrue(detail.contains(" " + errno.name() + " "), detail + " should name " + errno);
            if (slotAddress != 0) {
                assertTrue(detail.contains("at 0x" + Long.toHexString(slotAddress)), detail + " should name the slot address");
                assertTrue(detail.contains("length=0x") || detail.contains(" scan of [0x"),
                        detail + " should name the length or the range");
            }
            return detail;
        }

        /**
         * Every slot not quarantined is handed out clean, grown to its maximum; then the pool serves
         * a few more dirty cycles.
         */
        void assertServesCleanSlots(int quarantined) {
            faults.clear();
            PoolSnapshot.KindSnapshot memories = pool.snapshot().kind(SlotKind.MEMORY);
            assertEquals(quarantined, memories.quarantined(), memories.toString());
            List<Instance> all = new ArrayList<>();
            for (int i = 0; i < SLOTS - quarantined; i++) {
                Instance instance = pool.acquire(InstanceRequest.memory("check-" + i, PAGE));
                instance.memory(0).grow(MAX - PAGE);
                assertReadsZero(instance.memory(0), "slot " + instance.memory(0).index() + " after the failure");
                all.add(instance);
            }
            if (quarantined > 0) {
                PoolExhaustedException e = assertThrows(PoolExhaustedException.class,
                        () -> pool.acquire(InstanceRequest.memory("one more", PAGE)));
                assertTrue(e.getMessage().contains(quarantined + " quarantined"), e.getMessage());
            }
            all.forEach(Instance::close);
            for (int cycle = 0; cycle < 4; cycle++) {
                try (Instance instance = dirtyTenant("again", MAX)) {
                    assertTrue(instance.memory(0).accessibleBytes() == MAX);
                }
                try (Instance instance = pool.acquire(InstanceRequest.memory("again", MAX))) {
                    assertReadsZero(instance.memory(0), "cycle " + cycle);
                }
            }
        }

        @Override
        public void close() {
            faults.clear();
            pool.close();
        }
    }

    private static PoolConfig.Builder config(ResetStrategy strategy, ScanMode scanMode) {
        return TestPools.memories(SLOTS, MAX, KEEP).stripes(1).resetStrategy(strategy).scanMode(scanMode);
    }

    static Stream<Arguments> resetCalls() {
        return Stream.of(
                // pagemap-guided decommits what lies past the keep-resident budget
                Arguments.of("madvise of the reset", config(ResetStrategy.PAGEMAP_GUIDED, ScanMode.AUTO),
                        Call.MADVISE, 1L, Errno.ENOMEM),
                // the reset decommits past the budget (1st madvise), then the slot, over a bound of 0, goes cold (2nd)
                Arguments.of("madvise of an evicted warm slot",
                        config(ResetStrategy.PAGEMAP_GUIDED, ScanMode.AUTO).maxUnusedWarmSlots(0), Call.MADVISE, 2L,
                        Errno.EAGAIN),
                Arguments.of("the PAGEMAP_SCAN ioctl", config(ResetStrategy.PAGEMAP_GUIDED, ScanMode.PAGEMAP_SCAN),
                        Call.IOCTL, 1L, Errno.EINVAL),
                Arguments.of("pread of pagemap", config(ResetStrategy.PAGEMAP_GUIDED, ScanMode.PAGEMAP_READ),
                        Call.PREAD, 1L, Errno.EIO));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resetCalls")
    void aCallOfTheReleaseFailsAndTheSlotIsRemapped(String what, PoolConfig.Builder config, Call call, long nth,
                                                    Errno errno) {
        try (Faulty faulty = new Faulty(config)) {
            Instance tenant = faulty.dirtyTenant("a", MAX);
            long address = tenant.memory(0).address();
            faulty.faults.failNth(call, nth, errno);
            tenant.close();
            assertEquals(1, faulty.faults.injectedFailures(call), call + " failed once");
            System.out.println(faulty.fallback(Fallback.REMAPPED, call, errno, address));
            faulty.assertServesCleanSlots(0);
        }
    }

    @Test
    void anIoctlWithoutPagemapScanFallsBackToPreadAndTheResetCompletes() {
        try (Faulty faulty = new Faulty(config(ResetStrategy.PAGEMAP_GUIDED, ScanMode.AUTO))) {
            Instance tenant = faulty.dirtyTenant("a", MAX);
            faulty.faults.failNth(Call.IOCTL, 1, Errno.ENOTTY);
            tenant.close();
            String detail = faulty.fallback(Fallback.PAGEMAP_READ, Call.IOCTL, Errno.ENOTTY, 0);
            System.out.println(detail);
            assertEquals(0, faulty.recorder.count(faulty.recorder.fallbacks, "memory:remapped"));
            faulty.assertServesCleanSlots(0);
        }
    }

    /**
     * Releases two dirty tenants into one batch of two, which runs on the second release (one
     * {@code process_madvise} for both slots' ranges), with the faults {@code arm} sets; returns the
     * address of the first tenant's slot.
     */
    private static long releaseOneBatch(Faulty faulty, Consumer<FaultInjectingSyscalls> arm) {
        Instance a = faulty.dirtyTenant("a", MAX);
        Instance b = faulty.dirtyTenant("b", MAX);
        long first = a.memory(0).address();
        arm.accept(faulty.faults);
        a.close();
        b.close();
        return first;
    }

    @Test
    void processMadviseFailsAndTheBatchIsDecommittedWithMadvise() {
        try (Faulty faulty = new Faulty(config(ResetStrategy.PAGEMAP_GUIDED, ScanMode.AUTO).decommitBatch(SLOTS))) {
            releaseOneBatch(faulty, faults -> faults.failNth(Call.PROCESS_MADVISE, 1, Errno.EINVAL));
            String detail = faulty.fallback(Fallback.MADVISE, Call.PROCESS_MADVISE, Errno.EINVAL, 0);
            System.out.println(detail);
            assertTrue(detail.contains("2 range(s)"), detail + " should name the batch");
            assertEquals(0, faulty.recorder.count(faulty.recorder.fallbacks, "memory:remapped"));
            faulty.assertServesCleanSlots(0);
        }
    }

    @Test
    void madviseFailsForOneSlotOfABatchAndOnlyThatSlotIsRemapped() {
        try (Faulty faulty = new Faulty(config(ResetStrategy.PAGEMAP_GUIDED, ScanMode.AUTO).decommitBatch(SLOTS))) {
            // process_madvise fails; madvise range by range, and the first range fails
            long first = releaseOneBatch(faulty, faults -> faults.failNth(Call.PROCESS_MADVISE, 1, Errno.ENOMEM)
                    .failNth(Call.MADVISE, 1, Errno.ENOMEM));
            System.out.println(faulty.fallback(Fallback.REMAPPED, Call.MADVISE, Errno.ENOMEM, first));
            faulty.assertServesCleanSlots(0);
        }
    }

    @Test
    void mprotectSealingASmallerTenantsSizeFailsAndAnotherSlotServesIt() {
        try (Faulty faulty = new Faulty(config(ResetStrategy.PAGEMAP_GUIDED, ScanMode.AUTO))) {
            faulty.dirtyTenant("a", MAX).close();
            long address;
            try (Instance probe = faulty.pool.acquire(InstanceRequest.memory("a", MAX))) {
                address = probe.memory(0).address(); // the slot "a" gets back, for the message below
            }
            faulty.faults.failNth(Call.MPROTECT, 1, Errno.ENOMEM);
            try (Instance smaller = faulty.pool.acquire(InstanceRequest.memory("a", PAGE))) {
                assertEquals(PAGE, smaller.memory(0).accessibleBytes());
                assertReadsZero(smaller.memory(0), "the acquire that met the failure");
            }
            System.out.println(faulty.fallback(Fallback.REMAPPED, Call.MPROTECT, Errno.ENOMEM, address));
            faulty.assertServesCleanSlots(0);
        }
    }

    @Test
    void mprotectFailingOnEverySlotFailsTheAcquireAndThePoolServesAfterwards() {
        try (Faulty faulty = new Faulty(config(ResetStrategy.PAGEMAP_GUIDED, ScanMode.AUTO))) {
            faulty.faults.failAlways(Call.MPROTECT, Errno.ENOMEM);
            NativeCallException e = assertThrows(NativeCallException.class,
                    () -> faulty.pool.acquire(InstanceRequest.memory("a", PAGE)));
            assertTrue(e.getMessage().startsWith("mprotect("), e.getMessage());
            assertEquals(SlotPool.RESIZE_ATTEMPTS, faulty.faults.injectedFailures(Call.MPROTECT));
            assertEquals(SlotPool.RESIZE_ATTEMPTS, faulty.recorder.count(faulty.recorder.fallbacks, "memory:remapped"));
            assertEquals(0, faulty.pool.outstanding());
            faulty.assertServesCleanSlots(0);
        }
    }

    @Test
    void mprotectOfAGrowFailsAndTheSlotIsRemappedOnRelease() {
        try (Faulty faulty = new Faulty(config(ResetStrategy.PAGEMAP_GUIDED, ScanMode.AUTO))) {
            Instance tenant = faulty.dirtyTenant("a", 4 * PAGE);
            long address = tenant.memory(0).address();
            faulty.faults.failNth(Call.MPROTECT, 1, Errno.ENOMEM);
            assertThrows(NativeCallException.class, () -> tenant.memory(0).grow(4 * PAGE));
            assertEquals(4 * PAGE, tenant.memory(0).accessibleBytes(), "the failed grow changed nothing");
            tenant.close();
            System.out.println(faulty.fallback(Fallback.REMAPPED, Call.MPROTECT, Errno.ENOMEM, address));
            faulty.assertServesCleanSlots(0);
        }
    }

    @Test
    void theFreshMappingFailsTooAndTheSlotIsQuarantinedForGood() {
        try (Faulty faulty = new Faulty(config(ResetStrategy.PAGEMAP_GUIDED, ScanMode.AUTO))) {
            Instance tenant = faulty.dirtyTenant("a", MAX);
            long address = tenant.memory(0).address();
            faulty.faults.failNth(Call.MADVISE, 1, Errno.ENOMEM).failNth(Call.MMAP, 1, Errno.ENOMEM);
            tenant.close();
            String detail = faulty.fallback(Fallback.QUARANTINED, Call.MMAP, Errno.ENOMEM, address);
            assertTrue(detail.contains("madvise("), detail + " should name the reset's failure too");
            System.out.println(detail);
            faulty.faults.clear();
            assertEquals(0, faulty.pool.residentBytes(SlotKind.MEMORY), "the tenant's pages were given back");
            assertEquals("---p", TestPools.protectionAt(address), "the quarantined slot is sealed");
            assertEquals("---p", TestPools.protectionAt(address + MAX - PAGE), "all of it");
            faulty.assertServesCleanSlots(1);
        }
    }

    @Test
    void aQuarantinedSlotWhoseSealFailsTooIsCountedAndItsReleaseDoesNotThrow() {
        try (Faulty faulty = new Faulty(config(ResetStrategy.PAGEMAP_GUIDED, ScanMode.AUTO))) {
            Instance tenant = faulty.dirtyTenant("a", MAX);
            long address = tenant.memory(0).address();
            faulty.faults.failAlways(Call.MADVISE, Errno.ENOMEM).failNth(Call.MMAP, 1, Errno.ENOMEM)
                    .failNth(Call.MPROTECT, 1, Errno.EACCES);
            tenant.close();
            String detail = faulty.fallback(Fallback.QUARANTINED, Call.MMAP, Errno.ENOMEM, address);
            System.out.println(detail);
            assertTrue(detail.contains("sealing it failed 2 time(s)"), detail + " should count the seal's failures");
            assertTrue(detail.contains("mprotect(") && detail.contains(" EACCES "), detail + " should name the mprotect");
            assertEquals(1, faulty.faults.injectedFailures(Call.MPROTECT));
            faulty.assertServesCleanSlots(1);
        }
    }
}
