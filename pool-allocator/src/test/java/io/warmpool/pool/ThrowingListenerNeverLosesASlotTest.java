package io.warmpool.pool;

import io.warmpool.natives.Call;
import io.warmpool.natives.Errno;
import io.warmpool.natives.NativeCallException;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import io.warmpool.natives.testing.FaultInjectingSyscalls;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.AcquireKind;
import io.warmpool.pool.event.AcquireOutcome;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.PoolSnapshot;
import io.warmpool.pool.event.ResetRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bug 6 of issue 16: a {@link PoolListener} that throws from a callback never loses a slot or leaves
 * state half-changed. After 1,000 acquire and release cycles (with and without a timeout, some of
 * them exhausting the pool, some of their resets failing so that fallbacks are told), with a listener
 * that throws from one callback or from all of them: nothing is out, every slot is free and clean,
 * and the pool counts the listener's failures.
 */
class ThrowingListenerNeverLosesASlotTest {
    private static final int SLOTS = 3;
    private static final int CYCLES = 1000;

    /** Throws from the callbacks named. */
    private static final class ThrowingListener implements PoolListener {
        final Set<String> throwing;

        ThrowingListener(Set<String> throwing) {
            this.throwing = throwing;
        }

        private void maybeThrow(String callback) {
            if (throwing.contains(callback)) {
                throw new IllegalStateException("listener throws from " + callback);
            }
        }

        @Override
        public void acquired(SlotKind kind, AcquireKind result) {
            maybeThrow("acquired");
        }

        @Override
        public void instanceAcquired(AcquireOutcome outcome, long waitNanos) {
            maybeThrow("instanceAcquired");
        }

        @Override
        public void reset(ResetRecord record) {
            maybeThrow("reset");
        }

        @Override
        public void fallback(SlotKind kind, Fallback reason, String detail) {
            maybeThrow("fallback");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"acquired", "instanceAcquired", "reset", "fallback", "acquired,instanceAcquired,reset,fallback"})
    void aListenerThatThrowsLosesNoSlotAndIsCounted(String callbacks) throws Exception {
        FaultInjectingSyscalls faults = new FaultInjectingSyscalls(Syscalls.linux());
        PoolConfig config = TestPools.memories(SLOTS, 16 * PAGE, 4 * PAGE).tables(SLOTS).tableElements(512)
                .tableKeepResident(PAGE).maxUnusedWarmSlots(1).syscalls(faults).build();
        try (WarmPool pool = WarmPool.create(config, new ThrowingListener(Set.of(callbacks.split(","))), faults)) {
            List<Instance> held = new ArrayList<>();
            int acquired = 0;
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                InstanceRequest request = InstanceRequest.builder().affinityKey("k" + cycle % 5).memory(4 * PAGE)
                        .tables(1).build();
                try {
                    Instance instance = cycle % 2 == 0 ? pool.acquire(request) : pool.acquire(request, Duration.ofMillis(1));
                    acquired++;
                    assertReadsZero(instance.memory(0), "cycle " + cycle);
                    NativeMemory.fill(instance.memory(0).address(), 4 * PAGE, (byte) cycle);
                    held.add(instance);
                    if (cycle % 50 == 7) { // a grow's mprotect fails: the release remaps the slot, a fallback is told
                        faults.failNth(Call.MPROTECT, 1, Errno.ENOMEM);
                        assertThrows(NativeCallException.class, () -> instance.memory(0).grow(PAGE));
                    }
                } catch (PoolExhaustedException full) {
                    // all slots held: the next release frees them
                }
                if (held.size() == SLOTS || cycle % 3 == 0) {
                    for (Instance instance : held) {
                        try {
                            instance.close();
                        } catch (RuntimeException e) {
                            throw new AssertionError("the release of " + instance + " threw (cycle " + cycle + ")", e);
                        }
                    }
                    held.clear();
                }
            }
            held.forEach(Instance::close);
            faults.clear();

            assertTrue(acquired > CYCLES / 2, acquired + " acquires of " + CYCLES + " succeeded");
            assertEquals(0, pool.outstanding(), "instances out");
            for (SlotKind kind : List.of(SlotKind.MEMORY, SlotKind.TABLE)) {
                PoolSnapshot.KindSnapshot s = pool.snapshot().kind(kind);
                assertEquals(0, s.inUse(), s.toString());
                assertEquals(0, s.resetting(), s.toString());
                assertEquals(0, s.quarantined(), s.toString());
                assertEquals(SLOTS, s.warm() + s.cold(), "every slot free: " + s);
            }
            List<Instance> all = new ArrayList<>();
            for (int i = 0; i < SLOTS; i++) {
                all.add(pool.acquire(InstanceRequest.builder().memory(16 * PAGE).tables(1).build()));
            }
            all.forEach(instance -> assertReadsZero(instance.memory(0), "every slot at the end"));
            all.forEach(Instance::close);
            assertTrue(pool.snapshot().listenerFailures() > 0, "the listener's failures are counted: "
                    + pool.snapshot().listenerFailures());
        }
    }
}
