package io.warmpool.guests;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each bundled guest, as wat2wasm assembled it, run on Chicory's own memory: what it computes is what
 * its source says. (The same guests on pooled memory: {@code GuestsOnThePoolTest}.)
 */
class GuestsOnChicoryTest {
    private static Instance instance(Guest guest) {
        WasmModule module = Parser.parse(guest.bytes());
        return Instance.builder(module).build();
    }

    @Test
    void theRequestHandlerWritesTheWholeResponseInItsMemory() {
        for (int id : new int[] {0, 7, 255, 1023, 123_456, -1}) {
            Instance instance = instance(Guest.REQUEST_HANDLER);
            long packed = instance.export("handle").apply(id)[0];
            int address = (int) (packed >>> 32);
            int length = (int) packed;
            String response = new String(instance.memory().readBytes(address, length), StandardCharsets.US_ASCII);
            assertEquals(Expected.response(id), response, "id " + id);
        }
    }

    @Test
    void theRequestHandlerGrowsItsMemoryForALargeResponse() {
        Instance small = instance(Guest.REQUEST_HANDLER);
        small.export("handle").apply(1);
        assertEquals(1, small.memory().pages());
        Instance large = instance(Guest.REQUEST_HANDLER);
        large.export("handle").apply(2047);
        assertEquals(2, large.memory().pages(), "a large report: 4096 values, a 45 KiB body and its response do not fit in one");
    }

    @Test
    void theScatteredGuestFindsNoForeignBytesInAFreshInstanceAndGrowsAsItsSeedSays() {
        for (int seed : new int[] {1, 0x0300_0001, 0x7fff_ffff}) {
            Instance instance = instance(Guest.SCATTERED_PAGES);
            assertEquals(0L, instance.export("dirty").apply(seed, 500)[0]);
            assertEquals(64 + ((seed >>> 24) & 3), instance.memory().pages());
        }
    }

    @Test
    void theScatteredGuestCountsWordsAnotherTenantLeftWhereItLooks() {
        Instance instance = instance(Guest.SCATTERED_PAGES);
        instance.memory().writeLong(Expected.scatteredAddress(9, 64), 0x1234);
        assertEquals(1L, instance.export("dirty").apply(9, 3)[0]);
    }

    @Test
    void theLookupTableHoldsTheFormulaAndItsGuestFindsNothingForeignWhenFresh() {
        Instance instance = instance(Guest.LOOKUP_TABLE);
        assertEquals(65, instance.memory().pages());
        for (int i : new int[] {0, 1, 2, 0xfffff, 0x12345}) {
            assertEquals(i * 0x9E3779B1, instance.memory().readInt(65536 + 4 * i), "entry " + i);
        }
        assertEquals(Expected.lookupSum(42, 500), (int) instance.export("sum").apply(42, 500)[0]);
        assertEquals(0L, instance.export("run").apply(42, 500)[0]);
        assertEquals(0L, instance.export("run").apply(42, 500)[0], "its own writes are not foreign");
    }

    @Test
    void theLookupGuestCountsEntriesAnotherTenantWrote() {
        Instance instance = instance(Guest.LOOKUP_TABLE);
        instance.export("run").apply(1, 1);
        assertEquals(0L, instance.export("run").apply(1, 1)[0], "the entry it wrote itself");
        instance.memory().writeI32(Expected.lookupAddress(3), 77);
        assertEquals(1L, instance.export("run").apply(3, 1)[0]);
    }

    @Test
    void aGuestThatCannotGrowTraps() {
        Instance instance = Instance.builder(Parser.parse(Guest.SCATTERED_PAGES.bytes()))
                .withMemoryLimits(new com.dylibso.chicory.wasm.types.MemoryLimits(64, 64)).build();
        assertThrows(TrapException.class, () -> instance.export("dirty").apply(0x0100_0001, 1));
    }

    @Test
    void guestsAreNamedByFileNameOrConstant() {
        assertEquals(Guest.LOOKUP_TABLE, Guest.named("lookup-table"));
        assertEquals(Guest.REQUEST_HANDLER, Guest.named("request_handler"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Guest.named("hello")).getMessage()
                .contains("request-handler, scattered-pages, lookup-table"));
    }
}
