package io.warmpool.pool;

import io.warmpool.natives.NativeMemory;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.ResetRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static io.warmpool.pool.TestPools.PAGE;
import static io.warmpool.pool.TestPools.assertReadsZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One sanity suite run against every reset strategy under every scan mode, on the real kernel: for
 * memories, tables and stacks, tenants that write nothing, one byte at each end, every page, and
 * past the keep-resident budget; after each, the next tenant of the slot reads zero everywhere, the
 * idle slots keep at most their budget resident, and each reset's record says a strategy that the
 * configured one may run as.
 */
class ResetSanityTest {
    private static final long SLOT = 32 * PAGE;
    private static final long KEEP = 8 * PAGE;

    static Stream<Arguments> strategiesAndScanModes() {
        List<Arguments> out = new ArrayList<>();
        for (ResetStrategy strategy : ResetStrategy.values()) {
            for (ScanMode mode : ScanMode.values()) {
                out.add(Arguments.of(strategy, mode));
            }
        }
        return out.stream();
    }

    /** What the configured strategy may run as: itself, or (auto, or without a scanner) another. */
    private static boolean mayRunAs(ResetStrategy configured, ScanMode mode, ResetStrategy ran) {
        if (ran == ResetStrategy.MADVISE_ALL) {
            return true; // nothing to keep, or auto undoing a trial
        }
        if (configured == ResetStrategy.AUTO || mode == ScanMode.NONE) {
            return ran == ResetStrategy.PAGEMAP_GUIDED && mode != ScanMode.NONE
                    || ran == ResetStrategy.MEMSET_KEEP_RESIDENT;
        }
        if (configured == ResetStrategy.WRITTEN_TRACKED) {
            return ran == configured || ran == ResetStrategy.PAGEMAP_GUIDED && mode != ScanMode.NONE
                    || ran == ResetStrategy.MEMSET_KEEP_RESIDENT && mode == ScanMode.NONE;
        }
        return ran == configured;
    }

    @ParameterizedTest(name = "{0}, scan {1}")
    @MethodSource("strategiesAndScanModes")
    void theNextTenantReadsZeroAndIdleSlotsKeepAtMostTheirBudget(ResetStrategy strategy, ScanMode mode) {
        PoolConfig config = TestPools.memories(2, SLOT, KEEP).tables(2).tableElements(SLOT / 8).tableKeepResident(KEEP)
                .stacks(2).stackSize(SLOT).stackKeepResident(KEEP).maxUnusedWarmSlots(2).resetStrategy(strategy)
                .scanMode(mode).build();
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        PoolListener checking = new PoolListener() {
            @Override
            public void reset(ResetRecord record) {
                if (!mayRunAs(strategy, mode, record.strategy())) {
                    wrong.add(record.toString());
                }
            }
        };
        InstanceRequest request = InstanceRequest.builder().affinityKey("k").memory(SLOT).tables(1).stack(true).build();
        try (WarmPool pool = WarmPool.create(config, checking)) {
            for (Write write : Write.values()) {
                try (Instance instance = pool.acquire(request)) {
                    String where = strategy + ", scan " + mode + ", after " + write;
                    assertReadsZero(instance.memory(0), where);
                    assertReadsZero(instance.table(0), where);
                    assertReadsZero(instance.stack().orElseThrow(), where);
                    write.into(instance.memory(0));
                    write.into(instance.table(0));
                    write.into(instance.stack().orElseThrow());
                }
                for (SlotKind kind : SlotKind.values()) {
                    long resident = pool.residentBytes(kind);
                    assertTrue(resident <= KEEP * pool.snapshot().kind(kind).warm(), strategy + ", scan " + mode + ", "
                            + write + ": " + kind.label() + " slots keep " + resident + " B resident");
                }
            }
            try (Instance last = pool.acquire(request)) {
                assertReadsZero(last.memory(0), "the last tenant");
                assertReadsZero(last.stack().orElseThrow(), "the last tenant");
            }
            assertEquals(List.of(), wrong, strategy + " under scan mode " + mode + " ran as something it may not");
        }
    }

    /** What a tenant writes into a slot of {@link #SLOT} bytes. */
    private enum Write {
        NOTHING {
            @Override
            void into(PoolSlot slot) {
            }
        },
        BOTH_ENDS {
            @Override
            void into(PoolSlot slot) {
                NativeMemory.putByte(slot.address(), (byte) 1);
                NativeMemory.putByte(slot.address() + slot.accessibleBytes() - 1, (byte) 2);
            }
        },
        EVERY_PAGE {
            @Override
            void into(PoolSlot slot) {
                NativeMemory.fill(slot.address(), slot.accessibleBytes(), (byte) 3);
            }
        },
        PAST_THE_BUDGET {
            @Override
            void into(PoolSlot slot) {
                for (long offset = KEEP; offset < slot.accessibleBytes(); offset += 3 * PAGE) {
                    NativeMemory.putByte(slot.address() + offset, (byte) 4);
                }
            }
        };

        abstract void into(PoolSlot slot);
    }
}
