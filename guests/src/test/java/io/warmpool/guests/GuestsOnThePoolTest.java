package io.warmpool.guests;

import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.wasm.GuestModule;
import io.warmpool.wasm.WasmHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each bundled guest run through the wasm host on a real pool, a fresh instance on a pooled slot per
 * call: the results are the ones Chicory's own memory gives, and a slot's next tenant finds none of the
 * previous one's bytes (the guests count what they find), under every reset strategy.
 */
class GuestsOnThePoolTest {
    private WarmPool pool;

    private GuestModule load(Guest guest, ResetStrategy strategy) {
        pool = WarmPool.create(PoolConfig.builder().memories(2).memoryMax(8L << 20).memoryGuard(64L << 10)
                .memoryKeepResident(256L << 10).tables(0).stacks(0).resetStrategy(strategy).build());
        return WasmHost.on(pool).load(guest.bytes());
    }

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void theRequestHandlerWritesItsResponseInThePooledMemory() {
        GuestModule module = load(Guest.REQUEST_HANDLER, ResetStrategy.AUTO);
        for (int id : new int[] {3, 1023, 200}) { // 1023: a large report, the memory grows to two pages
            String response = module.withInstance(guest -> {
                long packed = guest.call("handle", id)[0];
                return new String(guest.read((int) (packed >>> 32), (int) packed), StandardCharsets.US_ASCII);
            });
            assertEquals(Expected.response(id), response, "id " + id);
        }
    }

    @Test
    void theScatteredGuestFindsNoForeignWordOnAReusedSlotUnderEveryStrategy() {
        for (ResetStrategy strategy : ResetStrategy.values()) {
            GuestModule module = load(Guest.SCATTERED_PAGES, strategy);
            for (int seed = 1; seed <= 6; seed++) {
                int s = seed << 24 | seed; // grows 0 to 3 wasm pages: the reset must take them back
                assertEquals(0L, module.call("dirty", s, 64)[0], strategy + ", seed " + seed);
            }
            pool.close();
            pool = null;
        }
    }

    @Test
    void theLookupGuestReadsAPristineTableOnEveryInstanceUnderEveryStrategy() {
        for (ResetStrategy strategy : ResetStrategy.values()) {
            GuestModule module = load(Guest.LOOKUP_TABLE, strategy);
            for (int seed = 1; seed <= 4; seed++) {
                assertEquals(0L, module.call("run", seed, 256)[0], strategy + ", seed " + seed);
            }
            int seed = 9;
            module.withInstance(guest -> {
                guest.writeInt(Expected.lookupAddress(seed), 77); // a tenant's stray write, where the next one reads
                return null;
            });
            assertEquals(0L, module.call("run", seed, 1)[0], strategy + ": the next tenant reads the table's own entry");
            assertEquals(Expected.lookupSum(5, 300), (int) module.call("sum", 5, 300)[0], strategy.toString());
            pool.close();
            pool = null;
        }
    }
}
